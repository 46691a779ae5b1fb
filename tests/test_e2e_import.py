"""syncd against a live Odoo: a CAMT.053 file pays an invoice, exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from .camt_builder import Entry, build_camt053
from .harness import JsonRpc, RpcFault

pytestmark = pytest.mark.odoo

JOURNAL_IBAN = "GB33BUKB20201555555555"
CUSTOMER_IBAN = "GB94BARC10201530093459"


@pytest.fixture(scope="module")
def scenario(admin):
    """A customer with an IBAN, a bank journal with an IBAN and a posted invoice."""
    customer = admin("res.partner", "create", {"name": "E2E Customer Ltd", "is_company": True})
    admin("res.partner.bank", "create", {"acc_number": CUSTOMER_IBAN, "partner_id": customer})
    journal = admin("account.journal", "create",
                    {"name": "E2E Bank", "code": "E2EB", "type": "bank", "bank_acc_number": JOURNAL_IBAN})
    invoice = admin("account.move", "create", {
        "move_type": "out_invoice",
        "partner_id": customer,
        "invoice_date": "2026-11-01",
        "invoice_line_ids": [(0, 0, {"name": "Widgets", "quantity": 4, "price_unit": 123.45, "tax_ids": [(6, 0, [])]})],
    })
    admin("account.move", "action_post", [invoice])
    [values] = admin("account.move", "read", [invoice], ["name", "amount_residual", "payment_state"])
    assert values["payment_state"] == "not_paid"
    return {"customer": customer, "journal": journal, "invoice": invoice,
            "invoice_name": values["name"], "amount": Decimal("493.80")}


@pytest.fixture
def syncd(odoo_server, robot, tmp_path):
    config = tmp_path / "syncd.toml"
    config.write_text("# everything comes from the environment in these tests\n")
    env = dict(
        os.environ,
        SYNCD_CONFIG=str(config),
        SYNCD_ODOO_URL=odoo_server.url,
        SYNCD_ODOO_DATABASE=odoo_server.database,
        SYNCD_ODOO_LOGIN=robot["login"],
        SYNCD_ODOO_API_KEY=robot["api_key"],
        SYNCD_STATE_URL=f"sqlite:///{tmp_path / 'state.sqlite'}",
    )

    def run(*args, **overrides):
        return subprocess.run([sys.executable, "-m", "syncd", *args], capture_output=True, text=True,
                              env={**env, **overrides}, timeout=300, check=False)

    return run


def statement_lines(admin, journal):
    return admin("account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
                 ["ledger_import_key", "amount", "is_reconciled", "partner_id", "ledger_source_file",
                  "ledger_feed", "ledger_raw_record"])


def test_import_pays_the_invoice_once(admin, scenario, syncd, tmp_path):
    statement = tmp_path / "statement.xml"
    statement.write_bytes(build_camt053(JOURNAL_IBAN, [
        Entry(scenario["amount"], f"Payment {scenario['invoice_name']} thank you", "E2E Customer Ltd",
              CUSTOMER_IBAN, bank_ref="E2E-0001"),
        Entry(Decimal("-7.50"), "Bank charges", bank_ref="E2E-0002"),
    ]))
    first = syncd("import", str(statement))
    assert first.returncode == 0, first.stderr
    assert "statement lines created in Odoo: 2 (already there: 0)" in first.stdout
    assert "reconciled: 1, left unmatched: 1" in first.stdout

    [invoice] = admin("account.move", "read", [scenario["invoice"]], ["payment_state", "amount_residual"])
    assert invoice["payment_state"] == "paid"
    assert invoice["amount_residual"] == 0
    lines = statement_lines(admin, scenario["journal"])
    assert len(lines) == 2
    paid = next(line for line in lines if line["amount"] > 0)
    assert paid["is_reconciled"] and paid["partner_id"][0] == scenario["customer"]
    assert paid["ledger_source_file"] == "statement.xml" and paid["ledger_feed"] == "camt053"
    assert json.loads(paid["ledger_raw_record"])["amount"] == "493.80"

    second = syncd("import", str(statement))
    assert second.returncode == 0, second.stderr
    assert "transactions read: 2 (0 new to the store)" in second.stdout
    assert "statement lines created in Odoo: 0" in second.stdout
    assert statement_lines(admin, scenario["journal"]) == lines

    status = syncd("status", "--json")
    assert json.loads(status.stdout)["states"] == {"reconciled": 1, "unmatched": 1}

    # A store that lost its memory still creates nothing: Odoo knows the keys.
    fresh = syncd("import", str(statement), SYNCD_STATE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    assert fresh.returncode == 0, fresh.stderr
    assert "statement lines created in Odoo: 0 (already there: 2)" in fresh.stdout
    assert statement_lines(admin, scenario["journal"]) == lines


def test_bad_files_are_refused_whole(admin, scenario, syncd, tmp_path):
    before = statement_lines(admin, scenario["journal"])
    broken = tmp_path / "broken.xml"
    good = build_camt053(JOURNAL_IBAN, [Entry(Decimal("11.00"), "half", bank_ref="BAD-1"),
                                        Entry(Decimal("12.00"), "imported", bank_ref="BAD-2")])
    broken.write_bytes(good.replace(b"12.00</Amt>", b"12,00x</Amt>"))
    unknown = tmp_path / "notes.txt"
    unknown.write_text("date;amount\n2026-11-20;12.00\n")
    result = syncd("import", str(broken), str(unknown))
    assert result.returncode == 3
    assert "broken.xml" in result.stderr and "Amt" in result.stderr
    assert "notes.txt" in result.stderr and "unknown format" in result.stderr
    assert statement_lines(admin, scenario["journal"]) == before

    # the good file next to a bad one still goes in
    fine = tmp_path / "fine.xml"
    fine.write_bytes(good)
    mixed = syncd("import", str(broken), str(fine))
    assert mixed.returncode == 3
    assert "statement lines created in Odoo: 2" in mixed.stdout
    assert len(statement_lines(admin, scenario["journal"])) == len(before) + 2


def test_wrong_key_is_refused(syncd, tmp_path):
    statement = tmp_path / "s.xml"
    statement.write_bytes(build_camt053(JOURNAL_IBAN, [Entry(Decimal("1.00"), "x", bank_ref="K-1")]))
    result = syncd("import", str(statement), SYNCD_ODOO_API_KEY="0" * 40)
    assert result.returncode == 77, result.stderr
    assert "refused login" in result.stderr


def test_robot_rights_over_rpc(odoo_server, robot, scenario):
    rpc = JsonRpc(odoo_server.url, odoo_server.database, robot["login"], robot["api_key"])
    info = rpc("customer.ledger.sync", "api_info")
    assert info["api_version"] == "1.0" and info["login"] == robot["login"]
    for call in (
        lambda: rpc("account.move", "search_read", [], ["name"]),
        lambda: rpc("account.bank.statement.line", "create",
                    {"journal_id": scenario["journal"], "date": "2026-11-20", "amount": 1.0, "payment_ref": "x"}),
        lambda: rpc("account.journal", "write", [scenario["journal"]], {"name": "x"}),
        lambda: rpc("res.users", "write", [robot["user_id"]], {"groups_id": [(4, 1)]}),
    ):
        with pytest.raises(RpcFault) as fault:
            call()
        assert fault.value.name == "odoo.exceptions.AccessError"


def test_refused_batch_is_kept_with_its_reason(admin, scenario, syncd, tmp_path):
    before = statement_lines(admin, scenario["journal"])
    euros = tmp_path / "euros.xml"
    euros.write_bytes(build_camt053(JOURNAL_IBAN, [Entry(Decimal("10.00"), "in euros", bank_ref="EUR-1")],
                                    currency="EUR"))
    fine = tmp_path / "dollars.xml"
    fine.write_bytes(build_camt053(JOURNAL_IBAN, [Entry(Decimal("10.00"), "in dollars", bank_ref="USD-1")]))
    result = syncd("import", str(euros), str(fine))
    assert result.returncode == 3
    assert "euros.xml" in result.stderr and "EUR" in result.stderr and "USD" in result.stderr
    assert "statement lines created in Odoo: 1" in result.stdout
    assert len(statement_lines(admin, scenario["journal"])) == len(before) + 1
    assert json.loads(syncd("status", "--json").stdout)["states"]["failed"] == 1
