"""Spreadsheet exports: ``.xlsx`` (WeChat Pay bills, many banks) and ``.xls`` (many Chinese banks,
some of which send an HTML table under that name: its rows are read the same way).

A workbook's rows go through the same profiles as CSV files: the first sheet with a header row
that a profile knows (bundled or the configuration's) is read with that profile, else the
first with a header row that :mod:`syncd.parsers.headers` recognises. Cells become the text
they show: numbers in their shortest form (``1234.5``), dates as ``2026-03-01 10:00:00``.

Nothing in a workbook runs: ``.xlsx`` is read with openpyxl in read-only mode with the values
the file stored (``data_only``: formulas are never evaluated, a formula without a stored
value is an empty cell), macros and external links are not loaded; ``.xls`` with xlrd, which
reads values only. An ``.xlsx`` is a zip archive, so before openpyxl opens it every member is
checked: their number, each one's size, the total and the compression ratio, as declared and
as actually inflated (declared sizes may lie), so that a zip bomb is refused with the member
and the cap. A sheet's declared dimensions are ignored (a forged ``A1:XFD1048576`` would pad
every row); each cell is held to the field cap and each row to the record cap.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser

from syncd.caps import MAX_FIELD_CHARS, MAX_RECORD_SIZE, field_too_long, record_too_large
from syncd.errors import InputError
from syncd.parsers.csvprofile import HEADER_SEARCH_LINES, Profile, Table, header_row_index
from syncd.parsers.headers import fit_to_file, recognise_cells
from syncd.parsers.text import decode
from syncd.records import Statement
from syncd.safexml import DEFAULT_MAX_BYTES

ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"xl/")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_MEMBERS = 1000
MAX_INFLATED = 256 * 1024 * 1024  # all members of an .xlsx, inflated
MAX_RATIO = 200  # inflated size / compressed size of one member
MAX_ROWS = 1_000_000


def is_xlsx(data: bytes) -> bool:
    """An Office Open XML workbook: a zip whose first part is one of a workbook's
    (``[Content_Types].xml``, ``_rels/``, ``docProps/``, ``xl/``), or that names
    ``xl/workbook.xml`` early; a zip of statement files is an archive instead."""
    if not data.startswith(ZIP_MAGIC) or len(data) < 30:
        return False
    length = int.from_bytes(data[26:28], "little")
    first = data[30:30 + length]
    return first.startswith(OOXML_PARTS) or b"xl/workbook.xml" in data[:65536]


def is_xls(data: bytes) -> bool:
    """A BIFF workbook in an OLE2 compound file (Excel 97-2003)."""
    return data.startswith(OLE_MAGIC)


def is_html_table(data: bytes) -> bool:
    """An HTML table saved as ``.xls`` (what many Chinese online banks send as "Excel")."""
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head")) and b"<table" in head


class _TableRows(HTMLParser):
    """The rows of the first ``<table>`` of an HTML page, each cell as its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.size = 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_sheets(data: bytes, path: str) -> Iterator[tuple[str, Iterator[tuple[str, list[str]]]]]:
    """An HTML table's rows as one sheet; nothing in the page runs (no script, no link is
    followed: only the text of the cells is kept)."""
    match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
    declared = match.group(1).decode("ascii") if match else ""
    text = decode(data, path, None, declared=declared, fallback="gb18030")
    parser = _TableRows()
    try:
        parser.feed(text)
        parser.close()
    except (ValueError, AssertionError) as exc:  # html.parser on a broken page
        raise InputError(path, "", f"not a readable HTML table: {exc}") from None
    rows = [(f"table row {number}", _checked(path, f"table row {number}", cells))
            for number, cells in enumerate(parser.rows, 1)]
    yield "table", iter(rows)


def check_zip(data: bytes, path: str):
    """Refuse an ``.xlsx`` whose members are too many, too large or inflate too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(path, "", f"not a readable .xlsx workbook (a zip archive): {exc}") from None
    if len(infos) > MAX_MEMBERS:
        raise InputError(path, "", f"the workbook holds {len(infos)} parts, more than the limit of {MAX_MEMBERS}")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_INFLATED:
        raise InputError(path, "", f"the workbook inflates to {declared} bytes, more than the limit of {MAX_INFLATED}")
    total = 0
    for info in infos:
        label = f"{path}!{info.filename}"
        if info.flag_bits & 0x1:
            raise InputError(label, "", "the workbook part is encrypted")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise InputError(label, "", f"the part inflates {info.file_size // info.compress_size} times, more "
                             f"than the limit of {MAX_RATIO}: a zip bomb?")
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 16):
                    size += len(chunk)
                    if total + size > MAX_INFLATED or (info.compress_size and size / info.compress_size > MAX_RATIO):
                        raise InputError(label, "", f"the part inflates past what it declared ({info.file_size} "
                                         f"bytes) beyond the caps ({MAX_RATIO} times, {MAX_INFLATED} bytes in all): "
                                         "a zip bomb?")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
                RuntimeError) as exc:  # a broken, encrypted or unsupported part
            raise InputError(label, "", f"cannot inflate the workbook part: {exc}") from None
        total += size


def cell_text(value) -> str:
    """What a cell shows, as text; money never goes through a binary float's long digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


def _checked(path: str, where: str, values: Iterable) -> list[str]:
    cells, size = [], 0
    for column, value in enumerate(values, 1):
        text = cell_text(value)
        if len(text) > MAX_FIELD_CHARS:
            raise InputError(path, where, field_too_long(f"cell {column}", len(text)))
        size += len(text)
        if size > MAX_RECORD_SIZE:
            raise InputError(path, where, record_too_large("the row"))
        cells.append(text)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def xlsx_sheets(data: bytes, path: str) -> Iterator[tuple[str, Iterator[tuple[str, list[str]]]]]:
    """Each sheet's title and its rows (``where``, cells), read lazily."""
    check_zip(data, path)
    import openpyxl  # imported when a workbook comes: it takes a while

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False,
                                          keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken part  # noqa: BLE001
        raise InputError(path, "", f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}") from None
    for sheet in workbook.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # the declared size may lie: read the rows that are there
        yield sheet.title, _xlsx_rows(sheet, path)


def _xlsx_rows(sheet, path: str) -> Iterator[tuple[str, list[str]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if number > MAX_ROWS:
                raise InputError(path, f"{sheet.title} row {number}", f"more than {MAX_ROWS} rows")
            where = f"{sheet.title} row {number}"
            yield where, _checked(path, where, values)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet part
        raise InputError(path, sheet.title, f"the sheet cannot be read: {type(exc).__name__}: {exc}") from None


def xls_sheets(data: bytes, path: str) -> Iterator[tuple[str, Iterator[tuple[str, list[str]]]]]:
    import xlrd  # imported when a workbook comes

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False,
                                  logfile=io.StringIO())  # xlrd writes its warnings to stdout otherwise
    except Exception as exc:  # xlrd raises its own and struct errors for broken files  # noqa: BLE001
        raise InputError(path, "", f"not a readable .xls workbook: {type(exc).__name__}: {exc}") from None
    for index in range(book.nsheets):
        try:
            sheet = book.sheet_by_index(index)
        except Exception as exc:  # noqa: BLE001
            raise InputError(path, f"sheet {index + 1}", f"the sheet cannot be read: {exc}") from None
        yield sheet.name, _xls_rows(book, sheet, path)


def _xls_rows(book, sheet, path: str) -> Iterator[tuple[str, list[str]]]:
    import xlrd

    for number in range(min(sheet.nrows, MAX_ROWS)):
        values = []
        for cell in sheet.row(number):
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    values.append(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_EMPTY):
                values.append(None)
            else:
                values.append(cell.value)
        where = f"{sheet.name} row {number + 1}"
        yield where, _checked(path, where, values)


def _for_sheets(profile: Profile) -> Profile:
    """A profile as it reads a workbook: numbers and dates come as the workbook's cells, not as
    a bank's text, so their form is decided from the column (the day order the profile's
    date format gives stays the hint)."""
    form = profile.date_format
    day_first = profile.day_first
    if day_first is None and "%d" in form and "%m" in form:
        day_first = form.index("%d") < form.index("%m")
    return replace(profile, decimal="auto", date_format="auto", day_first=day_first)


class SheetParser:
    """``.xlsx`` and ``.xls`` workbooks, read through the CSV profiles or by their header row.

    ``profiles``: the CSV profiles to try (bundled and the configuration's), in order."""

    name = "sheet"
    description = "spreadsheet export (.xlsx, .xls, or an HTML table saved as .xls)"

    def __init__(self, profiles: Callable[[], Iterable[Profile]]):
        self.profiles = profiles

    def detect(self, data: bytes) -> bool:
        return is_xlsx(data) or is_xls(data) or is_html_table(data)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        if is_xlsx(data):
            sheets = xlsx_sheets(data, path)
        elif is_xls(data):
            sheets = xls_sheets(data, path)
        elif is_html_table(data):
            sheets = html_sheets(data, path)
        else:
            raise InputError(path, "", "not an .xlsx or .xls workbook")
        titles = []
        for title, rows in sheets:
            titles.append(title)
            head = []
            for where, cells in rows:
                head.append((where, cells))
                if len(head) >= HEADER_SEARCH_LINES:
                    break
            found = self.profile_for([cells for _, cells in head])
            if found is None:
                continue
            profile, header_at, header, recognised = found
            width = len(header)  # a sheet's rows end at their last cell that holds something
            body = [(where, cells + [""] * (width - len(cells))) for where, cells in [*head[header_at + 1:], *rows]]
            if recognised:  # the values of its direction and status columns are the file's
                profile = fit_to_file(profile, header, [cells for _, cells in body])
            preamble = "\n".join(" ".join(cells) for _, cells in head[:header_at])
            return Table(path, profile, preamble, header, head[header_at][0], iter(body)).statements()
        raise InputError(path, ", ".join(titles) or "the workbook",
                         "no sheet has a header row that a profile knows or that names a booking date and an amount "
                         "(or debit and credit columns): write a profile for this export ([csv_profiles.NAME])")

    def profile_for(self, rows: list[list[str]]) -> tuple[Profile, int, list[str], bool] | None:
        """The profile that reads ``rows``, the index of their header's (last) row, its cells
        and whether it was recognised from the header (rather than a profile's own)."""
        for profile in self.profiles():
            if profile.columns and not profile.header:
                at = header_row_index(rows, profile)
                if at is not None:
                    return _for_sheets(profile), at, rows[at], False
        for base in [*(p for p in self.profiles() if not p.columns), None]:
            found = recognise_cells(rows, base)
            if found is not None:
                return (*found, True)
        return None
