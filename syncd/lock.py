"""One syncd at a time on an SQLite state store.

SQLite serialises writers but two daemons on one store would read the same inbox and send
the same batches; a second one therefore refuses to start. The lock is an ``flock`` on
``<store>.lock`` that the kernel drops when the process dies, however it dies, so a crash
never leaves a stale lock behind. PostgreSQL stores allow several instances (they share the
work through leases), so they take no lock here.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError
from .files import create_private, private_folder


class AlreadyRunning(UserError):
    exit_code = 75  # EX_TEMPFAIL: a timer may simply try again later


def sqlite_path(state_url: str) -> Path | None:
    if state_url.startswith("sqlite:///") and state_url != "sqlite:///:memory:":
        return Path(state_url[len("sqlite:///"):])
    return None


@contextmanager
def instance_lock(state_url: str):
    """Hold the store's lock for the ``with`` block, or raise :class:`AlreadyRunning`."""
    database = sqlite_path(state_url)
    if database is None:
        yield
        return
    lock_path = database.with_name(database.name + ".lock")
    private_folder(lock_path.parent)
    handle = os.fdopen(create_private(lock_path), "a+")  # held for the block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise AlreadyRunning(
                f"another syncd (pid {holder}) is working on the state store {database}; "
                "an SQLite store allows one instance (use a PostgreSQL store for several)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
