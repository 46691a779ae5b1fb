"""QIF: registers read, investment entries and Opening Balance entries left out and counted,
the date order and the decimal mark decided from the whole file, the currency given as an
option (``qif:EUR``).

The samples in tests/data/qif are compared with their golden .jsonl/.error files;
regenerate those with ``python -m syncd.parsers.golden tests/data/qif`` after an intended change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError, UserError
from syncd.parsers import QIF, get_parser, parse_bytes, parse_file
from syncd.parsers.golden import samples
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "qif"


def _parse(text: str, fmt: str = "auto"):
    return parse_bytes(text.encode(), "test.qif", fmt)[1]


def test_currency_is_an_option_and_xxx_without_it():
    data = (DATA / "actual_test_no_account.qif").read_bytes()
    (plain,) = QIF.parse(data, "a.qif")
    assert plain.currency == "XXX" and {tx.currency for tx in plain.transactions} == {"XXX"}
    (euro,) = get_parser("qif:eur").parse(data, "a.qif")
    assert euro.currency == "EUR" and sum(tx.amount for tx in euro.transactions) == Decimal("-52.50")
    with pytest.raises(UserError, match="neither a currency"):
        get_parser("qif:euros")


@pytest.mark.parametrize("text, expected", [
    ("D1/ 2'24", date(2024, 1, 2)), ("D8/31' 0", date(2000, 8, 31)), ("D01/02/2024", date(2024, 1, 2)),
    ("D2024-01-02", date(2024, 1, 2)), ("D02.01.2024", date(2024, 1, 2)), ("D1/2/98", date(1998, 1, 2)),
    ("D03/25/099Share Withdrawal", date(1999, 3, 25)), ("D6/24/14", date(2014, 6, 24)),
    ("D2/10'2020", date(2020, 2, 10)),
])
def test_date_forms(text, expected):
    (statement,) = _parse(f"!Type:Bank\n{text}\nT-1.00\n^\n")
    assert statement.transactions[0].booking_date == expected


def test_date_order_is_decided_from_the_whole_file():
    text = "!Type:Bank\nD01/02/2024\nT-1.00\n^\nD25/02/2024\nT-2.00\n^\n"
    first, _second = _parse(text)[0].transactions
    assert first.booking_date == date(2024, 2, 1)  # a later date is day first: so is this one
    (forced,) = _parse("!Type:Bank\nD01/02/2024\nT-1.00\n^\n", "qif:EUR,dmy")
    assert forced.transactions[0].booking_date == date(2024, 2, 1)
    with pytest.raises(InputError, match="day first on one line and month first"):
        _parse("!Type:Bank\nD13/01/2024\nT-1.00\n^\nD01/13/2024\nT-1.00\n^\n")


def test_amounts_thousands_and_decimal_comma():
    (points,) = _parse("!Type:Bank\nD1/2/24\nT-1,234.56\n^\nD1/3/24\nT1,000\n^\n")
    assert [tx.amount for tx in points.transactions] == [Decimal("-1234.56"), Decimal("1000")]
    (commas,) = _parse("!Type:Bank\nD02.01.2024\nT-1.234,56\n^\nD03.01.2024\nT12,5\n^\n")
    assert [tx.amount for tx in commas.transactions] == [Decimal("-1234.56"), Decimal("12.5")]


def test_splits_never_change_the_entry_amount():
    (statement,) = parse_file(DATA / "apostrophe_dates_splits.qif")
    assert [tx.amount for tx in statement.transactions] == [Decimal("-1250.00"), Decimal("-19.99"),
                                                            Decimal("1250.00")]  # the last: no T, its splits


def test_accounts_opening_balances_and_investments():
    checking, savings, brokerage = parse_file(DATA / "two_accounts_and_investments.qif")
    assert (checking.account, checking.opening_balance) == ("Checking", Decimal("100.00"))
    assert dict(checking.left_out) == {
        "opening balance entry (Quicken's Opening Balance): the statement's opening balance": 1}
    assert [tx.amount for tx in checking.transactions] == [Decimal("-25.00")]
    assert savings.account == "Savings" and brokerage.transactions == ()
    assert dict(brokerage.left_out) == {"investment entry (QIF !Type:Invst): not a bank transaction": 2}


def test_comment_lines_are_passed_over():
    (statement,) = _parse("# exported by hand\n!Type:Bank\n# a note\nD1/2/24\nT-1.00\n^\n")
    assert [tx.amount for tx in statement.transactions] == [Decimal("-1.00")]


def test_detection_needs_a_section_header():
    assert QIF.detect(b"\xef\xbb\xbf!Type:Bank\r\nD1/2/24\r\n")
    assert QIF.detect(b"### copied from Wikipedia ###\n\n!Type:Class\n")
    assert QIF.detect(b"\n\n!Account\nNChecking\n^\n") and QIF.detect(b"!Option:AutoSwitch\n")
    assert QIF.detect("!Type:Bank\n".encode("utf-16"))
    assert not QIF.detect(b"Date,Amount\n") and not QIF.detect(b"D1/2/24\nT-1.00\n^\n")


@pytest.mark.parametrize("text, reason", [
    ("!Type:Bank\nD1/2/24\nT-1.00\n", "no closing \\^: the file seems cut short"),
    ("!Type:Bank\nT-1.00\n^\n", "no date"),
    ("!Type:Bank\nD1/2/24\nPNo amount\n^\n", "no amount"),
    ("!Type:Bank\nD2/30/24\nT-1.00\n^\n", "not a valid date"),
    ("!Type:Bank\nD1/2/24\nT1.2.3\n^\n", "not an amount"),
    ("!Type:Cat\nNFood\n^\n", "nothing to read"),
    ("!Bogus\n", "not a QIF section header"),
])
def test_broken_files_are_refused_with_the_line(text, reason):
    with pytest.raises(InputError, match=reason):
        _parse(text, "qif")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(samples(DATA)), st.data())
def test_mutated_files_raise_only_input_error(sample, data):
    try:
        QIF.parse(mutate(sample.read_bytes(), data), sample.name)
    except InputError:
        pass
