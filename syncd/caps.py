"""The caps on what syncd reads of a statement file, in one place.

A file is refused whole when it breaks one (an :class:`~syncd.errors.InputError` naming the
file, the line or element and the cap): nothing of it is stored, and the daemon goes on with
the other files. The size caps bound the time a file takes; the field and record caps bound
the memory a parser holds at once and what a record carries into the state store and Odoo,
whatever the file holds (one 200 MB ``:86:`` field, a CSV cell without its closing quote).

Real files stay far below them: SEPA remittance text is 140 characters (CAMT allows a few
``Ustrd`` of it), an MT940 ``:86:`` at most 6 x 65, a CAMT entry a few kilobytes.
"""

from __future__ import annotations

#: Largest statement file syncd reads whole (OFX, BAI2, CSV, reports, zip archives).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Largest file the streaming parsers (CAMT, MT940) read: they hold one entry at a time, so
#: this cap bounds the time a file takes rather than the memory (100,000 CAMT entries are
#: about 70 MB and take a few seconds).
STREAM_MAX_BYTES = 512 * 1024 * 1024
#: Longest field, in characters: one value (a remittance text, a name, a CSV cell, an MT940
#: tag with its continuation lines, a BAI2 detail's text with its ``88`` records).
MAX_FIELD_CHARS = 32 * 1024
#: Largest record: a CAMT entry (or what comes between two entries), an OFX transaction, a
#: BAI2 record with its continuations, a CSV row; in bytes for XML, else in characters.
MAX_RECORD_SIZE = 256 * 1024
#: Largest CAMT entry: a batch booking (a direct debit run) carries a ``TxDtls`` per payment,
#: thousands of them, each a record within :data:`MAX_RECORD_SIZE`; the entry is held whole.
#: Also what an MT942 whose currency comes after its entries may hold of them until it does.
MAX_ENTRY_BYTES = 16 * 1024 * 1024


def field_too_long(what: str, size: int | None = None) -> str:
    """The reason a field over :data:`MAX_FIELD_CHARS` is refused (``size`` when it is known)."""
    told = f" ({size:,} characters)" if size is not None else ""
    return f"{what} is longer than the limit of {MAX_FIELD_CHARS:,} characters for one field{told}: the file is refused"


def record_too_large(what: str, unit: str = "characters") -> str:
    """The reason a record over :data:`MAX_RECORD_SIZE` is refused."""
    return f"{what} is larger than the limit of {MAX_RECORD_SIZE:,} {unit} for one record: the file is refused"
