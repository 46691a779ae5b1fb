# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Short texts for messages."""

import re

MORE = "%(names)s and %(count)s more"


def name_some(names, limit=5, more=MORE):
    """"a, b, c, d, e and 3 more": the first ``limit`` of ``names`` joined by commas, then ``more``
    (a %-format with ``names`` and ``count``, translated by the caller) when others are left out."""
    names = list(names)
    listed = ", ".join(names[:limit])
    if len(names) <= limit:
        return listed
    return more % {"names": listed, "count": len(names) - limit}


# Unicode's control characters (category Cc: C0, DEL, C1) and lone surrogates (Cs): PostgreSQL
# refuses NUL, UTF-8 cannot hold a lone surrogate, and the others only hide or garble text
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_character(text, allowed=""):
    """The position of the first character of ``text`` that no stored text may hold (a control
    character other than those in ``allowed``, or a lone surrogate), or None."""
    for match in _REFUSED.finditer(text):
        if match.group() not in allowed:
            return match.start()
    return None


def has_control_characters(text):
    """Whether ``text`` (str) holds a character no stored text may hold, tabs and line breaks
    aside: NUL, ESC, DEL, C1 controls, lone surrogates."""
    return bad_character(text, "\t\n\r") is not None
