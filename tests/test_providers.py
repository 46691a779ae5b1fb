"""Payment providers' settlement reports: each payout split into receipts, fees and refunds.

The samples in tests/data/providers are compared with their golden .jsonl files; regenerate
those with ``python -m syncd.parsers.golden tests/data/providers`` after an intended change.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import PARSERS, parse_file
from syncd.parsers.golden import samples
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "providers"
REGENERATE = "python -m syncd.parsers.golden tests/data/providers"


def test_each_payout_comes_to_zero_and_the_payout_is_what_the_bank_sees():
    for sample in ("stripe.csv", "adyen.csv"):
        for statement in parse_file(DATA / sample):
            payout = [tx for tx in statement.transactions if tx.bank_ref == statement.statement_id]
            if payout:
                assert sum(tx.amount for tx in statement.transactions) == 0
                assert payout[0].remittance.startswith("Payout")
    first, second, unpaid = parse_file(DATA / "stripe.csv")
    assert [tx.amount for tx in first.transactions] == [Decimal(v) for v in (
        "250.00", "-3.88", "1200.00", "-17.05", "-80.00", "-1349.07")]
    assert first.transactions[1].fees == Decimal("3.88")
    assert unpaid.statement_id == "not paid out yet" and sum(tx.amount for tx in unpaid.transactions) != 0


def test_paypal_skips_pending_and_keeps_withdrawals():
    (statement,) = parse_file(DATA / "paypal.csv")
    assert "2EF34567GH8901234" not in {tx.bank_ref for tx in statement.transactions}  # pending
    withdrawal = statement.transactions[-1]
    assert (withdrawal.amount, withdrawal.bank_ref) == (Decimal("-299.15"), "3GH45678IJ9012345")


@pytest.mark.parametrize("sample, old, new, reason", [
    ("adyen.csv", "EUR,549.34,", "EUR,549.35,", "line 5: batch 117: its receipts, fees and refunds come to 549.34"),
    ("stripe.csv", "250.00,3.88,246.12", "250.00,3.88,246.13", "line 2: gross 250.00 less fee 3.88 is not net"),
    ("paypal.csv", '"350.00","-12.25","337.75"', '"350.00","-12.25","337.70"', "do not make Net 337.70"),
    ("stripe.csv", ",eur,", ",euro,", "currency 'euro' is not an ISO 4217 code"),
    ("adyen.csv", ",Settled,", ",Mystery,", "Type 'Mystery' is not one of a settlement's parts"),
    ("paypal.csv", '"05/01/2026"', '"35/01/2026"', "Date '35/01/2026' is not a date"),
])
def test_reports_that_do_not_add_up_are_refused(tmp_path, sample, old, new, reason):
    text = (DATA / sample).read_text()
    assert old in text, f"test bug: {old!r}"
    path = tmp_path / sample
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        parse_file(path)
    assert reason in str(info.value) and sample in str(info.value)


def test_header_only_report_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text((DATA / "stripe.csv").read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match="no rows"):
        parse_file(path)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(samples(DATA)), st.data())
def test_mutated_reports_raise_only_input_error(sample, data):
    mutated = mutate(sample.read_bytes(), data)
    try:
        statements = PARSERS[sample.stem].parse(mutated, sample.name)
    except InputError:
        return
    for statement in statements:  # a payout that parses still comes to zero
        if any(tx.bank_ref == statement.statement_id for tx in statement.transactions) and sample.stem == "adyen":
            assert sum(tx.amount for tx in statement.transactions) == 0
