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

from syncd.config import url_password
from syncd.reading import read_file
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


# -- several instances on a PostgreSQL store ---------------------------------------------------


@pytest.fixture
def pg_syncd(syncd, pg_url):
    def command(*args, **overrides):
        return syncd.command(*args, **{"SYNCD_STATE_URL": pg_url, **overrides})

    def run(*args, **overrides):
        argv, environ = command(*args, **overrides)
        return subprocess.run(argv, capture_output=True, text=True, env=environ, timeout=600, check=False)

    run.command = command
    run.state_url = pg_url
    return run


def test_two_daemons_on_postgresql_share_one_backlog(admin, journal, pg_syncd, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "syncd.toml"
    config.write_text(f'[push]\nbatch_size = 20\n[sources.bank]\npath = "{inbox}"\nsettle = 0\n')
    keys = []
    for n in range(4):
        path, file_keys = statement(tmp_path, f"shared{n}", 50)
        path.rename(inbox / path.name)
        keys += file_keys
    argv, environ = pg_syncd.command("run", "--once")
    processes = [subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert not list(inbox.glob("*.xml"))
    assert_exactly_once(admin, keys, pg_syncd.state_url)


def test_a_lease_that_expires_while_its_owner_is_paused(admin, journal, pg_syncd, proxy, tmp_path):
    config = tmp_path / "syncd.toml"
    config.write_text("[push]\nbatch_size = 20\nlease_seconds = 10\n[odoo]\ntimeout = 5\n")
    path, keys = statement(tmp_path, "paused", 60)
    fault = proxy.add(Fault("hold", match="push_statement_lines"))
    argv, environ = pg_syncd.command("import", str(path))
    first = subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert fault.forwarded.wait(timeout=300), "the first push never reached Odoo"
        first.send_signal(signal.SIGSTOP)  # paused holding the journal, its first batch in Odoo
        fault.release.set()
        store = Store(pg_syncd.state_url)
        deadline = time.monotonic() + 120
        while not _lease_expired(store):
            assert time.monotonic() < deadline, "the lease never expired"
            time.sleep(0.5)

        second = pg_syncd("import", str(path))  # takes the journal over
        assert second.returncode == 0, second.stderr
        assert "statement lines created in Odoo: 40 (already there: 20)" in second.stdout
    finally:
        first.send_signal(signal.SIGCONT)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert "statement lines created in Odoo: 20 (already there: 0)" in out  # it sends nothing again
    assert_exactly_once(admin, keys, pg_syncd.state_url)


def _lease_expired(store) -> bool:
    from datetime import datetime, timezone

    from syncd.store import JournalLease

    with store.transaction() as session:
        leases = session.query(JournalLease).all()
        return bool(leases) and all(lease.expires < datetime.now(timezone.utc) for lease in leases)


def test_the_state_database_connection_killed_mid_transaction(admin, journal, pg_syncd, tmp_path):
    import threading

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "syncd.toml"
    config.write_text(f'[push]\nbatch_size = 100\n[sources.bank]\npath = "{inbox}"\nsettle = 0\n')
    path, keys = statement(tmp_path, "dbkill", 2000)
    path.rename(inbox / path.name)
    database = pg_syncd.state_url.rsplit("/", 1)[-1]
    stop = threading.Event()
    killed = []

    def kill_connections():
        while not stop.is_set():
            result = subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                 f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' "
                 "AND (query ILIKE 'INSERT INTO transactions%' OR query ILIKE 'SELECT transactions.key%')"],
                capture_output=True, text=True, check=False)
            killed.append(int(result.stdout.strip() or 0))
            time.sleep(0.05)

    killer = threading.Thread(target=kill_connections)
    killer.start()
    try:
        broken = pg_syncd("run", "--once")
    finally:
        stop.set()
        killer.join()
    assert broken.returncode == 0, broken.stderr  # a pass abandoned is not a crash
    assert sum(killed) > 0, "no connection was ever killed"
    assert "source bank: the state store postgresql+psycopg://" in broken.stderr
    assert "terminating connection due to administrator command" in broken.stderr
    assert url_password(pg_syncd.state_url) not in broken.stderr  # never logged
    result = pg_syncd("run", "--once")
    assert result.returncode == 0, result.stderr
    assert_exactly_once(admin, keys, pg_syncd.state_url)


def test_two_syncd_with_their_own_stores_push_the_same_file_at_once(admin, journal, syncd, tmp_path):
    # two instances on separate stores (two machines set up by mistake): Odoo's keys alone
    # keep every line once, whichever request commits first
    path, keys = statement(tmp_path, "twice", 400)
    stores = [f"sqlite:///{tmp_path / f'store{n}.sqlite'}" for n in range(2)]
    processes = []
    for state_url in stores:
        argv, environ = syncd.command("import", str(path), SYNCD_STATE_URL=state_url,
                                      SYNCD_PUSH_BATCH_SIZE="400")
        processes.append(subprocess.Popen(argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
    outputs = [process.communicate(timeout=600) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    created = sorted(int(out.split("statement lines created in Odoo: ")[1].split()[0]) for out, _err in outputs)
    assert created == [0, 400]
    for state_url in stores:
        assert_exactly_once(admin, keys, state_url)
