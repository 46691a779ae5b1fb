"""SWIFT MT940 (customer statement) and MT942 (interim report) parser.

A file holds one or more messages, with or without the SWIFT envelope
(``{1:...}{2:...}{4:`` ... ``-}``), separated by ``-`` lines or simply by the
next ``:20:``.  A message is a list of tags (``:61:``, ``:86:``, ...), each
possibly continued on the following lines.

What banks bend, and how it is read here:

- amounts with a decimal comma (the standard: ``500,00``, ``1000,``) or a dot;
- ``:61:`` with or without the entry date, with the third letter of the currency
  as funds code, reversals (``RC`` is a reversed credit, booked as a debit;
  ``RD`` a reversed debit, booked as a credit), and the supplementary line that
  may hold ``/OCMT/`` (original amount) and ``/CHGS/`` (charges);
- ``:86:`` as free text, in the German/Polish structured form (``166?00...?20...``
  with ``?`` or another separator: ``?20``-``?29`` and ``?60``-``?63`` remittance,
  ``?30`` bank code, ``?31`` account, ``?32``/``?33`` name; SEPA keywords
  ``EREF+``, ``SVWZ+``, ...), or in the SWIFT/Dutch slash form
  (``/EREF/.../REMI/.../NAME/...``, ``/CNTP/iban/bic/name/city/``);
- intermediate balances (``:60M:``/``:62M:``) of a statement split over messages:
  each message is checked on its own (opening + entries = closing);
- MT942 has no balances: its ``:90D:``/``:90C:`` totals are checked instead;
- a file cut short is refused: an envelope never closed, a last message without its final
  ``-`` where the others have one or where it has no closing balance;
- CRLF or LF line ends; UTF-8, else the code page given (``encoding``), else
  cp1252 for bytes that are not UTF-8.

Every error names the file, the line and the tag.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from syncd.caps import MAX_ENTRY_BYTES, MAX_FIELD_CHARS, field_too_long
from syncd.errors import InputError
from syncd.parsers.text import choose_encoding, iter_lines, yymmdd
from syncd.records import SourceRef, Statement, Transaction, collect
from syncd.safexml import DEFAULT_MAX_BYTES, STREAM_MAX_BYTES

_TAG = re.compile(r":(\d\d[A-Z]?):")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)$")
_ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?(?P<amount>\d[\d,.]*)"
    r"(?P<type>[NSF][A-Z0-9]{3})(?P<customer>.*?)(?://(?P<bank>.*))?$"
)
_TOTAL = re.compile(r"(?P<count>\d{1,5})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)$")
_AMOUNT = re.compile(r"\d+([,.]\d*)?")
_ORIGINAL = re.compile(r"/OCMT/(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)/?")
_CHARGES = re.compile(r"/CHGS/(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)/?")
_SUBFIELDS = re.compile(r"^(?P<code>\d{3})(?P<sep>[^\w\s])\d\d")
_SEPA_KEYWORDS = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_SLASH_CODES = ("TRTP", "CNTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "BENM", "ID", "ADDR", "CSID",
                "MARF", "PREF", "RTRN", "ISDT", "PURP", "ULTC", "ULTD", "SVCL", "CHGS", "OCMT", "EXCH", "ACCW")
_NO_REFERENCE = ("NONREF", "NOTPROVIDED", "NONE", "EREF")  # EREF: "see /EREF/ in :86:"


@dataclass
class _Tag:
    tag: str
    first: str  # the text after the tag on its line
    line: int
    more: list[str] = field(default_factory=list)  # continuation lines

    @property
    def value(self) -> str:
        return "\n".join([self.first, *self.more])


class Mt940Parser:
    """The ``mt940`` format: SWIFT MT940 statements and MT942 interim reports."""

    name = "mt940"
    description = "SWIFT MT940/MT942 statement"

    def detect(self, data: bytes) -> bool:
        head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"{1:"):
            return b"{4:" in head and b":20:" in head
        return head.startswith(b":20:") and re.search(rb"\n:25:", head) is not None

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        return collect(self.stream(io.BytesIO(data), path, max_bytes=max_bytes, encoding=encoding))

    def stream(self, handle: BinaryIO, path: str, *, max_bytes: int = STREAM_MAX_BYTES,
               encoding: str | None = None) -> Iterator[Transaction | Statement]:
        """Each transaction as its ``:61:`` (and ``:86:``) is read, each statement once its
        message ends and its balances are checked. An :class:`InputError` may come at any
        point, so what came before it counts only once the stream ends. Memory holds one tag
        at a time, within the field cap (a message's entries only for the rare MT942 whose
        currency comes last, up to the entry cap: :mod:`syncd.caps`)."""
        size = handle.seek(0, io.SEEK_END)
        if size > max_bytes:
            raise InputError(path, "", f"file is {size} bytes, more than the limit of {max_bytes} bytes")
        codec, bom = choose_encoding(handle, path, encoding)
        message: _Message | None = None
        messages = terminated_any = 0
        for tag in _tags(iter_lines(handle, codec, bom, path=path, max_line=MAX_FIELD_CHARS), path):
            if isinstance(tag, _Tag):
                if message is None:
                    message = _Message(path, tag)
                else:
                    yield from message.add(tag)
                continue
            if message is not None:  # the end of a message, and how it ended
                messages += 1
                terminated_any |= tag == _DASH
                # a file whose messages end with "-" must end with one; a report without closing
                # balance (MT942) must too: else it may have been cut after any entry
                if tag == _EOF and (terminated_any or message.closing_tag is None):
                    raise InputError(path, f"line {message.last.line}", "the last message does not end "
                                     "with '-': is the file truncated?")
                yield from message.close()
                message = None
        if not messages:
            raise InputError(path, "line 1", "no MT940 message found (no :20: tag)")


_DASH, _NEXT, _EOF = "-", "next", "end of file"  # how a message ended


def _tags(lines: Iterable[str], path: str) -> Iterator[_Tag | str]:
    """Each tag once its continuation lines are read, and after a message's last tag how the
    message ended: with ``-`` (``_DASH``), by the next message (``_NEXT``) or by the end of the
    file (``_EOF``). Envelopes and separators are dropped; a message in a SWIFT envelope must
    be closed by ``-}``: without it, the file was cut."""
    tag: _Tag | None = None
    size = 0  # the characters of ``tag`` so far
    open_envelope = 0  # the line of an envelope not closed yet
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if line.startswith("{1:"):
            if open_envelope:
                raise InputError(path, f"line {open_envelope}", "the SWIFT envelope is not closed (-}) before "
                                 "the next one")
            if tag is not None:
                yield tag
                yield _NEXT
                tag = None
            start = line.find("{4:")
            line = line[start + 3:] if start >= 0 else ""
            open_envelope = number
        if line in ("-}", "-", "}") or line.startswith("-}"):
            if tag is not None:
                yield tag
                yield _DASH
            tag = None
            open_envelope = 0 if line.startswith("-}") or line == "}" else open_envelope
            continue
        if not line:
            continue
        match = _TAG.match(line)
        if match:
            if tag is not None:
                yield tag
                if match.group(1) == "20":
                    yield _NEXT
            tag = _Tag(match.group(1), line[match.end():], number)
            size = len(tag.first)
        elif tag is not None:
            size += len(line) + 1
            if size > MAX_FIELD_CHARS:
                raise InputError(path, f"line {tag.line} :{tag.tag}:",
                                 field_too_long(f"the field :{tag.tag}: (to line {number})"))
            tag.more.append(line)
        elif line.strip(" {}"):
            raise InputError(path, f"line {number}", f"text outside any tag: {line[:40]!r}")
    if open_envelope:
        raise InputError(path, f"line {open_envelope}", "the SWIFT envelope is never closed (-}): "
                         "is the file truncated?")
    if tag is not None:
        yield tag
        yield _EOF


def _amount(text: str, path: str, where: str) -> Decimal:
    if not _AMOUNT.fullmatch(text) or (text.count(",") + text.count(".")) > 1:
        raise InputError(path, where, f"{text!r} is not a valid amount (digits with a decimal comma)")
    return Decimal(text.replace(",", ".").rstrip(".") or "0")


class _Message:
    """One message while its tags stream by: the header tags as they come, each ``:61:`` turned
    into a transaction when the tag after it (its ``:86:`` or the next one) arrives, running
    totals for the checks made at its end."""

    def __init__(self, path: str, first: _Tag):
        if first.tag != "20":
            raise InputError(path, f"line {first.line} :{first.tag}:",
                             "a message starts with :20: (the transaction reference)")
        self.path = path
        self.first = first
        self.last = first
        self.tags: dict[str, _Tag] = {}  # the first of each tag but :61: and :86:
        self.account = self.currency = ""
        self.opening: Decimal | None = None
        self.closing: Decimal | None = None
        self.opening_tag: _Tag | None = None
        self.closing_tag: _Tag | None = None
        self.pending: _Tag | None = None  # a :61: waiting for its :86:
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
        if tag.tag == "86" and self.pending is not None:
            yield from self.book(self.pending, tag)
            self.pending = None
            return
        if self.pending is not None:
            yield from self.book(self.pending, None)
            self.pending = None
        if tag.tag == "61":
            self.pending = tag
        elif tag.tag != "86":
            self.tags.setdefault(tag.tag, tag)
            self.header(tag)

    def header(self, tag: _Tag):
        if tag.tag == "25" and not self.account:
            self.account, self.currency = _account(tag.value)
            if not self.account:
                raise self.error(tag, "the account identification is empty")
        elif tag.tag in ("60F", "60M") and self.opening_tag is None:
            self.opening_tag = tag
            self.opening, self.currency = self.balance(tag, self.currency)
        elif tag.tag in ("62F", "62M") and self.closing_tag is None:
            self.closing_tag = tag
            self.closing, self.currency = self.balance(tag, self.currency)

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
            number = self.tags.get("28C") or self.tags.get("28")
            statement_id = self.first.value.strip() + (f"/{number.value.strip()}" if number else "")
            self.context = {"account": self.account, "currency": currency, "statement_id": statement_id}
        for deferred, deferred_info in self.deferred:
            yield self.tally(self.entry(deferred, deferred_info, self.context))
        self.deferred = []
        yield self.tally(self.entry(entry, info, self.context))

    def tally(self, transaction: Transaction) -> Transaction:
        amount = transaction.amount
        self.total += amount
        if amount:
            side = self.debits if amount < 0 else self.credits
            side[0] += 1
            side[1] += abs(amount)
        return transaction

    def floor_currency(self) -> str:
        floor = self.tags.get("34F")
        return floor.value[:3] if floor and re.fullmatch(r"[A-Z]{3}", floor.value[:3]) else ""

    def close(self) -> Iterator[Transaction | Statement]:
        """The transactions still held, then the statement, once its balances are checked."""
        if self.pending is not None:
            yield from self.book(self.pending, None)
            self.pending = None
        account_tag = self.tags.get("25")
        if account_tag is None:
            raise self.error(self.first, "missing :25: (the account identification)")
        currency = self.currency or self.floor_currency()
        if not currency:
            raise self.error(account_tag, "no currency: neither :60F:/:62F: balances nor :34F: give one")
        if self.deferred:
            self.currency = currency
            yield from self.book(*self.deferred.pop())  # books those held before it first
        interim = any(name in self.tags for name in ("90D", "90C", "34F", "13D"))  # MT942: no balances
        if self.opening_tag is None and not interim:
            raise self.error(self.first, "missing :60F: or :60M: (the opening balance)")
        if self.closing_tag is None and not interim:
            raise self.error(self.last, "missing :62F: or :62M: (the closing balance): is the file truncated?")
        number = self.tags.get("28C") or self.tags.get("28")
        statement_id = self.first.value.strip() + (f"/{number.value.strip()}" if number else "")
        opening, closing, total = self.opening, self.closing, self.total
        if opening is not None and closing is not None and self.closing_tag and opening + total != closing:
            raise InputError(
                self.path, f"{self.where(self.closing_tag)} (statement {statement_id})",
                f"balances do not add up: opening {opening} + entries {total} = {opening + total}, "
                f"but the closing balance is {closing} (difference {closing - opening - total})")
        self.check_totals(currency)
        yield Statement(statement_id=statement_id, account=self.account, currency=currency,
                        source=SourceRef(self.path, f"line {self.first.line}"), opening_balance=opening,
                        closing_balance=closing)

    def balance(self, tag: _Tag, currency: str) -> tuple[Decimal, str]:
        match = _BALANCE.match(tag.value.strip())
        if not match:
            raise self.error(tag, f"{tag.value.strip()!r} is not a balance (C/D, YYMMDD, currency, amount)")
        if currency and match["currency"] != currency:
            raise self.error(tag, f"balance currency {match['currency']} differs from the account's {currency}")
        value = _amount(match["amount"], self.path, self.where(tag))
        yymmdd(match["date"], self.path, self.where(tag))
        return (-value if match["mark"] == "D" and value else value), match["currency"]

    def check_totals(self, currency: str):
        """MT942's :90D:/:90C: give the number and sum of debit and credit entries."""
        for name, (entries, listed) in (("90D", self.debits), ("90C", self.credits)):
            tag = self.tags.get(name)
            if tag is None:
                continue
            match = _TOTAL.match(tag.value.strip())
            if not match:
                raise self.error(tag, f"{tag.value.strip()!r} is not a total (count, currency, amount)")
            count, total = int(match["count"]), _amount(match["amount"], self.path, self.where(tag))
            if (count, total) != (entries, listed):
                raise self.error(tag, f"the report counts {count} entries for {total} {currency}, but lists "
                                 f"{entries} for {listed}")

    def entry(self, tag: _Tag, info: _Tag | None, context: dict) -> Transaction:
        first_line, _sep, extra = tag.value.partition("\n")
        match = _ENTRY.match(first_line.strip())
        if not match:
            raise self.error(tag, f"{first_line.strip()!r} is not a statement line (value date, D/C mark, "
                             "amount, transaction type, reference)")
        value_date = yymmdd(match["value"], self.path, self.where(tag))
        booking_date = value_date
        if match["entry"]:
            month, day = int(match["entry"][:2]), int(match["entry"][2:])
            year = value_date.year + (month == 1 and value_date.month == 12) - (month == 12 and value_date.month == 1)
            try:
                booking_date = date(year, month, day)
            except ValueError:
                raise self.error(tag, f"{match['entry']!r} is not a valid entry date (MMDD)") from None
        amount = _amount(match["amount"], self.path, self.where(tag))
        # C and RD (a debit reversed) bring money in; D and RC (a credit reversed) take it out
        if match["mark"] in ("D", "RC") and amount:
            amount = -amount
        customer_ref = match["customer"].strip()
        bank_ref = (match["bank"] or "").strip()
        information = info.value.replace("\n", "") if info else ""
        fields = _information(info.value if info else "")
        original = _ORIGINAL.search(extra) or _ORIGINAL.search(information)
        charges = _CHARGES.search(extra) or _CHARGES.search(information)
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
    account = "".join(value.split()).upper()
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
        _subfields(flat, subfields["sep"], fields)
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
    parts: dict[str, list[str]] = {}
    for chunk in flat.split(sep)[1:]:
        code, value = chunk[:2], chunk[2:]
        if code.isdigit():
            parts.setdefault(code, []).append(value)
    remittance = [v for code in sorted(parts) if "20" <= code <= "29" or "60" <= code <= "63" for v in parts[code]]
    fields["remittance"] = "".join(remittance).strip()
    fields["counterparty_bic"] = "".join(parts.get("30", [])).strip()
    fields["counterparty_account"] = "".join("".join(parts.get("31", [])).split())
    fields["counterparty_name"] = " ".join(
        " ".join(parts.get(code, [""])).strip() for code in ("32", "33")).strip()


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
