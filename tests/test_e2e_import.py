"""syncd against a live Odoo: a CAMT.053 file pays an invoice, exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from .camt_builder import Entry, build_camt053
from .harness import JsonRpc, RpcFault
from .mt940_builder import page_split_mt940

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
    assert "reconciled: 1, suggested to the accountant: 0, left unmatched: 1" in first.stdout

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
    assert "notes.txt" in result.stderr and "no currency" in result.stderr
    assert statement_lines(admin, scenario["journal"]) == before

    # the good file next to a bad one still goes in
    fine = tmp_path / "fine.xml"
    fine.write_bytes(good)
    mixed = syncd("import", str(broken), str(fine))
    assert mixed.returncode == 3
    assert "statement lines created in Odoo: 2" in mixed.stdout
    assert len(statement_lines(admin, scenario["journal"])) == len(before) + 2


def bank_statements(admin, journal):
    return admin("account.bank.statement", "search_read", [("journal_id", "=", journal)],
                 ["name", "balance_start", "balance_end", "balance_end_real", "is_complete", "line_ids",
                  "ledger_source_file"], order="id")


def test_each_statement_lands_with_its_balances_flagged_when_they_do_not_add_up(admin, scenario, syncd, tmp_path):
    entries = [Entry(Decimal("40.00"), "first", bank_ref="STM-1"), Entry(Decimal("-15.00"), "second", bank_ref="STM-2")]
    balanced = tmp_path / "balanced.xml"
    balanced.write_bytes(build_camt053(JOURNAL_IBAN, entries, opening=Decimal("500.00"), statement_id="STM-A"))
    result = syncd("import", str(balanced))
    assert result.returncode == 0, result.stderr
    assert "statements read: 1 (0 whose balances do not add up)" in result.stdout

    # a bank that prints another day's closing balance: read, brought in, and flagged
    gap = tmp_path / "gap.xml"
    entries = [Entry(Decimal("70.00"), "third", bank_ref="STM-3")]
    gap.write_bytes(build_camt053(JOURNAL_IBAN, entries, opening=Decimal("525.00"), statement_id="STM-B")
                    .replace(b"595.00</Amt>", b"600.00</Amt>"))
    result = syncd("import", str(gap))
    assert result.returncode == 0, result.stderr
    assert "statements read: 1 (1 whose balances do not add up)" in result.stdout
    assert "statement STM-B of account GB33BUKB20201555555555" in result.stdout
    assert ("opening 525.00 + entries 70.00 = 595.00, but the closing balance is 600.00 (difference 5.00)"
            in result.stdout)

    ours = [s for s in bank_statements(admin, scenario["journal"]) if s["name"] in ("STM-A", "STM-B")]
    assert [(s["name"], s["balance_start"], s["balance_end"], s["balance_end_real"], s["is_complete"],
             len(s["line_ids"]), s["ledger_source_file"]) for s in ours] == [
        ("STM-A", 500.0, 525.0, 525.0, True, 2, "balanced.xml"),
        ("STM-B", 525.0, 595.0, 600.0, False, 1, "gap.xml"),
    ]
    status = syncd("status")
    assert "statements to look at" in status.stdout
    assert "statement STM-B of GB33BUKB20201555555555 on 2026-11-20" in status.stdout
    assert "misses the closing 600.00 by 5.00" in status.stdout

    # both again: nothing twice
    assert syncd("import", str(gap), str(balanced)).returncode == 0
    assert [s for s in bank_statements(admin, scenario["journal"]) if s["name"] in ("STM-A", "STM-B")] == ours

    # an MT940 statement over three messages (:28C: 7/1, 7/2, 7/3) is one statement
    split = tmp_path / "split.sta"
    split.write_text(page_split_mt940(JOURNAL_IBAN, "USD", 595, [10, -4, 20]))
    result = syncd("import", str(split))
    assert result.returncode == 0, result.stderr
    assert "statements read: 1 (0 whose balances do not add up)" in result.stdout
    seven = [s for s in bank_statements(admin, scenario["journal"]) if s["name"] == "7"]
    assert [(s["balance_start"], s["balance_end"], s["balance_end_real"], s["is_complete"], len(s["line_ids"]))
            for s in seven] == [(595.0, 621.0, 621.0, True, 3)]


def test_wrong_key_is_refused(syncd, tmp_path):
    statement = tmp_path / "s.xml"
    statement.write_bytes(build_camt053(JOURNAL_IBAN, [Entry(Decimal("1.00"), "x", bank_ref="K-1")]))
    result = syncd("import", str(statement), SYNCD_ODOO_API_KEY="0" * 40)
    assert result.returncode == 77, result.stderr
    assert "refused login" in result.stderr


def test_robot_rights_over_rpc(odoo_server, robot, scenario):
    rpc = JsonRpc(odoo_server.url, odoo_server.database, robot["login"], robot["api_key"])
    info = rpc("customer.ledger.sync", "api_info")
    assert info["api_version"] == "1.1" and info["login"] == robot["login"]
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
    assert json.loads(syncd("status", "--json").stdout)["states"]["quarantined"] == 1


def test_a_mix_of_payments(admin, syncd, tmp_path):
    """One statement, every kind of payment the engine handles; each invoice ends as it should."""
    journal = admin("account.journal", "create",
                    {"name": "Mix Bank", "code": "MIXB", "type": "bank", "bank_acc_number": "GB82WEST12345698765432"})
    [company_id] = [j["company_id"][0] for j in admin("account.journal", "read", [journal], ["company_id"])]
    [expense] = admin("account.account", "search", [("account_type", "=", "expense"),
                                                     ("company_id", "=", company_id)], limit=1)
    admin("res.company", "write", [company_id], {"ledger_tolerance_amount": 5.0,
                                                 "ledger_writeoff_account_id": expense})

    def customer(name, iban=None):
        partner = admin("res.partner", "create", {"name": name, "is_company": True})
        if iban:
            admin("res.partner.bank", "create", {"acc_number": iban, "partner_id": partner})
        return partner

    def invoice(partner, amount, day="2026-11-02"):
        move = admin("account.move", "create", {
            "move_type": "out_invoice", "partner_id": partner, "invoice_date": day,
            "invoice_line_ids": [(0, 0, {"name": "Goods", "quantity": 1, "price_unit": amount,
                                         "tax_ids": [(6, 0, [])]})],
        })
        admin("account.move", "action_post", [move])
        return move, admin("account.move", "read", [move], ["name"])[0]["name"]

    clean, clean_name = invoice(customer("Clean Reference AG"), 410.00)
    loose, loose_name = invoice(customer("Loose Text SARL"), 220.00)
    prefix, year, number = loose_name.split("/")
    loose_text = f"pmt {prefix.lower()} {year}-{int(number)} thx"
    partial, partial_name = invoice(customer("Partial Payer BV", "NL91ABNA0417164300"), 900.00)
    fee, fee_name = invoice(customer("Fee Deducted Ltd"), 150.00)
    iban_only, _ = invoice(customer("Known Account GmbH", "DE44500105175407324931"), 333.33)
    by_name, _ = invoice(customer("Zebra Logistics Oy"), 271.00)
    subscriber = customer("Subscriber Oy", "FI2112345600000785")
    newer, _ = invoice(subscriber, 49.00, "2026-10-02")
    older, _ = invoice(subscriber, 49.00, "2026-09-02")
    typo, typo_name = invoice(customer("Typo Trading SA"), 612.40)
    mistyped = typo_name + typo_name[-1]  # the last digit typed twice: a number no invoice has
    statement = tmp_path / "mix.xml"
    statement.write_bytes(build_camt053("GB82WEST12345698765432", [
        Entry(Decimal("410.00"), f"Invoice {clean_name}", "Clean Reference AG", bank_ref="MIX-1"),
        Entry(Decimal("220.00"), loose_text, "Loose Text SARL", bank_ref="MIX-2"),
        Entry(Decimal("400.00"), f"first instalment {partial_name}", "Partial Payer BV", "NL91ABNA0417164300",
              bank_ref="MIX-3"),
        Entry(Decimal("147.50"), f"{fee_name} less charges", "Fee Deducted Ltd", bank_ref="MIX-4"),
        Entry(Decimal("333.33"), "monthly settlement", "KNOWN ACCOUNT", "DE44500105175407324931", bank_ref="MIX-5"),
        Entry(Decimal("271.00"), "our order 99", "ZEBRA LOGISTIK OY", bank_ref="MIX-6"),
        Entry(Decimal("58.13"), "refund of deposit", "Nobody Known", bank_ref="MIX-7"),
        Entry(Decimal("49.00"), "subscription", "SUBSCRIBER OY", "FI2112345600000785", bank_ref="MIX-8"),
        Entry(Decimal("612.40"), f"Invoice {mistyped}", bank_ref="MIX-9"),
    ]))
    result = syncd("import", str(statement))
    assert result.returncode == 0, result.stderr
    assert "statement lines created in Odoo: 9" in result.stdout

    moves = [clean, loose, partial, fee, iban_only, by_name, newer, older, typo]
    states = {values["id"]: (values["payment_state"], values["amount_residual"])
              for values in admin("account.move", "read", moves, ["payment_state", "amount_residual"])}
    assert states[clean] == ("paid", 0.0)
    assert states[loose] == ("paid", 0.0)
    assert states[partial] == ("partial", 500.0)
    assert states[fee] == ("paid", 0.0)
    assert states[iban_only] == ("paid", 0.0)
    assert states[by_name] == ("not_paid", 271.0)  # a name only like the customer's: a suggestion
    assert (states[older], states[newer]) == (("paid", 0.0), ("not_paid", 49.0))  # the oldest first
    assert states[typo] == ("paid", 0.0)  # one typo away, the only invoice of that amount

    lines = {line["ledger_bank_ref"]: line for line in admin(
        "account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
        ["ledger_bank_ref", "ledger_match_state", "ledger_suggested_move_ids", "ledger_match_reason"])}
    assert lines["MIX-6"]["ledger_match_state"] == "suggested"
    assert lines["MIX-6"]["ledger_suggested_move_ids"] == [by_name]
    assert "payer name" in lines["MIX-6"]["ledger_match_reason"]
    assert lines["MIX-7"]["ledger_match_state"] in ("unmatched", "suggested")
    assert "reconciled: 7" in result.stdout



def mt940_file(account, currency, invoice_name):
    """German dialect: SWIFT envelope, ?-subfields, CRLF."""
    text = (f"{{1:F01DEUTDEFFAXXX0000000000}}{{4:\n:20:MT940E2E\n:25:{account}\n:28C:1/1\n"
            f":60F:C261120{currency}1000,00\n:61:2611201120CR774,50NTRFNONREF//FEED-E2E-1\n"
            f":86:166?00GUTSCHRIFT?20EREF+SU-77?21SVWZ+{invoice_name}?32SCHWARZWALD UHREN GMBH\n"
            f":61:2611201120DR4,90NCHGNONREF//FEED-E2E-2\n:86:805?00ENTGELT?20Kontofuehrung\n"
            f":62F:C261120{currency}1769,60\n-}}\n")
    return text.replace("\n", "\r\n").encode("ascii")


def ofx_file(account, currency, invoice_name):
    """OFX 1.x SGML, a header that says cp1252."""
    return (f"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1>"
            f"<STMTTRNRS><STMTRS><CURDEF>{currency}<BANKACCTFROM><BANKID>1<ACCTID>{account}<ACCTTYPE>CHECKING"
            f"</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261120<TRNAMT>774.50"
            f"<FITID>FEED-E2E-1<NAME>Schwarzwald Uhren GmbH<MEMO>{invoice_name}<REFNUM>SU-77</STMTTRN>"
            f"<STMTTRN><TRNTYPE>SRVCHG<DTPOSTED>20261120<TRNAMT>-4.90<FITID>FEED-E2E-2<NAME>Fee</STMTTRN>"
            f"</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n").encode("cp1252")


def bai2_file(account, currency, invoice_name):
    """Two details, one continued on an 88 record, with the trailers' control totals."""
    return (f"01,BANK,CUST,261120,0800,1,80,1,2/\n02,CUST,BANK,1,261120,2400,{currency},2/\n"
            f"03,{account},{currency},/\n16,195,77450,Z,FEED-E2E-1,SU-77,{invoice_name}\n"
            f"88,SCHWARZWALD UHREN GMBH\n16,698,490,Z,FEED-E2E-2,,Fee/\n"
            f"49,77940,5/\n98,77940,1,7/\n99,77940,1,9/\n").encode("ascii")


def sparkasse_file(account, currency, invoice_name):
    """A bank CSV export through a bundled profile: semicolons, decimal commas, cp1252."""
    header = ('"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";"Glaeubiger ID";'
              '"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";"Lastschrift Ursprungsbetrag";'
              '"Auslagenersatz Ruecklastschrift";"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";'
              '"BIC (SWIFT-Code)";"Betrag";"Waehrung";"Info"')
    rows = [f'"{account}";"20.11.26";"20.11.26";"GUTSCHRIFT";"{invoice_name} Danke";"";"";"SU-77";"";"";"";'
            f'"Schwarzwald Uhren GmbH";"";"";"774,50";"{currency}";"FEED-E2E-1"',
            f'"{account}";"20.11.26";"20.11.26";"ENTGELT";"Kontoführung";"";"";"";"";"";"";"";"";"";"-4,90";'
            f'"{currency}";"FEED-E2E-2"']
    return "\r\n".join([header, *rows, ""]).encode("cp1252")


@pytest.mark.parametrize("feed, account, build", [
    ("mt940", "DE75512108001245126199", mt940_file),
    ("ofx", "DE49512108001245126198", ofx_file),
    ("bai2", "987654321012", bai2_file),
    ("csv:de-sparkasse", "DE02512108001245126197", sparkasse_file),
], ids=["mt940", "ofx", "bai2", "csv"])
def test_each_format_pays_an_invoice(admin, syncd, tmp_path, feed, account, build):
    """A statement in each format through syncd into Odoo: an invoice paid, a fee left, once."""
    journal = admin("account.journal", "create", {"name": f"{feed} Bank", "code": feed[:3].upper() + "B",
                                                  "type": "bank", "bank_acc_number": account})
    [values] = admin("account.journal", "read", [journal], ["company_id"])
    [company] = admin("res.company", "read", [values["company_id"][0]], ["currency_id"])
    partner = admin("res.partner", "create", {"name": f"Schwarzwald Uhren GmbH ({feed})", "is_company": True})
    move = admin("account.move", "create", {
        "move_type": "out_invoice", "partner_id": partner, "invoice_date": "2026-11-03",
        "invoice_line_ids": [(0, 0, {"name": "Clocks", "quantity": 2, "price_unit": 387.25, "tax_ids": [(6, 0, [])]})],
    })
    admin("account.move", "action_post", [move])
    name = admin("account.move", "read", [move], ["name"])[0]["name"]
    statement = tmp_path / "statement.dat"  # the name says nothing: the content does
    statement.write_bytes(build(account, company["currency_id"][1], name))
    result = syncd("import", str(statement))
    assert result.returncode == 0, result.stderr
    assert "statement lines created in Odoo: 2" in result.stdout
    [invoice] = admin("account.move", "read", [move], ["payment_state"])
    assert invoice["payment_state"] == "paid"
    lines = admin("account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
                  ["ledger_bank_ref", "ledger_end_to_end_id", "ledger_feed", "amount", "is_reconciled"],
                  order="amount desc")
    assert [(line["amount"], line["is_reconciled"]) for line in lines] == [(774.5, True), (-4.9, False)]
    assert (lines[0]["ledger_end_to_end_id"], lines[0]["ledger_feed"]) == ("SU-77", feed)
    if feed != "csv:de-sparkasse":  # the export has no bank references: keys are fingerprints
        assert [line["ledger_bank_ref"] for line in lines] == ["FEED-E2E-1", "FEED-E2E-2"]
    again = syncd("import", str(statement))
    assert "statement lines created in Odoo: 0" in again.stdout


def test_chinese_payment_bill_into_a_cny_journal(admin, syncd, tmp_path):
    """An Alipay bill (GBK, preamble, 收入/支出/不计收支) into a journal in yuan, once."""
    [cny] = admin("res.currency", "search", [("name", "=", "CNY"), ("active", "in", [True, False])])
    admin("res.currency", "write", [cny], {"active": True})
    journal = admin("account.journal", "create",
                    {"name": "Alipay", "code": "ALIP", "type": "bank", "currency_id": cny})
    bill = tmp_path / "alipay.csv"
    sample = (Path(__file__).parent / "data" / "csv" / "cn-alipay.csv").read_bytes()
    bill.write_bytes(sample.replace("INV/2026/00031".encode("gb18030"), "合同 A-17".encode("gb18030")))
    env = {"SYNCD_JOURNALS": "zhangsan@example.com=ALIP"}
    result = syncd("import", str(bill), **env)
    assert result.returncode == 0, result.stderr
    assert "statement lines created in Odoo: 3" in result.stdout
    lines = admin("account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
                  ["amount", "payment_ref", "partner_name", "ledger_feed"], order="amount desc")
    assert [(line["amount"], line["payment_ref"]) for line in lines] == [
        (1200.0, "货款 合同 A-17"), (20.0, "退款-保温杯"), (-88.5, "外卖订单")]
    assert lines[0]["partner_name"] == "杭州星辰贸易有限公司" and lines[0]["ledger_feed"] == "csv:cn-alipay"
    again = syncd("import", str(bill), **env)
    assert "statement lines created in Odoo: 0" in again.stdout


def test_provider_payout_pays_the_invoice_and_leaves_the_payout_for_the_bank(admin, syncd, tmp_path):
    """A Stripe payout report into the provider's journal: the customer's payment (gross) pays
    its invoice, the fee and the payout to the bank are lines of their own, all in once."""
    journal = admin("account.journal", "create", {"name": "Stripe", "code": "STRP", "type": "bank"})
    [values] = admin("account.journal", "read", [journal], ["company_id"])
    [company] = admin("res.company", "read", [values["company_id"][0]], ["currency_id"])
    currency = company["currency_id"][1]
    partner = admin("res.partner", "create", {"name": "Card Paying Customer SA", "is_company": True})
    move = admin("account.move", "create", {
        "move_type": "out_invoice", "partner_id": partner, "invoice_date": "2026-11-04",
        "invoice_line_ids": [(0, 0, {"name": "Service", "quantity": 1, "price_unit": 318.40, "tax_ids": [(6, 0, [])]})],
    })
    admin("account.move", "action_post", [move])
    name = admin("account.move", "read", [move], ["name"])[0]["name"]
    report = tmp_path / "payouts.csv"
    report.write_text(
        "automatic_payout_id,automatic_payout_effective_at,balance_transaction_id,created_utc,currency,gross,fee,"
        "net,reporting_category,source_id,description,customer_name,invoice_number,payment_intent_id\n"
        f"po_E2E,2026-11-20 00:00:00,txn_E2E_1,2026-11-18 10:00:00,{currency.lower()},318.40,9.53,308.87,charge,"
        f"ch_1,Order 77,Card Paying Customer SA,{name},pi_1\n")
    result = syncd("import", str(report), SYNCD_JOURNALS="stripe=STRP")
    assert result.returncode == 0, result.stderr
    assert "statement lines created in Odoo: 3" in result.stdout
    lines = admin("account.bank.statement.line", "search_read", [("journal_id", "=", journal)],
                  ["amount", "ledger_bank_ref", "is_reconciled"], order="amount desc")
    assert [(round(line["amount"], 2), line["ledger_bank_ref"]) for line in lines] == [
        (318.4, "txn_E2E_1"), (-9.53, "txn_E2E_1/fee"), (-308.87, "po_E2E")]
    assert lines[0]["is_reconciled"]
    assert admin("account.move", "read", [move], ["payment_state"])[0]["payment_state"] == "paid"
