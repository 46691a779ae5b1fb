"""OFX 1.x (SGML), OFX 2.x (XML) and QFX: bank and card accounts, lying headers, bad and
hostile input.

The samples in tests/data/ofx are compared with their golden .jsonl files; regenerate those
with ``python -m syncd.parsers.golden tests/data/ofx`` after an intended change.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.identity import assign_keys
from syncd.parsers import parse_file
from syncd.parsers.golden import samples
from syncd.parsers.ofx import OFX
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "ofx"
REGENERATE = "python -m syncd.parsers.golden tests/data/ofx"
SGML = DATA / "ofx1_checking_cp1252.ofx"


def parse(data: bytes, **kwargs):
    return OFX.parse(data, "test.ofx", **kwargs)


def error(data: bytes, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        parse(data, **kwargs)
    assert "test.ofx" in str(info.value)
    return info.value


def sgml(old: bytes, new: bytes) -> bytes:
    data = SGML.read_bytes()
    assert old in data, f"test bug: {old!r} not in the sample"
    return data.replace(old, new, 1)


def test_sgml_bank_statement():
    (statement,) = parse_file(SGML)
    assert (statement.account, statement.currency, statement.closing_balance) == (
        "412000006789", "USD", Decimal("5437.50"))
    credit, check, fee = statement.transactions
    assert credit.counterparty_name == "Müller & Söhne"  # cp1252 as declared, &amp; decoded
    assert (check.end_to_end_id, check.amount) == ("1042", Decimal("-300.00"))
    assert fee.amount == Decimal("-12.50")  # a decimal comma
    assert statement.opening_balance is None  # OFX has none: nothing to check the entries against


def test_header_that_lies_about_the_encoding():
    (statement,) = parse_file(DATA / "ofx1_header_lies_utf8.ofx")  # says USASCII/1252, is UTF-8
    assert statement.transactions[0].counterparty_name == "Zoë Café SARL"
    # says UTF-8, is cp1252: read as cp1252
    data = sgml(b"CHARSET:1252", b"CHARSET:UTF-8")
    assert parse(data)[0].transactions[0].counterparty_name == "Müller & Söhne"
    # in a code page that reads as typographic signs in cp1252: refused, with the line
    problem = error(sgml("Müller".encode("cp1252"), "Łódź".encode("cp852")))
    assert "line 33" in str(problem) and "set the feed's encoding" in str(problem)
    assert parse(sgml("Müller".encode("cp1252"), "Łódź".encode("cp852")), encoding="cp852")


def test_credit_card_xml_with_foreign_currency():
    (statement,) = parse_file(DATA / "qfx2_credit_card.qfx")
    hotel, payment = statement.transactions
    assert (hotel.amount, hotel.original_currency, hotel.original_amount) == (
        Decimal("-93.31"), "EUR", Decimal("-86.40"))
    assert payment.counterparty_name == "PAYMENT THANK YOU"  # from PAYEE/NAME
    assert statement.closing_balance == Decimal("-1093.31")


@pytest.mark.parametrize("old, new, reason", [
    (b"<TRNAMT>1250.00", b"<TRNAMT>12.50.00", "not a valid amount"),
    (b"<TRNAMT>1250.00", b"<TRNAMT>", "not a valid amount"),
    (b"<DTPOSTED>20260117", b"<DTPOSTED>20261317", "not a valid date"),
    (b"<DTPOSTED>20260117", b"", "missing <DTPOSTED>"),
    (b"<CURDEF>USD", b"<CURDEF>US", "not an ISO 4217 code"),
    (b"<ACCTID>4120 0000 6789", b"", "missing <BANKACCTFROM><ACCTID>"),
    (b"</BANKTRANLIST>", b"</BANKTRANLIST>stray text", "outside any element"),
    (b"<OFX>", b"<!DOCTYPE OFX [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><OFX>", "DOCTYPE"),
    (b"<MEMO>INV", b"<!ENTITY x 'y'><MEMO>INV", "DOCTYPE and ENTITY"),
])
def test_bad_input_names_line_and_reason(old, new, reason):
    problem = error(sgml(old, new))
    assert reason in str(problem) and "line " in str(problem)


def test_truncated_empty_and_deep_files():
    data = SGML.read_bytes()
    # cut anywhere after the body starts: refused as truncated, whatever was read so far
    for marker in (b"</BANKTRANLIST>", b"<TRNAMT>-300", b"</STMTRS>", b"</OFX>"):
        assert "is the file truncated?" in str(error(data[: data.index(marker)]))
    assert "no <OFX> element" in str(error(b"OFXHEADER:100\r\n\r\n"))
    assert "nest more than" in str(error(b"<OFX>" + b"<A>" * 10_000))
    signon_only = b"<OFX><SIGNONMSGSRSV1><SONRS><CODE>0</SONRS></SIGNONMSGSRSV1></OFX>"
    assert parse(signon_only) == []  # nothing to import, and nothing wrong


VALID = [p.read_bytes() for p in samples(DATA)]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(b"<OFX>" + data)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_samples_raise_only_input_error(sample, data):
    mutated = mutate(sample, data)
    try:
        parse(mutated)
    except InputError:
        pass


def test_declared_encoding_unknown_or_wrong():
    cp1252 = sgml(b"CHARSET:1252", b"CHARSET:KLINGON")  # unknown: the usual cp1252 it is
    assert parse(cp1252)[0].transactions[0].counterparty_name == "Müller & Söhne"
    xml = (DATA / "qfx2_credit_card.qfx").read_bytes().replace(b'encoding="UTF-8"', b'encoding="no-such"')
    assert parse(xml.replace(b"HOTEL", "HÔTEL".encode("cp1252")))[0].transactions[0].counterparty_name == \
        "HÔTEL LUTETIA PARIS"


def test_several_statements_each_its_own():
    """STMTTRNRS repeated and left open, bank and card messages together: every statement is
    read, each with its own account and balance; an error response beside them holds none."""
    statements = parse_file(DATA / "sgml_several_statements.ofx")
    assert [(st.account, len(st.transactions), st.closing_balance) for st in statements] == [
        ("11112222", 2, Decimal("10233.75")), ("33334444", 1, Decimal("5012.04")),
        ("4111111111111111", 2, Decimal("-512.00"))]
    assert [tx.amount for tx in statements[0].transactions] == [Decimal("1234.50"), Decimal("-0.75")]
    assert all(st.opening_balance is None and st.statement_date == date(2026, 2, 28) for st in statements)


@pytest.mark.parametrize("written, amount", [
    ("+12.50", "12.50"), ("-12,50", "-12.50"), (".50", "0.50"), ("-.5", "-0.5"), ("1,234.50", "1234.50"),
    ("-1.234,50", "-1234.50"), ("1,234,567", "1234567"), (" 7 ", "7"), ("-0", "0"),
])
def test_amounts_as_banks_write_them(written, amount):
    data = sgml(b"<TRNAMT>1250.00", b"<TRNAMT>" + written.encode())
    assert parse(data)[0].transactions[0].amount == Decimal(amount)


@pytest.mark.parametrize("written, day", [
    ("20260115", date(2026, 1, 15)), ("20260115120000", date(2026, 1, 15)),
    ("20260115235959.999[-5:EST]", date(2026, 1, 15)), ("20260115000000[0:GMT]", date(2026, 1, 15)),
    ("20260115093000.000[+5.30:IST]", date(2026, 1, 15)), ("2026-01-15", date(2026, 1, 15)),
])
def test_dates_are_the_local_date_written(written, day):
    data = sgml(b"<DTPOSTED>20260115120000.000[-5:EST]", b"<DTPOSTED>" + written.encode())
    assert parse(data)[0].transactions[0].booking_date == day


def test_sgml_tolerance_lower_case_stray_closers_entities():
    (statement,) = parse_file(DATA / "sgml_unbalanced_lowercase.ofx")
    cafe, rent = statement.transactions
    assert cafe.counterparty_name == "Café & Crème <Paris>" and cafe.remittance == "CB 04/02 — carte 1234"
    assert (rent.counterparty_name, rent.bank_ref) == ("Virement M. Dupont", "2026021201")
    assert statement.closing_balance == Decimal("1230.01")


def test_empty_leaves_do_not_swallow_what_follows():
    (statement,) = parse_file(DATA / "sgml_empty_leaves.ofx")
    first, second = statement.transactions
    assert (first.bank_ref, first.counterparty_name, first.remittance) == ("E1", "", "")
    assert (second.bank_ref, second.counterparty_name) == ("E2", "Deposit")  # after an empty <MEMO>
    assert statement.currency == "USD"  # <CURDEF> empty, and no other statement names one
    assert statement.closing_balance is None  # <BALAMT> empty: no balance


def test_empty_currency_takes_the_files_other_statement():
    data = (DATA / "sgml_several_statements.ofx").read_bytes().replace(b"<CURDEF>USD", b"<CURDEF>CAD", 1)
    data = data.replace(b"<CURDEF>USD", b"<CURDEF>", 1)
    assert [st.currency for st in parse(data)] == ["CAD", "CAD", "USD"]


def test_cdata_and_empty_xml_tags():
    (statement,) = parse_file(DATA / "xml_cdata_empty_tags.ofx")
    hardware, payroll, transfer = statement.transactions
    assert hardware.counterparty_name == "Smith & Sons <Hardware>"  # CDATA: as written
    assert (hardware.remittance, payroll.remittance, transfer.remittance) == ("", "", "to savings")
    assert statement.closing_balance is None  # LEDGERBAL's BALAMT is empty; AVAILBAL is not the ledger
    assert statement.statement_date == date(2026, 2, 20)  # so: the last booking date


def test_repeated_fitids_are_no_reference_missing_names_and_currencies():
    (statement,) = parse_file(DATA / "xml_fitids_payee_currency.ofx")
    txs = statement.transactions
    assert [tx.bank_ref for tx in txs[:4]] == ["", "", "", ""]  # FITID 0 three times, then none
    keys = {tx.key for tx in assign_keys(txs)}
    assert len(keys) == len(txs)  # the two identical coffees too: nothing is lost as a duplicate
    assert (txs[4].counterparty_name, txs[4].remittance, txs[4].bank_ref) == ("", "", "F-5")
    water = txs[5]
    assert (water.counterparty_name, water.counterparty_account) == ("City Water Works", "445566")  # PAYEE
    hotel, cab = txs[6], txs[7]
    assert (hotel.amount, hotel.original_currency, hotel.original_amount) == (
        Decimal("-93.31"), "EUR", Decimal("-86.40"))  # CURRENCY: TRNAMT in EUR, times CURRATE
    assert (cab.amount, cab.original_currency, cab.original_amount) == (
        Decimal("-40.00"), "GBP", Decimal("-32.00"))  # ORIGCURRENCY: TRNAMT in USD, converted from GBP


def test_currency_without_rate_keeps_the_transaction_in_it():
    data = (DATA / "xml_fitids_payee_currency.ofx").read_bytes().replace(b"<CURRATE>1.08</CURRATE>", b"")
    hotel = parse(data)[0].transactions[6]
    assert (hotel.currency, hotel.amount, hotel.original_amount) == ("EUR", Decimal("-86.40"), None)
    zero = (DATA / "xml_fitids_payee_currency.ofx").read_bytes().replace(b"<CURRATE>1.08", b"<CURRATE>0")
    assert "the rate is zero" in str(error(zero))


def test_investment_statement_cash_movements():
    (statement,) = parse_file(DATA / "sgml_investment_cash.ofx")
    assert [(tx.bank_ref, tx.amount) for tx in statement.transactions] == [
        ("I-1", Decimal("5000.00")), ("I-2", Decimal("-2504.95")), ("I-3", Decimal("600.00")),
        ("I-4", Decimal("12.30")), ("I-7", Decimal("-25.00"))]
    buy = statement.transactions[1]
    assert (buy.booking_date, buy.value_date) == (date(2026, 2, 3), date(2026, 2, 5))  # trade, settlement
    assert buy.remittance == "BUYSTOCK 10 ACME @ 250.00: Bought 10 ACME"  # the ticker from SECLIST
    assert dict(statement.left_out) == {
        "reinvested income (REINVEST): no cash moves": 1,
        "securities moved without cash (TRANSFER, SPLIT, JRNLSEC, JRNLFUND, CLOSUREOPT)": 1}
    assert (statement.closing_balance, statement.statement_date) == (Decimal("3082.35"), date(2026, 2, 28))


def test_error_responses_and_signon_failures_are_refused_with_the_banks_words():
    assert "Duplicate request: statement already downloaded today" in str(
        error((DATA / "sgml_error_response.ofx").read_bytes()))
    assert "code 15500 (ERROR): Signon invalid" in str(error((DATA / "ofxtools_profrs.ofx").read_bytes()))
    assert parse((DATA / "sgml_signon_only.ofx").read_bytes()) == []
    assert parse((DATA / "libofx_spec211_8_5_5.ofx").read_bytes()) == []  # an account list


def test_pending_transactions_are_left_out_and_counted():
    pending = (b"<BANKTRANLISTP><DTASOF>20260120<STMTTRNP><TRNTYPE>DEBIT<DTTRAN>20260120<TRNAMT>-5.00"
               b"<NAME>Pending</STMTTRNP></BANKTRANLISTP><LEDGERBAL>")
    (statement,) = parse(sgml(b"<LEDGERBAL>", pending))
    assert len(statement.transactions) == 3
    assert statement.left_out == (("pending transaction (STMTTRNP)", 1),)


def test_unclosed_transactions_and_lists_end_where_ofx_says():
    data = SGML.read_bytes().replace(b"</STMTTRN>", b"").replace(b"</BANKTRANLIST>", b"")
    (statement,) = parse(data)
    assert [tx.bank_ref for tx in statement.transactions] == ["202601150001", "202601170002", "202601200003"]
    assert statement.closing_balance == Decimal("5437.50")  # LEDGERBAL ended the open BANKTRANLIST


def test_leaves_closed_late_and_closers_of_nothing_are_ignored():
    data = sgml(b"<NAME>Office Rent", b"<NAME>Office Rent</NAME></CHECKNUM></FOO.BAR>")
    assert parse(data)[0].transactions[1].counterparty_name == "Office Rent"
    # a closing tag that closes nothing open is a writer's slip, not the end of the body
    assert len(parse(sgml(b"</STMTRS>", b"</STMTRSX></STMTRS>"))[0].transactions) == 3


def test_several_ofx_responses_in_one_file_are_all_read():
    first = SGML.read_bytes()
    second = (DATA / "ofx1_header_lies_utf8.ofx").read_bytes()
    statements = parse(first + b"\r\n" + second)
    assert [st.statement_id for st in statements] == [
        "412000006789:2026-01-01..2026-01-20", "412000006789:2026-02-01..2026-02-20"]
    assert "is the file truncated?" in str(error(first + second[: second.index(b"</STMTTRN>")]))


def _summary(statements):
    return [(st.account, st.currency, st.closing_balance, st.statement_date, st.left_out,
             [(tx.booking_date, tx.amount, tx.bank_ref, tx.counterparty_name, tx.remittance) for tx in st.transactions])
            for st in statements]


def _lower_tags(data: bytes) -> bytes:  # CDATA sections left as they are: their text is no markup
    parts = re.split(rb"(<!\[CDATA\[.*?\]\]>)", data, flags=re.DOTALL)
    return b"".join(part if part.startswith(b"<![CDATA[") else re.sub(
        rb"<(/?)([A-Za-z][A-Za-z0-9_.]*)", lambda m: b"<" + m.group(1) + m.group(2).lower(), part) for part in parts)


def _sgml_leaves(data: bytes) -> bytes:  # OFX 2 written as OFX 1: no closing tag after a leaf's text
    return re.sub(rb"(<([A-Za-z][A-Za-z0-9_.]*)>[^<]*)</\2>", rb"\1", data)


def _unclosed_lists(data: bytes) -> bytes:  # the closing tags sloppy writers leave out
    return re.sub(rb"</(STMTTRN|BANKTRANLIST|STMTRS|CCSTMTRS|STMTTRNRS|CCSTMTTRNRS)>", b"", data)


def _spaced(data: bytes) -> bytes:  # blank lines and indentation between any two tags
    return re.sub(rb">(\s*)<", rb">\r\n\r\n    \1<", data)


READABLE = [sample for sample in samples(DATA) if sample.with_suffix(".jsonl").exists()]


@pytest.mark.parametrize("change", [_lower_tags, _sgml_leaves, _unclosed_lists, _spaced],
                         ids=lambda change: change.__name__.strip("_"))
@pytest.mark.parametrize("sample", READABLE, ids=lambda sample: sample.name)
def test_every_sample_reads_the_same_however_its_tags_are_written(sample, change):
    """The class of failure, not the example: each readable sample, with its tags in lower
    case, its leaves unclosed, its statements and lists left open or blank lines everywhere,
    gives the same statements."""
    data = sample.read_bytes()
    assert _summary(parse(change(data))) == _summary(parse(data))


@pytest.mark.parametrize("name", ["sgml_several_statements.ofx", "libofx_spec211_16_5_3_2.ofx", "bimp_amex.ofx",
                                  "asgrim_ofxdata_oneline.ofx", "sgml_investment_cash.ofx"])
def test_a_file_cut_at_any_line_or_tag_is_refused_as_truncated(name):
    data = (DATA / name).read_bytes()
    end = data.upper().rindex(b"</OFX>")
    cuts = {match.start() for match in re.finditer(rb"\n|<", data[:end])} - {0}
    for cut in sorted(cut for cut in cuts if cut > data.upper().index(b"<OFX>")):
        assert "is the file truncated?" in str(error(data[:cut])), cut


def test_detected_after_a_preamble_and_padding():
    data = SGML.read_bytes()
    assert OFX.detect(b"\x00\x00" + data)
    assert OFX.detect(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ofx\r\n\r\n" + data)
    body = data[data.index(b"<OFX>"):]
    assert OFX.detect(b"Statement download\r\n" + body)
    assert parse(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ofx\r\n\r\n" + data)[0].transactions
    assert not OFX.detect(b"Date;Amount;Text\r\n01.01.2026;1,00;<OFX> in a memo\r\n")


def test_a_statement_naming_another_kind_of_account():
    data = sgml(b"<BANKACCTFROM>", b"<CCACCTFROM>").replace(b"</BANKACCTFROM>", b"</CCACCTFROM>")
    assert parse(data)[0].account == "412000006789"
