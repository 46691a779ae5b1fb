# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Short texts for messages."""

MORE = "%(names)s and %(count)s more"


def name_some(names, limit=5, more=MORE):
    """"a, b, c, d, e and 3 more": the first ``limit`` of ``names`` joined by commas, then ``more``
    (a %-format with ``names`` and ``count``, translated by the caller) when others are left out."""
    names = list(names)
    listed = ", ".join(names[:limit])
    if len(names) <= limit:
        return listed
    return more % {"names": listed, "count": len(names) - limit}


# line breaks and tabs are text; other control characters (NUL first: PostgreSQL refuses it) are not
_TEXT_CONTROLS = frozenset("\t\n\r")


def has_control_characters(text):
    """Whether ``text`` (str) holds a control character other than tabs and line breaks: NUL, ESC, DEL..."""
    return any((ord(char) < 32 and char not in _TEXT_CONTROLS) or ord(char) == 127 for char in text)
