"""syncd against a live Odoo: an oversize field no longer refuses its neighbours. A CSV export
with one 1,500-character remittance and good payments beside it ends with every good line in
Odoo (the long one clipped, its full text in the raw record), and a line Odoo refuses for
another reason quarantined alone."""

from __future__ import annotations

import json

import pytest

from syncd.config import Config, OdooConfig
from syncd.engine import Importer
from syncd.parsers import register_user_profiles
from syncd.sink import OdooSink
from syncd.store import State, Store, TransactionRecord

pytestmark = pytest.mark.odoo

JOURNAL_IBAN = "GB71BUKB20201566666666"
PROFILE = {
    "description": "E2E limits bank",
    "delimiter": ";",
    "account": JOURNAL_IBAN,
    "columns": {"booking_date": "Date", "amount": "Amount", "currency": "Currency", "counterparty_name": "Name",
                "remittance": "Reference", "bank_ref": "Ref"},
}
#: What the sync API's api_info states since issue 15; stated here only for a server from before,
#: so that this test runs against either (a server that states its own figures is taken at its word).
STATED = {"max_batch": 5000, "max_request_bytes": 4_000_000, "max_key_length": 128, "max_raw_chars": 20000,
          "max_source_chars": 500, "text_fields": {"payment_ref": 1000, "partner_name": 255, "account_number": 100,
                                                   "structured_ref": 100, "bank_ref": 255, "end_to_end_id": 255}}


class StatingSink(OdooSink):
    def api_info(self):
        info = super().api_info()
        return info if "limits" in info else {**info, "limits": STATED}


class OlderServerSink(OdooSink):
    """As a server that states no limits answers."""

    def api_info(self):
        return {key: value for key, value in super().api_info().items() if key != "limits"}


@pytest.fixture(scope="module")
def journal(admin):
    return admin("account.journal", "create",
                 {"name": "E2E Limits Bank", "code": "E2EL", "type": "bank", "bank_acc_number": JOURNAL_IBAN})


def importer(odoo_server, robot, tmp_path, sink_class):
    config = Config(
        odoo=OdooConfig(url=odoo_server.url, database=odoo_server.database, login=robot["login"],
                        api_key=robot["api_key"]),
        state_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
        csv_profiles={"e2elimits": PROFILE},
    )
    register_user_profiles(config.csv_profiles)
    return Importer(config, Store(config.state_url), sink_class(config.odoo, attempts=2))


def export(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("Date;Amount;Currency;Name;Reference;Ref\n"
                    + "".join(";".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def lines_by_ref(admin, journal):
    lines = admin("account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
                  ["payment_ref", "ledger_bank_ref", "ledger_raw_record", "amount"])
    return {line["ledger_bank_ref"]: line for line in lines}


def quarantined(store):
    with store.transaction() as session:
        return {r.payload["bank_ref"]: r.reason for r in session.query(TransactionRecord)
                if r.state == State.QUARANTINED.value}


def test_a_long_remittance_is_clipped_and_a_refused_line_is_quarantined_alone(admin, odoo_server, robot, journal,
                                                                              tmp_path):
    long = ("Invoice INV/2026/0042 " + "remittance text " * 100)[:1497] + "end"
    path = export(tmp_path, "limits.csv", [
        ("2026-11-20", "100.00", "USD", "Good Payer One", "first good payment", "LIM-1"),
        ("2026-11-20", "200.00", "USD", "Long Payer", long, "LIM-2"),
        ("2026-11-20", "300.00", "USD", "Good Payer Two", "second good payment", "LIM-3"),
        ("2026-11-20", "400.00", "EUR", "Euro Payer", "in a currency the journal does not keep", "LIM-4"),
    ])
    run = importer(odoo_server, robot, tmp_path, StatingSink)
    summary = run.run([path], "csv:e2elimits")

    lines = lines_by_ref(admin, journal)
    assert sorted(lines) == ["LIM-1", "LIM-2", "LIM-3"]
    assert summary.created_in_odoo == 3
    clipped = lines["LIM-2"]
    assert len(clipped["payment_ref"]) <= 1000 and clipped["payment_ref"].startswith("Invoice INV/2026/0042 ")
    assert clipped["payment_ref"].endswith(f"… [clipped from {len(long)} characters]")
    assert json.loads(clipped["ledger_raw_record"])["remittance"] == long
    assert lines["LIM-1"]["payment_ref"] == "first good payment"

    reasons = quarantined(run.store)
    assert list(reasons) == ["LIM-4"]
    assert "EUR" in reasons["LIM-4"] and "E2EL" in reasons["LIM-4"]
    assert len(summary.errors) == 1 and "limits.csv" in summary.errors[0]


def test_against_a_server_that_states_no_limits_the_long_line_alone_is_refused(admin, odoo_server, robot, journal,
                                                                             tmp_path):
    path = export(tmp_path, "older.csv", [
        ("2026-11-21", "110.00", "USD", "Good Payer One", "good payment", "OLD-1"),
        ("2026-11-21", "220.00", "USD", "Long Payer", "x" * 1500, "OLD-2"),
        ("2026-11-21", "330.00", "USD", "Good Payer Two", "good payment", "OLD-3"),
    ])
    run = importer(odoo_server, robot, tmp_path, OlderServerSink)
    summary = run.run([path], "csv:e2elimits")
    assert summary.created_in_odoo == 2
    assert {"OLD-1", "OLD-3"} <= set(lines_by_ref(admin, journal)) and "OLD-2" not in lines_by_ref(admin, journal)
    reasons = quarantined(run.store)
    assert list(reasons) == ["OLD-2"] and "payment_ref" in reasons["OLD-2"] and "1000" in reasons["OLD-2"]
