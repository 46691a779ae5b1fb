"""Fault injection against a live Odoo: responses lost after Odoo committed, gateway errors,
a stalled Odoo, syncd killed while it waits for Odoo or while it parses, Odoo stopped and
started again. Each test ends with the same check: every transaction in Odoo exactly once,
none missing, and the state store consistent (nothing left sending or queued, each line id
the one Odoo has for the key)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal

import pytest

from syncd.engine import read_file
from syncd.store import State, Store, TransactionRecord

from .camt_builder import Entry, build_camt053
from .faults import Fault, FaultProxy

pytestmark = pytest.mark.odoo

JOURNAL_IBAN = "NL91ABNA0417164300"
FINAL = {State.RECONCILED.value, State.SUGGESTED.value, State.UNMATCHED.value}


@pytest.fixture(scope="module")
def journal(admin):
    return admin("account.journal", "create", {"name": "Fault Bank", "code": "FLT", "type": "bank",
                                               "bank_acc_number": JOURNAL_IBAN})


@pytest.fixture
def proxy(odoo_server):
    proxy = FaultProxy(odoo_server.port)
    yield proxy
    proxy.close()


@pytest.fixture
def syncd(odoo_server, robot, proxy, tmp_path):
    config = tmp_path / "syncd.toml"
    config.write_text("[push]\nbatch_size = 20\n")
    state_url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    env = dict(os.environ, SYNCD_CONFIG=str(config), SYNCD_ODOO_URL=proxy.url,
               SYNCD_ODOO_DATABASE=odoo_server.database, SYNCD_ODOO_LOGIN=robot["login"],
               SYNCD_ODOO_API_KEY=robot["api_key"], SYNCD_STATE_URL=state_url)

    def command(*args, **overrides):
        return [sys.executable, "-m", "syncd", *args], {**env, **overrides}

    def run(*args, **overrides):
        argv, environ = command(*args, **overrides)
        return subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=600, check=False)

    run.command = command
    run.state_url = state_url
    return run


def statement(tmp_path, tag: str, n: int):
    path = tmp_path / f"{tag}.xml"
    entries = [Entry(Decimal(f"{i + 1}.{n % 100:02d}"), f"{tag} payment {i}", bank_ref=f"{tag}-{i}")
               for i in range(n)]
    path.write_bytes(build_camt053(JOURNAL_IBAN, entries, statement_id=tag, currency="USD"))
    return path, [t.key for t in read_file(path).transactions]


def assert_exactly_once(admin, keys, state_url):
    lines = admin("account.bank.statement.line", "search_read", [("ledger_import_key", "in", keys)],
                  ["ledger_import_key"])
    counts = Counter(line["ledger_import_key"] for line in lines)
    assert sorted(counts) == sorted(keys), f"missing in Odoo: {set(keys) - set(counts)}"
    assert set(counts.values()) == {1}, f"duplicated in Odoo: {[k for k, c in counts.items() if c > 1]}"
    ids = {line["ledger_import_key"]: line["id"] for line in lines}
    with Store(state_url).transaction() as session:
        records = session.query(TransactionRecord).all()
        assert sorted(r.key for r in records) == sorted(keys)
        assert {r.state for r in records} <= FINAL, Counter(r.state for r in records)
        assert {r.key: r.odoo_line_id for r in records} == ids


def test_a_response_lost_after_odoo_committed_is_settled_in_the_same_run(admin, journal, syncd, proxy, tmp_path):
    path, keys = statement(tmp_path, "drop", 50)
    fault = proxy.add(Fault("drop", match="push_statement_lines", count=2))
    result = syncd("import", str(path))
    assert result.returncode == 0, result.stderr
    assert fault.seen == 2
    # the first batch's answer is lost twice; the third call finds its 20 lines there
    assert "statement lines created in Odoo: 30 (already there: 20)" in result.stdout
    assert_exactly_once(admin, keys, syncd.state_url)


def test_gateway_errors_and_rate_limits_are_retried(admin, journal, syncd, proxy, tmp_path):
    path, keys = statement(tmp_path, "gateway", 30)
    faults = [proxy.add(Fault("status", match="push_statement_lines", status=status)) for status in (502, 503)]
    faults += [proxy.add(Fault("status", match="reconcile_statement_lines", status=status)) for status in (504, 429)]
    result = syncd("import", str(path))
    assert result.returncode == 0, result.stderr
    assert [fault.seen for fault in faults] == [1, 1, 1, 1]
    assert "statement lines created in Odoo: 30 (already there: 0)" in result.stdout
    assert_exactly_once(admin, keys, syncd.state_url)


def test_a_serialization_failure_beyond_odoos_retries_is_retried(admin, journal, syncd, proxy, tmp_path):
    path, keys = statement(tmp_path, "serial", 25)
    fault = proxy.add(Fault("rpc_error", match="push_statement_lines", count=3))
    result = syncd("import", str(path))
    assert result.returncode == 0, result.stderr
    assert fault.seen == 3
    assert "statement lines created in Odoo: 25 (already there: 0)" in result.stdout
    assert_exactly_once(admin, keys, syncd.state_url)


def test_syncd_killed_after_odoo_committed_resends_nothing(admin, journal, syncd, proxy, tmp_path):
    path, keys = statement(tmp_path, "killed", 45)
    fault = proxy.add(Fault("hold", match="push_statement_lines"))
    argv, environ = syncd.command("import", str(path))
    process = subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert fault.forwarded.wait(timeout=300), "the first push never reached Odoo"
    process.send_signal(signal.SIGKILL)  # Odoo has created the batch; syncd never hears of it
    process.wait(timeout=60)
    fault.release.set()
    with Store(syncd.state_url).transaction() as session:
        assert Counter(r.state for r in session.query(TransactionRecord)) == {"sending": 20, "queued": 25}
    assert len(admin("account.bank.statement.line", "search", [("ledger_import_key", "in", keys)])) == 20

    again = syncd("import", str(path))
    assert again.returncode == 0, again.stderr
    assert "statement lines created in Odoo: 25 (already there: 20)" in again.stdout
    assert_exactly_once(admin, keys, syncd.state_url)


def test_a_stalled_odoo_times_out_and_the_retry_finds_the_lines(admin, journal, syncd, proxy, tmp_path):
    path, keys = statement(tmp_path, "stall", 20)
    fault = proxy.add(Fault("hold", match="push_statement_lines"))
    result = syncd("import", str(path), SYNCD_ODOO_TIMEOUT="3")
    fault.release.set()
    assert result.returncode == 0, result.stderr
    assert fault.seen == 1
    assert "statement lines created in Odoo: 0 (already there: 20)" in result.stdout
    assert_exactly_once(admin, keys, syncd.state_url)


def test_syncd_killed_while_parsing_then_run_again(admin, journal, syncd, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "syncd.toml"
    config.write_text(f'[push]\nbatch_size = 500\n[sources.bank]\npath = "{inbox}"\nsettle = 0\n')
    path, keys = statement(tmp_path, "parsing", 3000)
    path.rename(inbox / path.name)
    argv, environ = syncd.command("run", "--once", "--no-push")
    for delay in (0.05, 0.3, 0.6):  # killed at different points while it reads and stores
        process = subprocess.Popen(argv, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        with Store(syncd.state_url).transaction() as session:
            assert session.query(TransactionRecord).count() in (0, 3000)  # a file is stored whole or not at all
    result = syncd("run", "--once")
    assert result.returncode == 0, result.stderr
    assert not list(inbox.glob("*.xml"))
    assert_exactly_once(admin, keys, syncd.state_url)


def test_odoo_stopped_mid_run_and_started_again(admin, journal, syncd, odoo_server, tmp_path):
    path, keys = statement(tmp_path, "restart", 40)
    odoo_server.stop()
    try:
        down = syncd("import", str(path))
        assert down.returncode == 75 and "cannot reach Odoo" in down.stderr
        with Store(syncd.state_url).transaction() as session:
            assert {r.state for r in session.query(TransactionRecord)} == {"queued"}
    finally:
        odoo_server.start()
    again = syncd("import", str(path))
    assert again.returncode == 0, again.stderr
    assert "statement lines created in Odoo: 40 (already there: 0)" in again.stdout
    assert_exactly_once(admin, keys, syncd.state_url)
