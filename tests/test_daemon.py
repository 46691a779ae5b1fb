"""``syncd run`` over inbox folders, without Odoo: files stored then archived, refused files
quarantined with their reason, the others going on; crashes between the steps; retry; one
instance per SQLite store; signals. Pushing to a live Odoo is in test_e2e_daemon.py."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from syncd import logs
from syncd.config import load_config
from syncd.daemon import Daemon, retry_quarantined
from syncd.engine import Importer, ImportSummary
from syncd.lock import AlreadyRunning, instance_lock
from syncd.reading import open_file
from syncd.store import FileRecord, QuarantineRecord, SourceRecord, Store, TransactionRecord

from .camt_builder import Entry, build_camt053

ACCOUNT = "GB29NWBK60161331926819"
OLD = time.time() - 3600  # an mtime long settled


def camt(name: str, *amounts: str) -> bytes:
    return build_camt053(ACCOUNT, [Entry(Decimal(a), f"{name} {i}", bank_ref=f"{name}-{i}")
                                   for i, a in enumerate(amounts)], statement_id=name)


def drop(folder: Path, name: str, data: bytes, settled: bool = True) -> Path:
    path = folder / name
    path.write_bytes(data)
    if settled:
        os.utime(path, (OLD, OLD))
    return path


@pytest.fixture
def setup(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config_path = tmp_path / "syncd.toml"
    config_path.write_text(f'[state]\nurl = "sqlite:///{tmp_path / "state.sqlite"}"\n'
                           f'[sources.bank]\npath = "{inbox}"\ninterval = 1\nsettle = 30\n')
    config = load_config(config_path)
    store = Store(config.state_url)
    daemon = Daemon(lambda: load_config(config_path), store, lambda _config: None)
    return inbox, config_path, store, daemon


def stored(store):
    with store.transaction() as session:
        files = {f.path.rsplit("/", 1)[-1]: f.source for f in session.query(FileRecord)}
        return files, session.query(TransactionRecord).count()


def test_a_pass_stores_and_archives_good_files_and_quarantines_bad_ones(setup):
    inbox, _config, store, daemon = setup
    drop(inbox, "a.xml", camt("a", "1.00", "2.00"))
    drop(inbox, "b.xml", camt("b", "3.33").replace(b">3.33</Amt>", b">3,33</Amt>"))
    drop(inbox, "c.xml", camt("c", "4.00"))
    drop(inbox, "d.xml", camt("d", "5.00"), settled=False)  # still being written, maybe
    drop(inbox, ".e.xml", camt("e", "6.00"))
    drop(inbox, "f.xml.part", camt("f", "7.00"))

    result = daemon.run_pass("bank")
    assert (result.files, result.quarantined) == (2, 1)
    assert stored(store) == ({"a.xml": "bank", "c.xml": "bank"}, 3)
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [".e.xml", "d.xml", "f.xml.part"]
    (day,) = (inbox / "archive").iterdir()
    assert sorted(p.name for p in day.iterdir()) == ["a.xml", "c.xml"]
    quarantined = inbox / "quarantine" / "b.xml"
    reason = (inbox / "quarantine" / "b.xml.reason.txt").read_text()
    assert quarantined.exists() and "b.xml" in reason and "'3,33' is not a valid amount" in reason
    with store.transaction() as session:
        (record,) = session.query(QuarantineRecord).all()
        assert (record.source, record.path, record.name) == ("bank", str(quarantined), "b.xml")
        source = session.get(SourceRecord, "bank")
        assert (source.files_done, source.files_quarantined) == (2, 1)
        assert source.last_error == "" and source.last_ok_at is not None

    counts = store.counts()
    assert counts["sources"]["bank"]["states"] == {"queued": 3}
    assert counts["quarantine"][0]["reason"].endswith("'3,33' is not a valid amount (expected digits with a '.' "
                                                      "decimal point)")

    os.utime(inbox / "d.xml", (OLD, OLD))
    assert daemon.run_pass("bank").files == 1
    assert stored(store)[1] == 4


def test_a_file_stored_before_a_crash_is_archived_and_adds_nothing(setup):
    inbox, _config, store, daemon = setup
    path = drop(inbox, "a.xml", camt("a", "1.00", "2.00"))
    with open_file(path) as parsed:  # the pass stored it, then died before moving it
        Importer(daemon.config, store).record(parsed, ImportSummary(), source="bank")
    assert daemon.run_pass("bank").files == 1
    assert stored(store) == ({"a.xml": "bank"}, 2)
    assert not path.exists()

    # the same content dropped again under another name: known, archived, nothing new
    drop(inbox, "a-again.xml", camt("a", "1.00", "2.00"))
    assert daemon.run_pass("bank").files == 1
    assert stored(store)[1] == 2
    (day,) = (inbox / "archive").iterdir()
    assert sorted(p.name for p in day.iterdir()) == ["a-again.xml", "a.xml"]


def test_a_file_refused_again_after_a_crash_keeps_one_record(setup):
    inbox, _config, store, daemon = setup
    bad = camt("b", "3.33").replace(b">3.33</Amt>", b">3,33</Amt>")
    drop(inbox, "b.xml", bad)
    daemon.run_pass("bank")
    (inbox / "quarantine" / "b.xml").rename(inbox / "b.xml")  # as if the move had not happened
    daemon.run_pass("bank")
    with store.transaction() as session:
        assert session.query(QuarantineRecord).count() == 2  # the first one points to its own copy
    drop(inbox, "b.xml", bad)
    with store.transaction() as session:  # a record left by a crash before its move
        session.add(QuarantineRecord(source="bank", name="b.xml", path=str(inbox / "b.xml"),
                                     sha256=_sha(bad), reason="earlier"))
    daemon.run_pass("bank")
    with store.transaction() as session:
        records = session.query(QuarantineRecord).all()
        assert len(records) == 3 and all(Path(r.path).parent == inbox / "quarantine" for r in records)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_retry_puts_quarantined_files_back_and_a_fixed_configuration_reads_them(setup, tmp_path):
    inbox, config_path, store, daemon = setup
    # MT940 detects a legacy code page by itself: a feed configured as UTF-8 refuses it
    config_path.write_text(config_path.read_text() + 'encoding = "utf-8"\n')
    daemon.config = load_config(config_path)
    drop(inbox, "latin.sta", (":20:T1\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C261231EUR100,00\n"
                              ":61:261231C5,00NTRFNONREF\n:86:Za\u017c\u00f3\u0142\u0107\n"
                              ":62F:C261231EUR105,00\n-\n").encode("cp852"))
    assert daemon.run_pass("bank").quarantined == 1
    assert "set the feed's encoding" in (inbox / "quarantine" / "latin.sta.reason.txt").read_text()

    config_path.write_text(config_path.read_text().replace('encoding = "utf-8"', 'encoding = "cp852"'))
    daemon.config = load_config(config_path)
    assert retry_quarantined(daemon.config, store) == (1, 0)
    assert (inbox / "latin.sta").exists() and not (inbox / "quarantine" / "latin.sta.reason.txt").exists()
    os.utime(inbox / "latin.sta", (OLD, OLD))
    assert daemon.run_pass("bank").files == 1
    with store.transaction() as session:
        (transaction,) = session.query(TransactionRecord).all()
        assert transaction.payload["payment_ref"] == "Za\u017c\u00f3\u0142\u0107"
        assert session.query(QuarantineRecord).count() == 0


def test_one_instance_per_sqlite_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    with instance_lock(url):
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}.*state store .*state.sqlite"):
            with instance_lock(url):
                pass
    with instance_lock(url):  # released with the first holder
        pass
    with instance_lock("postgresql://syncd@127.0.0.1/syncd"), instance_lock("postgresql://syncd@127.0.0.1/syncd"):
        pass  # PostgreSQL stores share the work instead


def test_secrets_are_masked_in_every_log_line(capsys):
    logs.setup(logging.INFO, "json")
    logs.mask("s3cr3t-api-key")
    logging.getLogger("syncd.test").warning("login with %s refused", "s3cr3t-api-key")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "login with *** refused" and line["level"] == "warning"


def syncd_process(config_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "syncd", "--config", str(config_path), "--log-format", "json",
                             "run", "--no-push", *args], stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, fragment: str, seen: list[str]) -> dict:
    """The next log entry whose message holds ``fragment`` (the process is killed after 60 s)."""
    timer = subprocess.Popen(["sleep", "60"])
    try:
        for line in process.stderr:
            try:
                entry = json.loads(line)
            except ValueError:
                seen.append(line)
                continue
            seen.append(entry["message"])
            if fragment in entry["message"]:
                return entry
            if timer.poll() is not None:
                break
    finally:
        timer.kill()
    process.kill()
    pytest.fail(f"syncd never logged {fragment!r}; it logged: {seen}")


def test_the_daemon_reloads_on_sighup_and_stops_cleanly_on_sigterm(setup, tmp_path):
    inbox, config_path, _store, _daemon = setup
    drop(inbox, "a.xml", camt("a", "1.00"))
    process = syncd_process(config_path)
    seen: list[str] = []
    try:
        wait_for(process, "a.xml stored and archived", seen)
        second = tmp_path / "second"
        second.mkdir()
        other = f'[sources.other]\npath = "{second}"\nsettle = 0\ninterval = 1\n'
        config_path.write_text(config_path.read_text() + other)
        process.send_signal(signal.SIGHUP)
        wait_for(process, "configuration reloaded: 2 source(s)", seen)
        drop(second, "b.xml", camt("b", "2.00"))
        wait_for(process, "source other: b.xml stored and archived", seen)

        with pytest.raises(subprocess.CalledProcessError) as refused:
            subprocess.run([sys.executable, "-m", "syncd", "--config", str(config_path), "run", "--once",
                            "--no-push"], capture_output=True, text=True, check=True, timeout=60)
        assert refused.value.returncode == 75 and "another syncd" in refused.value.stderr

        process.send_signal(signal.SIGTERM)
        wait_for(process, "stopped", seen)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
    assert (second / "archive").exists() and not (second / "b.xml").exists()


def test_run_once_reads_each_source_once_and_exits(setup):
    inbox, config_path, store, _daemon = setup
    drop(inbox, "a.xml", camt("a", "1.00", "2.00"))
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config_path), "run", "--once",
                             "--no-push"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "a.xml stored and archived" in result.stderr
    assert stored(store)[1] == 2
    status = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config_path), "status"],
                            capture_output=True, text=True, timeout=60, check=True)
    assert "source bank (inbox)" in status.stdout and "files stored 1, quarantined 0" in status.stdout
    assert "transactions: queued 2" in status.stdout


def test_metrics_are_written_to_a_textfile_after_each_pass(setup):
    inbox, config_path, _store, _daemon = setup
    metrics = '[metrics]\ntextfile = "metrics/syncd.prom"\n'
    config_path.write_text(config_path.read_text().replace("[sources.bank]", metrics + "[sources.bank]"))
    drop(inbox, "a.xml", camt("a", "1.00", "2.00"))
    drop(inbox, "b.xml", b"not a statement")
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config_path), "run", "--once",
                             "--no-push"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    text = (config_path.parent / "metrics" / "syncd.prom").read_text()
    for sample in ('syncd_transactions{state="queued"} 2.0', 'syncd_transactions{state="confirmed"} 0.0',
                   "syncd_quarantined_files 1.0", 'syncd_errors_total{kind="input"} 1.0',
                   'syncd_source_ok{source="bank"} 1.0', "syncd_source_last_run_timestamp_seconds{source=\"bank\"} 1."):
        assert sample in text, text


def test_metrics_are_served_on_loopback_only(setup, tmp_path):
    import urllib.request

    from syncd.errors import ConfigError
    from tests.harness import free_port

    inbox, config_path, _store, _daemon = setup
    bad = tmp_path / "bad.toml"
    bad.write_text('[metrics]\nlisten = "0.0.0.0:9464"\n')
    with pytest.raises(ConfigError, match="must be a loopback address"):
        load_config(bad)

    port = free_port()
    metrics = f'[metrics]\nlisten = "127.0.0.1:{port}"\n'
    config_path.write_text(config_path.read_text().replace("[sources.bank]", metrics + "[sources.bank]"))
    drop(inbox, "a.xml", camt("a", "1.00"))
    process = syncd_process(config_path)
    seen: list[str] = []
    try:
        wait_for(process, f"metrics on http://127.0.0.1:{port}/metrics", seen)
        wait_for(process, "a.xml stored and archived", seen)
        wait_for(process, "transactions read: 1", seen)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
            text = response.read().decode()
        assert 'syncd_transactions{state="queued"} 1.0' in text and "syncd_push_seconds_count 0.0" in text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()


def test_progress_bars_follow_reading(tmp_path):
    import io

    from rich.console import Console

    from syncd.config import Config, OdooConfig
    from syncd.progress import BarProgress

    path = tmp_path / "a.xml"
    path.write_bytes(camt("a", "1.00", "2.00", "3.00"))
    out = io.StringIO()
    config = Config(odoo=OdooConfig(), state_url=f"sqlite:///{tmp_path / 'state.sqlite'}")
    with BarProgress(Console(file=out, force_terminal=True, width=100)) as bars:
        summary = Importer(config, Store(config.state_url), progress=bars).run([path])
    assert summary.transactions_new == 3
    assert "reading a.xml" in out.getvalue() and "3/3" in out.getvalue()


def test_no_reconcile_pushes_only(setup):
    inbox, config_path, store, _daemon = setup

    class Sink:
        calls: list[str] = []

        def api_info(self):
            return {}

        def lookup_keys(self, journal, keys):
            return {}

        def push_lines(self, journal, lines, source, statements=None):
            self.calls.append("push")
            return {"lines": {line["key"]: {"id": i + 1, "created": True} for i, line in enumerate(lines)}}

        def reconcile(self, line_ids):
            self.calls.append("reconcile")
            return {str(i): {"state": "unmatched", "invoice_ids": [], "reason": ""} for i in line_ids}

    drop(inbox, "a.xml", camt("a", "1.00", "2.00"))
    daemon = Daemon(lambda: load_config(config_path), store, lambda _config: Sink(), reconcile=False)
    daemon.run_pass("bank")
    assert Sink.calls == ["push"]
    assert store.counts()["states"] == {"confirmed": 2}
    Daemon(lambda: load_config(config_path), store, lambda _config: Sink()).run_pass("bank")
    assert Sink.calls == ["push", "reconcile"]
    assert store.counts()["states"] == {"unmatched": 2}
