"""Reading the cells of bank exports: amounts, dates and currencies as banks write them.

Banks write ``1,234.56``, ``1.234,56``, ``1 234,56``, ``¥1,234.56``, ``-12.50``, ``+12.50``,
``(12.50)``, ``12,50-`` and ``EUR 12.50``; dates as ``2026-03-01``, ``2026/3/1 09:30``,
``20260301``, ``2026年3月1日``, ``01.03.2026``, ``03/01/2026`` or ``1 Mar 2026``; spreadsheets
whose date cells lost their format give the serial number (``46023``). What a file
means is decided from the whole column, never cell by cell: the decimal mark from the values
that show it (a separator followed by other than three digits, or both separators), the order
of day and month from the values where one of them is over 12. A column that says both, or
that cannot say and has no hint, is refused with the reason (the caller names file and line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

#: currency signs dropped from amounts (the currency comes from a column, the header or a profile)
CURRENCY_SIGNS = "¥￥$€£₩₹₽"
_SPACES = " \u00a0\u202f\u2009\t"
_CODE = re.compile(r"^(?:[A-Z]{3}|RMB|CN¥|US\$|C\$|CA\$|A\$|HK\$)\s*|\s*(?:[A-Z]{3}|RMB|元)$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: currency names Chinese banks write in their 币种 / 币别 columns and preambles
CURRENCY_NAMES = {
    "人民币": "CNY", "人民币元": "CNY", "人民币(本币)": "CNY", "本币": "CNY", "RMB": "CNY", "元": "CNY",
    "美元": "USD", "美金": "USD", "港币": "HKD", "港元": "HKD", "欧元": "EUR", "日元": "JPY", "英镑": "GBP",
    "澳元": "AUD", "加元": "CAD", "加拿大元": "CAD", "瑞士法郎": "CHF", "新加坡元": "SGD", "澳门元": "MOP",
    "新台币": "TWD", "韩元": "KRW",
}


def currency_code(text: str) -> str:
    """The ISO code of a currency as written (``人民币元``, ``cny``, ``EUR``), or ``""``."""
    text = text.strip().strip("[]【】()（）").strip()
    if text in CURRENCY_NAMES:
        return CURRENCY_NAMES[text]
    for name, code in CURRENCY_NAMES.items():
        if len(name) > 1 and text.startswith(name):
            return code
    return text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else ""


def _bare(text: str, strip: str = "") -> tuple[str, bool]:
    """The digits and separators of an amount, and whether it is negative."""
    cleaned = text.strip()
    for char in strip + CURRENCY_SIGNS:
        cleaned = cleaned.replace(char, "")
    cleaned = _CODE.sub("", cleaned.strip()).strip()
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accountants' negative
        negative, cleaned = True, cleaned[1:-1].strip()
    cleaned = cleaned.replace("\u2212", "-")  # the minus sign
    if cleaned.endswith("-") and not cleaned.startswith("-"):  # 12,50- (trailing minus)
        negative, cleaned = True, cleaned[:-1]
    if cleaned[:1] and cleaned[0] in "+-":
        negative, cleaned = negative or cleaned[0] == "-", cleaned[1:]
    for char in strip + CURRENCY_SIGNS:  # -¥12.00: the sign before the currency sign
        cleaned = cleaned.replace(char, "")
    for char in _SPACES + "'":
        cleaned = cleaned.replace(char, "")
    return cleaned, negative


def amount_style(values: Iterable[str], default_decimal: str = ".") -> tuple[str, str]:
    """``(decimal, thousands)`` that the column's ``values`` are written in, decided by the
    values that show it; ``default_decimal`` when none does (``1,234`` alone could be either).
    A :class:`ValueError` when the values disagree."""
    votes: dict[str, str] = {}
    for value in values:
        bare, _ = _bare(value)
        if "," in bare and "." in bare:
            mark = "." if bare.rfind(".") > bare.rfind(",") else ","
        elif re.fullmatch(r"\d*[.,]\d{1,2}|\d*[.,]\d{4,}", bare) or re.fullmatch(r"\d{4,}[.,]\d{3}", bare):
            mark = "." if "." in bare else ","
        elif re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})+", bare):  # 1,234,567: thousands
            mark = "," if "." in bare else "."
        else:
            continue
        votes.setdefault(mark, value)
    if len(votes) > 1:
        raise ValueError(f"the amounts mix decimal marks ({votes['.']!r} and {votes[',']!r})")
    decimal = next(iter(votes), default_decimal)
    return decimal, "," if decimal == "." else "."


def parse_amount(text: str, decimal: str = ".", thousands: str = "", strip: str = "") -> Decimal | None:
    """The amount written in ``text``, ``None`` when the cell is empty; a :class:`ValueError`
    when it is no amount."""
    bare, negative = _bare(text, strip)
    if not bare:
        return None
    if thousands:
        bare = bare.replace(thousands, "")
    if decimal != ".":
        if "." in bare:
            raise ValueError("a dot in an amount written with a decimal comma")
        bare = bare.replace(decimal, ".")
    if not _NUMBER.fullmatch(bare):
        raise ValueError("not an amount")
    try:
        value = Decimal(bare)
    except InvalidOperation:  # pragma: no cover - the pattern guarantees a number
        raise ValueError("not an amount") from None
    return -value if negative else value


_TIME = re.compile(r"(?:[ T]+|(?<=日))\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:[.,]\d+)?\s*(?:[AaPp][Mm])?"
                   r"(?:Z|\s*[+-]\d{2}:?\d{2}|\s*UTC)?$")
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_XMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})\.?")
#: a spreadsheet's date as its serial number (days since 1899-12-30, the time as a fraction),
#: which exports write where a date cell lost its format; read from 1954 to 2119 only
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_SERIALS = (20000, 80000)
_EXCEL_EPOCH = date(1899, 12, 30)
_NAMED = ("%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
          "%d/%b/%Y", "%d.%b.%Y", "%a %d %b %Y", "%a, %d %b %Y")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


class DateColumn:
    """How a column writes its dates, decided from all its values: ``parse`` reads one.

    ``day_first``: the hint when no value tells day from month (``None``: no hint; then such a
    column is refused). Year-first and eight-digit dates need no decision; a value with a
    time keeps only its date."""

    def __init__(self, values: Iterable[str], day_first: bool | None = None):
        votes = {"dmy": "", "mdy": ""}
        self.separators = set()
        for value in values:
            match = _XMY.fullmatch(_strip_time(value))
            if not match:
                continue
            first, second = int(match.group(1)), int(match.group(3))
            self.separators.add(match.group(2))
            if first > 12 >= second:
                votes["dmy"] = votes["dmy"] or value
            elif second > 12 >= first:
                votes["mdy"] = votes["mdy"] or value
        if votes["dmy"] and votes["mdy"]:
            raise ValueError(f"the dates mix day/month ({votes['dmy']!r}) and month/day ({votes['mdy']!r}) order")
        if votes["dmy"] or votes["mdy"]:
            self.day_first: bool | None = bool(votes["dmy"])
        elif self.separators == {"."}:
            self.day_first = True  # 01.02.2026: the dotted form is day first wherever it is used
        else:
            self.day_first = day_first

    def parse(self, text: str) -> date:
        """The date in ``text``; a :class:`ValueError` saying why not."""
        bare = _strip_time(text)
        for pattern, order in ((_YMD, (1, 2, 3)), (_COMPACT, (1, 2, 3))):
            match = pattern.fullmatch(bare)
            if match:
                year, month, day = (match.group(i) for i in order)
                return date(int(year), int(month), int(day))
        match = _XMY.fullmatch(bare)
        if match:
            if self.day_first is None:
                raise ValueError("no date of the column tells the day from the month (all are 12 or less): "
                                 "set date_format in a profile (for example %d/%m/%Y or %m/%d/%Y)")
            first, second = int(match.group(1)), int(match.group(3))
            day, month = (first, second) if self.day_first else (second, first)
            return date(_year(match.group(4)), month, day)
        for form in _NAMED:
            try:
                return datetime.strptime(bare, form).date()
            except ValueError:
                continue
        serial = _SERIAL.fullmatch(bare)
        if serial and _SERIALS[0] <= int(serial.group(1)) <= _SERIALS[1]:  # a spreadsheet's date number
            return _EXCEL_EPOCH + timedelta(days=int(serial.group(1)))
        raise ValueError("is not a date")


def _strip_time(text: str) -> str:
    text = text.strip()
    return _TIME.sub("", text).strip() if ":" in text or "：" in text else text
