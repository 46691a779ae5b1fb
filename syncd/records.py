"""The normalized records every parser produces and every sink consumes."""

from collections.abc import Iterable
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
    """A statement of one account: balances and the transactions between them."""

    statement_id: str
    account: str
    currency: str
    source: SourceRef
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    transactions: tuple[Transaction, ...] = field(default_factory=tuple)


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
