"""Payment providers' reports: each payout split into receipts, fees and refunds (or net lines),
rows that moved no money left out and counted, PayPal's balances per currency.

The samples in tests/data/providers are compared with their golden .jsonl files; regenerate
those with ``python -m syncd.parsers.golden tests/data/providers`` after an intended change.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError, UserError
from syncd.parsers import PARSERS, get_parser, parse_file
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


def test_paypal_leaves_pending_out_counted_and_keeps_withdrawals():
    (statement,) = parse_file(DATA / "paypal.csv")
    assert "2EF34567GH8901234" not in {tx.bank_ref for tx in statement.transactions}  # pending
    assert statement.left_out == (("status Pending: not on the PayPal balance", 1),)
    withdrawal = statement.transactions[-1]
    assert (withdrawal.amount, withdrawal.bank_ref) == (Decimal("-299.15"), "3GH45678IJ9012345")
    assert withdrawal.remittance.startswith("Payout")


@pytest.mark.parametrize("sample", ["hledger_paypal_custom.csv", "kontor_paypal_de.csv",
                                    "paypal_statement_multicurrency.csv"])
def test_paypal_balance_column_gives_balances_that_add_up(sample):
    """Rows the Balance column shows moved money are read whatever their status (a Pending
    bank deposit funding a payment, a hold for an authorization), so each currency's
    statement adds up from its opening to its closing balance."""
    statements = parse_file(DATA / sample)
    for statement in statements:
        assert statement.opening_balance is not None and statement.closing_balance is not None
        assert statement.closing_balance - statement.opening_balance == sum(tx.amount for tx in statement.transactions)


def test_paypal_statement_layout_one_statement_per_currency_newest_first():
    eur, usd = parse_file(DATA / "paypal_statement_multicurrency.csv")
    assert (eur.currency, eur.opening_balance, eur.closing_balance) == ("EUR", Decimal("0.80"), Decimal("131.14"))
    assert (usd.currency, usd.opening_balance, usd.closing_balance) == ("USD", Decimal("15.00"), Decimal("0.00"))
    assert [tx.booking_date.isoformat() for tx in eur.transactions][0] == "2026-02-02"  # oldest first
    payout = eur.transactions[-1]
    assert (payout.amount, payout.remittance) == (Decimal("-1500.00"), "Payout 5WD00000000000001 to the bank")
    conversions = [tx for s in (eur, usd) for tx in s.transactions if "Conversion" in tx.remittance]
    assert sorted(tx.amount for tx in conversions) == [Decimal("-200.00"), Decimal("183.40")]


def test_paypal_statuses_what_moves_money():
    (statement,) = parse_file(DATA / "paypal_statuses.csv")
    left_out = dict(statement.left_out)
    assert left_out == {"status Denied: not on the PayPal balance": 1, "status Canceled: not on the PayPal balance": 1,
                        "status Held: not on the PayPal balance": 1,
                        "status Pending (Balance Impact Memo): not on the PayPal balance": 1}
    refs = {tx.bank_ref for tx in statement.transactions}
    assert {"1AA00000000000003", "1AA00000000000008"} <= refs  # Reversed and Refunded payments were made
    assert statement.transactions[0].booking_date.isoformat() == "2026-03-02"  # PST: month first


@pytest.mark.parametrize("sample", ["paypal.csv", "stripe.csv", "adyen.csv", "paypal_statement_multicurrency.csv",
                                    "stripe_balance_history_dashboard.csv", "adyen_payment_accounting.csv"])
def test_net_mode_one_line_per_row_and_the_same_payouts(sample):
    name = PARSERS[next(n for n, p in PARSERS.items() if p.detect((DATA / sample).read_bytes()))].name
    separate = parse_file(DATA / sample)
    net = get_parser(f"{name}:net").parse((DATA / sample).read_bytes(), sample)
    assert [s.statement_id for s in net] == [s.statement_id for s in separate]
    for one, other in zip(separate, net, strict=True):
        assert sum(tx.amount for tx in one.transactions) == sum(tx.amount for tx in other.transactions)
        assert not any(tx.bank_ref.endswith("/fee") for tx in other.transactions)
        payouts = [tx.amount for tx in one.transactions if tx.remittance.startswith("Payout")]
        assert payouts == [tx.amount for tx in other.transactions if tx.remittance.startswith("Payout")]
        assert sum(tx.fees or 0 for tx in one.transactions) == sum(tx.fees or 0 for tx in other.transactions)


def test_fee_mode_option_is_checked():
    assert get_parser("stripe:separate").name == "stripe"
    assert get_parser("adyen:net").name == "adyen:net"
    with pytest.raises(UserError, match="net .* or separate"):
        get_parser("paypal:gross")


def test_stripe_dashboard_export_payout_and_pending():
    (statement,) = parse_file(DATA / "stripe_balance_history_dashboard.csv")
    payout = next(tx for tx in statement.transactions if tx.remittance.startswith("Payout"))
    assert (payout.amount, payout.bank_ref) == (Decimal("-1209.02"), "po_3A0005")
    assert "txn_3A0006" in {tx.bank_ref for tx in statement.transactions}  # pending: on the Stripe balance


def test_adyen_accounting_report_reads_booked_records_only():
    (statement,) = parse_file(DATA / "adyen_payment_accounting.csv")
    assert sum(count for _reason, count in statement.left_out) == 5
    assert sum(tx.amount for tx in statement.transactions) == Decimal("205.43")  # 245.55 - 40.12


@pytest.mark.parametrize("sample, old, new, reason", [
    ("stripe.csv", "250.00,3.88,246.12", "250.00,3.88,246.13", "line 2: gross 250.00 less fee 3.88 is not net"),
    ("paypal.csv", '"350.00","-12.25","337.75"', '"350.00","-12.25","337.70"', "do not make Net 337.70"),
    ("stripe.csv", ",eur,", ",euro,", "currency 'euro' is not an ISO 4217 code"),
    ("adyen.csv", ",2026-01-12 10:00:00,", ",12 Jan,", "Creation Date '12 Jan' is not a date"),
    ("paypal.csv", '"05/01/2026"', '"35/13/2026"', "Date '35/13/2026' is not a date"),
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
        parser = next(p for p in PARSERS.values() if p.detect(sample.read_bytes()))
        statements = parser.parse(mutated, sample.name)
    except InputError:
        return
    for statement in statements:  # a Stripe payout computed from its rows still comes to zero
        if any(tx.bank_ref == statement.statement_id for tx in statement.transactions) and sample.stem == "stripe":
            assert sum(tx.amount for tx in statement.transactions) == 0


def test_adyen_row_without_amount_or_currency_is_counted(tmp_path):
    text = (DATA / "adyen.csv").read_text()
    lines = text.splitlines()
    empty = "ExampleCompany,ExampleShopEUR,,,,2026-01-12 23:00:00,CET,MiscCosts,,,,,,,,,,,,,,,117"
    path = tmp_path / "adyen.csv"
    path.write_text("\n".join([lines[0], empty, *lines[1:]]) + "\n")
    (statement,) = parse_file(path)
    assert statement.currency == "EUR"
    assert dict(statement.left_out) == {"MiscCosts without an amount or currency": 1}
    assert sum(tx.amount for tx in statement.transactions) == 0
