"""Deterministic transaction keys, so importing a file twice never books twice.

Banks deliver the same transactions again and again: a re-downloaded file,
overlapping date ranges, an intraday file followed by the end-of-day one.
Each transaction therefore gets a key computed only from its content:

``ref:<32 hex>`` -- when the bank gave a reference (``bank_ref``), the key is
    sha256 over account, currency, booking *year* and that reference.  The
    year is in because some banks restart their reference counters yearly.

``fp:<32 hex>`` -- otherwise a fingerprint: sha256 over account, currency,
    booking date, value date, amount (normalized: ``10.5`` and ``10.50`` are
    the same, at least two decimals), counterparty account (no spaces, upper
    case), counterparty name, remittance text (both whitespace-collapsed and
    case-folded), end-to-end id, and an *occurrence* number.

The occurrence is the 1-based count of transactions with the same fingerprint
seen so far in the input, in input order.  Two genuinely identical payments on
one day (two 10.50 standing orders from the same payer) get #1 and #2 and stay
distinct, while re-importing the file, or a file whose range overlaps it (and
so lists that day's transactions in the same order), yields the same keys.
The booking date is in the fingerprint, so extra days in an overlapping file
do not shift the counts.  Pass all transactions of one file in one call.

Fields are hashed as a JSON array, so no separator character can make two
different field lists collide.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from syncd.records import Transaction

_CENTS = Decimal("0.01")
T = TypeVar("T")


def digest(*parts: str) -> str:
    blob = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def normalize_amount(amount: Decimal) -> str:
    """``10.5``, ``10.50`` and ``10.500`` all give ``"10.50"``; ``10.505`` stays ``"10.505"``."""
    if amount == 0:
        return "0.00"
    reduced = amount.normalize()
    exponent = reduced.as_tuple().exponent  # an int: Transaction refuses non-finite amounts
    if isinstance(exponent, int) and exponent > -2:
        reduced = reduced.quantize(_CENTS)
    return format(reduced, "f")


def _text(value: str) -> str:
    return " ".join(value.split()).casefold()


def fingerprint(tx: Transaction) -> tuple[str, ...]:
    """The content a key without bank reference is built from (occurrence not included)."""
    return (
        tx.account,
        tx.currency,
        tx.booking_date.isoformat(),
        tx.value_date.isoformat() if tx.value_date else "",
        normalize_amount(tx.amount),
        "".join(tx.counterparty_account.split()).upper(),
        _text(tx.counterparty_name),
        _text(tx.remittance),
        tx.end_to_end_id.strip(),
    )


def iter_keys(transactions: Iterable[T]) -> Iterator[T]:
    """Copies of ``transactions`` with ``key`` set, in the same order, as they come; anything
    else in the stream (a parser's statements) passes unchanged. The occurrence counts are kept
    by a short digest of each fingerprint, so a large file costs a few dozen bytes per
    transaction without bank reference."""
    seen: Counter[bytes] = Counter()
    for tx in transactions:
        if not isinstance(tx, Transaction):
            yield tx
            continue
        if tx.bank_ref:
            key = "ref:" + digest(tx.account, tx.currency, str(tx.booking_date.year), tx.bank_ref)
        else:
            content = fingerprint(tx)
            counted = hashlib.blake2b(repr(content).encode(), digest_size=16).digest()
            seen[counted] += 1
            key = "fp:" + digest(*content, str(seen[counted]))
        yield replace(tx, key=key)


def assign_keys(transactions: Iterable[Transaction]) -> list[Transaction]:
    """Copies of ``transactions`` with ``key`` set, in the same order."""
    return list(iter_keys(transactions))
