"""BAI2 cash management balance reports (the U.S. banks' format).

A file is records of comma-separated fields: ``01`` file header, ``02`` group header (the
as-of date and currency), ``03`` account (number, currency, then balance and summary amounts
by type code), ``16`` transaction detail, ``88`` continuation of the record before it, and
trailers ``49`` (account), ``98`` (group) and ``99`` (file) with control totals and record
counts. A record ends with ``/``, except that a ``16``'s text runs to the end of the record;
some banks put several records on one line, each ending with ``/``.

Read here:

- amounts are unsigned whole numbers in the currency's minor unit (cents); a detail's type
  code says its direction: 100-399 credits, 400-699 debits;
- a detail's funds type decides how many fields follow the amount (``S``: three
  availability amounts, ``V``: a value date and time, ``D``: a count and that many pairs);
- the account's ``010`` (opening ledger) and ``015`` (closing ledger) balances are checked
  against its details, and every trailer's control total and record count against the
  records before it, so that a truncated or altered file is refused with the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError
from syncd.parsers.text import check_lines, decode, yymmdd
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

_SPLIT = re.compile(r"/(?=\s*(?:01|02|03|16|49|88|98|99),)")  # records sharing a line
_ZERO_DECIMALS = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "HUF"})
_OPENING, _CLOSING = "010", "015"


@dataclass
class _Record:
    code: str
    fields: list[str]
    line: int
    count: int = 1  # physical records, continuations included
    size: int = 0  # characters, continuations included


class Bai2Parser:
    """The ``bai2`` format: BAI Cash Management Balance Reporting, version 2."""

    name = "bai2"
    description = "BAI2 balance report"

    def detect(self, data: bytes) -> bool:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        return re.match(rb"01,[^,\r\n]*,[^,\r\n]*,\d{6},\d{4},", head) is not None and b"\n02," in head

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
        line = raw.strip()
        if not line:
            continue
        for chunk in _SPLIT.split(line):
            if len(chunk) > MAX_RECORD_SIZE:
                raise InputError(path, f"line {number}", record_too_large("the record"))
            code, _sep, rest = chunk.partition(",")
            if not re.fullmatch(r"(?a)\d\d", code):
                raise InputError(path, f"line {number}", f"{chunk[:20]!r} does not start with a record code")
            if code == "88":
                if not records:
                    raise InputError(path, f"line {number}", "a continuation (88) before any record")
                previous = records[-1]
                previous.fields[-1:] = _join(previous.fields[-1], rest.split(","), previous.code == "16")
                previous.count += 1
                previous.size += len(chunk)
                _check_size(previous, path, number)
                continue
            records.append(_Record(code, rest.split(","), number, size=len(chunk)))
            _check_size(records[-1], path, number)
    for record in records:
        if record.fields and record.code != "16":
            record.fields[-1] = record.fields[-1].rstrip("/").rstrip()
    return records


def _check_size(record: _Record, path: str, number: int):
    """A record, with the continuations read so far (to line ``number``), within the caps."""
    where = f"line {record.line} ({record.code} record)"
    upto = f" with its continuations (to line {number})" if number != record.line else ""
    if record.size > MAX_RECORD_SIZE:
        raise InputError(path, where, record_too_large(f"the record{upto}"))
    longest = max(record.fields, key=len)
    if len(longest) > MAX_FIELD_CHARS:
        index = record.fields.index(longest) + 2  # fields counted as the format does, the code first
        what = "the text" if record.code == "16" and index == len(record.fields) + 1 else f"field {index}"
        raise InputError(path, where, field_too_long(f"{what}{upto}", len(longest)))


def _join(last: str, more: list[str], text_record: bool) -> list[str]:
    """A continuation's fields after the record's last one: a detail's text goes on, for
    other records the ``/`` that ended the record before is dropped."""
    if text_record:
        return [last + (" " if last and more[0] else "") + ",".join(more)]
    return [last.rstrip("/"), *more] if last.rstrip("/") else more


def _units(text: str, path: str, where: str, signed: bool = False) -> int:
    """An amount as written: whole minor units (cents), no decimal point."""
    text = text.strip()
    if not re.fullmatch(r"(?a)[+-]?\d+" if signed else r"(?a)\d+", text):
        raise InputError(path, where, f"{text!r} is not an amount (whole minor units, no decimal point)")
    return int(text)


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` takes "²" and "٣" too, which ``int`` then refuses or reads."""
    return text.isascii() and text.isdigit()


def _money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(0 if currency in _ZERO_DECIMALS else -2)


class _File:
    def __init__(self, path: str, records: list[_Record]):
        self.path = path
        self.records = records

    def where(self, record: _Record) -> str:
        return f"line {record.line} ({record.code} record)"

    def error(self, record: _Record, reason: str) -> InputError:
        return InputError(self.path, self.where(record), reason)

    def field(self, record: _Record, index: int, what: str) -> str:
        if index >= len(record.fields) or not record.fields[index].strip():
            raise self.error(record, f"missing field {index + 2}: {what}")
        return record.fields[index].strip()

    def after_funds(self, record: _Record, funds: str, fields: list[str]) -> list[str]:
        """``fields`` past the availability that the funds type announces."""
        if funds == "S":  # immediate, one-day, two-day amounts
            return fields[3:]
        if funds == "V":  # value date and time
            return fields[2:]
        if funds == "D":  # a count, then (days, amount) pairs
            count = fields[0].strip() if fields else ""
            if not _digits(count):
                raise self.error(record, f"funds type D needs a number of distributions, not {count!r}")
            return fields[1 + 2 * int(count):]
        if funds not in ("", "0", "1", "2", "Z"):
            raise self.error(record, f"unknown funds type {funds!r}")
        return fields

    def statements(self) -> list[Statement]:
        first, last = self.records[0], self.records[-1]
        if first.code != "01":
            raise self.error(first, "a BAI2 file starts with a 01 (file header) record")
        if last.code != "99":
            raise self.error(last, "the file does not end with a 99 (file trailer) record: is it truncated?")
        statements: list[Statement] = []
        group_total, group_count, file_total = 0, 0, 0  # control totals in minor units, as written
        currency, as_of = "", None
        account = None  # [03 record, details, control total, record count]
        for record in self.records[1:]:
            if record.code == "02":
                currency = self.field(record, 5, "the group currency") if len(record.fields) > 5 \
                    and record.fields[5].strip() else "USD"
                as_of = yymmdd(self.field(record, 3, "the as-of date"), self.path, self.where(record))
                group_total, group_count = 0, record.count
            elif record.code == "03":
                if as_of is None:
                    raise self.error(record, "an account (03) outside any group (02)")
                account = _Account(self, record, currency, as_of)
            elif record.code == "16":
                if account is None:
                    raise self.error(record, "a transaction (16) outside any account (03)")
                account.detail(record)
            elif record.code == "49":
                if account is None:
                    raise self.error(record, "an account trailer (49) without its account (03)")
                statements.append(account.close(record))
                group_total += account.total
                group_count += account.records
                account = None
            elif record.code == "98":
                self.check(record, group_total, group_count + record.count, "group")
                file_total += group_total
                as_of = None
            elif record.code == "99":
                self.check(record, file_total, sum(r.count for r in self.records), "file")
            elif record.code != "01":
                raise self.error(record, f"unknown record code {record.code}")
            else:
                raise self.error(record, "a second file header (01)")
        return statements

    def check(self, record: _Record, total: int, count: int, what: str):
        given = _units(self.field(record, 0, "the control total"), self.path, self.where(record), signed=True)
        if given != total:
            raise self.error(record, f"the {what} control total is {given}, but the amounts add up to {total}")
        records = self.field(record, 2, "the number of records")
        if not _digits(records) or int(records) != count:
            raise self.error(record, f"the {what} trailer counts {records} records, but there are {count}")


class _Account:
    def __init__(self, file: _File, record: _Record, group_currency: str, as_of: date):
        self.file = file
        self.record = record
        self.number = file.field(record, 0, "the account number")
        self.currency = (record.fields[1].strip() if len(record.fields) > 1 else "") or group_currency
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise file.error(record, f"{self.currency!r} is not an ISO 4217 currency code")
        self.as_of = as_of
        self.balances: dict[str, Decimal] = {}
        self.total = 0  # the control total: every amount of the account, in minor units as written
        self.records = record.count
        self.transactions: list[Transaction] = []
        # then (type code, amount, item count, funds type, availability...) again and again
        fields = record.fields[2:]
        while fields and fields[0].strip():
            code, amount = fields[0].strip(), fields[1].strip() if len(fields) > 1 else ""
            if amount:
                units = _units(amount, file.path, file.where(record), signed=True)
                self.balances.setdefault(code, _money(units, self.currency))
                self.total += units
            funds = fields[3].strip().upper() if len(fields) > 3 else ""
            fields = file.after_funds(record, funds, fields[4:])

    def detail(self, record: _Record):
        file = self.file
        where = file.where(record)
        code = file.field(record, 0, "the type code")
        if not _digits(code) or not 100 <= int(code) <= 699:
            raise file.error(record, f"type code {code!r} is not a credit (100-399) or debit (400-699) detail")
        units = _units(file.field(record, 1, "the amount"), file.path, where)
        value = _money(units, self.currency)
        self.total += units
        self.records += record.count
        funds = record.fields[2].strip().upper() if len(record.fields) > 2 else ""
        rest = record.fields[3:]
        value_date = yymmdd(rest[0].strip() if rest else "", file.path, where) if funds == "V" else None
        rest = file.after_funds(record, funds, rest)
        bank_ref = rest[0].strip() if rest else ""
        customer_ref = rest[1].strip() if len(rest) > 1 else ""
        text = ",".join(rest[2:]).strip().rstrip("/").strip() if len(rest) > 2 else ""
        self.transactions.append(Transaction(
            account=self.number, currency=self.currency, booking_date=self.as_of, value_date=value_date,
            amount=value if int(code) < 400 else -value, source=SourceRef(file.path, where),
            remittance=" ".join(text.split()), bank_ref=bank_ref, end_to_end_id=customer_ref,
            statement_id=f"{self.number}:{self.as_of.isoformat()}",
        ))

    def close(self, trailer: _Record) -> Statement:
        file = self.file
        self.records += trailer.count
        given = _units(file.field(trailer, 0, "the account control total"), file.path, file.where(trailer),
                       signed=True)
        if given != self.total:
            raise file.error(trailer, f"the account control total is {given}, but the account's amounts add up "
                             f"to {self.total}: is a record missing?")
        count = file.field(trailer, 1, "the number of records")
        if not _digits(count) or int(count) != self.records:
            raise file.error(trailer, f"the account trailer counts {count} records, but the account has "
                             f"{self.records}")
        opening, closing = self.balances.get(_OPENING), self.balances.get(_CLOSING)
        moved = sum((tx.amount for tx in self.transactions), Decimal(0))
        if opening is not None and closing is not None and opening + moved != closing:
            raise file.error(self.record, f"balances of account {self.number} do not add up: opening {opening} + "
                             f"details {moved} = {opening + moved}, but the closing balance is {closing}")
        return Statement(statement_id=f"{self.number}:{self.as_of.isoformat()}", account=self.number,
                         currency=self.currency, source=SourceRef(file.path, file.where(self.record)),
                         opening_balance=opening, closing_balance=closing, transactions=tuple(self.transactions))


BAI2 = Bai2Parser()
