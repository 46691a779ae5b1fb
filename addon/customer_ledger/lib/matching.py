# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exact matching of a bank transaction to open invoices, over plain values.

The reconciliation engine of later versions adds signals (fuzzy numbers, partners by bank
account or name, amount tolerances, several invoices per payment); they plug in beside
:func:`reference_in_text`, and :func:`exact_matches` stays the strictest rule of all:
a reference found in the text, the same amount, and the same partner when one is known.
"""

import re
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class OpenItem:
    """An open customer invoice as the matcher sees it."""

    id: int
    partner_id: int
    residual: int  # in the currency's smallest unit, so that equality is exact
    references: tuple  # invoice number, payment reference, ... (empty ones ignored)


@dataclass(frozen=True)
class Match:
    item_id: int
    reference: str
    reason: str


def normalize_text(text):
    """Upper-case, with white space collapsed: what banks keep of a remittance text."""
    return _SPACES.sub(" ", (text or "").upper()).strip()


def reference_in_text(reference, text):
    """True when ``reference`` stands in ``text`` as a whole token.

    The characters next to it must not be letters or digits, so that ``INV/2026/0001`` is
    not found inside ``INV/2026/00012``. Both sides are compared normalized.
    """
    reference = normalize_text(reference)
    if len(reference) < 3:
        return False
    text = normalize_text(text)
    start = text.find(reference)
    while start != -1:
        end = start + len(reference)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = text.find(reference, start + 1)
    return False


def exact_matches(text, amount, partner_id, items):
    """The open items that this transaction pays exactly.

    :param text: the transaction's remittance text and structured reference
    :param amount: the amount received, in the currency's smallest unit
    :param partner_id: the payer's partner id when known, else ``None``
    :param items: iterable of :class:`OpenItem`
    :return: list of :class:`Match`, one per item whose reference is in the text
    """
    matches = []
    for item in items:
        if item.residual != amount:
            continue
        if partner_id and item.partner_id != partner_id:
            continue
        for reference in item.references:
            if reference and reference_in_text(reference, text):
                reason = f"reference {reference} found in the payment text and amount equal"
                if partner_id:
                    reason += ", same partner"
                matches.append(Match(item.id, reference, reason))
                break
    return matches
