"""The normalized records every parser produces and every sink consumes."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SourceRef:
    """Where a record came from: the file and a place inside it (line number or XPath)."""

    path: str
    location: str

    def __str__(self):
        return f"{self.path}:{self.location}"


@dataclass(frozen=True)
class Transaction:
    """One booked bank transaction, amounts signed from the account holder's view."""

    account: str
    currency: str
    booking_date: date
    amount: Decimal
    source: SourceRef
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_account: str = ""
    counterparty_bic: str = ""
    remittance: str = ""
    structured_ref: str = ""
    bank_ref: str = ""
    end_to_end_id: str = ""
    statement_id: str = ""
    #: Charges the bank took on this transaction (positive), when it says so.
    fees: Decimal | None = None
    #: The amount as instructed, before conversion, when the bank gives it (signed like ``amount``).
    original_currency: str = ""
    original_amount: Decimal | None = None
    #: Deterministic identity, set by :func:`syncd.identity.assign_keys`.
    key: str = ""

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"{self.source}: amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError(f"{self.source}: amount {self.amount} is not a finite number")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"{self.source}: currency {self.currency!r} is not an ISO 4217 code")
        if not self.account:
            raise ValueError(f"{self.source}: the statement's account is missing")

    def to_json(self):
        """A JSON-ready dict: amounts as strings, dates in ISO format."""
        return {
            "key": self.key,
            "account": self.account,
            "currency": self.currency,
            "booking_date": self.booking_date.isoformat(),
            "value_date": self.value_date.isoformat() if self.value_date else None,
            "amount": str(self.amount),
            "counterparty_name": self.counterparty_name,
            "counterparty_account": self.counterparty_account,
            "counterparty_bic": self.counterparty_bic,
            "remittance": self.remittance,
            "structured_ref": self.structured_ref,
            "bank_ref": self.bank_ref,
            "end_to_end_id": self.end_to_end_id,
            "statement_id": self.statement_id,
            "fees": None if self.fees is None else str(self.fees),
            "original_currency": self.original_currency,
            "original_amount": None if self.original_amount is None else str(self.original_amount),
            "source": str(self.source),
        }


@dataclass(frozen=True)
class Statement:
    """A statement of one account: balances and the transactions between them.

    A statement whose balances do not add up (opening + transactions != closing) is still a
    statement: banks print a balance of another day, samples are edited by hand. It is
    imported and flagged (:func:`balance_gap`), never refused for that alone.
    """

    statement_id: str
    account: str
    currency: str
    source: SourceRef
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    transactions: tuple[Transaction, ...] = field(default_factory=tuple)
    #: The statement's date: its closing balance's date, else its last booking date.
    statement_date: date | None = None
    #: Entries of the file left out of the transactions, with why: ``(("pending", 2), ...)``.
    left_out: tuple[tuple[str, int], ...] = ()
    #: The sum of its transactions, when they were streamed apart (``transactions`` empty).
    total: Decimal | None = None
    #: What else a person should know of it: totals the file gives that disagree (MT942's
    #: :90D:/:90C:), each a sentence naming the place.
    notes: tuple[str, ...] = ()

    def to_json(self):
        """A JSON-ready dict: balances and sums as strings, the gap when the balances disagree."""
        gap = balance_gap(self)
        return {
            "statement_id": self.statement_id,
            "account": self.account,
            "currency": self.currency,
            "date": self.statement_date.isoformat() if self.statement_date else None,
            "opening_balance": None if self.opening_balance is None else str(self.opening_balance),
            "closing_balance": None if self.closing_balance is None else str(self.closing_balance),
            "total": str(statement_total(self)),
            "balance_gap": None if gap is None else str(gap),
            "left_out": dict(self.left_out),
            "notes": list(self.notes),
            "source": str(self.source),
        }


def statement_total(statement: Statement) -> Decimal:
    """What the statement's transactions move, in all."""
    if statement.total is not None:
        return statement.total
    return sum((tx.amount for tx in statement.transactions), Decimal(0))


def balance_gap(statement: Statement) -> Decimal | None:
    """closing - (opening + transactions): zero when the balances add up, ``None`` when the
    statement lacks one of them (nothing to check)."""
    if statement.opening_balance is None or statement.closing_balance is None:
        return None
    return statement.closing_balance - statement.opening_balance - statement_total(statement)


def join_pages(statements: Iterable[Statement]) -> list[Statement]:
    """Statements split over pages (MT940 messages ``5/1``, ``5/2``): consecutive statements of
    one account and currency with the same id become one, opening from the first, closing from
    the last."""
    joined: list[Statement] = []
    for statement in statements:
        last = joined[-1] if joined else None
        if last is None or _page_of(last) != _page_of(statement):
            joined.append(statement)
            continue
        left_out = Counter(dict(last.left_out))
        left_out.update(dict(statement.left_out))
        joined[-1] = replace(
            last,
            closing_balance=statement.closing_balance,
            transactions=last.transactions + statement.transactions,
            statement_date=statement.statement_date or last.statement_date,
            left_out=tuple(left_out.items()),
            notes=last.notes + statement.notes,
            total=None if last.total is None and statement.total is None
            else statement_total(last) + statement_total(statement),
        )
    return joined


def with_totals(stream: Iterable[Transaction | Statement]) -> Iterator[Transaction | Statement]:
    """A parser's stream as it comes, each statement with ``total`` set to the sum of the
    transactions streamed before it (since the previous statement)."""
    total = Decimal(0)
    for item in stream:
        if isinstance(item, Transaction):
            total += item.amount
            yield item
            continue
        if item.total is None and not item.transactions:
            item = replace(item, total=total)
        total = Decimal(0)
        yield item


def _page_of(statement: Statement) -> tuple[str, str, str]:
    """What the pages of one statement share."""
    return statement.account, statement.currency, statement.statement_id


def collect(stream: Iterable[Transaction | Statement]) -> list[Statement]:
    """The statements of a parser's stream (each statement after its transactions), each
    with its transactions."""
    statements, pending = [], []
    for item in stream:
        if isinstance(item, Transaction):
            pending.append(item)
        else:
            statements.append(replace(item, transactions=tuple(pending)))
            pending = []
    return statements
