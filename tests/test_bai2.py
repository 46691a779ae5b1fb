"""BAI2: groups, accounts, continuations, funds types, records sharing a line, control totals.

The samples in tests/data/bai2 are compared with their golden .jsonl files; regenerate those
with ``python -m syncd.parsers.golden tests/data/bai2`` after an intended change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import parse_file
from syncd.parsers.bai2 import BAI2
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "bai2"
REGENERATE = "python -m syncd.parsers.golden tests/data/bai2"
SAMPLE = DATA / "two_groups.bai"


def parse(data: bytes, **kwargs):
    return BAI2.parse(data, "test.bai", **kwargs)


def error(data: bytes) -> InputError:
    with pytest.raises(InputError) as info:
        parse(data)
    assert "test.bai" in str(info.value)
    return info.value


def variant(old: str, new: str) -> bytes:
    text = SAMPLE.read_text()
    assert old in text, f"test bug: {old!r} not in the sample"
    return text.replace(old, new, 1).encode()


def test_groups_accounts_and_records():
    checking, lockbox, euro = parse_file(SAMPLE)
    assert (checking.account, checking.opening_balance, checking.closing_balance) == (
        "0975312468", Decimal("5000.00"), Decimal("4675.00"))
    credit, check, wire, payroll = checking.transactions
    assert credit.remittance == "ACH CREDIT FROM ACME CORP INVOICE INV/2026/00012 THANK YOU"  # 88 continued
    assert (credit.bank_ref, credit.end_to_end_id) == ("BR-0001", "INV-2026-0012")
    assert check.amount == Decimal("-250.00")  # type 475: a debit
    assert (wire.value_date, wire.remittance) == (date(2026, 1, 18), "WIRE IN, REF 77")  # funds type V, a comma
    assert (payroll.amount, payroll.bank_ref) == (Decimal("-225.00"), "BR-0004")  # funds type S
    assert lockbox.transactions[0].bank_ref == "BR-0005"  # on the 03's line; funds type D
    assert (euro.currency, euro.closing_balance, euro.opening_balance) == ("EUR", Decimal("700.00"), None)


def test_zero_decimal_currency():
    text = ("01,A,B,260120,0800,1,80,1,2/\n02,B,A,1,260119,2400,JPY,2/\n03,12345,,015,5000,,/\n"
            "16,195,5000,Z,R1,,PAYMENT/\n49,10000,3/\n98,10000,1,5/\n99,10000,1,7/\n")
    (statement,) = parse(text.encode())
    assert (statement.currency, statement.transactions[0].amount) == ("JPY", Decimal("5000"))


@pytest.mark.parametrize("old, new, reason", [
    ("49,1030000,7/", "49,1030001,7/", "line 9 (49 record): the account control total is 1030001"),
    ("49,1030000,7/", "49,1030000,6/", "counts 6 records, but the account has 7"),
    ("98,1280000,2,12/", "98,1280000,2,13/", "line 12 (98 record): the group trailer counts 13"),
    ("99,1420000,2,19/", "99,1420001,2,19/", "the file control total is 1420001"),
    ("16,475,25000", "16,475,2500.0", "'2500.0' is not an amount"),
    ("16,475,25000", "16,075,25000", "type code '075' is not a credit"),
    ("16,399,5000,V,260118", "16,399,5000,V,261318", "not a valid date"),
    ("16,399,5000,V", "16,399,5000,Q", "unknown funds type 'Q'"),
    ("03,DE89370400440532013000,EUR,", "03,DE89370400440532013000,EURO,", "'EURO' is not an ISO 4217"),
])
def test_altered_files_are_refused_with_line_and_reason(old, new, reason):
    data = variant(old, new)
    assert reason in str(error(data))


def test_balances_must_add_up():
    text = SAMPLE.read_text()
    for old, new in (("015,467500", "015,467600"), ("49,1030000", "49,1030100"), ("98,1280000", "98,1280100"),
                     ("99,1420000", "99,1420100")):
        text = text.replace(old, new)  # the totals agree: only the balance is off
    problem = str(error(text.encode()))
    assert "line 3 (03 record): balances of account 0975312468 do not add up" in problem
    assert "closing balance is 4676.00" in problem


def test_truncated_and_empty():
    data = SAMPLE.read_bytes()
    assert "is it truncated" in str(error(data[: data.index(b"98,140000")]))
    assert "empty" in str(error(b"\n\n"))
    assert "starts with a 01" in str(error(b"02,B,A,1,260119,2400,USD,2/\n"))
    assert "before any record" in str(error(b"88,more text\n"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(data)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_sample_raises_only_input_error(data):
    mutated = mutate(SAMPLE.read_bytes(), data)
    try:
        statements = parse(mutated)
    except InputError:
        return
    for statement in statements:
        if statement.opening_balance is not None and statement.closing_balance is not None:
            moved = sum((tx.amount for tx in statement.transactions), Decimal(0))
            assert statement.opening_balance + moved == statement.closing_balance
