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
