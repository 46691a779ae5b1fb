"""SWIFT MT940 (customer statement) and MT942 (interim report) parser.

A file holds one or more messages, with or without the SWIFT envelope
(``{1:...}{2:...}{3:...}{4:`` ... ``-}``, on one line or several), separated by ``-``
lines or simply by the next ``:20:``.  A message is a list of tags (``:61:``,
``:86:``, ...), each possibly continued on the following lines.

What banks bend, and how it is read here:

- whatever stands before the first tag and between messages is a header and is skipped:
  ``ABNANL2A``, ``ABNANL2A/940``, ``:940:``, ``0000 01INGBNL2AXXXX00001``, ``940 00``,
  MultiCash's ``GIBACZPX 0800`` and ``940 N2``,
  a bank's "this is an example file", blank lines; header-like lines (``:940:``, a BIC, an
  ING ``0000 01...`` line) at the end of a message that the next ``:20:`` follows are dropped;
- the envelope's text block on the line of its ``{4:`` (``{1:...}{2:...}{4::20:REF``);
- control characters of the framing (SOH ``\\x01``, ETX ``\\x03``, SUB ``\\x1a``, NUL, form
  feeds) around lines, the envelope's blocks on their own lines, ``-}``, ``{5:...}``,
  ``-XXX`` and ``XXX`` trailers; a ``-`` line followed by another tag than ``:20:`` is part of the text
  (a remittance line that starts with a dash), not the end of the message;
- amounts with a decimal comma (the standard: ``500,00``, ``1000,``, and ``,50`` without its
  integer digit) or a dot, padded with zeros (``000000001000,00``), and with thousands grouped
  the other way (``1.000,00``, ``1,000.00``) or by spaces (``1 000,00``, never read as ``1``
  and a reference ``000,00``); ``1,0,0`` is refused;
- ``:61:`` with or without the entry date (or four spaces in its place), with the third
  letter of the currency as funds code, spaces around the amount (``D1000,00 NTRF``), any type code of a letter
  and three letters, digits or spaces (``NTRF``, ``NMSC``, ``FCHK``, ``N123``, ``NET ``,
  ``S051``, lower case), none at all, and with or without the ``//`` bank reference;
  reversals (``RC`` is a reversed credit, booked as a debit; ``RD`` a reversed debit, booked
  as a credit); the supplementary line that may hold ``/OCMT/`` (original amount) and
  ``/CHGS/`` (charges);
- years ``80``-``99`` are of the last century (old samples), ``00``-``79`` of this one;
- impossible dates: a day past the end of its month (30 February, 31 April) is read as the
  last day of that month, in value dates, entry dates and balances alike (banks print such
  interest dates); an entry date ``0000`` or with an impossible month is left out (the value
  date applies). A month outside 1-12 in a value date or balance is refused;
- ``:86:`` as free text, in the German/Polish structured form (``166?00...?20...``
  with ``?`` or another separator, ``~``, ``^``, ``<``..., the subfields on one line or on
  lines of their own, with or without the leading transaction code: ``^00...^20...``;
  subfields left empty with the filler byte 0xFF (PKO BP: ``~21\xff``) are empty;
  ``?20``-``?29`` and ``?60``-``?63`` remittance, ``?30`` bank code, ``?31`` account (the
  Polish ``~38`` IBAN wins over it), ``?32``/``?33`` name; SEPA keywords ``EREF+``,
  ``SVWZ+``, ...), or in the SWIFT/Dutch slash form (``/EREF/.../REMI/.../NAME/...``,
  ``/CNTP/iban/bic/name/city/``; slashes with none of those codes, ``/BNF/.../ORG/...``, are
  kept as text); several ``:86:`` after one ``:61:`` are joined; a ``:86:`` before the first
  ``:61:`` is the statement's, not an entry's; ``:NS:`` fields (German, Polish, Swiss) are
  skipped wherever they stand, between a ``:61:`` and its ``:86:`` too;
- ``:25:`` as ``BLZ/account``, IBAN, ``IBAN CUR``, ``account/CUR``, ``BIC/IBAN``, or ``:25P:``
  (the account, the owner's BIC on the next line, which is not read); a leading
  ``/`` (``:25:/PL61...``, ``:25:/CH93...``) is not part of the account;
- balances: ``:60F:``/``:62F:`` and the intermediate ``:60M:``/``:62M:`` of a statement
  split over messages; a balance without its currency takes the statement's (the other
  balance's, the account's); a balance dated ``000000`` (an empty account's ``C000000EUR0,``)
  has no date; ``:64:``/``:65:`` (available balances) are not read.  Balances
  that do not add up are not refused: the statement carries them as the file gives them and
  :func:`syncd.records.balance_gap` shows the difference;
- MT942 (``:13D:`` date and time, ``:34F:`` floor limits, ``:90D:``/``:90C:`` totals): totals
  that disagree with the entries are logged, not refused;
- statements split over pages (``:28C:5/1``, ``5/2``) get the same statement id, the
  statement number (``5``), so that :func:`syncd.records.join_pages` joins them; a statement
  numbered 0 (or without ``:28C:``) is named by its ``:20:`` and its opening balance's date.
  The statement's date is its closing balance's (else the ``:13D:`` date, else the last
  booking date);
- CRLF, LF or CR line ends, or FinTS/HBCI's ``@@`` (``:20:STARTUMS@@:25:...@@``, also inside
  a field's text: it breaks the line there; each piece counts as a line in messages);
- UTF-8, else the code page given (``encoding``), else the legacy code page that reads the
  file's letters best (cp1252, cp1250, ISO 8859-2, cp852, cp850, cp437, cp1251, cp866:
  :func:`syncd.parsers.text.choose_encoding`).

What is refused, naming the file, the line and the tag: a statement line, balance or amount
that cannot be read, a message without ``:25:``, a message that does not start with ``:20:``,
balances in two currencies.  A file cut short is refused, and this is how it is told apart
from a file that merely leaves things out:

- a SWIFT envelope opened and never closed (``-}``), or followed by the next one, was cut;
- a message ended by ``-`` or by the next message is complete, with or without a closing
  balance (some banks send none);
- the last message of the file, ended by the end of the file without ``-``, is complete only
  if its last tag is one a statement ends with: a closing or available balance
  (``:62F:``/``:62M:``/``:64:``/``:65:``), MT942 totals (``:90D:``/``:90C:``), or the
  statement's own ``:86:`` after one of those. A file that stops after an entry (``:61:``, its
  ``:86:``) or in the header tags was cut there. A file whose last line has no line end may
  have been cut inside that line: it is complete only if that line is the final balance or
  total itself, with its decimals (``:62F:C260105EUR1500,00``); a last ``:86:`` or a balance
  without decimals there is a cut (``:62F:C260105EUR15``);
- a file that ends inside an envelope's block (``{1:F01BANK``) was cut.
"""

from __future__ import annotations

import io
import logging
import re
from calendar import monthrange
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import BinaryIO

from syncd.caps import MAX_ENTRY_BYTES, MAX_FIELD_CHARS, field_too_long
from syncd.errors import InputError
from syncd.parsers.text import DETECT, choose_encoding, iter_lines
from syncd.records import SourceRef, Statement, Transaction, collect
from syncd.safexml import DEFAULT_MAX_BYTES, STREAM_MAX_BYTES

log = logging.getLogger(__name__)

_TAG = re.compile(r":(\d\d[A-Za-z]?|NS):")
_BALANCE = re.compile(r"(?P<mark>[CDcd])\s*(?P<date>\d{6})\s*(?P<currency>[A-Z]{3})?\s*"
                      r"(?P<amount>\d{1,3}(?: \d{3})+(?:,\d*)?|[\d,][\d,.]*)$")
_ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?\s*(?P<mark>R?[CD]|r?[cd])(?P<funds>[A-Z])?\s*"
    r"(?P<amount>\d{1,3}(?: \d{3})+,\d*|\d[\d,.]*|,\d+)\s*"
    r"(?P<type>[A-Za-z][A-Za-z0-9]{3}|[A-Za-z][A-Za-z0-9 ]{0,3}(?= |$)|)(?P<customer>.*?)(?://(?P<bank>.*))?$"
)
_TOTAL = re.compile(r"(?P<count>\d{1,5})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)$")
_AMOUNT = re.compile(r"\d+([,.]\d*)?|,\d+")
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+,\d*|\d{1,3}(,\d{3})+\.\d*")  # thousands grouped
_ORIGINAL = re.compile(r"/OCMT/(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)/?")
_CHARGES = re.compile(r"/CHGS/(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)/?")
_SUBFIELDS = re.compile(r"^(?:\d{3}(?P<sep>[^\w\s])\d\d|(?P<bare>[~^<?])(?:00|20))")
_FILLERS = "\xff\u02d9\xa0"  # byte 0xFF as cp1252/ISO 8859-1, cp1250/ISO 8859-2 and cp852 read it
_SEPA_KEYWORDS = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_SLASH_CODES = ("TRTP", "CNTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "BENM", "ID", "ADDR", "CSID",
                "MARF", "PREF", "RTRN", "ISDT", "PURP", "ULTC", "ULTD", "SVCL", "CHGS", "OCMT", "EXCH", "ACCW")
_NO_REFERENCE = ("NONREF", "NOTPROVIDED", "NONE", "EREF")  # EREF: "see /EREF/ in :86:"
# lines of a file header that may stand just before the next message's :20: (":940:", a BIC with
# or without "/940", ING's "0000 01INGBNL2AXXXX00001" and "940 00", MultiCash's "GIBACZPX 0800" and "940 N2")
_HEADER = re.compile(r":9\d\d:|9\d\d( [A-Z0-9]\d)?|\d{4} ?\d\d[A-Z]{6}[A-Z0-9]*"
                     r"|[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?(/9\d\d| +\d{4})?")
# the framing's control characters (and spaces) a line may carry at either end
_FRAMING = "".join(map(chr, range(33)))
# tags a statement may end with (see the module's docstring on truncation)
_FINAL_TAGS = frozenset(("62F", "62M", "64", "65", "90D", "90C"))
_WHOLE_AMOUNT = re.compile(r"\d[,.]\d+\s*$")


@dataclass
class _Tag:
    tag: str
    first: str  # the text after the tag on its line
    line: int
    more: list[str] = field(default_factory=list)  # continuation lines

    @property
    def value(self) -> str:
        return "\n".join([self.first, *self.more]) if self.more else self.first


class Mt940Parser:
    """The ``mt940`` format: SWIFT MT940 statements and MT942 interim reports."""

    name = "mt940"
    description = "SWIFT MT940/MT942 statement"

    def detect(self, data: bytes) -> bool:
        head = data[:8192]
        start = re.search(rb"(?:^(?:\xef\xbb\xbf)?|[\r\n]|\{4:|@@)[\x00-\x20]*:20:", head)  # a UTF-8 BOM too
        if start is None:
            return False
        rest = head[start.start():]
        return (re.search(rb"(?:[\r\n]|@@)\s*:25P?:", rest) is not None
                and re.search(rb"(?:[\r\n]|@@)\s*:(?:28C?|60[FM]|61|62[FM]|13D?|34F|90[DC]):", rest) is not None)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        return collect(self.stream(io.BytesIO(data), path, max_bytes=max_bytes, encoding=encoding))

    def stream(self, handle: BinaryIO, path: str, *, max_bytes: int = STREAM_MAX_BYTES,
               encoding: str | None = None) -> Iterator[Transaction | Statement]:
        """Each transaction as its ``:61:`` (and ``:86:``) is read, each statement once its
        message ends. An :class:`InputError` may come at any point, so what came before it
        counts only once the stream ends. Memory holds one entry at a time, within the field
        and entry caps (a message's entries only for the rare MT942 whose currency comes last,
        up to the entry cap: :mod:`syncd.caps`)."""
        size = handle.seek(0, io.SEEK_END)
        if size > max_bytes:
            raise InputError(path, "", f"file is {size} bytes, more than the limit of {max_bytes} bytes")
        codec, bom = choose_encoding(handle, path, encoding, fallback=DETECT)
        handle.seek(max(0, size - 64))
        tail = handle.read().rstrip(b"\x00\x03\x04\x1a \t")
        ends_line = not tail or tail[-1:] in (b"\n", b"\r") or tail.endswith(b"@@")  # the last line is whole
        handle.seek(0)
        lines = iter_lines(handle, codec, bom, path=path, max_line=MAX_FIELD_CHARS)
        if b"@@" in handle.read(8192):  # FinTS/HBCI's "@@" line breaks
            lines = _at_at_lines(lines)
        handle.seek(0)
        message: _Message | None = None
        messages = 0
        for tag in _tags(lines, path):
            if isinstance(tag, _Tag):
                if message is None:
                    message = _Message(path, tag)
                else:
                    yield from message.add(tag)
                continue
            if message is not None:  # the end of a message, and how it ended
                messages += 1
                if tag == _EOF and not message.ends_whole(ends_line):
                    raise InputError(path, f"line {message.last.line} :{message.last.tag}:",
                                     "the file ends in or after this tag, without the statement's closing "
                                     "balance or '-': is the file truncated?")
                yield from message.close()
                message = None
        if not messages:
            raise InputError(path, "line 1", "no MT940 message found (no :20: tag)")


_DASH, _NEXT, _EOF = "-", "next", "end of file"  # how a message ended


def _tags(lines: Iterable[str], path: str) -> Iterator[_Tag | str]:
    """Each tag once its continuation lines are read, and after a message's last tag how the
    message ended: with ``-`` (``_DASH``), by the next message (``_NEXT``) or by the end of the
    file (``_EOF``). Headers, envelopes and separators are dropped; a message in a SWIFT
    envelope must be closed by ``-}``: without it, the file was cut."""
    tag: _Tag | None = None  # the tag being read, None outside a message
    size = 0  # the characters of ``tag`` so far
    dash = 0  # the line of a "-" that ends the message unless another tag than :20: follows
    dash_line = ""  # and its text
    envelope = 0  # the line of an envelope not closed yet
    body = False  # inside the envelope's text block ({4:)
    last_brace = 0  # the line of a block left open ("{1:F01BANK"), while it is the last line
    match_tag = _TAG.match
    for number, line in enumerate(lines, 1):
        if line and (line[-1] <= " " or line[0] < " "):
            line = line.strip(_FRAMING) if line[0] < " " else line.rstrip(_FRAMING)
        if not line:
            continue
        if last_brace and line[0] != "{":
            last_brace = 0
        first = line[0]
        if first == " " and line.lstrip()[:1] in ("-", ":"):  # " -" ends a message as "-" does
            line = line.lstrip()
            first = line[0]
        elif tag is None and first not in ":-{" and "{1:" in line:  # an envelope after other text
            line = line[line.find("{1:"):]
            first = "{"
        if first == ":":
            match = match_tag(line)
            if match:
                name = match.group(1)
                if dash:  # "-" then a tag: the message ended only if this is the next one's :20:
                    if name == "20":
                        yield tag  # type: ignore[misc]
                        yield _DASH
                        tag = None
                    else:
                        _extend(tag, dash_line, number, path)  # type: ignore[arg-type]
                    dash = 0
                if tag is not None:
                    if name == "20":
                        _drop_header(tag)
                        yield tag
                        yield _NEXT
                    else:
                        yield tag
                tag = _Tag(name.upper(), line[match.end():], number)
                size = len(tag.first)
                continue
        elif first == "-":
            if line.startswith("-}"):  # the end of the envelope's text block
                trailer = line[2:]
                last_brace = number if trailer.count("{") > trailer.count("}") else 0
                if tag is not None:
                    yield tag
                    yield _DASH
                tag, dash, envelope, body = None, 0, 0, False
                continue
            if tag is not None and not dash:
                dash, dash_line = number, line
                continue
            if dash:  # two dash lines: the first was text
                _extend(tag, dash_line, number, path)  # type: ignore[arg-type]
                dash, dash_line = number, line
                continue
            continue  # a separator between messages
        elif first == "{":
            last_brace = number if line.count("{") > line.count("}") else 0
            if line.startswith("{1:"):
                if envelope:
                    raise InputError(path, f"line {envelope}", "the SWIFT envelope is not closed (-}) before "
                                     "the next one: is the file truncated?")
                if tag is not None:
                    yield tag
                    yield _DASH if dash else _NEXT
                    tag, dash = None, 0
                envelope, body = number, False
            if not body:
                start = line.find("{4:")
                if start < 0:
                    continue  # {1:}, {2:}, {3:} blocks
                body = True
                envelope = envelope or number
                line = line[start + 3:].strip(_FRAMING)
                if not line:
                    continue
                match = match_tag(line)
                if match:
                    tag = _Tag(match.group(1).upper(), line[match.end():], number)
                    size = len(tag.first)
                continue
            if tag is None:
                continue  # {5:...} trailers
        if dash:
            # "-" then text: the end of the message if this is a header or trailer line
            if tag is not None and (_HEADER.fullmatch(line) or not body and first == "{"):
                yield tag
                yield _DASH
                tag, dash = None, 0
                continue
            _extend(tag, dash_line, number, path)  # type: ignore[arg-type]
            dash = 0
        if tag is None:
            continue  # a header, or text between messages
        if line == "XXX":  # ING's trailer, after the last tag
            yield tag
            yield _DASH
            tag = None
            continue
        size += len(line) + 1
        if size > MAX_FIELD_CHARS:
            raise InputError(path, f"line {tag.line} :{tag.tag}:",
                             field_too_long(f"the field :{tag.tag}: (to line {number})"))
        tag.more.append(line)
    if envelope:
        raise InputError(path, f"line {envelope}", "the SWIFT envelope is never closed (-}): "
                         "is the file truncated?")
    if last_brace:
        raise InputError(path, f"line {last_brace}", "the file ends inside a SWIFT envelope's block: "
                         "is the file truncated?")
    if tag is not None:
        yield tag
        yield _DASH if dash else _EOF


def _at_at_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines of a file whose lines are (also) broken by ``@@``, each piece a line."""
    for line in lines:
        if "@@" in line:
            yield from line.split("@@")
        else:
            yield line


def _extend(tag: _Tag, line: str, number: int, path: str):
    tag.more.append(line)
    if sum(map(len, tag.more)) + len(tag.first) > MAX_FIELD_CHARS:
        raise InputError(path, f"line {tag.line} :{tag.tag}:",
                         field_too_long(f"the field :{tag.tag}: (to line {number})"))


def _drop_header(tag: _Tag):
    """Header lines of the next message (``:940:``, ``ABNANL2A``) read as the end of ``tag``."""
    while tag.more and _HEADER.fullmatch(tag.more[-1]):
        tag.more.pop()


def _amount(text: str, path: str, where: str) -> Decimal:
    if " " in text:  # thousands grouped by spaces (1 000,00), as the entry and balance patterns allow
        text = text.replace(" ", "")
    if _AMOUNT.fullmatch(text):
        return Decimal(text.replace(",", ".").rstrip(".") or "0")
    if _GROUPED.fullmatch(text):  # 1.000,00 or 1,000.00: the last sign is the decimal one
        whole, _sign, cents = text.replace(".", ",").rpartition(",")
        return Decimal(f"{whole.replace(',', '')}.{cents}")
    raise InputError(path, where, f"{text!r} is not a valid amount (digits with a decimal comma)")


@lru_cache(maxsize=4096)
def _date(text: str) -> date | None:
    """``YYMMDD`` (``80``-``99`` of the last century, ``00``-``79`` of this one); a day past its
    month's end is the month's last day (30 February); ``None`` for a month outside 1-12 or
    day 0."""
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:6])
    year += 1900 if year >= 80 else 2000
    if not 1 <= month <= 12 or day < 1:
        return None
    return date(year, month, min(day, monthrange(year, month)[1]))


@lru_cache(maxsize=4096)
def _entry_date(text: str, value: date) -> date | None:
    """The ``MMDD`` entry date, in the year that puts it nearest the value date."""
    month, day = int(text[:2]), int(text[2:])
    if not 1 <= month <= 12 or day < 1:
        return None
    year = value.year + (month == 1 and value.month == 12) - (month == 12 and value.month == 1)
    return date(year, month, min(day, monthrange(year, month)[1]))


class _Message:
    """One message while its tags stream by: the header tags as they come, each ``:61:`` turned
    into a transaction when the tag after its ``:86:`` lines arrives, running totals."""

    def __init__(self, path: str, first: _Tag):
        if first.tag != "20":
            raise InputError(path, f"line {first.line} :{first.tag}:",
                             "a message starts with :20: (the transaction reference)")
        self.path = path
        self.first = first
        self.last = first
        self.final = "20"  # the last tag but :86:
        self.tags: dict[str, _Tag] = {}  # the first of each tag but :61: and :86:
        self.account = self.currency = ""
        self.account_text = ""  # :25: as it stands, should its last letters not be a currency
        self.balance_currency = ""  # the currency a balance gave
        self.opening: Decimal | None = None
        self.closing: Decimal | None = None
        self.opening_date: date | None = None
        self.closing_date: date | None = None
        self.last_booking: date | None = None
        self.pending: _Tag | None = None  # a :61: waiting for its :86:
        self.info: _Tag | None = None  # and the :86: read for it so far
        self.info_size = 0  # the characters of its several :86:
        self.deferred: list[tuple[_Tag, _Tag | None]] = []  # entries read before the currency was known
        self.deferred_size = 0  # their characters
        self.context: dict | None = None
        self.total = Decimal(0)
        self.debits: list = [0, Decimal(0)]  # count and sum, for MT942's :90D:
        self.credits: list = [0, Decimal(0)]

    def where(self, tag: _Tag) -> str:
        return f"line {tag.line} :{tag.tag}:"

    def error(self, tag: _Tag, reason: str) -> InputError:
        return InputError(self.path, self.where(tag), reason)

    def add(self, tag: _Tag) -> Iterator[Transaction]:
        self.last = tag
        name = tag.tag
        if name == "NS":  # bank-specific fields, wherever they stand (between :61: and its :86: too)
            return
        if name == "86":
            if self.pending is None:
                return  # information on the statement
            if self.info is None:
                self.info = tag
            else:  # several :86: for one entry
                self.info_size = len(self.info.value) + len(tag.value)
                if self.info_size > MAX_ENTRY_BYTES:
                    raise self.error(self.info, f"more than {MAX_ENTRY_BYTES:,} characters of :86: for one entry")
                self.info.more.extend((tag.first, *tag.more))
            return
        if self.pending is not None:
            yield from self.book(self.pending, self.info)
            self.pending = self.info = None
        self.final = name
        if name == "61":
            self.pending = tag
            return
        if name == "25P":  # the account with the owner's BIC on the next line (SWIFT's option P)
            name = "25"
        self.tags.setdefault(name, tag)
        if name == "25":
            if not self.account:
                self.account, self.currency = _account(tag.first)
                self.account_text = "".join(tag.first.split()).upper().lstrip("/")
                if not self.account:
                    raise self.error(tag, "the account identification is empty")
        elif name in ("60F", "60M"):
            if self.opening is None:
                self.opening, self.opening_date = self.balance(tag)
        elif name in ("62F", "62M"):
            self.closing, self.closing_date = self.balance(tag)

    def book(self, entry: _Tag, info: _Tag | None) -> Iterator[Transaction]:
        if self.context is None:
            if "25" not in self.tags:
                raise self.error(self.first, "missing :25: (the account identification)")
            currency = self.currency or self.floor_currency()
            if not currency:
                self.deferred.append((entry, info))  # an MT942 that gives its currency last
                self.deferred_size += sum(len(tag.value) for tag in (entry, info) if tag is not None)
                if self.deferred_size > MAX_ENTRY_BYTES:
                    raise self.error(self.deferred[0][0], f"more than {MAX_ENTRY_BYTES:,} characters of entries "
                                     "before the currency is known (no :60F:, :60M: or :34F: before them): "
                                     "the file is refused")
                return
            self.context = {"account": self.account, "currency": currency, "statement_id": self.statement_id()}
        for deferred, deferred_info in self.deferred:
            yield self.tally(self.entry(deferred, deferred_info, self.context))
        self.deferred = []
        yield self.tally(self.entry(entry, info, self.context))

    def statement_id(self) -> str:
        """The statement number of ``:28C:`` (``5`` of ``5/2``), the same on each page; for a
        statement numbered 0 or not at all, ``:20:`` and the opening balance's date."""
        number = self.tags.get("28C") or self.tags.get("28")
        digits = number.first.strip().split("/")[0].strip().lstrip("0") if number else ""
        if digits:
            return digits
        reference = self.first.first.strip()
        return f"{reference}/{self.opening_date.isoformat()}" if self.opening_date else reference

    def ends_whole(self, ends_line: bool) -> bool:
        """Whether the message, ended by the end of the file, ends as a statement ends: with a
        closing or available balance or MT942 totals (and the statement's :86:); in a file
        whose last line has no line end, with that tag's own line, whole to its decimals."""
        if self.final not in _FINAL_TAGS:
            return False
        if ends_line:
            return True
        last = self.last
        return last.tag == self.final and not last.more and _WHOLE_AMOUNT.search(last.first) is not None

    def tally(self, transaction: Transaction) -> Transaction:
        amount = transaction.amount
        self.total += amount
        self.last_booking = transaction.booking_date
        if amount:
            side = self.debits if amount < 0 else self.credits
            side[0] += 1
            side[1] += abs(amount)
        return transaction

    def floor_currency(self) -> str:
        for name in ("34F", "90D", "90C"):
            tag = self.tags.get(name)
            if tag:
                found = re.search(r"[A-Z]{3}", tag.value)
                if found:
                    return found.group(0)
        return ""

    def close(self) -> Iterator[Transaction | Statement]:
        """The transactions still held, then the statement."""
        if self.pending is not None:
            yield from self.book(self.pending, self.info)
            self.pending = self.info = None
        account_tag = self.tags.get("25")
        if account_tag is None:
            raise self.error(self.first, "missing :25: (the account identification)")
        currency = self.currency or self.floor_currency()
        if not currency:
            raise self.error(account_tag, "no currency: neither :60F:/:62F: balances, :25: nor :34F: give one")
        if self.deferred:
            self.currency = currency
            yield from self.book(*self.deferred.pop())  # books those held before it first
        statement_id = self.context["statement_id"] if self.context else self.statement_id()
        notes = self.check_totals()
        stamp = self.tags.get("13D") or self.tags.get("13")
        reported = _date(stamp.value.strip()[:6]) if stamp and stamp.value.strip()[:6].isdigit() else None
        yield Statement(statement_id=statement_id, account=self.account, currency=currency,
                        source=SourceRef(self.path, f"line {self.first.line}"), opening_balance=self.opening,
                        closing_balance=self.closing, total=self.total,
                        statement_date=self.closing_date or reported or self.last_booking, notes=notes)

    def balance(self, tag: _Tag) -> tuple[Decimal, date | None]:
        text = tag.first.strip()  # what follows on other lines is not the balance's
        match = _BALANCE.match(text)
        if not match:
            raise self.error(tag, f"{text!r} is not a balance (C/D, YYMMDD, currency, amount)")
        currency = match["currency"]
        if currency:
            if self.balance_currency and currency != self.balance_currency:
                raise self.error(tag, f"balance currency {currency} differs from the statement's "
                                 f"{self.balance_currency}")
            if self.currency and currency != self.currency and not self.balance_currency:
                # the letters at the end of :25: were part of the account, not its currency
                self.account = self.account_text or self.account
            self.balance_currency = self.currency = currency
        value = _amount(match["amount"], self.path, self.where(tag))
        day = _date(match["date"])
        if day is None and match["date"] != "000000":  # 000000: no date (an empty account's zero balance)
            raise self.error(tag, f"{match['date']!r} is not a valid date (YYMMDD)")
        return (-value if match["mark"] in "Dd" and value else value), day

    def check_totals(self) -> tuple[str, ...]:
        """MT942's :90D:/:90C: give the number and sum of debit and credit entries: a report
        whose totals disagree is flagged (a note of the statement's), not refused."""
        notes = []
        for name, (entries, listed) in (("90D", self.debits), ("90C", self.credits)):
            tag = self.tags.get(name)
            if tag is None:
                continue
            match = _TOTAL.match(tag.value.strip())
            if not match:
                raise self.error(tag, f"{tag.value.strip()!r} is not a total (count, currency, amount)")
            count, total = int(match["count"]), _amount(match["amount"], self.path, self.where(tag))
            if (count, total) != (entries, listed):
                notes.append(f"{self.where(tag)}: the report counts {count} entries for {total}, "
                             f"but lists {entries} for {listed}")
        return tuple(notes)

    def entry(self, tag: _Tag, info: _Tag | None, context: dict) -> Transaction:
        first_line = tag.first.strip()
        extra = "\n".join(tag.more)
        match = _ENTRY.match(first_line)
        if not match:
            raise self.error(tag, f"{first_line!r} is not a statement line (value date, D/C mark, "
                             "amount, transaction type, reference)")
        value_date = _date(match["value"])
        if value_date is None:
            raise self.error(tag, f"{match['value']!r} is not a valid date (YYMMDD)")
        booking_date = value_date
        if match["entry"]:
            booking_date = _entry_date(match["entry"], value_date) or value_date
        amount = _amount(match["amount"], self.path, self.where(tag))
        # C and RD (a debit reversed) bring money in; D and RC (a credit reversed) take it out
        if match["mark"].upper() in ("D", "RC") and amount:
            amount = -amount
        customer_ref = match["customer"].strip()
        bank_ref = (match["bank"] or "").strip()
        info_text = info.value if info else ""
        fields = _information(info_text)
        original = charges = None
        if "/OCMT/" in extra or "/OCMT/" in info_text:
            original = _ORIGINAL.search(extra) or _ORIGINAL.search(info_text.replace("\n", ""))
        if "/CHGS/" in extra or "/CHGS/" in info_text:
            charges = _CHARGES.search(extra) or _CHARGES.search(info_text.replace("\n", ""))
        if customer_ref.upper() not in _NO_REFERENCE and not fields["end_to_end_id"]:
            fields["end_to_end_id"] = customer_ref
        where = self.where(tag)
        return Transaction(
            amount=amount,
            booking_date=booking_date,
            value_date=value_date,
            source=SourceRef(self.path, where),
            bank_ref="" if bank_ref.upper() in _NO_REFERENCE else bank_ref,
            original_currency=original["currency"] if original else "",
            original_amount=_signed(_amount(original["amount"], self.path, where), amount) if original else None,
            fees=_amount(charges["amount"], self.path, where) if charges else None,
            **context,
            **fields,
        )


def _signed(value: Decimal, like: Decimal) -> Decimal:
    return -value if like < 0 else value


def _account(value: str) -> tuple[str, str]:
    """``:25:`` as (account, currency): ``DE89370400440532013000EUR``, ``10020030/1234567``,
    ``NL91ABNA0417164300 EUR`` or ``1234567/EUR``."""
    account = "".join(value.split()).upper().lstrip("/")
    match = re.fullmatch(r"(?P<account>.*\d)/?(?P<currency>[A-Z]{3})", account)
    if match:
        return match["account"], match["currency"]
    return account, ""


def _information(text: str) -> dict:
    """Counterparty and remittance from ``:86:``, in whichever dialect it comes."""
    fields = {"counterparty_name": "", "counterparty_account": "", "counterparty_bic": "",
              "remittance": "", "structured_ref": "", "end_to_end_id": ""}
    flat = text.replace("\n", "")
    subfields = _SUBFIELDS.match(flat)
    if subfields:
        _subfields(flat, subfields["sep"] or subfields["bare"], fields)
    elif flat.startswith("/") and re.match(r"/[A-Z]{2,4}/", flat):
        _slashes(flat, fields)
    else:
        fields["remittance"] = " ".join(text.split())
    _sepa(fields)
    structured = re.search(r"\bRF\d\d[0-9A-Z]{1,21}\b", fields["remittance"].replace(" ", ""))
    if structured and not fields["structured_ref"]:
        fields["structured_ref"] = structured.group(0)
    return fields


def _subfields(flat: str, sep: str, fields: dict):
    """``166?00GUTSCHRIFT?20EREF+...?21SVWZ+...?30BIC?31IBAN?32NAME``."""
    remittance: list[tuple[str, str]] = []
    bic, account, iban, names, more_names = [], [], [], [], []
    for chunk in flat.split(sep)[1:]:
        code = chunk[:2]
        if chunk[2:3] in _FILLERS:  # "~21\xff": an empty subfield, filled with byte 0xFF
            chunk = code + chunk[2:].strip(_FILLERS)
        if "20" <= code <= "29" or "60" <= code <= "63":
            if code.isdigit():
                remittance.append((code, chunk[2:]))
        elif code == "30":
            bic.append(chunk[2:])
        elif code == "31":
            account.append(chunk[2:])
        elif code == "32":
            names.append(chunk[2:])
        elif code == "33":
            more_names.append(chunk[2:])
        elif code == "38":  # Polish banks: the counterparty's IBAN (?31 then holds the bare account)
            iban.append(chunk[2:])
    remittance.sort(key=_first)  # ?60-?63 after ?20-?29, each in the order given
    fields["remittance"] = "".join(value for _code, value in remittance).strip()
    fields["counterparty_bic"] = "".join(bic).strip()
    fields["counterparty_account"] = "".join("".join(iban or account).split())
    fields["counterparty_name"] = " ".join((" ".join(names).strip(), " ".join(more_names).strip())).strip()


def _first(pair: tuple[str, str]) -> str:
    return pair[0]


def _sepa(fields: dict):
    """German SEPA keywords in the remittance: ``EREF+e2e SVWZ+text`` -> end-to-end id and text."""
    text = fields["remittance"]
    marks = list(_SEPA_KEYWORDS.finditer(text))
    if not marks:
        return
    values: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        values.setdefault(mark.group(1), text[mark.end():end].strip())
    if values.get("EREF", "").upper() not in ("", *_NO_REFERENCE):
        fields["end_to_end_id"] = values["EREF"]
    if "SVWZ" in values:
        fields["remittance"] = values["SVWZ"]
    elif text[: marks[0].start()].strip():
        fields["remittance"] = text[: marks[0].start()].strip()
    else:
        fields["remittance"] = ""
    if "IBAN" in values and not fields["counterparty_account"]:
        fields["counterparty_account"] = values["IBAN"].replace(" ", "")
    if "BIC" in values and not fields["counterparty_bic"]:
        fields["counterparty_bic"] = values["BIC"]


def _slashes(flat: str, fields: dict):
    """``/TRTP/SEPA OVERBOEKING/IBAN/NL91.../BIC/ABNANL2A/NAME/ACME BV/REMI/INV 12/EREF/E2E``."""
    codes = "|".join(_SLASH_CODES)
    pieces = re.split(rf"/({codes})/", flat)
    if len(pieces) == 1:  # slashes, but none of the codes known here (/BNF/.../ORG/...): free text
        fields["remittance"] = " ".join(flat.split())
        return
    values: dict[str, str] = {}
    for code, value in zip(pieces[1::2], pieces[2::2], strict=True):
        values.setdefault(code, value.strip().rstrip("/"))
    if "CNTP" in values:  # /CNTP/account/bic/name/city
        account, bic, name, *_rest = [*values["CNTP"].split("/"), "", "", ""][:4]
        values.setdefault("IBAN", account)
        values.setdefault("BIC", bic)
        values.setdefault("NAME", name)
    remittance = values.get("REMI", "")
    if remittance.startswith("USTD//"):
        remittance = remittance[6:]
    elif remittance.startswith(("STRD/CUR/", "STRD/ISO/")):
        fields["structured_ref"] = remittance.split("/", 2)[2].strip("/")
        remittance = ""
    fields["remittance"] = " ".join(remittance.split())
    fields["counterparty_account"] = "".join(values.get("IBAN", "").split())
    fields["counterparty_bic"] = values.get("BIC", "")
    fields["counterparty_name"] = " ".join(values.get("NAME", "").split())
    if values.get("EREF", "").upper() not in ("", *_NO_REFERENCE):
        fields["end_to_end_id"] = values["EREF"]


MT940 = Mt940Parser()
