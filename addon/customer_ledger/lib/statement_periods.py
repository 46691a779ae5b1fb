# Copyright 2026 Customer Ledger contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The periods scheduled statements of account cover: the last one of each frequency that has
ended before a given day."""
from datetime import date, timedelta

FREQUENCIES = ("weekly", "monthly", "quarterly")


def last_ended_period(frequency, today):
    """``(first day, last day)`` of the last ``frequency`` period that ended before ``today``:
    the previous Monday to Sunday week, calendar month or calendar quarter. ``None`` for a
    frequency without statements ("none"); ValueError for an unknown one."""
    if frequency == "none":
        return None
    if frequency == "weekly":
        # the Sunday before today (a week ending today has not ended yet)
        end = today - timedelta(days=today.weekday() + 1)
        return end - timedelta(days=6), end
    if frequency == "monthly":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if frequency == "quarterly":
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = quarter_start - timedelta(days=1)
        return date(end.year, end.month - 2, 1), end
    raise ValueError(frequency)
