# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Amounts and other figures people type in or send over RPC: real numbers within what money can be.

Odoo stores a float field's value as ``float(value)``, so the strings ``"NaN"`` and ``"inf"`` become
NaN and infinity, which rounding then turns into a raw ``ValueError`` or ``OverflowError``; and a
figure like 1e300 is stored as it is. This is the rule the models check before the ORM sees a value.
"""
import math
import re

# The bound of every amount, typed in or sent to the sync API (lib/sync_values.py): above any credit limit or
# payment, below where a float loses the cents.
AMOUNT_LIMIT = 10**13
MAX_AMOUNT = float(AMOUNT_LIMIT)
# what a figure sent as text looks like: ASCII digits, a sign, a decimal point, an exponent
_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def check_number(value, bound=MAX_AMOUNT):
    """``(number, None)`` for a value Odoo may store in a float field, as the float it stores (empty,
    ``None`` or ``False``, is 0.0), else ``(None, problem)`` where problem is ``"not_a_number"`` (not
    an int, a float or the text of a number), ``"not_finite"`` (NaN, infinity) or ``"too_big"``
    (``bound`` or more, either way)."""
    if value is None or value is False or value == "":
        return 0.0, None
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            return None, "not_finite" if _is_non_finite_text(value) else "not_a_number"
        value = value.strip()
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return None, "not_a_number"
    try:
        number = float(value)
    except OverflowError:  # an int beyond floats
        return None, "too_big"
    if not math.isfinite(number):
        # "1e400" parses as infinity: a number, only too big
        return None, "too_big" if isinstance(value, str) else "not_finite"
    if abs(number) >= bound:
        return None, "too_big"
    return number, None


def _is_non_finite_text(value):
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False
