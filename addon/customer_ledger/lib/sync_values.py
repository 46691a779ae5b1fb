# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the sync API accepts as an amount, a date and a text, as plain rules.

Every value comes from a caller over RPC, so each rule refuses by raising :class:`BadValue`
with a problem code; the API words the message (translated) and names the line and key.
"""

import re
from datetime import date
from decimal import Decimal

from .numbers import AMOUNT_LIMIT
from .text import bad_character

# Statement amounts pass through a float in the ORM: 15 significant digits survive it exactly,
# so a currency with more decimals gets a lower ceiling than the 1e13 every currency has.
FLOAT_DIGITS = 15
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
# ASCII only: str.isdigit() and \d also take Arabic-Indic and other digits, and Decimal()
# takes "1_000", "1e400" and " 12 "; none of them is how a bank writes an amount
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadValue(ValueError):
    """A refused value. ``problem`` says which rule it breaks, ``params`` the figures for the
    message (e.g. ``limit`` for ``"range"``)."""

    def __init__(self, problem, **params):
        super().__init__(problem)
        self.problem = problem
        self.params = params


def amount_limit(decimal_places):
    """The bound (excluded) of an amount's magnitude in a currency with ``decimal_places``."""
    return min(AMOUNT_LIMIT, 10 ** (FLOAT_DIGITS - decimal_places))


def parse_amount(value, decimal_places):
    """``value`` as a Decimal: an ASCII decimal string (``-?digits(.digits)?``) or an int.

    Floats (binary, so not money) and bools are refused (``"type"``), other spellings
    (``"format"``), magnitudes of :func:`amount_limit` or more (``"range"``, with ``limit``),
    and more significant decimals than the currency has (``"decimals"``, with ``places``):
    ``"1.50"`` is fine in a currency of 2 decimals, so is ``"1.500"``; ``"1.505"`` is not.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadValue("type")
    limit = amount_limit(decimal_places)
    if isinstance(value, int):
        # compared before any conversion: str() of a huge int is slow or refused
        if abs(value) >= limit:
            raise BadValue("range", limit=limit)
        return Decimal(value)
    if not _AMOUNT.fullmatch(value):
        raise BadValue("format")
    amount = Decimal(value)
    if amount.copy_abs() >= limit:  # copy_abs is exact; abs() would round to the context
        raise BadValue("range", limit=limit)
    if len(value.partition(".")[2].rstrip("0")) > decimal_places:
        raise BadValue("decimals", places=decimal_places)
    return amount


def parse_date(value):
    """``value`` (``YYYY-MM-DD``, ASCII digits) as a date between :data:`FIRST_DATE` and
    :data:`LAST_DATE`. Problems: ``"type"``, ``"format"``, ``"no_such_day"`` (2026-02-30),
    ``"range"`` (with ``first`` and ``last``)."""
    if not isinstance(value, str):
        raise BadValue("type")
    if not _DATE.fullmatch(value):
        raise BadValue("format")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadValue("no_such_day") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise BadValue("range", first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat())
    return day




def check_text(value, max_length, allowed=""):
    """Refuse ``value`` unless it is a str of at most ``max_length`` characters with no
    character :func:`bad_character` finds. Problems: ``"type"``, ``"length"`` (with ``max``),
    ``"character"`` (with ``position`` and ``char``, the character's code as ``U+0000``)."""
    if not isinstance(value, str):
        raise BadValue("type")
    if len(value) > max_length:
        raise BadValue("length", max=max_length)
    position = bad_character(value, allowed)
    if position is not None:
        raise BadValue("character", position=position, char=f"U+{ord(value[position]):04X}")
    return value


def strings_in(value):
    """Every str inside a JSON value (dict keys too), depth-first without recursion: a
    caller's nesting must not reach Python's recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
