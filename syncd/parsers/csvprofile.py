"""Bank CSV exports and payment bills, read through declarative profiles.

Every bank lays out its CSV export its own way, so a *profile* says how: the delimiter, the
encoding, decimal and thousands separators, the date format, which column holds what, whether
the amount is signed, split into debit and credit columns, or unsigned with a direction
column (``Af``/``Bij``, ``收入``/``支出``), and which lines around the table to skip. Profiles are
TOML tables: the bundled ones live in ``syncd/parsers/profiles/``, users add theirs in the
configuration (``[csv_profiles.NAME]``). A profile's format name is ``csv:NAME``.

A profile finds its table by its header row (the first row holding all the columns it maps),
so preambles of any length are skipped; the table ends at the first blank row or a row
starting with a footer mark (``#``, ``-``). Cells are kept as the text they are: a cell that
looks like a formula (``=HYPERLINK(...)``) stays raw text, nothing is ever evaluated.

Profile keys (all optional but ``columns``):

- ``description``, ``delimiter`` (``,``), ``encoding`` (UTF-8, else the guess of
  :mod:`syncd.parsers.text` with ``fallback``), ``fallback`` (``cp1252``);
- ``decimal`` (``.``), ``thousands`` (``""``), ``strip`` (characters dropped from amounts,
  such as ``¥$€``), ``date_format`` (``%Y-%m-%d``; several formats separated by ``|``);
- ``currency``, ``account``: fixed values when no column holds them; ``account_pattern``: a
  regular expression whose first group finds the account in the preamble;
- ``columns``: ``booking_date`` and ``amount`` (or ``debit`` and ``credit``) are required;
  ``value_date``, ``currency``, ``account``, ``counterparty_name``, ``counterparty_account``,
  ``counterparty_bic``, ``remittance`` (a column or a list, joined), ``structured_ref``,
  ``bank_ref``, ``end_to_end_id``, ``fees``;
- ``direction``: ``column``, ``credit`` and ``debit`` (values), ``neutral`` (values of rows
  that move no money and are left out), ``refund_column`` and ``refund`` (a neutral row whose
  refund column holds one of these is money coming back: a credit);
- ``fee_pattern``: a regular expression whose first group finds a fee amount in the
  remittance (WeChat writes ``服务费¥0.10`` in its remarks);
- ``blank``: placeholder values that mean an empty cell (WeChat writes ``/``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import tomllib

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError, UserError
from syncd.parsers.text import check_lines, decode, head_lines
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

PROFILES_DIR = Path(__file__).with_name("profiles")
HEADER_SEARCH_LINES = 80
FOOTER_MARKS = ("#", "-", "—")
_FIELDS = {"booking_date", "value_date", "amount", "debit", "credit", "currency", "account", "counterparty_name",
           "counterparty_account", "counterparty_bic", "remittance", "structured_ref", "bank_ref", "end_to_end_id",
           "fees"}
_KEYS = {"description", "delimiter", "encoding", "fallback", "decimal", "thousands", "strip", "date_format",
         "currency", "account", "account_pattern", "columns", "direction", "fee_pattern", "blank"}
_DIRECTION_KEYS = {"column", "credit", "debit", "neutral", "refund_column", "refund"}


@dataclass(frozen=True)
class Profile:
    name: str
    columns: dict
    description: str = ""
    delimiter: str = ","
    encoding: str | None = None
    fallback: str = "cp1252"
    decimal: str = "."
    thousands: str = ""
    strip: str = ""
    date_format: str = "%Y-%m-%d"
    currency: str = ""
    account: str = ""
    account_pattern: str = ""
    direction: dict = field(default_factory=dict)
    fee_pattern: str = ""
    blank: list = field(default_factory=list)

    @classmethod
    def from_mapping(cls, name: str, data: dict, where: str) -> Profile:
        """A profile from its TOML table, every key checked; a :class:`UserError` names the
        key and the place otherwise."""
        unknown = set(data) - _KEYS
        if unknown:
            raise UserError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} in CSV profile {name!r}")
        columns = data.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise UserError(f"{where}: CSV profile {name!r} needs a [columns] table")
        if set(columns) - _FIELDS:
            raise UserError(f"{where}: CSV profile {name!r} maps unknown field(s) "
                            f"{', '.join(sorted(set(columns) - _FIELDS))}")
        if "booking_date" not in columns or not ("amount" in columns or {"debit", "credit"} <= set(columns)):
            raise UserError(f"{where}: CSV profile {name!r} must map booking_date, and amount or debit and credit")
        for key, value in columns.items():
            names = value if isinstance(value, list) else [value]
            if not names or not all(isinstance(n, str) and n for n in names) or (
                    isinstance(value, list) and key != "remittance"):
                raise UserError(f"{where}: CSV profile {name!r}: columns.{key} must be a column name"
                                + (" or a list of them" if key == "remittance" else ""))
        direction = data.get("direction", {})
        if not isinstance(direction, dict) or set(direction) - _DIRECTION_KEYS or (
                direction and not ({"column", "credit", "debit"} <= set(direction))):
            raise UserError(f"{where}: CSV profile {name!r}: [direction] takes column, credit, debit, neutral, "
                            "refund_column and refund, the first three required")
        if not isinstance(data.get("blank", []), list) or not all(isinstance(v, str) for v in data.get("blank", [])):
            raise UserError(f"{where}: CSV profile {name!r}: blank is a list of placeholder values")
        text_keys = _KEYS - {"columns", "direction", "blank"}
        for key in text_keys & set(data):
            if not isinstance(data[key], str):
                raise UserError(f"{where}: CSV profile {name!r}: {key} must be a string")
        if len(data.get("delimiter", ",")) != 1:
            raise UserError(f"{where}: CSV profile {name!r}: the delimiter is one character")
        for key in ("account_pattern", "fee_pattern"):
            try:
                re.compile(data.get(key, ""))
            except re.error as exc:
                raise UserError(f"{where}: CSV profile {name!r}: {key} is not a regular expression: {exc}") from None
        return cls(name=name, **data)

    def required_headers(self) -> set[str]:
        names = set()
        for value in self.columns.values():
            names.update(value if isinstance(value, list) else [value])
        if self.direction:
            names.add(self.direction["column"])
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
        return _header_index(text.splitlines()[:HEADER_SEARCH_LINES], self.profile) is not None

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        profile = self.profile
        check_lines(data, path, MAX_RECORD_SIZE)  # a row is one line or more
        text = decode(data, path, encoding or profile.encoding, fallback=profile.fallback)
        lines = text.splitlines()
        header_at = _header_index(lines[:HEADER_SEARCH_LINES], profile)
        if header_at is None:
            wanted = ", ".join(sorted(profile.required_headers()))
            raise InputError(path, f"lines 1-{min(len(lines), HEADER_SEARCH_LINES)}",
                             f"no header row with the columns of profile {profile.name} ({wanted})")
        return _Table(path, profile, lines, header_at).statements()


def _rows(lines: list[str], delimiter: str):
    return csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)


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
        if profile.delimiter not in line:
            continue
        try:
            cells = {cell.strip() for cell in next(_rows([line], profile.delimiter), [])}
        except csv.Error:
            continue
        if wanted <= cells:
            return index
    return None


class _Table:
    def __init__(self, path: str, profile: Profile, lines: list[str], header_at: int):
        self.path = path
        self.profile = profile
        self.lines = lines
        self.header_at = header_at
        header = next(_rows([lines[header_at]], profile.delimiter))
        self.index = {cell.strip(): i for i, cell in reversed(list(enumerate(header)))}
        self.width = len(header)

    def error(self, line: int, reason: str) -> InputError:
        return InputError(self.path, f"line {line}", reason)

    def statements(self) -> list[Statement]:
        profile = self.profile
        preamble = "\n".join(self.lines[: self.header_at])
        account = profile.account
        if profile.account_pattern:
            match = re.search(profile.account_pattern, preamble)
            account = match.group(1).strip() if match else account
        transactions = []
        body = self.lines[self.header_at + 1:]
        rows = list(checked_rows(_rows(body, profile.delimiter), self.path, self.header_at + 2))
        for line, row in rows:
            if not any(cell.strip() for cell in row) or row[0].strip().startswith(FOOTER_MARKS):
                break  # the table ends; a footer may follow
            if len(row) < self.width and len(row) < max(self.index.values()) + 1:
                raise self.error(line, f"{len(row)} cells, but the header has {self.width}")
            transaction = self.transaction(row, line, account)
            if transaction is not None:
                transactions.append(transaction)
        if not transactions and not rows:
            raise self.error(self.header_at + 1, "the table has no rows")
        by_account: dict[tuple[str, str], list[Transaction]] = {}
        for tx in transactions:
            by_account.setdefault((tx.account, tx.currency), []).append(tx)
        return [Statement(statement_id=f"{acct}:{self.path.rsplit('/', 1)[-1]}", account=acct, currency=ccy,
                          source=SourceRef(self.path, f"line {self.header_at + 1}"), transactions=tuple(txs))
                for (acct, ccy), txs in by_account.items()]

    def cell(self, row: list[str], key: str) -> str:
        names = self.profile.columns.get(key)
        if not names:
            return ""
        names = names if isinstance(names, list) else [names]
        values = [row[self.index[n]].strip() for n in names if self.index[n] < len(row)]
        return " ".join(value for value in values if value and value not in self.profile.blank)

    def amount(self, text: str, line: int, what: str) -> Decimal | None:
        profile = self.profile
        cleaned = text.strip()
        for char in profile.strip + " \u00a0":
            cleaned = cleaned.replace(char, "")
        if profile.thousands:
            cleaned = cleaned.replace(profile.thousands, "")
        if profile.decimal != ".":
            cleaned = cleaned.replace(profile.decimal, ".")
        if cleaned.startswith("(") and cleaned.endswith(")"):  # accountants' negative
            cleaned = "-" + cleaned[1:-1]
        if not cleaned:
            return None
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
            raise self.error(line, f"{what} {text!r} is not an amount (profile {profile.name}: decimal "
                             f"{profile.decimal!r}, thousands {profile.thousands!r})")
        return Decimal(cleaned)

    def date(self, text: str, line: int, what: str, required: bool) -> date | None:
        text = text.strip()
        if not text:
            if required:
                raise self.error(line, f"{what} is empty")
            return None
        for form in self.profile.date_format.split("|"):
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
        raise self.error(line, f"{what} {text!r} does not match the date format {self.profile.date_format!r}")

    def transaction(self, row: list[str], line: int, account: str) -> Transaction | None:
        profile = self.profile
        amount = self.signed_amount(row, line)
        if amount is None:
            return None  # a row that moves no money (neutral)
        currency = (self.cell(row, "currency") or profile.currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise self.error(line, f"currency {currency!r} is not an ISO 4217 code (set the profile's currency)")
        account = self.cell(row, "account") or account
        if not account:
            raise self.error(line, f"no account: profile {profile.name} has no account column, pattern or value")
        remittance = self.cell(row, "remittance")
        fees = self.amount(self.cell(row, "fees"), line, "fee") if profile.columns.get("fees") else None
        if fees is None and profile.fee_pattern:
            match = re.search(profile.fee_pattern, remittance)
            fees = self.amount(match.group(1), line, "fee") if match else None
        booking_date = self.date(self.cell(row, "booking_date"), line, "booking date", required=True)
        assert booking_date is not None  # required: an empty one raised
        return Transaction(
            account=account.replace(" ", ""),
            currency=currency,
            booking_date=booking_date,
            value_date=self.date(self.cell(row, "value_date"), line, "value date", required=False),
            amount=amount,
            source=SourceRef(self.path, f"line {line}"),
            counterparty_name=self.cell(row, "counterparty_name"),
            counterparty_account=self.cell(row, "counterparty_account").replace(" ", ""),
            counterparty_bic=self.cell(row, "counterparty_bic"),
            remittance=" ".join(remittance.split()),
            structured_ref=self.cell(row, "structured_ref"),
            bank_ref=self.cell(row, "bank_ref"),
            end_to_end_id=self.cell(row, "end_to_end_id"),
            fees=abs(fees) if fees is not None else None,
        )

    def signed_amount(self, row: list[str], line: int) -> Decimal | None:
        profile = self.profile
        if "amount" in profile.columns:
            amount = self.amount(self.cell(row, "amount"), line, "amount")
            if amount is None:
                raise self.error(line, "the amount is empty")
        else:
            debit = self.amount(self.cell(row, "debit"), line, "debit") or Decimal(0)
            credit = self.amount(self.cell(row, "credit"), line, "credit") or Decimal(0)
            if debit and credit:
                raise self.error(line, f"both debit {debit} and credit {credit} are given")
            amount = credit - abs(debit)
        if not profile.direction:
            return amount
        direction = profile.direction
        marker = row[self.index[direction["column"]]].strip() if self.index[direction["column"]] < len(row) else ""
        if marker in direction.get("neutral", []):
            refund_column = direction.get("refund_column")
            refund = refund_column and self.index.get(refund_column) is not None and any(
                word in row[self.index[refund_column]] for word in direction.get("refund", []))
            return abs(amount) if refund else None
        if marker in direction["credit"]:
            return abs(amount)
        if marker in direction["debit"]:
            return -abs(amount)
        raise self.error(line, f"{direction['column']} is {marker!r}: profile {profile.name} knows "
                         f"{', '.join(direction['credit'] + direction['debit'] + direction.get('neutral', []))}")


def load_profile_file(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot read the CSV profile: {exc}") from None
    return Profile.from_mapping(path.stem, data, str(path))


def bundled_profiles() -> list[Profile]:
    return [load_profile_file(path) for path in sorted(PROFILES_DIR.glob("*.toml"))]
