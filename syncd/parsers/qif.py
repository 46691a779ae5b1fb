"""QIF (Quicken Interchange Format): the register exports of Quicken, Microsoft Money,
GnuCash, KMyMoney, HomeBank and many banks' "download for Quicken" buttons.

A QIF file is lines, each a one-letter code and its value; ``^`` ends an entry, and a line
starting with ``!`` opens a section:

- ``!Type:Bank``, ``!Type:Cash``, ``!Type:CCard``, ``!Type:Oth A``, ``!Type:Oth L``: an
  account's register, read. Its entries' lines: ``D`` date, ``T`` (or ``U``) amount, ``P``
  payee, ``M`` memo, ``N`` check number or reference (``DEP``, ``ATM``...), ``L`` category,
  ``C`` cleared mark, ``A`` address, and the split lines ``S`` (category), ``E`` (memo) and
  ``$`` (amount). The entry's own amount counts: splits that do not add up to it change
  nothing (they only say how the amount is booked), and an entry with splits but no ``T``
  takes their sum.
- ``!Account`` blocks name the account the registers after them belong to (``N`` name,
  ``T`` type); with ``!Option:AutoSwitch`` a first block may list all accounts, the last
  block before a register names it.
- ``!Type:Invst`` (and ``Port``): an investment account's entries (buys, sells, dividends) are
  not bank transactions: they are left out, counted in the statement's ``left_out``.
- Lists (``!Type:Cat``, ``Class``, ``Memorized``, ``Security``, ``Prices``, ...) hold no
  entries of an account and are passed over; ``!Option`` and ``!Clear`` lines likewise, and
  lines starting with ``#`` (comments some writers put in; no QIF code is ``#``).

Quicken's first entry of an account, ``Opening Balance`` transferred from the account itself
(``L[Checking]``), is no movement: it becomes the statement's opening balance and is counted
in ``left_out``. The account is the ``!Account`` name, else the one that entry names, else
``qif``: map it to a journal in ``[journals]``.

Dates come in many forms: ``6/17/97``, ``8/ 1/97``, ``1/ 2'24`` (an apostrophe before a
two-digit year means 2000 and after), ``2/10'2020``, ``01/02/2024``, ``02.01.2024``, ``2024-01-02``, and ``03/25/099``
(years counted from 1900). Whether ``01/02`` is January 2 or February 1 is decided once for
the whole file: a first number above 12 anywhere makes it day first, a second one above 12
month first, both are refused (naming the lines); when no date tells, dots mean day first
(European) and slashes month first (Quicken's own). Amounts may have thousands separators;
the decimal comma is recognised likewise from the whole file (``-12,50``, ``1.234,56``).

QIF names no currency. ``qif:EUR`` (``--format qif:EUR``, or ``format = "qif:EUR"`` in a
source's configuration) gives it, and ``qif:EUR,dmy`` also forces the date order (``dmy``,
``mdy``). Without it the entries are read in ``XXX``, ISO 4217's code for "no currency":
``syncd parse`` shows them, and Odoo refuses them for a journal of any real currency, naming
the journal, until the currency is given. An entry without a date or an amount, an amount or
date that cannot be read, and a file whose last entry lacks its ``^`` (cut short) are refused
with the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError, UserError
from syncd.parsers.text import check_lines, decode, head_lines
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

#: ISO 4217's code for transactions in no currency: QIF's entries when none is configured
NO_CURRENCY = "XXX"
_REGISTERS = {"bank", "cash", "ccard", "otha", "othl", "creditcard"}
_INVESTMENTS = {"invst", "port", "invest"}
_HEADS = (b"!type:", b"!account", b"!option", b"!clear")
_DATE = re.compile(r"\s*(\d{1,4})\s*([/.\-])\s*(\d{1,2})\s*(['/.\-])\s*(\d{1,4})")
_AMOUNT = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_OPENING = "opening balance"


@dataclass
class _Entry:
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    splits: list[tuple[int, str]] = field(default_factory=list)  # (line, $ amount)


@dataclass
class _Register:
    account: str
    kind: str
    line: int
    entries: list[_Entry] = field(default_factory=list)
    investments: int = 0


class QifParser:
    """QIF registers, in ``currency`` (none: :data:`NO_CURRENCY`), dates in ``order`` (``dmy``,
    ``mdy``, or decided from the file)."""

    description = "QIF (Quicken Interchange Format) file"

    def __init__(self, currency: str = "", order: str = ""):
        self.currency = currency
        self.order = order
        options = ",".join(filter(None, (currency, order)))
        self.name = f"qif:{options}" if options else "qif"

    def configured(self, option: str) -> QifParser:
        """The parser of ``qif:OPTION``: ``EUR``, ``EUR,dmy``, ``mdy``..."""
        currency = order = ""
        for word in filter(None, (part.strip() for part in option.split(","))):
            if word.lower() in ("dmy", "mdy"):
                order = word.lower()
            elif re.fullmatch(r"[A-Za-z]{3}", word):
                currency = word.upper()
            else:
                raise UserError(f"format qif:{option}: {word!r} is neither a currency (EUR) nor a date order "
                                "(dmy, mdy); for example qif:EUR or qif:EUR,dmy")
        return QifParser(currency, order)

    def detect(self, data: bytes) -> bool:
        head = head_lines(data, 4096)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: the ASCII letters are every other byte
            head = head[2:].replace(b"\x00", b"")
        lines = (line.strip(b"\xef\xbb\xbf \t\r\x00").lower() for line in head.split(b"\n"))
        first = next((line for line in lines if line and not line.startswith(b"#")), b"")
        return first.startswith(_HEADS)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        check_lines(data, path, MAX_FIELD_CHARS, "field")
        text = decode(data, path, encoding)
        registers = _read(text.splitlines(), path)
        dates = _Dates(path, registers, self.order)
        decimal_comma = _decimal_comma(registers)
        statements = []
        for register in registers:
            statement = _statement(register, path, self.currency or NO_CURRENCY, dates, decimal_comma)
            if statement is not None:
                statements.append(statement)
        if not statements:
            raise InputError(path, "line 1", "no account register (!Type:Bank, Cash, CCard, Oth A, Oth L) "
                             "nor investment entries: nothing to read")
        return statements


def _section(value: str) -> str:
    return value.split(":", 1)[1].replace(" ", "").strip().lower() if ":" in value else ""


def _read(lines: list[str], path: str) -> list[_Register]:
    """The file's registers and their entries, raw; lists and options passed over."""
    registers: list[_Register] = []
    account = ""
    mode = ""  # "register", "invest", "account", "list" or "" (before any section)
    entry: _Entry | None = None
    size = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip("\x00\x0c").rstrip()
        line = line.lstrip() if line[:1] in " \t" else line
        if not line or line.startswith("#"):  # no QIF code is "#": comments, as some writers add
            continue
        if line.startswith("!"):
            if entry is not None and (entry.fields or entry.splits):
                raise InputError(path, f"line {entry.line}", "the entry has no closing ^ before the next section")
            entry = None
            head = line.lower()
            if head.startswith("!type:"):
                kind = _section(line)
                mode = "register" if kind in _REGISTERS else "invest" if kind in _INVESTMENTS else "list"
                if mode != "list":
                    registers.append(_Register(account or "", kind, number))
            elif head.startswith("!account"):
                mode = "account"
            elif head.startswith(("!option", "!clear")):
                continue
            else:
                raise InputError(path, f"line {number}", f"{line[:40]!r} is not a QIF section header "
                                 "(!Type:..., !Account, !Option, !Clear)")
            continue
        if not mode:
            raise InputError(path, f"line {number}", "a QIF file starts with a section header (!Type:Bank...)")
        if line.startswith("^"):
            if mode == "account" and entry is not None:
                account = entry.fields.get("N", "").strip() or account
            elif mode == "register" and entry is not None and (entry.fields or entry.splits):
                registers[-1].entries.append(entry)
            elif mode == "invest" and entry is not None and entry.fields:
                registers[-1].investments += 1
            entry, size = None, 0
            continue
        if entry is None:
            entry = _Entry(number)
        size += len(line)
        if size > MAX_RECORD_SIZE:
            raise InputError(path, f"line {entry.line}", record_too_large("the entry"))
        if len(line) > MAX_FIELD_CHARS:
            raise InputError(path, f"line {number}", field_too_long("the line", len(line)))
        code, value = line[0], line[1:]
        if mode == "register" and code == "$":
            entry.splits.append((number, value.strip()))
        elif code in entry.fields and code in "MAES":  # memo, address and split texts run on
            entry.fields[code] = f"{entry.fields[code]} {value.strip()}".strip()
        else:
            entry.fields.setdefault(code, value)
            entry.fields.setdefault(f"{code}@", str(number))
    if entry is not None and (entry.fields or entry.splits) and mode in ("register", "invest"):
        raise InputError(path, f"line {entry.line}", "the last entry has no closing ^: the file seems cut short")
    return registers


class _Dates:
    """The file's date order, decided from all its dates (or given), and each date read."""

    def __init__(self, path: str, registers: list[_Register], order: str):
        self.path = path
        self.order = order
        if order:
            return
        day_first = month_first = None  # the line of a date that proves it
        dots = slashes = 0
        for register in registers:
            for entry in register.entries:
                match = _DATE.match(entry.fields.get("D", ""))
                if not match or len(match[1]) == 4:
                    continue
                first, second = int(match[1]), int(match[3])
                line = entry.fields.get("D@", str(entry.line))
                if first > 12 and day_first is None:
                    day_first = line
                if second > 12 and month_first is None:
                    month_first = line
                dots += match[2] == "."
                slashes += match[2] == "/"
        if day_first and month_first:
            raise InputError(path, f"lines {min(day_first, month_first, key=int)} and "
                             f"{max(day_first, month_first, key=int)}",
                             "the dates are day first on one line and month first on the other: "
                             "give the order with qif:CUR,dmy or qif:CUR,mdy")
        self.order = "dmy" if day_first else "mdy" if month_first else "dmy" if dots > slashes else "mdy"

    def read(self, text: str, line: str) -> date:
        match = _DATE.match(text)
        if not match:
            raise InputError(self.path, f"line {line}", f"date {text.strip()!r} is not a date")
        first, second, year_text = match[1], match[3], match[5]
        if len(first) == 4:  # 2024-01-02, 2024/01/02
            year, month, day = int(first), int(second), int(year_text)
        else:
            a, b = int(first), int(second)
            month, day = (b, a) if self.order == "dmy" else (a, b)
            year = int(year_text)
            if match[4] == "'" and year < 100:
                year += 2000  # Quicken's 1/ 2'24 (and 2/10'2020, as some write it)
            elif len(year_text) == 3:
                year += 1900  # years since 1900: 099, 100
            elif len(year_text) <= 2:
                year += 2000 if year < 70 else 1900
        try:
            return date(year, month, day)
        except ValueError:
            raise InputError(self.path, f"line {line}", f"date {text.strip()!r} is not a valid date "
                             f"(read {'day first' if self.order == 'dmy' else 'month first'})") from None


def _decimal_comma(registers: list[_Register]) -> bool:
    """Whether the file's amounts use a decimal comma: one of them ends in ``,`` and one or two
    digits, or has a point before its comma (``1.234,56``)."""
    for register in registers:
        for entry in register.entries:
            for text in [entry.fields.get("T", ""), entry.fields.get("U", ""), *(s for _, s in entry.splits)]:
                text = text.strip()
                if re.search(r",\d{1,2}$", text) or re.search(r"\.\d{3},", text):
                    return True
    return False


def _amount(text: str, path: str, line: str, decimal_comma: bool, what: str = "amount") -> Decimal:
    cleaned = text.strip().replace(" ", "").lstrip("$€£¥")
    if not _AMOUNT.fullmatch(cleaned):
        raise InputError(path, f"line {line}", f"{what} {text.strip()!r} is not an amount")
    thousands, mark = (".", ",") if decimal_comma else (",", ".")
    cleaned = cleaned.replace(thousands, "")
    if cleaned.count(mark) > 1:
        raise InputError(path, f"line {line}", f"{what} {text.strip()!r} is not an amount")
    try:
        return Decimal(cleaned.replace(mark, "."))
    except InvalidOperation:
        raise InputError(path, f"line {line}", f"{what} {text.strip()!r} is not an amount") from None


def _statement(register: _Register, path: str, currency: str, dates: _Dates, decimal_comma: bool
               ) -> Statement | None:
    account = register.account
    opening = None
    entries = list(register.entries)
    left_out: list[tuple[str, int]] = []
    if entries:
        first = entries[0].fields
        category = first.get("L", "").strip()
        if first.get("P", "").strip().lower() == _OPENING and category.startswith("[") and category.endswith("]"):
            opening = _entry_amount(entries[0], path, decimal_comma)
            account = account or category[1:-1].strip()
            entries = entries[1:]
            left_out.append(("opening balance entry (Quicken's Opening Balance): the statement's opening balance", 1))
    account = account or "qif"
    transactions = []
    for entry in entries:
        fields = entry.fields
        if "D" not in fields:
            raise InputError(path, f"line {entry.line}", "the entry has no date (D line)")
        day = dates.read(fields["D"], fields["D@"])
        transactions.append(Transaction(
            account=account, currency=currency, booking_date=day,
            amount=_entry_amount(entry, path, decimal_comma),
            source=SourceRef(path, f"line {entry.line}"),
            counterparty_name=fields.get("P", "").strip(),
            remittance=fields.get("M", "").strip(),
            end_to_end_id=fields.get("N", "").strip(),
        ))
    if register.investments:
        left_out.append(("investment entry (QIF !Type:Invst): not a bank transaction", register.investments))
    if not transactions and not left_out:
        return None
    days = [tx.booking_date for tx in transactions]
    span = f"{min(days).isoformat()}..{max(days).isoformat()}" if days else register.kind
    transactions = [replace(tx, statement_id=f"{account}:{span}") for tx in transactions]
    return Statement(statement_id=f"{account}:{span}", account=account, currency=currency,
                     source=SourceRef(path, f"line {register.line}"), opening_balance=opening,
                     transactions=tuple(transactions), statement_date=max(days) if days else None,
                     left_out=tuple(left_out))


def _entry_amount(entry: _Entry, path: str, decimal_comma: bool) -> Decimal:
    fields = entry.fields
    for code in ("T", "U"):
        if fields.get(code, "").strip():
            return _amount(fields[code], path, fields[f"{code}@"], decimal_comma)
    if entry.splits:
        return sum((_amount(text, path, str(line), decimal_comma, "split amount")
                    for line, text in entry.splits), Decimal(0))
    raise InputError(path, f"line {entry.line}", "the entry has no amount (T line)")


QIF = QifParser()
