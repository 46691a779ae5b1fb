"""What syncd makes is its user's alone: the state store, its lock, quarantined and archived
statements, the metrics textfile (0600) and the folders it creates for them (0700), whatever
the umask it was started with."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from decimal import Decimal

import pytest

from syncd.lock import instance_lock
from syncd.metrics import METRICS
from syncd.store import Store

from .camt_builder import Entry, build_camt053


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The common 022, as a shell or a test runner would start syncd with."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_run_leaves_only_owner_only_files_and_folders(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good, bad = inbox / "good.xml", inbox / "bad.xml"
    good.write_bytes(build_camt053("GB29NWBK60161331926819", [Entry(Decimal("5.00"), "pay", bank_ref="M-1")]))
    bad.write_bytes(b"<Document>not a statement")
    for path in (good, bad):
        path.chmod(0o644)
    state = tmp_path / "var" / "syncd" / "state.sqlite"
    metrics = tmp_path / "metrics" / "collector" / "syncd.prom"
    config = tmp_path / "syncd.toml"
    config.write_text(f"[state]\nurl = 'sqlite:///{state}'\n[sources.bank]\npath = '{inbox}'\nsettle = 0\n"
                      f"[metrics]\ntextfile = '{metrics}'\n")
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config), "run", "--once", "--no-push"],
                            capture_output=True, text=True, timeout=120, check=False,
                            preexec_fn=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    [quarantined] = [path for path in (inbox / "quarantine").iterdir() if not path.name.endswith(".reason.txt")]
    [archived] = [path for path in (inbox / "archive").rglob("*") if path.is_file()]
    files = [state, state.with_name("state.sqlite.lock"), quarantined, quarantined.with_name("bad.xml.reason.txt"),
             archived, metrics]
    files += [path for path in state.parent.iterdir() if path.name.startswith("state.sqlite-")]  # WAL, SHM
    folders = [state.parent, state.parent.parent, inbox / "quarantine", inbox / "archive", archived.parent,
               metrics.parent, metrics.parent.parent]
    assert {str(path): oct(mode(path)) for path in files} == {str(path): "0o600" for path in files}
    assert {str(path): oct(mode(path)) for path in folders} == {str(path): "0o700" for path in folders}
    assert mode(inbox) == 0o755  # a folder syncd did not make stays as it was


def test_the_store_lock_and_metrics_are_owner_only_under_any_umask(tmp_path, open_umask):
    state = tmp_path / "new" / "state.sqlite"
    store = Store(f"sqlite:///{state}")
    store.counts()
    with instance_lock(store.url):
        pass
    METRICS.write(tmp_path / "prom" / "syncd.prom")
    for path in (state, state.with_name("state.sqlite.lock"), tmp_path / "prom" / "syncd.prom"):
        assert mode(path) == 0o600, path
    assert mode(state.parent) == mode(tmp_path / "prom") == 0o700
    store.engine.dispose()


def test_a_store_an_older_syncd_left_readable_is_made_owner_only(tmp_path, open_umask):
    state = tmp_path / "state.sqlite"
    Store(f"sqlite:///{state}").engine.dispose()
    state.chmod(0o644)
    Store(f"sqlite:///{state}").engine.dispose()
    assert mode(state) == 0o600
