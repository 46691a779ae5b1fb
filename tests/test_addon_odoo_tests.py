"""The addons' own Odoo tests, run by odoo-bin on copies of the template database."""

import pytest

pytestmark = pytest.mark.odoo


def _assert_passed(run, module):
    report = "\n".join(run.problems[-80:]) or run.output[-4000:]
    assert run.returncode == 0, f"odoo-bin exited {run.returncode}:\n{report}"
    assert run.tests > 0, f"odoo-bin ran no test of {module}:\n{run.output[-4000:]}"
    assert (run.failed, run.errors) == (0, 0), report
    # a browser test that cannot start is skipped by Odoo, silently: here that is a failure
    assert not run.skips, "Odoo skipped tests (browser tours need chromium and websocket-client in " \
        "Odoo's environment):\n" + "\n".join(run.skips)


def test_customer_ledger_odoo_tests(harness, odoo_db):
    _assert_passed(harness.run_addon_tests(odoo_db), "customer_ledger")


@pytest.fixture(scope="module")
def sale_db(harness):
    """A copy of the template (customer_ledger only) into which the Sales glue module is installed, as on
    a database that gets Sales later: its install must rebuild the exposure report's view."""
    name = harness.copy_database("test_addon_odoo_tests_sale")
    try:
        harness.install(name, "customer_ledger_sale")
        yield name
    finally:
        harness.drop_database(name)


def test_customer_ledger_sale_odoo_tests(harness, sale_db):
    _assert_passed(harness.run_addon_tests(sale_db, "/customer_ledger_sale"), "customer_ledger_sale")
