"""CAMT.053 parsing, safe XML, format detection and transaction keys.

The sample statements in tests/data/camt are compared field by field with
their golden .jsonl files; regenerate those with
``python -m syncd.parsers.golden tests/data/camt`` after an intended change.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from syncd.errors import InputError, UserError
from syncd.identity import assign_keys, normalize_amount
from syncd.parsers import PARSERS, detect_format, get_parser, parse_file
from syncd.parsers.camt import CAMT053, readable_path
from syncd.records import SourceRef, Transaction, balance_gap, join_pages
from tests.camt_builder import Entry, build_camt053

DATA = Path(__file__).parent / "data" / "camt"
REGENERATE = "python -m syncd.parsers.golden tests/data/camt"
KEY = re.compile(r"(ref|fp):[0-9a-f]{32}")


# --- golden files ---------------------------------------------------------------------------


# --- statements -----------------------------------------------------------------------------


def test_statements_carry_balances_and_accounts():
    first, second = parse_file(DATA / "simple.xml")
    assert (first.statement_id, first.account, first.currency) == (
        "2026-01-15-0532013000-015",
        "DE89370400440532013000",
        "EUR",
    )
    assert (first.opening_balance, first.closing_balance) == (Decimal("10000.00"), Decimal("11187.50"))
    assert second.account == "DE89370400440532013000"  # spaces in the IBAN removed
    assert (second.opening_balance, second.closing_balance) == (Decimal("11187.50"), Decimal("10812.75"))
    assert [str(t.amount) for t in first.transactions] == ["1190.00", "-2.50"]
    assert all(isinstance(t.amount, Decimal) for s in (first, second) for t in s.transactions)
    assert first.source == SourceRef(str(DATA / "simple.xml"), "/Document/BkToCstmrStmt/Stmt[1]")


def test_pending_and_info_entries_are_skipped():
    (statement,) = parse_file(DATA / "pending_and_reversal.xml")
    assert [t.source.location.rsplit("/", 1)[1] for t in statement.transactions] == ["Ntry[1]", "Ntry[4]"]
    (v08,) = parse_file(DATA / "v08.xml", format="camt053")
    assert all("Ntry[4]" not in t.source.location for t in v08.transactions)


def test_reversal_keeps_booked_sign_and_original_counterparty():
    (statement,) = parse_file(DATA / "pending_and_reversal.xml")
    payment, reversal = statement.transactions
    assert reversal.amount == -payment.amount
    assert reversal.counterparty_name == payment.counterparty_name == "Hendriks Bouw B.V."


def test_batch_entry_becomes_one_transaction_per_detail():
    (statement,) = parse_file(DATA / "batch.xml")
    batch = statement.transactions[:3]
    assert [t.amount for t in batch] == [Decimal("100.00"), Decimal("150.00"), Decimal("100.00")]
    assert [t.bank_ref for t in batch] == [f"SDD-20260202-0815/{n}" for n in (1, 2, 3)]
    assert len({t.source.location for t in batch}) == 3


def test_v08_specifics():
    (statement,) = parse_file(DATA / "v08.xml")
    credit, card, *_ = statement.transactions
    assert (credit.counterparty_name, credit.counterparty_bic) == ("Muster Kunde AG", "CRESCHZZ80A")
    assert credit.structured_ref == "RF18539007547034"
    assert card.booking_date == date(2026, 4, 10)  # from BookgDt/DtTm
    assert card.counterparty_name == "Bürobedarf Schweiz GmbH"
    assert statement.currency == "CHF"


def test_notification_054_and_report_052():
    data = (DATA / "notification_054.xml").read_bytes()
    assert detect_format(data, "n.xml") is PARSERS["camt054"]
    (notification,) = parse_file(DATA / "notification_054.xml")
    assert (notification.opening_balance, notification.closing_balance) == (None, None)
    qrr, usd = notification.transactions  # the batch entry split in its two payments
    assert qrr.structured_ref == "210000000003139471430009017" and qrr.account == "CH9300762011623852957"
    assert (usd.original_currency, usd.original_amount, usd.fees) == ("USD", Decimal("1050.00"), Decimal("12.50"))
    assert (usd.counterparty_account, usd.counterparty_bic) == ("026009593-0001234", "BOFAUS3NXXX")
    (report,) = parse_file(DATA / "report_052.xml")
    assert detect_format((DATA / "report_052.xml").read_bytes(), "r.xml") is PARSERS["camt052"]
    assert [tx.amount for tx in report.transactions] == [Decimal("260.00")]  # the pending entry is not booked


@pytest.mark.parametrize("version", ["02", "03", "04", "05", "06", "07", "08"])
def test_detects_every_camt053_version(version):
    data = (DATA / "simple.xml").read_bytes().replace(b"camt.053.001.02", f"camt.053.001.{version}".encode())
    assert CAMT053.detect(data)
    assert len(CAMT053.parse(data, "x.xml")) == 2


def test_readable_path():
    root = etree.fromstring((DATA / "simple.xml").read_bytes())
    ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
    (amt,) = root.xpath("/c:Document/c:BkToCstmrStmt/c:Stmt[2]/c:Ntry[2]/c:Amt", namespaces=ns)
    assert readable_path(amt) == "/Document/BkToCstmrStmt/Stmt[2]/Ntry[2]/Amt"
    (bal,) = root.xpath("//c:Stmt[2]/c:Bal[3]/c:Tp", namespaces=ns)
    assert readable_path(bal) == "/Document/BkToCstmrStmt/Stmt[2]/Bal[3]/Tp"


# --- bad input ------------------------------------------------------------------------------


def variant(tmp_path, name, old, new, source="simple.xml"):
    """A copy of a sample with the first ``old`` replaced by ``new``."""
    text = (DATA / source).read_text(encoding="utf-8")
    assert old in text, f"test bug: {old!r} not in {source}"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def raises_input_error(path, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        parse_file(path, **kwargs)
    message = str(info.value)
    assert Path(path).name in message
    return info.value


def test_malformed_xml_names_the_line(tmp_path):
    path = variant(tmp_path, "broken.xml", '<Amt Ccy="EUR">2.50</Amt>', '<Amt Ccy="EUR">2.50</Amnt>')
    line = path.read_text().splitlines().index('        <Amt Ccy="EUR">2.50</Amnt>') + 1
    error = raises_input_error(path)
    assert error.location == f"line {line}"
    assert "malformed XML" in str(error) and "Amnt" in str(error)


def test_truncated_file_is_malformed_not_unknown(tmp_path):
    path = tmp_path / "truncated.xml"
    path.write_bytes((DATA / "simple.xml").read_bytes()[:3000])
    assert "malformed XML" in str(raises_input_error(path))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><Stmt><Id>&lol9;</Id></Stmt></BkToCstmrStmt></Document>
"""


def test_doctype_and_entity_bomb_rejected(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(BILLION_LAUGHS)
    error = raises_input_error(path)
    assert "DOCTYPE" in error.reason and error.location == "line 2"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_doctype_rejected_in_wide_encodings(encoding):
    declared = BILLION_LAUGHS.replace('version="1.0"', f'version="1.0" encoding="{encoding.upper()}"')
    data = declared.encode(encoding)
    with pytest.raises(InputError, match="DOCTYPE") as info:
        CAMT053.parse(data, "wide.xml")
    assert "wide.xml" in str(info.value)


def test_external_entity_rejected():
    data = b'<?xml version="1.0"?><!doctype x [<!entity e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(InputError, match="DOCTYPE"):
        CAMT053.parse(data, "xxe.xml")


def test_oversize_file_rejected_before_parsing(tmp_path):
    path = tmp_path / "huge.xml"
    path.write_bytes(b"<" * 5000)  # not even XML: the size check must come first
    error = raises_input_error(path, max_bytes=1000)
    assert "5000 bytes" in error.reason and "1000" in error.reason
    with pytest.raises(InputError, match="5000 bytes"):
        CAMT053.parse(b"<" * 5000, "huge.xml", max_bytes=1000)
    with pytest.raises(InputError, match="bytes"):
        parse_file(DATA / "simple.xml", max_bytes=100)


def test_unknown_format_csv(tmp_path):
    path = tmp_path / "export.csv"
    # a CSV naming a date and an amount is a bank export (read by its header row): this one is not
    path.write_text("Name;Colour;Text\nAnna;blue;Coffee\n")
    error = raises_input_error(path)
    assert "unknown format: not a CAMT.053 statement" in error.reason
    assert "Name;Colour" in error.reason


def test_unknown_format_other_xml(tmp_path):
    path = variant(tmp_path, "report.xml", "camt.053.001.02", "camt.060.001.02")
    error = raises_input_error(path)
    assert "unknown format" in error.reason
    assert "<Document>" in error.reason and "camt.060.001.02" in error.reason


def test_unknown_format_empty_file(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert "empty" in raises_input_error(path).reason


def test_forced_format_on_other_xml(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<Invoice><Id>1</Id></Invoice>")
    assert "not a CAMT.053 statement" in raises_input_error(path, format="camt053").reason


def test_bad_amount_names_the_element(tmp_path):
    path = variant(tmp_path, "bad_amount.xml", '<Amt Ccy="EUR">1190.00</Amt>', '<Amt Ccy="EUR">12,5x</Amt>')
    error = raises_input_error(path)
    assert error.location.startswith("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt (line ")
    assert "12,5x" in error.reason and "not a valid amount" in error.reason


def test_an_entry_in_another_currency_keeps_its_currency(tmp_path):
    path = variant(tmp_path, "usd.xml", '<Amt Ccy="EUR">2.50</Amt>', '<Amt Ccy="USD">2.50</Amt>')
    first, _ = parse_file(path)
    assert [(t.currency, t.amount) for t in first.transactions] == [("EUR", Decimal("1190.00")),
                                                                    ("USD", Decimal("-2.50"))]
    # the balances move in the account's currency: the USD entry is not part of the total
    assert (first.total, balance_gap(first)) == (Decimal("1190.00"), Decimal("-2.50"))


def test_balance_mismatch_is_flagged_not_refused(tmp_path):
    closing = '<Amt Ccy="EUR">11187.50</Amt>'  # the first is Stmt[1]'s closing balance
    path = variant(tmp_path, "unbalanced.xml", closing, closing.replace(".50", ".05"))
    first, second = parse_file(path)
    assert (first.opening_balance, first.closing_balance) == (Decimal("10000.00"), Decimal("11187.05"))
    assert len(first.transactions) == 2 and balance_gap(first) == Decimal("-0.45")
    assert balance_gap(second) == 0


def test_a_balance_in_another_currency_is_not_used_and_said(tmp_path):
    closing = '<Amt Ccy="EUR">11187.50</Amt>'
    path = variant(tmp_path, "chf_balance.xml", closing, closing.replace("EUR", "CHF"))
    first, _ = parse_file(path)
    assert (first.opening_balance, first.closing_balance, balance_gap(first)) == (Decimal("10000.00"), None, None)
    assert first.left_out == ()  # no entry was left out: a balance was
    assert first.notes == ("/Document/BkToCstmrStmt/Stmt[1]: balance CLBD in CHF, not the account's currency EUR: "
                           "not used",)
    assert len(first.transactions) == 2


@pytest.mark.parametrize(
    "old, new, where, what",
    [
        ('<Amt Ccy="EUR">2.50</Amt>', "", "/Stmt[1]/Ntry[2]/Amt", "missing Amt"),
        ("<CdtDbtInd>DBIT</CdtDbtInd>\n        <Sts>", "<Sts>", "/Ntry[2]/CdtDbtInd", "missing CdtDbtInd"),
        ("<IBAN>DE89370400440532013000</IBAN>", "", "/Stmt[1]/Acct/Id", "missing account"),
    ],
)
def test_missing_mandatory_elements(tmp_path, old, new, where, what):
    error = raises_input_error(variant(tmp_path, "incomplete.xml", old, new))
    assert where in error.location and what in error.reason


def test_bad_date_and_indicator(tmp_path):
    booked = "<Dt>2026-01-15</Dt>\n        </BookgDt>"
    path = variant(tmp_path, "date.xml", booked, booked.replace("2026-01-15", "15.01.2026"))
    assert "15.01.2026" in raises_input_error(path).reason
    path = variant(tmp_path, "ind.xml", "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DEBIT</CdtDbtInd>")
    assert "DEBIT" in raises_input_error(path).reason


def test_no_statement(tmp_path):
    path = tmp_path / "nostmt.xml"
    path.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><GrpHdr><MsgId>1</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    )
    error = raises_input_error(path)
    assert "no statement" in error.reason and "/BkToCstmrStmt/Stmt" in error.location


def test_batch_details_that_do_not_add_up_leave_the_entry_whole(tmp_path):
    amount = '<Amt Ccy="EUR">150.00</Amt>'
    path = variant(tmp_path, "batch_bad.xml", amount, amount.replace("150", "151"), source="batch.xml")
    (good,) = parse_file(DATA / "batch.xml")
    (statement,) = parse_file(path)
    assert len(statement.transactions) == len(good.transactions) - 2  # three details were one entry
    whole = statement.transactions[0]
    assert (whole.amount, whole.source.location) == (Decimal("350.00"), "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]")
    assert balance_gap(statement) == 0


def test_no_booking_date_takes_the_value_date_else_the_statement_date(tmp_path):
    booked = "<BookgDt>\n          <Dt>2026-01-15</Dt>\n        </BookgDt>"
    path = variant(tmp_path, "no_booking.xml", booked, "")
    (first, _) = parse_file(path)
    assert first.transactions[0].booking_date == date(2026, 1, 15)  # its value date
    text = path.read_text().replace("<ValDt>\n          <Dt>2026-01-15</Dt>\n        </ValDt>", "", 1)
    path.write_text(text)
    (first, _) = parse_file(path)
    assert first.transactions[0].booking_date == first.statement_date == date(2026, 1, 15)  # its closing balance's


def test_missing_file_and_unknown_format_name(tmp_path):
    assert "not found" in raises_input_error(tmp_path / "nope.xml").reason
    with pytest.raises(UserError, match="camt053"):
        get_parser("mt941")
    with pytest.raises(UserError):
        parse_file(DATA / "simple.xml", format="mt941")
    detected = detect_format((DATA / "v08.xml").read_bytes(), "v08.xml")
    assert get_parser("camt053") is PARSERS["camt053"] is detected


# --- identity -------------------------------------------------------------------------------


def keyed(name):
    return assign_keys(t for s in parse_file(DATA / name) for t in s.transactions)


def test_keys_are_stable_and_well_formed():
    first = keyed("simple.xml") + keyed("duplicates.xml")
    again = keyed("simple.xml") + keyed("duplicates.xml")
    assert [t.key for t in first] == [t.key for t in again]
    assert all(KEY.fullmatch(t.key) for t in first)


def test_identical_payments_get_distinct_keys():
    payments = keyed("duplicates.xml")[:2]
    assert dataclasses.replace(payments[0], key="", source=payments[1].source) == dataclasses.replace(
        payments[1], key=""
    )
    assert payments[0].key != payments[1].key


def test_overlapping_file_gives_same_keys_for_shared_transactions():
    day = keyed("duplicates.xml")
    overlap = keyed("duplicates_overlap.xml")
    shared = [t for t in overlap if t.booking_date == date(2026, 2, 10)]
    assert [t.key for t in shared] == [t.key for t in day]
    assert len({t.key for t in overlap}) == len(overlap)


def tx(**changes):
    base = Transaction(
        account="DE89370400440532013000",
        currency="EUR",
        booking_date=date(2026, 1, 15),
        amount=Decimal("10.50"),
        source=SourceRef("t.xml", "/Document"),
    )
    return dataclasses.replace(base, **changes)


def test_amount_normalization_in_keys():
    (a,) = assign_keys([tx(amount=Decimal("10.5"))])
    (b,) = assign_keys([tx(amount=Decimal("10.50"))])
    (c,) = assign_keys([tx(amount=Decimal("10.51"))])
    assert a.key == b.key != c.key
    cases = {"10.5": "10.50", "10.500": "10.50", "10": "10.00", "1E+2": "100.00", "-0.00": "0.00"}
    cases |= {"10.505": "10.505", "-3.1": "-3.10", "0.001": "0.001"}
    assert {value: normalize_amount(Decimal(value)) for value in cases} == cases


def test_bank_ref_keys_include_the_year():
    (a,) = assign_keys([tx(bank_ref="000123", booking_date=date(2025, 3, 1))])
    (b,) = assign_keys([tx(bank_ref="000123", booking_date=date(2026, 3, 1))])
    (c,) = assign_keys([tx(bank_ref="000123", booking_date=date(2026, 7, 9), amount=Decimal("99.00"))])
    assert a.key.startswith("ref:") and a.key != b.key
    assert b.key == c.key  # within a year the bank's reference alone decides


def test_fingerprint_ignores_whitespace_and_case_but_not_content():
    (a,) = assign_keys([tx(counterparty_name="Kiosk  am Markt", remittance="Miete\nFebruar")])
    (b,) = assign_keys([tx(counterparty_name="KIOSK AM MARKT", remittance="miete februar")])
    (c,) = assign_keys([tx(counterparty_name="Kiosk am Markt", remittance="Miete März")])
    assert a.key == b.key != c.key
    assert a.key.startswith("fp:")


# --- round trip -----------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(
    st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2, allow_nan=False),
    _TEXT, _TEXT, st.from_regex(r"[A-Z0-9-]{0,20}", fullmatch=True)), min_size=1, max_size=20))
def test_what_the_writer_writes_the_parser_reads(entries):
    """Any statement written by the tests' CAMT.053 writer parses back to what was written."""
    written = [Entry(amount, remittance, name, bank_ref=ref) for amount, remittance, name, ref in entries]
    (statement,) = CAMT053.parse(build_camt053("DE89370400440532013000", written), "round.xml")
    assert [(tx.amount, tx.remittance, tx.counterparty_name, tx.bank_ref) for tx in statement.transactions] == [
        (entry.amount, " ".join(entry.remittance.split()), " ".join(entry.counterparty.split()), entry.bank_ref)
        for entry in written]
    assert statement.closing_balance == statement.opening_balance + sum(entry.amount for entry in written)


# --- what real files contain ----------------------------------------------------------------


def _one(name):
    (statement,) = parse_file(DATA / name)
    return statement


@pytest.mark.parametrize("number, message", [("052", "BkToCstmrAcctRpt"), ("053", "BkToCstmrStmt"),
                                             ("054", "BkToCstmrDbtCdtNtfctn")])
@pytest.mark.parametrize("version", [f"{v:02d}" for v in range(2, 14)])
def test_every_version_of_each_message_is_detected_by_its_message(number, message, version):
    data = (f'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{number}.001.{version}">'
            f"<{message}><GrpHdr><MsgId>1</MsgId></GrpHdr></{message}></Document>").encode()
    assert [name for name, parser in PARSERS.items() if parser.detect(data)] == [f"camt{number}"]


@pytest.mark.parametrize("wrap", [
    lambda doc: doc,  # as it is
    lambda doc: doc.replace("<Document", "<ns2:Document").replace("</Document", "</ns2:Document"),
    lambda doc: "<message><AppHdr xmlns='urn:iso:std:iso:20022:tech:xsd:head.001.001.02'><MsgDefIdr>camt.053"
                "</MsgDefIdr></AppHdr>" + doc + "</message>",
    lambda doc: "\ufeff" + doc,
])
def test_documents_are_found_in_envelopes_with_prefixes_and_byte_order_marks(tmp_path, wrap):
    text = (DATA / "simple.xml").read_text(encoding="utf-8").split("?>", 1)[1]
    if "ns2:" in wrap("<Document"):  # prefix every element of the document
        text = re.sub(r"<(/?)(\w+)", r"<\1ns2:\2", text).replace('xmlns="', 'xmlns:ns2="')
    else:
        text = wrap(text)
    path = tmp_path / "wrapped.xml"
    path.write_text(text, encoding="utf-8")
    assert detect_format(path.read_bytes(), "x").name == "camt053"
    statements = parse_file(path)
    assert [len(s.transactions) for s in statements] == [2, 2]
    assert statements[0].transactions[0].amount == Decimal("1190.00")


def test_a_document_without_namespace_and_one_in_latin1():
    assert _one("no_namespace.xml").transactions[0].amount == Decimal("3.00")
    assert _one("latin1_declared.xml").transactions[0].counterparty_name == "Jürgen Müller"
    assert _one("bom_utf8.xml").transactions[0].counterparty_name == "Zoë"


def test_another_message_namespace_is_not_camt(tmp_path):
    path = variant(tmp_path, "camt060.xml", "camt.053.001.02", "camt.060.001.02")
    assert not any(parser.detect(path.read_bytes()) for parser in (PARSERS["camt052"], PARSERS["camt053"],
                                                                  PARSERS["camt054"]))


@pytest.mark.parametrize("status, reason", [
    ("<Sts>PDNG</Sts>", "pending entry (Sts PDNG)"),
    ("<Sts><Cd>PDNG</Cd></Sts>", "pending entry (Sts PDNG)"),
    ("<Sts>INFO</Sts>", "information-only entry (Sts INFO)"),
    ("<Sts><Cd>FUTR</Cd></Sts>", "future entry (Sts FUTR)"),
    ("<Sts><Prtry>HOLD</Prtry></Sts>", "entry not booked (Sts HOLD)"),
])
def test_entries_not_booked_are_left_out_with_their_reason(tmp_path, status, reason):
    path = variant(tmp_path, "status.xml", "<Sts>BOOK</Sts>", status)
    first, _ = parse_file(path)
    assert len(first.transactions) == 1 and dict(first.left_out) == {reason: 1}
    assert balance_gap(first) == Decimal("1190.00")  # the closing balance counted it: flagged


def test_an_entry_without_status_is_booked_and_booked_v09_status_too(tmp_path):
    first, _ = parse_file(variant(tmp_path, "nosts.xml", "<Sts>BOOK</Sts>", ""))
    assert len(first.transactions) == 2 and first.left_out == ()
    first, _ = parse_file(variant(tmp_path, "cd.xml", "<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>"))
    assert len(first.transactions) == 2


def test_balance_choice_opening_closing_and_statement_date():
    types = _one("balance_types.xml")  # PRCD, ITBD, CLAV, FWAV, CLBD (DtTm)
    assert (types.opening_balance, types.closing_balance, types.statement_date) == (
        Decimal("200.00"), Decimal("175.00"), date(2026, 3, 31))
    interim = _one("report_052_interim.xml")  # two ITBD: first opens, last closes
    assert (interim.opening_balance, interim.closing_balance, balance_gap(interim)) == (
        Decimal("1000.00"), Decimal("880.00"), 0)
    available = _one("moov_053_available_balances.xml")  # no booked balance: OPAV and CLAV
    assert (available.opening_balance, available.closing_balance, balance_gap(available)) == (
        Decimal("2768.08"), Decimal("0.00"), 0)
    lithuanian = parse_file(DATA / "lt_053_v08_no_status.xml")[0]  # balances without CdtDbtInd: credits
    assert (lithuanian.opening_balance, balance_gap(lithuanian)) == (Decimal("21081222.58"), 0)


def test_balances_in_another_currency_are_set_aside_and_said():
    statement = _one("balance_other_currency.xml")
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("1000.00"), Decimal("1250.00"))
    assert statement.left_out == ()
    assert [note.split(": ", 1)[1] for note in statement.notes] == [
        "balance OPBD in USD, not the account's currency EUR: not used",
        "balance CLBD in USD, not the account's currency EUR: not used",
    ]


def test_details_in_another_currency_or_without_an_amount():
    statement = _one("details_other_currency.xml")
    got = [(t.currency, t.amount, t.original_currency, t.original_amount) for t in statement.transactions]
    assert got == [
        ("EUR", Decimal("917.43"), "USD", Decimal("1000.00")),  # InstdAmt
        ("EUR", Decimal("46.30"), "CHF", Decimal("50.00")),  # the detail's Amt in CHF
        ("EUR", Decimal("-42.50"), "", None),  # no amount of its own: the entry's
        ("EUR", Decimal("-15.20"), "CHF", Decimal("-17.00")),  # TxAmt in EUR, InstdAmt in CHF
    ]
    assert balance_gap(statement) == 0


def test_batches_split_only_when_their_details_add_up():
    statement = _one("batch_details_mismatch.xml")
    got = [(t.amount, t.source.location.split("Stmt[1]/")[1]) for t in statement.transactions]
    assert got == [
        (Decimal("300.00"), "Ntry[1]"),  # details add up to 290.00: the entry counts
        (Decimal("200.00"), "Ntry[2]"),  # a detail without an amount
        (Decimal("-80.00"), "Ntry[3]/NtryDtls[1]/TxDtls[1]"),  # -80 + 10 = -70: split,
        (Decimal("10.00"), "Ntry[3]/NtryDtls[1]/TxDtls[2]"),  # each detail with its own direction
    ]
    assert statement.transactions[0].remittance == "SEPA Sammelgutschrift 3 Posten"
    assert statement.transactions[1].remittance == "Miete Maerz"  # the details' texts, once
    assert balance_gap(statement) == 0


def test_entry_direction_from_its_details_when_it_has_none(tmp_path):
    fee = "<CdtDbtInd>DBIT</CdtDbtInd>\n        <Sts>"
    path = variant(tmp_path, "noind.xml", fee, "<Sts>")
    with pytest.raises(InputError, match="missing CdtDbtInd"):  # nothing says which way it went
        parse_file(path)
    text = path.read_text().replace("January 2026</AddtlNtryInf>", "January 2026</AddtlNtryInf><NtryDtls><TxDtls>"
                                    "<CdtDbtInd>DBIT</CdtDbtInd></TxDtls></NtryDtls>", 1)
    path.write_text(text)
    first, _ = parse_file(path)
    assert first.transactions[1].amount == Decimal("-2.50")  # its detail says


def test_zero_amounts_several_accounts_and_pages():
    statements = parse_file(DATA / "zero_and_accounts.xml")
    assert [t.amount for t in statements[0].transactions] == [Decimal("0.00"), Decimal("0.00")]
    assert [str(t.amount) for t in statements[0].transactions] == ["0.00", "0.00"]  # never -0.00
    assert [(s.account, s.currency, s.statement_id) for s in statements] == [
        ("DE02120300000000202051", "EUR", "MULTI-1"),
        ("GB33BUKB20201555555555", "GBP", "MULTI-2"),
        ("GB33BUKB20201555555555", "GBP", "MULTI-2"),
    ]
    (joined,) = join_pages(statements[1:])
    assert (joined.opening_balance, joined.closing_balance, balance_gap(joined)) == (
        Decimal("500.00"), Decimal("475.00"), 0)


def test_reversal_and_version_13():
    statement = _one("status_v13.xml")
    reversal = statement.transactions[1]
    assert (reversal.amount, reversal.counterparty_name) == (Decimal("-60.00"), "Kunde Zurueck")
    assert sum(count for _, count in statement.left_out) == 4


def test_files_broken_on_purpose_are_refused_with_the_reason():
    for name in ("hbci4java_052_none.xml", "hbci4java_052_invalid.xml"):
        with pytest.raises(InputError, match=r"no account report \(no Rpt element\)"):
            parse_file(DATA / name)


def test_a_leading_minus_makes_an_amount_negative(tmp_path):
    path = variant(tmp_path, "minus.xml", '<Amt Ccy="EUR">2.50</Amt>', '<Amt Ccy="EUR">-2.50</Amt>')
    first, _ = parse_file(path)
    assert first.transactions[1].amount == Decimal("-2.50")  # DBIT and negative: once
    path = variant(tmp_path, "minus_credit.xml", '<Amt Ccy="EUR">1190.00</Amt>', '<Amt Ccy="EUR">-1190.00</Amt>')
    first, _ = parse_file(path)
    assert first.transactions[0].amount == Decimal("-1190.00")  # CRDT, but negative
    path = variant(tmp_path, "bad.xml", '<Amt Ccy="EUR">2.50</Amt>', '<Amt Ccy="EUR">--2.50</Amt>')
    with pytest.raises(InputError, match="not a valid amount"):
        parse_file(path)


@pytest.mark.parametrize("account, expected", [
    ("<Id><Othr><Id>2000145399/2010</Id></Othr></Id>", "2000145399/2010"),
    ("<Id><PrtryAcct><Id>0532013000</Id></PrtryAcct></Id>", "0532013000"),  # version 001.01
    ("<Id>[ANONYMIZED]</Id>", "[ANONYMIZED]"),  # an exporter's own anonymisation
])
def test_account_numbers_in_other_schemes(tmp_path, account, expected):
    iban = "<Id>\n          <IBAN>DE89370400440532013000</IBAN>\n        </Id>"
    path = variant(tmp_path, "account.xml", iban, account)
    first, _ = parse_file(path)
    assert first.account == expected
