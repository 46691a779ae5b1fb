"""SWIFT MT940/MT942 parsing: bank dialects, balances, encodings, bad and hostile input.

The samples in tests/data/mt940 are compared field by field with their golden .jsonl
files; regenerate those with ``python -m syncd.parsers.golden tests/data/mt940`` after an
intended change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import PARSERS, parse_file
from syncd.parsers.golden import samples
from syncd.parsers.mt940 import MT940
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "mt940"
CAMT = Path(__file__).parent / "data" / "camt"
REGENERATE = "python -m syncd.parsers.golden tests/data/mt940"

MINIMAL = """:20:T1
:25:DE89370400440532013000
:28C:1/1
:60F:C261231EUR100,00
{entries}:62F:C{closing_date}EUR{closing}
-
"""


def message(entries="", closing="100,00", closing_date="261231"):
    return MINIMAL.format(entries=entries, closing=closing, closing_date=closing_date).encode()


def parse(data: bytes, **kwargs):
    return MT940.parse(data, "test.sta", **kwargs)


def error(data: bytes, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        parse(data, **kwargs)
    assert "test.sta" in str(info.value)
    return info.value


# --- golden files ---------------------------------------------------------------------------


def test_camt_is_not_mt940_and_mt940_is_not_camt():
    for sample in samples(CAMT):
        assert not MT940.detect(sample.read_bytes())
    for sample in samples(DATA):
        assert not PARSERS["camt053"].detect(sample.read_bytes())


# --- dialects -------------------------------------------------------------------------------


def test_german_structured_information_and_sepa_keywords():
    (statement,) = parse_file(DATA / "german_envelope_crlf.sta")
    credit, debit, returned, fee = statement.transactions
    assert (credit.counterparty_name, credit.counterparty_account, credit.counterparty_bic) == (
        "ACME HANDEL GMBH", "DE89370400440532013000", "COBADEFFXXX")
    assert (credit.end_to_end_id, credit.remittance) == ("E2E-2026-0001", "INV/2026/00012 Danke fuer die Lieferung")
    assert debit.end_to_end_id == ""  # EREF+NOTPROVIDED
    assert (returned.amount, fee.amount) == (Decimal("20.00"), Decimal("-2.50"))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("1000.00"), Decimal("1442.00"))
    assert fee.bank_ref == ""  # no //bank reference: the key is a fingerprint
    assert fee.booking_date == date(2026, 1, 4)


def test_dutch_slash_fields_page_split_and_original_amount():
    first, second = parse_file(DATA / "dutch_page_split.sta")
    assert (first.closing_balance, second.opening_balance) == (Decimal("3750.00"), Decimal("3750.00"))
    (lotus,) = first.transactions
    assert lotus.remittance == "INV/2026/00031 and INV/2026/00032"  # wrapped line joined
    assert lotus.end_to_end_id == "LT-2026-0031"
    refund, usd = second.transactions
    assert (refund.counterparty_name, refund.counterparty_account) == ("Pieter de Vries", "NL20INGB0001234567")
    assert (usd.original_currency, usd.original_amount, usd.fees) == ("USD", Decimal("107.50"), Decimal("0.50"))
    assert usd.structured_ref == "RF18539007547034"


def test_reversals_and_dates_across_the_new_year():
    entries = (":61:2612310102RC30,00NTRFNONREF//R1\n:86:reversed credit\n"
               ":61:2612311231RD50,00NTRFNONREF//R2\n:86:reversed debit\n")
    (statement,) = parse(message(entries, closing="120,00"))
    reversed_credit, reversed_debit = statement.transactions
    assert reversed_credit.amount == Decimal("-30.00")  # money taken back out
    assert reversed_debit.amount == Decimal("50.00")
    assert reversed_credit.booking_date == date(2027, 1, 2)  # booked after the value date's year end
    assert reversed_debit.booking_date == date(2026, 12, 31)


def test_polish_code_page_is_read_when_configured_and_reported_when_guessed():
    text = (":20:PL1\n:25:PL61109010140000071219812874\n:28C:1\n:60F:C260112PLN0,00\n"
            ":61:2601120112C123,45NTRFNONREF//PL-1\n"
            ":86:020~00PRZELEW~20Faktura FV/2026/001~21płatność~32Spółka Łódź~33Sp. z o.o.\n"
            ":62F:C260112PLN123,45\n-\n")
    data = text.encode("cp852")
    (statement,) = parse(data, encoding="cp852")
    (payment,) = statement.transactions
    assert payment.counterparty_name == "Spółka Łódź Sp. z o.o."
    assert payment.remittance == "Faktura FV/2026/001płatność"
    problem = error(data)
    assert "line 6" in str(problem) and "set the feed's encoding" in str(problem)
    assert "not valid utf-8" in str(error(data, encoding="utf-8")).lower()


def test_utf8_with_bom_and_cp1252_fallback():
    entries = ":61:2612311231C5,00NTRFNONREF\n:86:Müller & Söhne — Zahlung €\n"
    utf8 = b"\xef\xbb\xbf" + message(entries, closing="105,00").decode().encode("utf-8")
    assert parse(utf8)[0].transactions[0].remittance == "Müller & Söhne — Zahlung €"
    cp1252 = message(entries, closing="105,00").decode().encode("cp1252")
    assert parse(cp1252)[0].transactions[0].remittance == "Müller & Söhne — Zahlung €"


# --- bad input ------------------------------------------------------------------------------


def test_balance_mismatch_names_the_statement_and_line():
    problem = error(message(":61:2612311231C5,00NTRFNONREF\n", closing="100,00"))
    assert "line 6 :62F:" in str(problem) and "statement T1/1/1" in str(problem)
    assert "difference -5.00" in str(problem)


@pytest.mark.parametrize("entry, reason", [
    (":61:26123C5,00NTRF\n", "not a statement line"),
    (":61:2613311231C5,00NTRFNONREF\n", "not a valid date"),
    (":61:2612311299C5,00NTRFNONREF\n", "not a valid entry date"),
    (":61:2612311231C5,0,0NTRFNONREF\n", "not a valid amount"),
])
def test_bad_statement_lines_name_line_and_tag(entry, reason):
    problem = error(message(entry))
    assert "line 5 :61:" in str(problem) and reason in str(problem)


def test_missing_tags_and_truncation():
    assert "missing :25:" in str(error(b":20:X\n:60F:C260101EUR1,00\n:62F:C260101EUR1,00\n"))
    truncated = message(":61:2612311231C5,00NTRFNONREF\n", closing="105,00").split(b":62F:")[0]
    assert "is the file truncated" in str(error(truncated))
    assert "missing :62F:" in str(error(truncated + b"-\n"))  # ended, but without its closing balance
    interim = (DATA / "mt942_interim.sta").read_bytes()
    assert "is the file truncated" in str(error(interim[: interim.index(b":61:2601060106D40")]))
    assert "no MT940 message" in str(error(b"\n\n"))
    assert "text outside any tag" in str(error(b"hello\n:20:X\n"))


def test_mt942_totals_are_checked():
    data = (DATA / "mt942_interim.sta").read_bytes().replace(b":90C:1EUR150,00", b":90C:1EUR151,00")
    assert ":90C:" in str(error(data)) and "lists 1 for 150.00" in str(error(data))


def test_oversize_rejected_before_reading_further():
    assert "limit" in str(error(message() * 10, max_bytes=100))


# --- properties -----------------------------------------------------------------------------

VALID = [p.read_bytes() for p in samples(DATA)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(data)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_samples_raise_only_input_error(sample, data):
    mutated = mutate(sample, data)
    try:
        statements = parse(mutated)
    except InputError:
        return
    for statement in statements:  # what parses is consistent
        if statement.opening_balance is not None and statement.closing_balance is not None:
            total = sum((tx.amount for tx in statement.transactions), Decimal(0))
            assert statement.opening_balance + total == statement.closing_balance


def test_hostile_long_tag_and_long_line_are_refused_at_the_field_cap():
    # a field of many short lines, and one endless line: each refused once it passes the cap,
    # naming where it starts, without the rest being read into memory
    many_lines = message(":61:2612311231C5,00NTRFNONREF\n:86:" + "x\n" * 500_000, closing="105,00")
    with pytest.raises(InputError, match=r"line 6 :86:: the field :86: \(to line \d+\) is longer than the limit"):
        parse(many_lines)
    one_line = message(":61:2612311231C5,00NTRF" + "/" * 2_000_000 + "\n", closing="105,00")
    with pytest.raises(InputError, match="line 5: the line is longer than the limit of 32,768 characters"):
        parse(one_line)
