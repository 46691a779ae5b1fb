"""Reading statement files: a file's format found, its transactions keyed and each statement
after its own, as a stream for the formats that stream. Nothing here stores or sends: a file
read (``syncd parse``) pays for neither the state store nor Odoo's client.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .errors import InputError
from .identity import digest, iter_keys
from .parsers import detect_format, get_parser, open_input, parse_bytes
from .parsers.archive import is_zip, iter_members
from .records import Statement, Transaction, balance_gap, statement_total, with_totals
from .safexml import DEFAULT_MAX_BYTES, STREAM_MAX_BYTES


@dataclass(frozen=True)
class ParsedFile:
    path: str
    sha256: str
    format: str
    #: keyed transactions, each statement after its own (with ``total`` set); from
    #: :func:`open_file` a stream, read once, that may raise :class:`InputError` at any point
    items: Iterable[Transaction | Statement]

    @property
    def transactions(self) -> Iterable[Transaction]:
        """The transactions alone: a list when the file was read whole (:func:`read_file`),
        else a stream read once."""
        chosen = (item for item in self.items if isinstance(item, Transaction))
        return list(chosen) if isinstance(self.items, list) else chosen


def statement_key(statement: Statement) -> str:
    """A statement's identity in the store and in Odoo: the same statement read again (the
    same file, an overlapping one) is found again."""
    return "st:" + digest(statement.account, statement.currency, statement.statement_id,
                          statement.statement_date.isoformat() if statement.statement_date else "")


def describe_gap(statement: Statement, path: str) -> str:
    """What a statement whose balances do not add up looks like, for a person."""
    gap = balance_gap(statement)
    return (f"{path}: statement {statement.statement_id or '(no id)'} of account {statement.account}"
            f"{' on ' + statement.statement_date.isoformat() if statement.statement_date else ''}: "
            f"balances do not add up: opening {statement.opening_balance} + entries {statement_total(statement)} "
            f"= {statement.opening_balance + statement_total(statement)}, but the closing balance is "
            f"{statement.closing_balance} (difference {gap})")


def describe_left_out(statement: Statement, path: str) -> str:
    reasons = ", ".join(f"{count} {reason}" for reason, count in statement.left_out)
    return (f"{path}: statement {statement.statement_id or '(no id)'} of account {statement.account}: "
            f"{reasons}")


def statement_notes(statement: Statement, path: str) -> list[str]:
    """What a person should know of a statement read: balances that do not add up, its notes
    (totals that disagree...), entries left out."""
    gap = balance_gap(statement)
    notes = [f"warning: {describe_gap(statement, path)}"] if gap is not None and gap != 0 else []
    notes += [f"warning: {path}: statement {statement.statement_id or '(no id)'} of account "
              f"{statement.account}: {note}" for note in statement.notes]
    if statement.left_out:
        notes.append(f"left out: {describe_left_out(statement, path)}")
    return notes


DETECT_BYTES = 64 * 1024  # what format detection reads of a file


@contextmanager
def open_file(path, format_name="auto", max_bytes=None, encoding=None, regular_only=False) -> Iterator[ParsedFile]:
    """A statement file with its format known; its transactions are read as they are iterated.

    Formats that stream (CAMT, MT940) are read one entry at a time, up to
    :data:`STREAM_MAX_BYTES`; the others, and zip archives, are read whole first, up to
    :data:`DEFAULT_MAX_BYTES` (``max_bytes`` replaces both caps). The size is checked before
    anything is read. ``regular_only``: a file found in an inbox, see :func:`open_input`.
    """
    path = str(path)
    if format_name != "auto":
        get_parser(format_name)  # an unknown name is an error before any reading
    with open_input(path, regular_only=regular_only) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(min(size, DETECT_BYTES)) if size <= (max_bytes or STREAM_MAX_BYTES) else b""
        parser = None
        if head and not is_zip(head):
            parser = detect_format(head, path) if format_name == "auto" else get_parser(format_name)
        stream = getattr(parser, "stream", None)
        cap = max_bytes or (STREAM_MAX_BYTES if stream else DEFAULT_MAX_BYTES)
        if size > cap:
            raise InputError(path, "", f"file is {size} bytes, more than the limit of {cap} bytes")
        if parser is None or stream is None:
            handle.seek(0)
            yield _whole(handle.read(cap + 1), path, format_name, cap, encoding)
            return
        sha256 = _sha256(handle)
        items = stream(handle, path, max_bytes=cap, encoding=encoding)
        yield ParsedFile(path, sha256, parser.name, iter_keys(with_totals(items)))


def _sha256(handle) -> str:
    """The digest of an open file, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def file_sha256(path) -> str:
    with open(path, "rb") as handle:
        return _sha256(handle)


def _whole(data: bytes, path: str, format_name: str, max_bytes: int, encoding) -> ParsedFile:
    """A file read whole: parsed at once, or a zip archive whose every file is parsed; one bad
    member refuses the archive."""
    sha256 = hashlib.sha256(data).hexdigest()
    if is_zip(data):
        formats, items = [], []
        for label, content in iter_members(data, path):
            parser, statements = parse_bytes(content, label, format_name, max_bytes, encoding)
            formats.append(parser.name)
            items += _keyed(statements)
        if not formats:
            raise InputError(path, "", "the archive holds no file")
        return ParsedFile(path, sha256, ",".join(dict.fromkeys(formats)), items)
    parser, statements = parse_bytes(data, path, format_name, max_bytes, encoding)
    return ParsedFile(path, sha256, parser.name, _keyed(statements))


def _keyed(statements: list[Statement]) -> list[Transaction | Statement]:
    """A parsed file's statements as a stream would give them: each one's keyed transactions,
    then the statement itself (its transactions counted in ``total``, not held twice)."""
    items: list[Transaction | Statement] = []
    for statement in statements:
        items += statement.transactions
        items.append(replace(statement, transactions=(), total=statement_total(statement)))
    return list(iter_keys(items))


def read_file(path, format_name="auto", max_bytes=None, encoding=None) -> ParsedFile:
    """Read and parse one file completely, or raise :class:`InputError`."""
    with open_file(path, format_name, max_bytes, encoding) as parsed:
        return replace(parsed, items=list(parsed.items))
