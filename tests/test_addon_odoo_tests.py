"""The addon's own Odoo tests, run by odoo-bin on a copy of the template database."""

import pytest

pytestmark = pytest.mark.odoo


def test_customer_ledger_odoo_tests(harness, odoo_db):
    run = harness.run_addon_tests(odoo_db)
    report = "\n".join(run.problems[-80:]) or run.output[-4000:]
    assert run.returncode == 0, f"odoo-bin exited {run.returncode}:\n{report}"
    assert run.tests > 0, f"odoo-bin ran no test of customer_ledger:\n{run.output[-4000:]}"
    assert (run.failed, run.errors) == (0, 0), report
    # a browser test that cannot start is skipped by Odoo, silently: here that is a failure
    assert not run.skips, "Odoo skipped tests (browser tours need chromium and websocket-client in " \
        "Odoo's environment):\n" + "\n".join(run.skips)
