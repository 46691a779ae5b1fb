"""BAI2 cash management balance reports (the U.S. banks' format).

A file is records of comma-separated fields: ``01`` file header, ``02`` group header (the
as-of date and currency), ``03`` account (number, currency, then balance and summary amounts
by type code), ``16`` transaction detail, ``88`` continuation of the record before it, and
trailers ``49`` (account), ``98`` (group) and ``99`` (file) with control totals and record
counts. A record ends with ``/``, except that a ``16``'s text runs to the end of the record.

What real files do, and what is read here:

- records are cut where the bank likes: a ``03`` may end right after its currency (``/``)
  or in the middle of its summary, and ``88`` records carry the rest of its fields; a
  ``16`` that ended before its text gets its text (or its last fields) from the ``88``\\ s;
  a line that starts with no record code goes on with the record before it (wrapped
  lines); several records may share one line (``.../16,...``); lines may be padded with
  spaces to 80 columns, end in CRLF, be blank; ``88:`` and ``88 ,`` are read as ``88,``;
- amounts are whole numbers in the currency's minor unit (cents; none for JPY and a few
  others), possibly signed; a detail's type code says its direction: 100-399 credits,
  400-699 debits, and in the banks' own codes 920-959 credits and 960-999 debits. Details of
  type 890 (information only), 700-799 (loan details) and 900-919 (the banks' own status
  codes) are left out and counted, as are details without an amount; a doubled comma after
  a detail's record code (``16,,115,...``, as in a published copy of the specification's
  sample file) is read as one;
- a funds type decides how many fields follow the amount (``S``: three availability
  amounts, ``V``: a value date and time, ``D``: a count and that many pairs; ``0``, ``1``,
  ``2``, ``Z`` or none: nothing), in upper or lower case, as currencies are;
- dates are YYMMDD or YYYYMMDD; the statement's date is the group's as-of date; the
  account's ``010`` (opening ledger) and ``015`` (closing ledger) are its balances, taken
  as written: balances that do not add up are flagged (:func:`syncd.records.balance_gap`),
  not refused. Other summary codes (``100`` total credits, ``400`` total debits...) are not
  transactions;
- control totals are checked: banks differ in what they add up (the specification sums
  every amount of the ``03`` and ``16`` records; some sum the details alone; some net
  credits against debits), so a total that matches any of these readings is accepted and a
  blank one is not checked; one that matches none is flagged on the statements it covers
  (a note), not refused, as balances that do not add up are (hand-edited samples, banks
  that count otherwise). Record counts likewise, with or without the ``88``\\ s. A cut file
  shows by its trailers: a file without its ``99``, a group without its ``98`` or an account
  without its ``49`` is refused as cut short. Several files (``01`` to ``99``) may follow one another.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError
from syncd.parsers.text import check_lines, decode
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

_CODE = re.compile(r"(?a)\s*(\d\d)\s*[,:]")  # a record's code, with the "88:" and "88 ," typos
# where a record starts after another's "/" on the same line: the code and what must follow it,
# so that a date such as "12/03, 2026" in a detail's text does not start a record
_SHARED = re.compile(r"(?a)/\s*(?=01,[^,/]*,[^,/]*,\d{6}|02,[^,/]*,[^,/]*,\d?,|03,[^,/]+,[A-Za-z ]{0,3}[,/]"
                     r"|16,\s*\d{3}\s*,|88\s*[,:]|49,\s*[+-]?\d*\s*,|9[89],\s*[+-]?\d*\s*,)")
_ZERO_DECIMALS = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "HUF", "PYG", "UGX"})
_OPENING, _CLOSING = "010", "015"
_KNOWN = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})
_FUNDS = frozenset({"", "0", "1", "2", "Z", "S", "V", "D"})
_DETECT = re.compile(rb"(?a)01[ \t]*,[^,\r\n]*,[^,\r\n]*,[ \t]*(?:\d{6}|\d{8})[ \t]*,[^,\r\n/]*[,/]")
_GROUP_HEADER = re.compile(rb"(?a)(?:^|[\r\n/])[ \t]*02[ \t]*,")


@dataclass
class _Record:
    code: str
    line: int
    parts: list[str]  # its own content, then each continuation's, without record codes
    count: int = 1  # physical records: itself and its 88s (a wrapped line is not a record)
    size: int = 0

    def fields(self) -> list[str]:
        """The fields of a record that ends with ``/``: its continuations' fields follow its own."""
        return [value for part in self.parts for value in _unslash(part).split(",")]


def _unslash(part: str) -> str:
    """A record's content without its closing ``/`` (and the padding around it)."""
    part = part.rstrip()
    return part[:-1] if part.endswith("/") else part


def _date(text: str, path: str, where: str) -> date:
    """A BAI2 date: YYMMDD (this century) or YYYYMMDD."""
    text = text.strip()
    try:
        if len(text) == 6 and text.isdigit():
            return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
        if len(text) == 8 and text.isdigit():
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        pass
    raise InputError(path, where, f"{text!r} is not a valid date (YYMMDD or YYYYMMDD)")


def _units(text: str, path: str, where: str) -> int:
    """An amount as written: whole minor units (cents), no decimal point, maybe signed."""
    text = text.strip()
    if not re.fullmatch(r"(?a)[+-]?\d+", text):
        raise InputError(path, where, f"{text!r} is not an amount (whole minor units, no decimal point)")
    return int(text)


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` takes "²" and "٣" too, which ``int`` then refuses or reads."""
    return text.isascii() and text.isdigit()


def _money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(0 if currency in _ZERO_DECIMALS else -2)


def _extras(funds: str, after: list[str]) -> int | None:
    """How many fields the funds type puts after a record's (type code, amount[, count], funds)
    fields, given the fields that follow it; ``None`` while that is not yet known (a ``D``
    whose count is in a continuation still to come)."""
    if funds == "S":  # immediate, one-day, two-day amounts
        return 3
    if funds == "V":  # value date and time
        return 2
    if funds == "D":  # a count, then (days, amount) pairs
        if not after:
            return None
        count = after[0].strip()
        return 1 + 2 * int(count) if _digits(count) else -1
    return 0


class Bai2Parser:
    """The ``bai2`` format: BAI Cash Management Balance Reporting, version 2."""

    name = "bai2"
    description = "BAI2 balance report"

    def detect(self, data: bytes) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
        return _DETECT.match(head) is not None and _GROUP_HEADER.search(head) is not None

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        # before decoding: a line holds a few records (some banks put several on one line)
        check_lines(data, path, 4 * MAX_RECORD_SIZE, "line (a few records)")
        records = _records(decode(data, path, encoding), path)
        if not records:
            raise InputError(path, "line 1", "the file is empty")
        return _File(path, records).statements()


def _records(text: str, path: str) -> list[_Record]:
    records: list[_Record] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.replace("\x00", "").strip()
        if not line:
            continue
        for chunk in _SHARED.split(line):
            if len(chunk) > MAX_RECORD_SIZE:
                raise InputError(path, f"line {number}", record_too_large("the record"))
            code = _CODE.match(chunk)
            previous = records[-1] if records else None
            if code is None or (code.group(1) not in _KNOWN and previous is not None and previous.code == "16"):
                _wrapped(previous, chunk, path, number)
            elif code.group(1) == "88":
                if previous is None:
                    raise InputError(path, f"line {number}", "a continuation (88) before any record")
                previous.parts.append(chunk[code.end():])
                previous.count += 1
                _grow(previous, len(chunk), path, number)
            else:
                records.append(_Record(code.group(1), number, [chunk[code.end():]], size=len(chunk)))
    return records


def _wrapped(previous: _Record | None, chunk: str, path: str, number: int):
    """A line with no record code: the rest of the record before it, cut short by a line end
    (a detail's text goes on, even if it starts like a record, "12, MAIN STREET"; another
    record's fields were cut in the middle)."""
    if previous is None or (previous.code != "16" and previous.parts[-1].rstrip().endswith("/")):
        raise InputError(path, f"line {number}", f"{chunk[:20]!r} does not start with a record code")
    if previous.code == "16":
        previous.parts.append(chunk)
    else:
        previous.parts[-1] += chunk
    _grow(previous, len(chunk), path, number)


def _grow(record: _Record, size: int, path: str, number: int):
    record.size += size
    if record.size > MAX_RECORD_SIZE:
        raise InputError(path, f"line {record.line} ({record.code} record)",
                         record_too_large(f"the record with its continuations (to line {number})"))


@dataclass
class _Totals:
    """What a trailer may say: amounts added up as the specification does (every amount of the
    03 and 16 records), as some banks do (the details alone, or credits less debits), and
    record counts with and without the 88s. ``written`` is the sum of the trailers below."""

    everything: int = 0
    details: int = 0
    net: int = 0
    written: int | None = 0
    records: int = 0
    logical: int = 0

    def add(self, other: _Totals, given: int | None):
        self.everything += other.everything
        self.details += other.details
        self.net += other.net
        self.written = None if self.written is None or given is None else self.written + given
        self.records += other.records
        self.logical += other.logical

    def count(self, record: _Record):
        self.records += record.count
        self.logical += 1

    def readings(self) -> dict[str, int]:
        found = {"with the 03 summary amounts": self.everything, "details alone": self.details,
                 "credits less debits": self.net}
        if self.written is not None:
            found["the trailers below"] = self.written
        return found


class _File:
    def __init__(self, path: str, records: list[_Record]):
        self.path = path
        self.records = records

    def where(self, record: _Record) -> str:
        return f"line {record.line} ({record.code} record)"

    def error(self, record: _Record, reason: str) -> InputError:
        return InputError(self.path, self.where(record), reason)

    def fields(self, record: _Record) -> list[str]:
        """A record's fields (a detail's: up to its text), each within the field cap."""
        fields, text = _detail_fields(record) if record.code == "16" else (record.fields(), "")
        for index, value in enumerate((*fields, text)):
            if len(value) > MAX_FIELD_CHARS:
                what = "the text" if index == len(fields) else f"field {index + 2}"
                upto = " with its continuations" if len(record.parts) > 1 else ""
                raise self.error(record, field_too_long(f"{what}{upto}", len(value)))
        return fields

    def field(self, record: _Record, fields: list[str], index: int, what: str) -> str:
        if index >= len(fields) or not fields[index].strip():
            raise self.error(record, f"missing field {index + 2}: {what}")
        return fields[index].strip()

    def statements(self) -> list[Statement]:
        statements: list[Statement] = []
        header: _Record | None = None  # the 01 of the file being read (several files may follow)
        group: _Group | None = None
        account: _Account | None = None
        file_totals = _Totals()
        file_start = group_start = 0
        for record in self.records:
            if header is None and record.code != "01":
                raise self.error(record, "a BAI2 file starts with a 01 (file header) record"
                                 if not statements else "a record after the file trailer (99)")
            if record.code == "01":
                if header is not None:
                    raise self.error(record, f"a second file header (01) before the file trailer (99) of the file "
                                     f"begun on line {header.line}")
                header, file_totals, file_start = record, _Totals(), len(statements)
                file_totals.count(record)
            elif record.code == "02":
                if group is not None:
                    raise self.error(record, f"a group header (02) before the trailer (98) of the group begun on "
                                     f"line {group.record.line}: is a record missing?")
                group, group_start = _Group(self, record), len(statements)
            elif record.code == "03":
                if group is None:
                    raise self.error(record, "an account (03) outside any group (02)")
                if account is not None:
                    raise self.error(record, f"an account (03) before the trailer (49) of account {account.number} "
                                     f"(line {account.record.line}): is a record missing?")
                account = _Account(self, record, group)
            elif record.code == "16":
                if account is None:
                    raise self.error(record, "a transaction (16) outside any account (03)")
                account.detail(record)
            elif record.code == "49":
                if account is None:
                    raise self.error(record, "an account trailer (49) without its account (03)")
                statements.append(account.close(record))
                account = None
            elif record.code == "98":
                if group is None:
                    raise self.error(record, "a group trailer (98) without its group (02)")
                if account is not None:
                    raise self.error(record, f"the group trailer (98) comes before the trailer (49) of account "
                                     f"{account.number} (line {account.record.line}): is a record missing?")
                given, notes = group.close(record)
                _noted(statements, group_start, notes)
                file_totals.add(group.totals, given)
                group = None
            elif record.code == "99":
                if group is not None or account is not None:
                    raise self.error(record, f"the file trailer (99) comes before the trailer (98) of the group "
                                     f"begun on line {group.record.line if group else record.line}: is a record "
                                     f"missing?")
                file_totals.count(record)
                fields = self.fields(record)
                notes = self.check(record, self.total(record, fields), file_totals, "file")
                notes += self.check_count(record, fields, 2, file_totals, "file")
                if not record.parts[-1].rstrip().endswith("/"):
                    if not all(len(fields) > index and fields[index].strip() for index in (0, 2)):
                        raise self.error(record, "the file trailer (99) is cut short: it has no number of records "
                                         "or control total, and no '/'")
                    if notes:  # the last record, unterminated and wrong: the file ends inside it
                        raise self.error(record, f"the file trailer (99) has no '/' and disagrees with the file "
                                         f"({notes[0].split(': ', 1)[1]}): is the file cut short?")
                _noted(statements, file_start, notes)
                header = None
            else:
                raise self.error(record, f"unknown record code {record.code}")
        if header is not None:
            last = self.records[-1]
            raise self.error(last, "the file does not end with a 99 (file trailer) record: is it truncated?")
        return statements

    def total(self, record: _Record, fields: list[str]) -> int | None:
        """A trailer's control total (its first field), ``None`` when it is blank."""
        given = fields[0].strip() if fields else ""
        return _units(given, self.path, self.where(record)) if given else None

    def check(self, record: _Record, given: int | None, totals: _Totals, what: str) -> list[str]:
        """A note when the trailer's control total matches no reading of the amounts: flagged,
        not refused, as balances that do not add up are (hand-edited samples, banks that sum
        otherwise); a cut file shows by its missing trailers instead."""
        readings = totals.readings()
        if given is None or given in readings.values():
            return []
        hows: dict[int, list[str]] = {}
        for how, value in readings.items():
            hows.setdefault(value, []).append(how)
        told = " or ".join(f"{value} ({', '.join(names)})" for value, names in hows.items())
        return [f"{self.where(record)}: the {what} control total is {given}, but the amounts add up to {told}"]

    def check_count(self, record: _Record, fields: list[str], index: int, totals: _Totals, what: str) -> list[str]:
        given = fields[index].strip() if index < len(fields) else ""
        if not given:
            return []
        if not _digits(given):
            raise self.error(record, f"the {what} trailer's number of records {given!r} is not a number")
        if int(given) not in (totals.records, totals.logical):
            also = f" ({totals.logical} without the 88 continuations)" if totals.logical != totals.records else ""
            return [f"{self.where(record)}: the {what} trailer counts {int(given)} records, but there are "
                    f"{totals.records}{also}"]
        return []


class _Group:
    def __init__(self, file: _File, record: _Record):
        self.file = file
        self.record = record
        fields = file.fields(record)
        currency = fields[5].strip().upper() if len(fields) > 5 else ""
        self.currency = currency or "USD"
        self.as_of = _date(file.field(record, fields, 3, "the as-of date"), file.path, file.where(record))
        self.totals = _Totals()
        self.totals.count(record)

    def close(self, trailer: _Record) -> tuple[int | None, list[str]]:
        """The group's control total, and notes on what its trailer says otherwise."""
        file = self.file
        self.totals.count(trailer)
        fields = file.fields(trailer)
        given = file.total(trailer, fields)
        notes = file.check(trailer, given, self.totals, "group")
        notes += file.check_count(trailer, fields, 2, self.totals, "group")
        return given, notes


class _Account:
    def __init__(self, file: _File, record: _Record, group: _Group):
        self.file = file
        self.record = record
        self.group = group
        fields = file.fields(record)
        where = file.where(record)
        self.number = file.field(record, fields, 0, "the account number")
        self.currency = (fields[1].strip().upper() if len(fields) > 1 else "") or group.currency
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise file.error(record, f"{self.currency!r} is not an ISO 4217 currency code")
        self.balances: dict[str, Decimal] = {}
        self.totals = _Totals(written=None)
        self.totals.count(record)
        self.transactions: list[Transaction] = []
        self.left_out: Counter[str] = Counter()
        # then (type code, amount, item count, funds type, availability...) again and again
        at = 2
        while at < len(fields):
            code, amount = fields[at].strip(), fields[at + 1].strip() if at + 1 < len(fields) else ""
            funds = fields[at + 3].strip().upper() if at + 3 < len(fields) else ""
            if funds not in _FUNDS:
                raise file.error(record, f"unknown funds type {funds!r} (summary type code {code})")
            if amount:
                if not _digits(code):
                    raise file.error(record, f"summary type code {code!r} is not a number")
                units = _units(amount, file.path, where)
                self.balances.setdefault(code, _money(units, self.currency))
                self.totals.everything += units
            extras = _extras(funds, fields[at + 4:])
            if extras is None or extras < 0:
                raise file.error(record, f"funds type D needs a number of distributions (summary type code {code})")
            at += 4 + extras

    def detail(self, record: _Record):
        file = self.file
        where = file.where(record)
        self.totals.count(record)
        file.fields(record)  # within the caps
        tokens, text = _detail_fields(record)
        if tokens and not tokens[0].strip() and len(tokens) > 2 and re.fullmatch(r"(?a)\d{3}", tokens[1].strip()) \
                and re.fullmatch(r"(?a)[+-]?\d+", tokens[2].strip()):
            tokens, text = _detail_fields(record, skip=1)  # "16,,115,450000,...": a doubled comma
        code = file.field(record, tokens, 0, "the type code")
        amount = tokens[1].strip() if len(tokens) > 1 else ""
        units = _units(amount, file.path, where) if amount else 0
        funds = tokens[2].strip().upper() if len(tokens) > 2 else ""
        if funds not in _FUNDS:
            raise file.error(record, f"unknown funds type {funds!r}")
        if not re.fullmatch(r"(?a)\d{3}", code):
            raise file.error(record, f"type code {code!r} is not a three-digit number")
        kind = int(code)
        self.totals.everything += units
        self.totals.details += units
        credit = 100 <= kind <= 399 or 920 <= kind <= 959
        if credit:
            self.totals.net += units
        elif 400 <= kind <= 699 or 960 <= kind <= 999:
            self.totals.net -= units
        else:
            self.totals.net += units
            reason = _left_out(kind)
            if reason is None:
                raise file.error(record, f"type code {code} is not a credit (100-399, 920-959) or debit "
                                 f"(400-699, 960-999) detail")
            self.left_out[reason] += 1
            return
        if not amount:
            self.left_out["no amount"] += 1
            return
        rest = tokens[3:]
        value_date = None
        if funds == "V" and rest and rest[0].strip():
            value_date = _date(rest[0], file.path, where)
        extras = _extras(funds, rest)
        if extras is None or extras < 0:
            raise file.error(record, "funds type D needs a number of distributions")
        rest = rest[extras:]
        value = _money(units, self.currency)
        self.transactions.append(Transaction(
            account=self.number, currency=self.currency, booking_date=self.group.as_of, value_date=value_date,
            amount=value if credit else -value, source=SourceRef(file.path, where),
            remittance=text, bank_ref=rest[0].strip() if rest else "",
            end_to_end_id=rest[1].strip() if len(rest) > 1 else "", statement_id=self.statement_id,
        ))

    @property
    def statement_id(self) -> str:
        return f"{self.number}:{self.group.as_of.isoformat()}"

    def close(self, trailer: _Record) -> Statement:
        file = self.file
        self.totals.count(trailer)
        fields = file.fields(trailer)
        given = file.total(trailer, fields)
        notes = file.check(trailer, given, self.totals, "account")
        notes += file.check_count(trailer, fields, 1, self.totals, "account")
        self.totals.written = given
        self.group.totals.add(self.totals, given)
        return Statement(statement_id=self.statement_id, account=self.number, currency=self.currency,
                         source=SourceRef(file.path, file.where(self.record)),
                         opening_balance=self.balances.get(_OPENING), closing_balance=self.balances.get(_CLOSING),
                         transactions=tuple(self.transactions), statement_date=self.group.as_of,
                         left_out=tuple(sorted(self.left_out.items())), notes=tuple(notes))


def _noted(statements: list[Statement], start: int, notes: list[str]):
    """A group's or file's notes go to each of its statements (those from ``start`` on)."""
    if notes:
        statements[start:] = [replace(statement, notes=statement.notes + tuple(notes))
                              for statement in statements[start:]]


def _left_out(kind: int) -> str | None:
    """Why a detail that is neither a credit nor a debit is left out; ``None`` if it cannot be a detail."""
    if kind == 890:
        return "information only (type code 890)"
    if 700 <= kind <= 799:
        return "loan detail (type codes 700-799)"
    if 900 <= kind <= 919:
        return "bank-defined status code (900-919)"
    return None


def _detail_fields(record: _Record, skip: int = 0) -> tuple[list[str], str]:
    """A detail's fields up to its text, and its text. The text is the rest of the record: its
    commas are its own, and its continuations (88s, wrapped lines) add to it; a detail that
    ended (``/``) before its text takes its last fields from its continuations first."""
    tokens = _unslash(record.parts[0]).split(",")[skip:]
    texts: list[str] = []
    for part in record.parts[1:]:
        start = _text_index(tokens)
        if start is not None and len(tokens) > start:
            texts.append(_unslash(part))
        else:
            tokens.extend(_unslash(part).split(","))
    start = _text_index(tokens)
    if start is not None and len(tokens) > start:
        texts.insert(0, ",".join(tokens[start:]))
        tokens = tokens[:start]
    return tokens, " ".join(" ".join(texts).split())


def _text_index(tokens: list[str]) -> int | None:
    """Where a detail's text starts: after type code, amount, funds type, its availability
    fields, bank and customer references; ``None`` while not yet known."""
    if len(tokens) < 3:
        return None
    extras = _extras(tokens[2].strip().upper(), tokens[3:])
    if extras is None:
        return None
    return 3 + max(extras, 0) + 2


BAI2 = Bai2Parser()
