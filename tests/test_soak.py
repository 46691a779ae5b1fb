"""Soak: 200 SIGKILLs at random moments during a 20,000-line import into a live Odoo, then
exactly 20,000 lines in Odoo. Each run is ``syncd run --once --no-reconcile`` over an inbox
holding the file, so kills land while it reads and stores the file, archives it, and pushes.
Outside the default run (it takes several minutes):

    SYNCD_SOAK=1 CI=true .venv/bin/python -m pytest -m soak tests/test_soak.py -s
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal

import pytest

from syncd.reading import read_file
from syncd.store import Store, TransactionRecord

from .camt_builder import Entry, build_camt053

pytestmark = [pytest.mark.odoo, pytest.mark.soak,
              pytest.mark.skipif(not os.environ.get("SYNCD_SOAK"), reason="a soak test: set SYNCD_SOAK=1 to run it")]

JOURNAL_IBAN = "BE68539007547034"
LINES = int(os.environ.get("SYNCD_SOAK_LINES", "20000"))
KILLS = int(os.environ.get("SYNCD_SOAK_KILLS", "200"))


def test_random_sigkills_during_a_large_import(admin, harness, odoo_db, robot, tmp_path):
    admin("account.journal", "create", {"name": "Soak Bank", "code": "SOAK", "type": "bank",
                                        "bank_acc_number": JOURNAL_IBAN})
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "soak.xml"
    path.write_bytes(build_camt053(JOURNAL_IBAN, [
        Entry(Decimal(f"{1 + i % 997}.{i % 100:02d}"), f"soak {i}", bank_ref=f"SOAK-{i}") for i in range(LINES)
    ], statement_id="SOAK"))
    keys = [t.key for t in read_file(path).transactions]
    config = tmp_path / "syncd.toml"
    config.write_text(f'[push]\nbatch_size = 250\n[sources.soak]\npath = "{inbox}"\nsettle = 0\n')
    state_url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    # Odoo as in production, with workers: every killed syncd leaves its call running in Odoo,
    # and a threaded server restarts whole when one of the piled-up calls passes its time limit
    with harness.start_server(odoo_db, extra_args=["--workers=2"]) as server:
        env = dict(os.environ, SYNCD_CONFIG=str(config), SYNCD_ODOO_URL=server.url,
                   SYNCD_ODOO_DATABASE=odoo_db, SYNCD_ODOO_LOGIN=robot["login"],
                   SYNCD_ODOO_API_KEY=robot["api_key"], SYNCD_STATE_URL=state_url)
        # the daemon's pass: store the file (then archive it), push; matching 20,000 lines is
        # not what this test is about
        argv = [sys.executable, "-m", "syncd", "run", "--once", "--no-reconcile"]
        rng = random.Random(20261126)
        started = time.monotonic()
        states_at_kill: Counter[str] = Counter()
        for _ in range(KILLS):
            process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 2.5))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            with Store(state_url).transaction() as session:
                states_at_kill.update(state for (state,) in session.query(TransactionRecord.state).distinct())
        final = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600, check=False)
    assert final.returncode == 0 and "error" not in final.stderr.lower(), final.stderr
    elapsed = time.monotonic() - started

    lines = admin("account.bank.statement.line", "search_read", [("journal_id.code", "=", "SOAK")],
                  ["ledger_import_key"])
    counts = Counter(line["ledger_import_key"] for line in lines)
    print(f"\nsoak: {KILLS} SIGKILLs, {LINES} transactions, {len(lines)} lines in Odoo, "
          f"{sum(1 for c in counts.values() if c > 1)} duplicated, {len(set(keys) - set(counts))} missing, "
          f"{elapsed:.0f} s; kills after which the store held each state: {dict(states_at_kill)}")
    assert len(lines) == LINES and sorted(counts) == sorted(keys) and set(counts.values()) == {1}
    with Store(state_url).transaction() as session:
        assert {r.state for r in session.query(TransactionRecord)} == {"confirmed"}
    assert not path.exists()  # archived
