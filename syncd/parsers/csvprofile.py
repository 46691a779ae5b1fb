"""Bank CSV exports, spreadsheets and payment bills, read through declarative profiles.

Every bank lays out its export its own way, so a *profile* says how: the delimiter, the
encoding, decimal and thousands separators, the date format, which column holds what, whether
the amount is signed, split into debit and credit columns, or unsigned with a direction
column (``Af``/``Bij``, ``收入``/``支出``, ``借``/``贷``), which rows are not booked, and which
lines around the table to skip. Profiles are TOML tables: the bundled ones live in
``syncd/parsers/profiles/``, users add theirs in the configuration (``[csv_profiles.NAME]``).
A profile's format name is ``csv:NAME``. Files that no profile knows are read by their header
row (:mod:`syncd.parsers.headers`); spreadsheets (``.xlsx``, ``.xls``) give their rows to the
same profiles (:mod:`syncd.parsers.sheets`).

A profile finds its table by its header row (the first row holding all the columns it maps,
spaces around the names ignored), so preambles of any length are skipped; the table ends at
the first blank row, a row starting with a footer mark (``#``, ``-``) or a totals row
(``合计``, ``总计``, ``Total``...). Cells are kept as the text they are: a cell that looks like a
formula (``=HYPERLINK(...)``) stays raw text, nothing is ever evaluated.

Rows that move no money are left out of the transactions and counted, with their reason, in
the statement's ``left_out``: a neutral direction (Alipay's ``不计收支`` transfers to and from
the balance, WeChat's ``/``) and a status that was never booked (``交易关闭``, ``等待付款``,
``PENDING``...). A row is counted once: its direction decides its sign, a neutral row whose
status says it is a refund is the money coming back (a credit), and nothing else.

Profile keys (all optional but ``columns``; a profile without ``columns`` recognises the header
row like a file without profile, with the profile's other keys as defaults, such as the
``currency`` a bank does not write in its export):

- ``description``, ``delimiter`` (``,``), ``encoding`` (UTF-8, else the guess of
  :mod:`syncd.parsers.text` with ``fallback``), ``fallback`` (``cp1252``);
- ``decimal`` (``.``; ``auto``: decided from the column's values), ``thousands`` (``""``),
  ``strip`` (characters dropped from amounts; currency signs such as ``¥$€`` always are),
  ``date_format`` (``%Y-%m-%d``; several formats separated by ``|``; ``auto``: decided from the
  column's values, ``day_first`` the hint when no value tells day from month);
- ``currency``, ``account``: fixed values when no column holds them; ``account_pattern`` and
  ``currency_pattern``: regular expressions whose first group finds them in the preamble;
  without any account the profile's name stands for it (map it in ``[journals]``);
- ``columns``: ``booking_date`` and ``amount`` (or ``debit`` and ``credit``) are required;
  ``value_date``, ``currency``, ``account``, ``counterparty_name``, ``counterparty_account``,
  ``counterparty_bic``, ``remittance`` (a column or a list, joined), ``structured_ref``,
  ``bank_ref``, ``end_to_end_id``, ``fees``, ``balance`` (the balance after each row: the
  statement's opening and closing balances come from it);
- ``direction``: ``column``, ``credit`` and ``debit`` (values), ``neutral`` (values of rows
  that move no money and are left out), ``refund_column`` and ``refund`` (a neutral row whose
  refund column holds one of these is money coming back: a credit);
- ``status``: ``column`` and ``skip`` (values of rows that were not booked: left out);
- ``fee_pattern``: a regular expression whose first group finds a fee amount in the
  remittance (WeChat writes ``服务费¥0.10`` in its remarks); ``fee_apart``: the fee was taken
  on top of the amount (Revolut: the balance moves by amount - fee), so it is deducted;
- ``negate``: amounts are written from the card issuer's view (credit cards: charges
  positive), so their sign is turned;
- ``blank``: placeholder values that mean an empty cell (WeChat writes ``/``);
- ``totals``: first cells that start a totals row, which ends the table;
- ``header``: the names of the columns of an export that has no header row (TD Canada Trust,
  Wells Fargo, CIBC write their rows from line 1), which ``columns`` then maps; such a profile
  detects a file whose first rows have exactly that many cells, a date in the booking date's
  format and an amount (or an empty cell) wherever it maps one.

A row with no amount but a balance (Bank of America's "Beginning balance as of" line) is no
entry: it is left out, counted as a balance line; so is a row whose booking date says it is not
booked yet (comdirect's ``offen``, Nordea Finland's ``Varaus``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import tomllib

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError, UserError
from syncd.parsers.cells import DateColumn, amount_style, currency_code, parse_amount
from syncd.parsers.text import check_lines, decode, head_lines
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

PROFILES_DIR = Path(__file__).with_name("profiles")
HEADER_SEARCH_LINES = 80
FOOTER_MARKS = ("#", "-", "—", "=")
#: first cells of the totals rows banks print under their tables (the table ends there)
TOTALS = ("合计", "总计", "小计", "本页合计", "累计", "收入合计", "支出合计", "Total", "Totals", "TOTAL", "Summe",
          "Gesamt", "Totaal", "Totale", "Solde", "Saldo final", "Closing balance", "Opening balance")
#: what banks write where the booking date of an entry not yet booked belongs (comdirect: offen)
PENDING_DATES = ("offen", "vorgemerkt", "pending", "en cours", "in behandeling", "varaus", "reserverat")
_FIELDS = {"booking_date", "value_date", "amount", "debit", "credit", "currency", "account", "counterparty_name",
           "counterparty_account", "counterparty_bic", "remittance", "structured_ref", "bank_ref", "end_to_end_id",
           "fees", "balance"}
_KEYS = {"description", "delimiter", "encoding", "fallback", "decimal", "thousands", "strip", "date_format",
         "day_first", "currency", "account", "account_pattern", "currency_pattern", "columns", "direction",
         "status", "fee_pattern", "blank", "totals", "negate", "fee_apart", "header"}
_LIST_KEYS = {"blank", "totals", "header"}
#: the rows a headerless profile looks at to detect its file
HEADERLESS_ROWS = 5
_AMOUNT_FIELDS = ("amount", "debit", "credit", "balance")
_DIRECTION_KEYS = {"column", "credit", "debit", "neutral", "refund_column", "refund"}


def header_name(cell: str) -> str:
    """A header cell as profiles name it: without the spaces, tabs and byte order mark
    around it (Alipay pads its header cells with spaces)."""
    return cell.strip().strip("\ufeff").strip()


@dataclass(frozen=True)
class Profile:
    name: str
    columns: dict = field(default_factory=dict)
    description: str = ""
    delimiter: str = ","
    encoding: str | None = None
    fallback: str = "cp1252"
    decimal: str = "."
    thousands: str = ""
    strip: str = ""
    date_format: str = "%Y-%m-%d"
    day_first: bool | None = None
    currency: str = ""
    account: str = ""
    account_pattern: str = ""
    currency_pattern: str = ""
    direction: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    fee_pattern: str = ""
    blank: list = field(default_factory=list)
    totals: list = field(default_factory=lambda: list(TOTALS))
    negate: bool = False
    fee_apart: bool = False
    header: list = field(default_factory=list)

    @classmethod
    def from_mapping(cls, name: str, data: dict, where: str) -> Profile:
        """A profile from its TOML table, every key checked; a :class:`UserError` names the
        key and the place otherwise."""
        def refuse(what: str):
            raise UserError(f"{where}: CSV profile {name!r}{what}")

        unknown = set(data) - _KEYS
        if unknown:
            raise UserError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} in CSV profile {name!r}")
        columns = data.get("columns", {})
        if not isinstance(columns, dict) or ("columns" in data and not columns):
            refuse(" needs a [columns] table (or none, to recognise the header row)")
        if set(columns) - _FIELDS:
            refuse(f" maps unknown field(s) {', '.join(sorted(set(columns) - _FIELDS))}")
        if columns and ("booking_date" not in columns or not (
                "amount" in columns or {"debit", "credit"} <= set(columns))):
            refuse(" must map booking_date, and amount or debit and credit")
        for key, value in columns.items():
            names = value if isinstance(value, list) else [value]
            if not names or not all(isinstance(n, str) and n for n in names) or (
                    isinstance(value, list) and key != "remittance"):
                refuse(f": columns.{key} must be a column name" + (" or a list of them" if key == "remittance" else ""))
        direction = data.get("direction", {})
        if not isinstance(direction, dict) or set(direction) - _DIRECTION_KEYS or (
                direction and not ({"column", "credit", "debit"} <= set(direction))):
            refuse(": [direction] takes column, credit, debit, neutral, refund_column and refund, the first three "
                   "required")
        status = data.get("status", {})
        if not isinstance(status, dict) or (status and set(status) != {"column", "skip"}):
            refuse(": [status] takes column and skip (the values of rows that were not booked)")
        for key in _LIST_KEYS & set(data):
            if not isinstance(data[key], list) or not all(isinstance(v, str) for v in data[key]):
                refuse(f": {key} is a list of " + {"blank": "placeholder values", "totals": "first cells"}.get(
                    key, "column names"))
        if "header" in data and (not columns or not data["header"]
                                 or not set(Profile(name, columns).required_headers()) <= set(data["header"])):
            refuse(": header names the columns of a file without header row, every column [columns] maps among "
                   "them")
        for key in ("day_first", "negate", "fee_apart"):
            if key in data and not isinstance(data[key], bool):
                refuse(f": {key} is true or false")
        if direction and not all(isinstance(name, str) and name for name in _names(direction["column"])):
            refuse(": direction.column is a column name or a list of them (the first that holds a known value "
                   "decides)")
        text_keys = _KEYS - {"columns", "direction", "status", "day_first", "negate", "fee_apart"} - _LIST_KEYS
        for key in text_keys & set(data):
            if not isinstance(data[key], str):
                refuse(f": {key} must be a string")
        if len(data.get("delimiter", ",")) != 1:
            refuse(": the delimiter is one character")
        for key in ("account_pattern", "currency_pattern", "fee_pattern"):
            try:
                re.compile(data.get(key, ""))
            except re.error as exc:
                refuse(f": {key} is not a regular expression: {exc}")
        return cls(name=name, **data)

    def required_headers(self) -> set[str]:
        names = set()
        for value in self.columns.values():
            names.update(value if isinstance(value, list) else [value])
        for table in (self.direction, self.status):
            if table:
                names.update(_names(table["column"]))
        return names


class CsvProfileParser:
    """One profile as a format: ``csv:NAME``."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.name = f"csv:{profile.name}"
        self.description = f"CSV export ({profile.description or profile.name})"

    def detect(self, data: bytes) -> bool:
        try:
            text = decode(head_lines(data), "", self.profile.encoding, fallback=self.profile.fallback)
        except InputError:
            return False
        lines = text.splitlines()[:HEADER_SEARCH_LINES]
        if self.profile.header:
            return headerless_fits(lines, self.profile)
        if not self.profile.columns:
            from syncd.parsers.headers import recognise_lines
            return recognise_lines(lines, self.profile) is not None
        return _header_index(lines, self.profile) is not None

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        check_lines(data, path, MAX_RECORD_SIZE)  # a row is one line or more
        text = decode(data, path, encoding or self.profile.encoding, fallback=self.profile.fallback)
        lines = text.splitlines()
        profile = self.profile
        if not profile.columns:  # the header row says which column is what
            from syncd.parsers.headers import read_recognised
            return read_recognised(path, lines, profile)
        if profile.header:
            return csv_statements(path, profile, lines, None)
        header_at = _header_index(lines[:HEADER_SEARCH_LINES], profile)
        if header_at is None:
            wanted = ", ".join(sorted(profile.required_headers()))
            raise InputError(path, f"lines 1-{min(len(lines), HEADER_SEARCH_LINES)}",
                             f"no header row with the columns of profile {profile.name} ({wanted})")
        return csv_statements(path, profile, lines, header_at)


def csv_statements(path: str, profile: Profile, lines: list[str], header_at: int | None) -> list[Statement]:
    """The statements of a CSV file's table, whose header is ``lines[header_at]`` (``None``:
    the file has none, the profile's ``header`` names its columns)."""
    if header_at is None:
        header, preamble, first, header_where = profile.header, "", 1, "line 1"
    else:
        header = next(_rows([lines[header_at]], profile.delimiter))
        preamble, first, header_where = "\n".join(lines[:header_at]), header_at + 2, f"line {header_at + 1}"
    body = checked_rows(_rows(lines[first - 1:], profile.delimiter), path, first)
    table = Table(path, profile, preamble, header, header_where, ((f"line {line}", row) for line, row in body))
    return table.statements()


def headerless_fits(lines: list[str], profile: Profile) -> bool:
    """Whether the first rows of ``lines`` are those of a file without header row that
    ``profile`` (with its ``header``) reads: as many cells as it names, the booking date in its
    format, an amount or nothing in each amount column, and some amount in each row."""
    rows = [split_line(line, profile.delimiter) for line in lines if line.strip()][:HEADERLESS_ROWS]
    if not rows:
        return False
    position = {name: index for index, name in enumerate(profile.header)}
    dates = [position[profile.columns["booking_date"]]]
    amounts = [position[profile.columns[key]] for key in _AMOUNT_FIELDS if key in profile.columns]
    for row in rows:
        if len(row) != len(profile.header) or not any(row[i].strip() for i in amounts):
            return False
        if not any(_is_date(row[i].strip(), form) for i in dates for form in profile.date_format.split("|")):
            return False
        decimal = "." if profile.decimal == "auto" else profile.decimal
        try:
            for i in amounts:
                parse_amount(row[i], decimal, profile.thousands, profile.strip)
        except ValueError:
            return False
    return True


def _is_date(text: str, form: str) -> bool:
    try:
        datetime.strptime(text, form)
    except ValueError:
        return False
    return True


def _rows(lines: list[str], delimiter: str):
    return csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)


def split_line(line: str, delimiter: str) -> list[str]:
    """One line's cells (an empty list for a line csv cannot split)."""
    try:
        return next(_rows([line], delimiter), [])
    except csv.Error:
        return []


def checked_rows(reader, path: str, first_line: int = 1) -> Iterator[tuple[int, list[str]]]:
    """Each row of a ``csv.reader`` with the line it starts on (``first_line`` is the line of
    the reader's first), every cell within the field cap and the row within the record cap:
    an :class:`InputError` naming the line otherwise. csv's own ``field_size_limit`` is
    process-wide, so it is left alone: it only says which error a longer cell meets first."""
    before = 0  # the lines the reader has consumed
    while True:
        line = first_line + before
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(path, f"line {line}", field_too_long("a cell")) from None
            raise InputError(path, f"line {line}", f"not valid CSV: {exc}") from None
        before = reader.line_num
        size = 0
        for column, cell in enumerate(row, 1):
            if len(cell) > MAX_FIELD_CHARS:
                raise InputError(path, f"line {line}", field_too_long(f"cell {column}", len(cell)))
            size += len(cell)
        if size > MAX_RECORD_SIZE:
            raise InputError(path, f"line {line}", record_too_large("the row"))
        yield line, row


def _header_index(lines: list[str], profile: Profile) -> int | None:
    wanted = profile.required_headers()
    for index, line in enumerate(lines):
        if profile.delimiter in line and wanted <= {header_name(cell) for cell in split_line(line, profile.delimiter)}:
            return index
    return None


def header_row_index(rows: list[list[str]], profile: Profile) -> int | None:
    """The index of the first of ``rows`` (a spreadsheet's) holding every column ``profile``
    maps, or ``None``."""
    wanted = profile.required_headers()
    for index, row in enumerate(rows):
        if wanted <= {header_name(cell) for cell in row}:
            return index
    return None


_Row = tuple[str, list[str]]


class Table:
    """The rows of one table under its header, read through a profile: each row becomes a
    transaction, or is left out with its reason, or refuses the file naming its place."""

    def __init__(self, path: str, profile: Profile, preamble: str, header: list[str], header_where: str,
                 body: Iterable[_Row]):
        self.path = path
        self.profile = profile
        self.preamble = preamble
        self.header_where = header_where
        self.index: dict[str, int] = {}
        for position, cell in enumerate(header):
            self.index.setdefault(header_name(cell), position)
        self.width = len(header)
        self.needed = max((self.index[name] for name in profile.required_headers() if name in self.index),
                          default=0) + 1
        self.rows: list[_Row] = []
        for where, row in body:
            if not self.rows and not any(cell.strip() for cell in row):
                continue  # blank lines between the header and the first row (BMO)
            if self.ends(row):
                break
            self.rows.append((where, row))
        self.decimal, self.thousands = profile.decimal, profile.thousands
        if profile.decimal == "auto":
            values = [self.cell(row, key) for _, row in self.rows for key in ("amount", "debit", "credit", "balance")]
            try:
                self.decimal, self.thousands = amount_style(values, "," if profile.delimiter == ";" else ".")
            except ValueError as exc:
                raise InputError(path, header_where, f"{exc}: set decimal in a profile") from None
        self.dates: dict[str, DateColumn] = {}
        if profile.date_format == "auto":
            for key in ("booking_date", "value_date"):
                try:
                    self.dates[key] = DateColumn((self.cell(row, key) for _, row in self.rows), profile.day_first)
                except ValueError as exc:
                    raise InputError(path, header_where, f"{profile.columns.get(key, key)}: {exc}") from None

    def ends(self, row: list[str]) -> bool:
        """Whether ``row`` ends the table: blank, a footer mark, a totals row (``合计``,
        ``人民币合计``, ``Total``), or a line of text alone (``说明：...``) where a date belongs."""
        filled = [cell.strip() for cell in row if cell.strip()]
        if not filled:
            return True
        first = filled[0]
        if first.startswith(FOOTER_MARKS) or first.startswith(tuple(self.profile.totals)):
            return True
        if any(word in first for word in self.profile.totals if not word.isascii()):
            return True
        return len(filled) == 1 and not any(char.isdigit() for char in first)

    def error(self, where: str, reason: str) -> InputError:
        return InputError(self.path, where, reason)

    def statements(self) -> list[Statement]:
        profile = self.profile
        account = self.found(profile.account_pattern) or profile.account
        currency = currency_code(self.found(profile.currency_pattern)) or profile.currency
        booked: dict[tuple[str, str], list[tuple[Transaction, Decimal | None]]] = {}
        left_out: dict[tuple[str, str], Counter] = {}
        for where, row in self.rows:
            if len(row) < self.needed:
                raise self.error(where, f"{len(row)} cells, but the header has {self.width}")
            result = self.transaction(row, where, account, currency)
            if isinstance(result, str):
                key = self.key(row, where, account, currency, strict=False)
                left_out.setdefault(key, Counter())[result] += 1
                continue
            tx, balance = result
            booked.setdefault((tx.account, tx.currency), []).append((tx, balance))
        if not self.rows:
            raise self.error(self.header_where, "the table has no rows")
        name = self.path.rsplit("/", 1)[-1]
        statements = []
        keys = [key for key in dict.fromkeys([*booked, *left_out]) if key[1]]  # rows left out whose
        # currency is unknown go to the first statement
        currencies = Counter(acct for acct, _ in keys)
        for key in keys:
            acct, ccy = key
            # one statement per account and currency: several currencies of one account get ids apart
            statement_id = f"{acct}:{ccy}:{name}" if currencies[acct] > 1 else f"{acct}:{name}"
            entries = booked.get(key, [])
            opening, closing = _balances(entries)
            dates = [tx.booking_date for tx, _ in entries]
            statements.append(Statement(
                statement_id=statement_id, account=acct, currency=ccy,
                source=SourceRef(self.path, self.header_where), opening_balance=opening, closing_balance=closing,
                transactions=tuple(tx for tx, _ in entries), statement_date=max(dates) if dates else None,
                left_out=tuple(left_out.get(key, Counter()).items())))
        strays = Counter()
        for key, counts in left_out.items():
            if not key[1]:
                strays.update(counts)
        if strays and statements:
            merged = Counter(dict(statements[0].left_out)) + strays
            statements[0] = replace(statements[0], left_out=tuple(merged.items()))
        elif strays:
            where = self.rows[0][0]
            raise self.error(where, self.no_currency())
        return statements

    def found(self, pattern: str) -> str:
        match = re.search(pattern, self.preamble) if pattern else None
        return match.group(1).strip() if match else ""

    def no_currency(self) -> str:
        return ("no currency: the file names none (no currency column, none in the header or the lines before "
                "the table); give it in a profile, e.g. [csv_profiles.mybank] with currency = \"EUR\" (without "
                "[columns] it recognises the header row as now) and --format csv:mybank")

    def key(self, row: list[str], where: str, account: str, currency: str, strict: bool = True) -> tuple[str, str]:
        """The account and currency of a row."""
        written = self.cell(row, "currency")
        code = currency_code(written) if written else currency
        if strict and not code:
            raise self.error(where, self.no_currency())
        if strict and not re.fullmatch(r"[A-Z]{3}", code):
            raise self.error(where, f"currency {written or code!r} is not an ISO 4217 code (set the profile's "
                             "currency)")
        acct = (self.cell(row, "account") or account or self.profile.name).replace(" ", "")
        return acct, code if re.fullmatch(r"[A-Z]{3}", code or "") else ""

    def cell(self, row: list[str], key: str) -> str:
        names = self.profile.columns.get(key)
        if not names:
            return ""
        names = names if isinstance(names, list) else [names]
        values = [_unwrap(row[self.index[n]].strip()) for n in names if n in self.index and self.index[n] < len(row)]
        return " ".join(value for value in values if value and value not in self.profile.blank)

    def raw(self, row: list[str], column: str) -> str:
        position = self.index.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    def amount(self, text: str, where: str, what: str) -> Decimal | None:
        try:
            return parse_amount(text, self.decimal, self.thousands, self.profile.strip)
        except ValueError:
            raise self.error(where, f"{what} {text!r} is not an amount (profile {self.profile.name}: decimal "
                             f"{self.decimal!r}, thousands {self.thousands!r})") from None

    def date(self, key: str, row: list[str], where: str, what: str, required: bool) -> date | None:
        text = self.cell(row, key)
        if not text:
            if required:
                raise self.error(where, f"{what} is empty")
            return None
        if key in self.dates:
            try:
                return self.dates[key].parse(text)
            except ValueError as exc:
                raise self.error(where, f"{what} {text!r}: {exc}") from None
        for form in self.profile.date_format.split("|"):
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
        raise self.error(where, f"{what} {text!r} does not match the date format {self.profile.date_format!r}")

    def transaction(self, row: list[str], where: str, account: str,
                    currency: str) -> tuple[Transaction, Decimal | None] | str:
        """The row's transaction and the balance after it, or why it is left out."""
        profile = self.profile
        if profile.status:
            state = self.raw(row, profile.status["column"])
            if state in profile.status["skip"]:
                return f"{profile.status['column']} {state}: not booked"
        if self.cell(row, "booking_date").casefold() in PENDING_DATES:
            return f"{profile.columns['booking_date']} {self.cell(row, 'booking_date')}: not booked"
        amount = self.signed_amount(row, where)
        if isinstance(amount, str):
            return amount
        acct, code = self.key(row, where, account, currency)
        remittance = self.cell(row, "remittance")
        fees = self.amount(self.cell(row, "fees"), where, "fee") if profile.columns.get("fees") else None
        if fees is None and profile.fee_pattern:
            match = re.search(profile.fee_pattern, remittance)
            fees = self.amount(match.group(1), where, "fee") if match else None
        if fees and profile.fee_apart:  # the fee was taken on top of the amount (Revolut)
            amount -= abs(fees)
        booking_date = self.date("booking_date", row, where, "booking date", required=True)
        assert booking_date is not None  # required: an empty one raised
        balance = self.amount(self.cell(row, "balance"), where, "balance") if profile.columns.get("balance") else None
        return Transaction(
            account=acct,
            currency=code,
            booking_date=booking_date,
            value_date=self.date("value_date", row, where, "value date", required=False),
            amount=amount,
            source=SourceRef(self.path, where),
            counterparty_name=self.cell(row, "counterparty_name"),
            counterparty_account=self.cell(row, "counterparty_account").replace(" ", ""),
            counterparty_bic=self.cell(row, "counterparty_bic"),
            remittance=" ".join(remittance.split()),
            structured_ref=self.cell(row, "structured_ref"),
            bank_ref=self.cell(row, "bank_ref"),
            end_to_end_id=self.cell(row, "end_to_end_id"),
            fees=abs(fees) if fees else None,
        ), balance

    def signed_amount(self, row: list[str], where: str) -> Decimal | str:
        """The row's amount, signed from the account holder's view, or why it moves no money."""
        profile = self.profile
        if "amount" in profile.columns:
            text = self.cell(row, "amount")
            refunded = _REFUNDED.fullmatch(text)
            if refunded and not refunded.group(2).strip():
                return f"{profile.columns['amount']} {refunded.group(0)[len(refunded.group(1)):]}: refunded in full"
            amount = self.amount(refunded.group(1) if refunded else text, where, "amount")
            if amount is None:
                if self.cell(row, "balance"):
                    return "no amount (a balance line)"
                raise self.error(where, "the amount is empty")
            if refunded:  # JD writes the refund into the row: 392.98(已退款203.98) moved 189.00
                back = self.amount(refunded.group(2), where, "refund") or Decimal(0)
                amount = amount - back if amount >= 0 else amount + back
        else:
            debit = self.amount(self.cell(row, "debit"), where, "debit") or Decimal(0)
            credit = self.amount(self.cell(row, "credit"), where, "credit") or Decimal(0)
            if debit and credit:
                raise self.error(where, f"both debit {debit} and credit {credit} are given")
            amount = abs(credit) - abs(debit)  # Citi writes its credits negative, as the card issuer sees them
        if profile.negate:  # credit card exports: charges written positive
            amount = -amount
        if not profile.direction:
            return amount
        direction = profile.direction
        known = direction["credit"] + direction["debit"] + direction.get("neutral", [])
        columns = _names(direction["column"])
        markers = [(column, self.raw(row, column)) for column in columns]
        column, marker = next(((c, m) for c, m in markers if m in known), markers[0])
        if marker in direction.get("neutral", []):
            refund_column = direction.get("refund_column", "")
            if any(word in self.raw(row, refund_column) for word in direction.get("refund", [])):
                return abs(amount)
            return f"{column} {marker or '(empty)'}: moves no money"
        if marker in direction["credit"]:
            return abs(amount)
        if marker in direction["debit"]:
            return -abs(amount)
        raise self.error(where, f"{column} is {marker!r}: profile {profile.name} knows "
                         f"{', '.join(repr(value) if not value else value for value in known)}")


#: an amount with the refund written into it (JD): 44.28(已全额退款), 392.98(已退款203.98)
_REFUNDED = re.compile(r"(.*?\d)\s*[(（]已(?:全额)?退款\s*[¥￥]?([0-9.,]*)\s*[)）]")


def _names(column: str | list[str]) -> list[str]:
    return column if isinstance(column, list) else [column]


def _unwrap(text: str) -> str:
    """A cell as Excel users protect it from conversion (``="000123"``), unwrapped; nothing
    else that looks like a formula is touched (and none is evaluated)."""
    if text.startswith('="') and text.endswith('"') and '"' not in text[2:-1]:
        return text[2:-1].strip()
    return text


def _balances(entries: list[tuple[Transaction, Decimal | None]]) -> tuple[Decimal | None, Decimal | None]:
    """Opening and closing balances from the balance after each row, the rows newest first
    or oldest first (as the running balance and the dates tell)."""
    if not entries or entries[0][1] is None or entries[-1][1] is None:
        return None, None
    forward = backward = 0
    for (before, b_before), (after, b_after) in zip(entries, entries[1:], strict=False):
        if b_before is None or b_after is None:
            continue
        forward += b_after == b_before + after.amount
        backward += b_before == b_after + before.amount
    newest_first = backward > forward or (
        backward == forward and entries[0][0].booking_date > entries[-1][0].booking_date)
    chronological = entries[::-1] if newest_first else entries
    first, last = chronological[0], chronological[-1]
    return first[1] - first[0].amount, last[1]

def load_profile_file(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot read the CSV profile: {exc}") from None
    return Profile.from_mapping(path.stem, data, str(path))


def bundled_profiles() -> list[Profile]:
    return [load_profile_file(path) for path in sorted(PROFILES_DIR.glob("*.toml"))]
