"""Where statement files arrive: inbox folders (and SFTP folders, :mod:`syncd.sftp`), from
which each file is moved, once its transactions are safely in the state store, to an archive
folder, or, if it is refused, to a quarantine folder beside a note of the reason.

A source offers: ``prepare()`` and ``close()`` around a pass; ``ready()``, the items to read
now; ``fetch(item)``, a local file of it; ``label(item)``, what to call it in messages;
``archive(item, local)`` and ``quarantine(item, local, reason)``, which move it and say
where to; ``exists(where)`` and ``restore(where)`` for ``syncd retry``.

A file is only read once it has been left unchanged for the source's ``settle`` seconds, and
hidden or partial files (``.name``, ``*.part``, ``*.tmp``, ``*.filepart``) are never read: a bank's
transfer or a user's copy may still be writing them. Only regular files are read: a symbolic
link is never followed (it could point anywhere outside the inbox), a FIFO never opened (it
would block), nor a socket, a device or a directory (but the source's own archive and
quarantine folders); each is logged once, with why, for as long as it stays in the inbox.
Moves never overwrite: a name already taken gets a counter (``statement.1.xml``).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from .config import SourceConfig
from .errors import SourceError
from .parsers import file_kind

log = logging.getLogger("syncd.sources")

PARTIAL_SUFFIXES = (".part", ".tmp", ".filepart", ".crdownload", ".reason.txt")


class InboxSource:
    kind = "inbox"
    #: per inbox folder, the entries skipped and already logged, with why: the daemon makes a
    #: source for every pass, and a link left in the inbox is worth one line, not one a pass
    skipped: dict[str, dict[str, str]] = {}

    def __init__(self, config: SourceConfig):
        self.config = config
        self.name = config.name

    def prepare(self):
        """Create the folders; a folder that cannot be made is the source's error, not a crash."""
        for folder in (self.config.path, self.config.archive, self.config.quarantine):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SourceError(f"source {self.name}: cannot create {folder}: {exc.strerror}") from None

    def close(self):
        pass

    def ready(self, now: float | None = None) -> list[Path]:
        """The files to read now, oldest first."""
        now = time.time() if now is None else now
        ready = []
        try:
            entries = list(os.scandir(self.config.path))
        except OSError as exc:
            raise SourceError(f"source {self.name}: cannot list {self.config.path}: {exc.strerror}") from None
        skipped: dict[str, str] = {}
        own = {os.path.abspath(self.config.archive), os.path.abspath(self.config.quarantine)}
        for entry in entries:
            name = entry.name
            if not wanted(name, self.config.pattern):
                continue
            try:
                status = entry.stat(follow_symlinks=False)
                kind = file_kind(status.st_mode)
                if kind == "a symbolic link":
                    kind += f" to {os.readlink(entry.path)} (links are not followed)"
            except FileNotFoundError:
                continue  # taken away meanwhile
            if kind:
                if os.path.abspath(entry.path) not in own:
                    skipped[name] = kind
                continue
            if now - status.st_mtime >= self.config.settle:
                ready.append((status.st_mtime, name, Path(entry.path)))
        self._log_skipped(skipped)
        return [path for _modified, _name, path in sorted(ready)]

    def _log_skipped(self, skipped: dict[str, str]):
        """One line for each entry newly skipped (or skipped for another reason); those gone
        are forgotten, so that one coming back is logged again."""
        folder = os.path.abspath(self.config.path)
        logged = InboxSource.skipped.get(folder, {})
        for name, kind in sorted(skipped.items()):
            if logged.get(name) != kind:
                log.warning("source %s: skipped %s: %s, not a regular file; put the statement itself in "
                            "the inbox", self.name, os.path.join(self.config.path, name), kind)
        InboxSource.skipped[folder] = skipped

    def fetch(self, path: Path) -> Path:
        return path

    def label(self, path: Path) -> str:
        return str(path)

    def archive(self, path: Path, _local: Path) -> str:
        """Move a file whose transactions are stored to ``archive/YYYY-MM-DD/``."""
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        return str(_move(path, self.config.archive / day))

    def quarantine(self, path: Path, _local: Path, reason: str) -> str:
        """Move a refused file to the quarantine folder, with ``NAME.reason.txt`` beside it."""
        target = _move(path, self.config.quarantine)
        note = target.with_name(target.name + ".reason.txt")
        note.write_text(reason + "\n", encoding="utf-8")
        return str(target)

    def exists(self, where: str) -> bool:
        return Path(where).exists()

    def restore(self, where: str) -> str:
        """Put a quarantined file back in the inbox, to be read again (``syncd retry``)."""
        path = Path(where)
        note = path.with_name(path.name + ".reason.txt")
        target = _move(path, self.config.path)
        note.unlink(missing_ok=True)
        return str(target)


def wanted(name: str, pattern: str) -> bool:
    """Whether a file of this name is one to read: not hidden, not partial, matching the pattern."""
    return not name.startswith(".") and not name.lower().endswith(PARTIAL_SUFFIXES) and \
        fnmatch.fnmatch(name, pattern)


def free_name(name: str, taken) -> str:
    """``name``, or ``statement.1.xml``, ``statement.2.xml``...: the first that ``taken`` says is free."""
    candidate, counter = name, 0
    stem, dot, suffix = name.partition(".")
    while taken(candidate):
        counter += 1
        candidate = f"{stem}.{counter}{dot}{suffix}" if dot else f"{stem}.{counter}"
    return candidate


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / free_name(path.name, lambda candidate: (folder / candidate).exists())
    shutil.move(str(path), str(target))
    return target


def make_source(config: SourceConfig):
    if config.kind == "sftp":
        from .sftp import SftpSource

        return SftpSource(config)
    return InboxSource(config)
