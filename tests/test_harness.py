"""The harness's reading of odoo-bin's test log."""

from tests.harness import OdooTestRun

PREFIX = "2026-11-26 12:35:12,917 7922 INFO db odoo.addons.customer_ledger.tests.test_reminders: "


def run_of(*lines):
    return OdooTestRun(returncode=0, output="\n".join(lines), tests=1, failed=0, errors=0)


def test_a_skipped_test_is_a_skip():
    skip = PREFIX + "skipped TestReminderUi.test_tour : Chrome executable not found"
    assert run_of(PREFIX + "Starting TestReminderUi.test_tour ...", skip).skips == [skip]


def test_a_test_named_skipped_is_no_skip():
    assert run_of(PREFIX + "Starting TestReminders.test_litigation_skipped ...",
                  PREFIX + "Starting TestReminders.test_skip_prevents_sending ...").skips == []


def test_chromium_missing_is_a_skip():
    line = "2026-11-26 12:35:12,917 7922 WARNING db odoo.tests.common: Chrome executable not found"
    assert run_of(line).skips == [line]
