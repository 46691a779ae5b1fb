"""OFX 1.x (SGML), OFX 2.x (XML) and QFX: bank and card accounts, lying headers, bad and
hostile input.

The samples in tests/data/ofx are compared with their golden .jsonl files; regenerate those
with ``python -m syncd.parsers.golden tests/data/ofx`` after an intended change.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
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
    (b"<TRNAMT>1250.00", b"<TRNAMT>1.250,00", "not a valid amount"),
    (b"<DTPOSTED>20260117", b"<DTPOSTED>20261317", "not a valid date"),
    (b"<DTPOSTED>20260117", b"", "missing <DTPOSTED>"),
    (b"<CURDEF>USD", b"<CURDEF>US", "not an ISO 4217 code"),
    (b"<ACCTID>4120 0000 6789", b"", "missing <BANKACCTFROM><ACCTID>"),
    (b"</STMTRS>", b"</STMTRSX>", "closes no open element"),
    (b"<OFX>", b"<!DOCTYPE OFX [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><OFX>", "DOCTYPE"),
])
def test_bad_input_names_line_and_reason(old, new, reason):
    problem = error(sgml(old, new))
    assert reason in str(problem) and "line " in str(problem)


def test_truncated_empty_and_deep_files():
    data = SGML.read_bytes()
    assert "never closed" in str(error(data[: data.index(b"</BANKTRANLIST>")]))
    assert "no <OFX> element" in str(error(b"OFXHEADER:100\r\n\r\n"))
    assert "nest more than" in str(error(b"<OFX>" + b"<A>" * 10_000))
    no_statement = b"<OFX><SIGNONMSGSRSV1><SONRS><CODE>0</SONRS></SIGNONMSGSRSV1></OFX>"
    assert "no bank or card statement" in str(error(no_statement))


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
