"""Payment providers' settlement reports: Stripe, PayPal and Adyen.

A provider pays out to the bank one sum for many customer payments, less its fees and the
refunds. The bank statement shows only that sum; to reconcile it, the provider's report is
read into the provider's own journal, each payout split into what it is made of:

- a receipt per customer payment, for its gross amount (it pays an invoice);
- the provider's fee on it, as its own transaction (an expense), the amount also in ``fees``;
- refunds (and their fees, if any), as payments out;
- the payout itself, as money leaving the provider's balance for the bank (``bank_ref``
  is the payout id, which the bank's line names).

So the lines of one payout add up to zero, and the report's own figures are checked against
that: a payout whose parts do not add up to it is refused, naming it. Reports are CSV files
recognised by their header row; amounts are decimal strings, never floats.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from syncd.caps import MAX_RECORD_SIZE
from syncd.errors import InputError
from syncd.parsers.csvprofile import checked_rows
from syncd.parsers.text import check_lines, decode, head_lines
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES


@dataclass
class _Row:
    line: int
    cells: dict


class _Report:
    """A provider report read as rows of named cells."""

    def __init__(self, path: str, text: str, required: set[str]):
        self.path = path
        rows = list(checked_rows(csv.reader(io.StringIO(text)), path))
        header_at = next((i for i, (_line, row) in enumerate(rows[:20]) if required <= {c.strip() for c in row}),
                         None)
        if header_at is None:
            raise InputError(path, "line 1", f"no header row with {', '.join(sorted(required))}")
        header = [cell.strip() for cell in rows[header_at][1]]
        self.rows = []
        for line, row in rows[header_at + 1:]:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header) or any(cell.strip() for cell in row[len(header):]):
                raise InputError(path, f"line {line}", f"{len(row)} cells, but the header has {len(header)}")
            self.rows.append(_Row(line, dict(zip(header, (cell.strip() for cell in row), strict=False))))

    def error(self, row: _Row, reason: str) -> InputError:
        return InputError(self.path, f"line {row.line}", reason)

    def money(self, row: _Row, column: str, required: bool = True) -> Decimal:
        text = row.cells.get(column, "").replace(",", "")
        if not text and not required:
            return Decimal(0)
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise self.error(row, f"{column} {row.cells.get(column, '')!r} is not an amount")
        return Decimal(text)

    def day(self, row: _Row, column: str, formats: tuple[str, ...]) -> date:
        text = row.cells.get(column, "")
        for form in formats:
            try:  # the format's width of the text: a time zone or seconds after it are no matter
                return datetime.strptime(text[: len(datetime(2000, 1, 1).strftime(form))], form).date()
            except ValueError:
                continue
        raise self.error(row, f"{column} {text!r} is not a date")

    def currency(self, row: _Row, column: str) -> str:
        code = row.cells.get(column, "").upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise self.error(row, f"{column} {row.cells.get(column, '')!r} is not an ISO 4217 code")
        return code


class _Ledger:
    """The provider account's transactions, by payout (or by currency where the report does not
    tie them to payouts), each payout checked to add up."""

    def __init__(self, report: _Report, account: str):
        self.report = report
        self.account = account
        self.groups: dict[str, list[Transaction]] = {}
        self.payouts: dict[str, tuple[_Row, Decimal]] = {}  # group -> (its payout row, amount)

    def add(self, group: str, row: _Row, currency: str, day: date, amount: Decimal, **fields):
        if amount:
            self.groups.setdefault(group, []).append(Transaction(
                account=self.account, currency=currency, booking_date=day, amount=amount,
                source=SourceRef(self.report.path, f"line {row.line}"), statement_id=group, **fields))

    def add_fee(self, group: str, row: _Row, currency: str, day: date, fee: Decimal, ref: str, provider: str):
        """The provider's fee on a payment: money out of the provider account (``fee`` positive)."""
        self.add(group, row, currency, day, -fee, remittance=f"{provider} fee {ref}", bank_ref=f"{ref}/fee",
                 fees=fee if fee else None)

    def payout(self, group: str, row: _Row, currency: str, day: date, amount: Decimal, ref: str):
        """The payout to the bank (``amount`` negative: money leaving the provider account)."""
        self.payouts[group] = (row, amount)
        self.add(group, row, currency, day, amount, remittance=f"Payout {ref} to the bank", bank_ref=ref)

    def statements(self) -> list[Statement]:
        for group, (row, amount) in self.payouts.items():
            total = sum((tx.amount for tx in self.groups[group]), Decimal(0))  # the payout included
            if total:
                raise self.report.error(row, f"{group}: its receipts, fees and refunds come to {total - amount}, "
                                        f"but the payout is {-amount} (difference {total})")
        return [Statement(statement_id=group, account=self.account, currency=txs[0].currency, source=txs[0].source,
                          transactions=tuple(txs)) for group, txs in self.groups.items()]


def _read(parser, data: bytes, path: str, max_bytes: int, encoding: str | None) -> _Report:
    if len(data) > max_bytes:
        raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
    check_lines(data, path, MAX_RECORD_SIZE)  # a row is one line or more
    report = _Report(path, decode(data, path, encoding), parser.header)
    if not report.rows:
        raise InputError(path, "line 2", "the report has no rows")
    return report


def _detect(data: bytes, header: set[str]) -> bool:
    try:
        head = decode(head_lines(data), "").splitlines()[:20]
    except InputError:
        return False
    for line in head:
        try:
            cells = {cell.strip() for cell in next(csv.reader([line]), [])}
        except csv.Error:
            continue
        if header <= cells:
            return True
    return False


class StripeParser:
    """Stripe's itemized payout reconciliation report (``payout_reconciliation.itemized``): the
    balance transactions of each automatic payout; the payout is their net sum."""

    name = "stripe"
    description = "Stripe payout reconciliation report"
    header = {"automatic_payout_id", "balance_transaction_id", "reporting_category", "gross", "fee", "net",
              "currency"}

    def detect(self, data: bytes) -> bool:
        return _detect(data, self.header)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        ledger = _Ledger(report, "stripe")
        last: dict[str, tuple[_Row, str, date]] = {}
        for row in report.rows:
            payout = row.cells.get("automatic_payout_id") or "not paid out yet"
            currency = report.currency(row, "currency")
            day = report.day(row, "created_utc", ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"))
            gross, fee, net = report.money(row, "gross"), report.money(row, "fee"), report.money(row, "net")
            if gross - fee != net:
                raise report.error(row, f"gross {gross} less fee {fee} is not net {net}")
            ref = row.cells["balance_transaction_id"]
            text = " ".join(filter(None, (row.cells.get("invoice_number", ""), row.cells.get("description", ""))))
            ledger.add(payout, row, currency, day, gross, remittance=text, bank_ref=ref,
                       counterparty_name=row.cells.get("customer_name", ""),
                       end_to_end_id=row.cells.get("payment_intent_id") or row.cells.get("source_id", ""))
            ledger.add_fee(payout, row, currency, day, fee, ref, "Stripe")
            if row.cells.get("automatic_payout_id"):
                effective = row.cells.get("automatic_payout_effective_at", "")
                last[payout] = (row, currency, report.day(row, "automatic_payout_effective_at",
                                                          ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")) if effective else day)
        for payout, (row, currency, day) in last.items():
            net = sum((tx.amount for tx in ledger.groups[payout]), Decimal(0))
            ledger.add(payout, row, currency, day, -net, remittance=f"Payout {payout} to the bank", bank_ref=payout)
        return ledger.statements()


class PaypalParser:
    """PayPal's activity download (CSV): payments, refunds and their fees, and withdrawals to the
    bank. The report does not say which payments a withdrawal carries, so transactions are
    grouped by currency, and each withdrawal is a transaction the bank's line can be matched to."""

    name = "paypal"
    description = "PayPal activity report"
    header = {"Date", "Type", "Currency", "Gross", "Fee", "Net", "Transaction ID"}

    def detect(self, data: bytes) -> bool:
        return _detect(data, self.header)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        ledger = _Ledger(report, "paypal")
        for row in report.rows:
            if row.cells.get("Status", "Completed") not in ("Completed", ""):
                continue  # pending, denied: no money moved
            currency = report.currency(row, "Currency")
            day = report.day(row, "Date", ("%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d"))
            gross, fee, net = report.money(row, "Gross"), report.money(row, "Fee", False), report.money(row, "Net")
            if gross + fee != net:
                raise report.error(row, f"Gross {gross} and Fee {fee} do not make Net {net}")
            ref = row.cells["Transaction ID"]
            text = " ".join(filter(None, (row.cells.get("Invoice Number", ""), row.cells.get("Item Title", ""),
                                          row.cells.get("Note", ""))))
            if "Withdraw" in row.cells["Type"]:
                text = f"Payout {ref} to the bank"
            ledger.add(currency, row, currency, day, gross, remittance=text, bank_ref=ref,
                       counterparty_name=row.cells.get("Name", ""),
                       counterparty_account=row.cells.get("From Email Address", ""),
                       end_to_end_id=row.cells.get("Reference Txn ID", ""))
            ledger.add_fee(currency, row, currency, day, -fee, ref, "PayPal")  # PayPal writes fees negative
        return ledger.statements()


class AdyenParser:
    """Adyen's settlement details report: each batch's settled payments, refunds and fees, and
    the merchant payout that closes it."""

    name = "adyen"
    description = "Adyen settlement details report"
    header = {"Merchant Account", "Psp Reference", "Type", "Net Currency", "Net Debit (NC)", "Net Credit (NC)",
              "Batch Number"}
    _FEES = ("Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)")

    def detect(self, data: bytes) -> bool:
        return _detect(data, self.header)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        ledger = _Ledger(report, f"adyen:{report.rows[0].cells['Merchant Account']}")
        for row in report.rows:
            batch = f"batch {row.cells['Batch Number']}"
            currency = report.currency(row, "Net Currency")
            day = report.day(row, "Creation Date", ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"))
            kind, ref = row.cells["Type"], row.cells["Psp Reference"]
            net = report.money(row, "Net Credit (NC)", False) - report.money(row, "Net Debit (NC)", False)
            fee = sum((report.money(row, column, False) for column in self._FEES), Decimal(0))
            if kind == "MerchantPayout":
                ledger.payout(batch, row, currency, day, net, ref or batch)
            elif kind in ("Settled", "Refunded", "Chargeback", "SettledBulk", "RefundedBulk", "Fee",
                          "InvoiceDeduction", "Balancetransfer", "DepositCorrection"):
                ledger.add(batch, row, currency, day, net + fee, bank_ref=ref,
                           remittance=row.cells.get("Merchant Reference", "") or kind,
                           end_to_end_id=row.cells.get("Modification Reference", ""))
                ledger.add_fee(batch, row, currency, day, fee, ref, "Adyen")
            else:
                raise report.error(row, f"Type {kind!r} is not one of a settlement's parts")
        return ledger.statements()


STRIPE, PAYPAL, ADYEN = StripeParser(), PaypalParser(), AdyenParser()
