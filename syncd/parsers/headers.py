"""Bank exports that no profile knows, read by their header row.

Most exports come without a bundled profile, but their header rows say what each column is,
in the bank's language: ``交易日期``/``记账日期``, ``金额``/``收入``/``支出``/``借方发生额``,
``余额``, ``对方户名``; ``Date``, ``Amount``, ``Debit``/``Credit``, ``Money in``/``Money out``,
``Balance``, ``Description``; ``Buchungstag``, ``Betrag``, ``Soll``/``Haben``,
``Verwendungszweck``; ``Datum``, ``Bedrag``, ``Af Bij``; ``Date opération``, ``Montant``,
``Débit``/``Crédit``, ``Libellé``... The first row (of the first 80, after any preamble such as
the account lines Chinese banks print) that names a booking date and an amount (or debit and
credit columns) is the header; it becomes a profile for that file, read by
:class:`syncd.parsers.csvprofile.Table`:

- the delimiter is the one of ``,``, ``;``, tab and ``|`` that splits the header into the most
  known columns (tab-delimited ``.txt`` exports included);
- the decimal mark and the date format are decided from the whole column
  (:mod:`syncd.parsers.cells`): ``03/04/2026`` is refused when no date of the column tells
  day from month and the header's language does not either (European headers: day first);
- the sign: one signed amount column; debit and credit columns; or an amount with an
  indicator column (``收/支``, ``借贷标志``, ``Af Bij``, ``Debit/Credit``) whose values are
  known (``收入``/``支出``/``不计收支``, ``借``/``贷``, ``Af``/``Bij``, ``D``/``C``...);
- a status column (``交易状态``, ``当前状态``, ``State``) whose value says the row was not booked
  (``交易关闭``, ``等待付款``, ``交易失败``, ``PENDING``, ``DECLINED``...) leaves the row out, with
  that reason;
- the currency: a currency column (``币种``, ``币别``, ``Currency``; ``人民币元`` reads as CNY),
  else the header's unit (``金额(元)``, ``Amount (EUR)``, ``CAD$``), else a preamble line
  (``币种：人民币``, ``Currency: EUR``), else the profile's, else CNY for a Chinese header (a
  foreign-currency account's export names its 币种); none refuses the file saying how to give
  one. The account: an account column, else the preamble's ``账号``/``卡号``/``Account``
  line, else the profile's, else ``csv`` (map it in ``[journals]``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace

from syncd.errors import InputError
from syncd.parsers.cells import currency_code
from syncd.parsers.csvprofile import (
    HEADER_SEARCH_LINES,
    MAX_RECORD_SIZE,
    Profile,
    check_lines,
    csv_statements,
    decode,
    head_lines,
    header_name,
    split_line,
)
from syncd.records import Statement
from syncd.safexml import DEFAULT_MAX_BYTES

DELIMITERS = (",", ";", "\t", "|")

# The names each field goes by, best first (a file with 记账日期 and 交易日期 books on the
# first); compared casefolded, without spaces, full-width brackets as half-width.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "booking_date": (
        "记账日期", "入账日期", "记账日", "交易日期", "交易时间", "交易日", "记账时间", "日期",
        "bookingdate", "postingdate",
        "postdate", "posteddate", "dateposted", "completeddate",
        "buchungstag", "buchungsdatum", "buchung", "date", "transactiondate",
        "datum", "dateopération", "dateoperation", "datedel'opération", "datedeloperation", "dateop",
        "fechaoperación", "fechaoperacion", "fecha", "dataoperazione", "datacontabile", "data",
        "trans.date", "transdate", "boekdatum", "boekingsdatum", "transactiedatum", "bokföringsdag", "bokföringsdatum",
        "transaktionsdatum", "bogføringsdato", "bokføringsdato", "dataksięgowania", "dataoperacji", "kirjauspäivä",
        "fechacontable", "dato", "belegdatum",
    ),
    "value_date": ("起息日", "起息日期", "valuedate", "valutadatum", "valuta", "wertstellung", "datevaleur",
                   "dateval", "fechavalor", "datavaluta", "rentedatum", "valutadato", "datawaluty"),
    "amount": ("交易金额", "金额", "发生额", "收支金额", "记账金额", "amount", "transactionamount", "betrag", "bedrag",
               "montant", "montantdel'opération", "importe", "importo", "sum",
               "billingamount", "umsatz", "belopp", "beløb", "beløp", "kwota", "kwotaoperacji", "summa", "määrä",
               "valor", "montante"),
    "debit": ("记账金额(支出)", "交易金额(支出)", "支出金额", "支出", "借方发生额", "借方金额", "转出金额", "付款金额",
              "debit", "debits", "debitamount", "withdrawals",
              "withdrawal", "withdrawalamount", "moneyout", "paidout", "soll", "ausgang", "débit", "debe", "cargo",
              "addebiti", "uscite", "afschrijving"),
    "credit": ("记账金额(收入)", "记账金额(存入)", "交易金额(收入)",
               "收入金额", "收入", "贷方发生额", "贷方金额", "存入金额", "转入金额", "收款金额",
               "credit", "credits", "creditamount",
               "deposits", "deposit", "depositamount", "moneyin", "paidin", "haben", "eingang", "crédit", "haber",
               "abono", "accrediti", "entrate", "bijschrijving"),
    "balance": ("余额", "账户余额", "交易后余额", "本次余额", "当前余额", "联机余额", "balance", "runningbalance",
                "saldo", "solde", "kontostand", "saldonachbuchung", "saldonatrn", "saldopooperacji", "availablebalance",
                "ledgerbalance", "runningbal."),
    "counterparty_name": ("naamtegenpartij", "对方户名", "对方账户名称", "对方账户名", "对方名称", "对方户名称",
                          "交易对方", "对手信息", "收/付款人", "收(付)方名称", "对方户名/账号", "商户名称",
                          "payee", "name", "counterparty", "partnername", "beneficiary",
                          "empfänger", "beguenstigter/zahlungspflichtiger", "namezahlungsbeteiligter",
                          "auftraggeber/empfänger", "begünstigter/auftraggeber", "auftraggeber/begünstigter",
                          "naam", "naam/omschrijving",
                          "bénéficiaire", "tegenpartij", "tegenrekeninghouder", "namn", "nimi",
                          "merchantname", "nadawca/odbiorca", "mottagare", "zahlungsempfänger*in"),
    "counterparty_account": ("对方账号", "对方账户", "对方卡号", "对方卡号/账号", "对方帐号", "对方账号与户名",
                             "counterpartyaccount", "partneriban", "ibanzahlungsbeteiligter", "kontonummer/iban",
                             "tegenrekening", "tegenrekeningiban/bban", "counterpartyiban",
                             "rekeningnummertegenpartij", "bankaccount", "tegenrekeningnummer"),
    "remittance": ("摘要", "交易摘要", "用途", "附言", "交易附言", "交易地点/附言", "备注", "交易备注", "交易说明",
                   "商品", "商品说明", "商品名称", "交易名称", "description", "details", "memo", "reference",
                   "paymentreference", "narrative", "transactiondetails", "description1", "description2",
                   "verwendungszweck", "buchungstext", "mededelingen", "omschrijving", "libellé", "libelle",
                   "détail", "concepto", "descripción", "descripcion", "descrizione", "causale",
                   "omschrijving-1", "omschrijving-2", "omschrijving-3", "transactiondescription", "narration",
                   "particulars",
                   "meddelande", "beskrivning", "rubrik", "otsikko", "tekst", "opis", "mededeling",
                   "détaildel'écriture", "vrijemededeling", "label", "umsatzbeschreibung", "umsatztext", "bookingtext",
                   "paymentpurpose", "text", "transactions"),
    "currency": ("记账币种", "币种", "币别", "货币", "交易币种", "currency", "währung", "waehrung", "devise", "moneda",
                 "billingcurrency", "munt", "waluta", "valuutta", "valutacode"),
    "bank_ref": ("交易流水号", "流水号", "交易单号", "交易订单号", "交易号", "凭证号", "交易参考号", "日志号", "订单号",
                 "transactionid", "referencenumber", "transferwiseid"),
    "account": ("本方账号", "账号", "帐号", "卡号", "accountnumber", "account", "auftragskonto", "rekening",
                "ibanauftragskonto", "iban/bban", "rekeningnummer"),
    "fees": ("手续费", "服务费", "fee", "fees", "totalfees"),
    # not fields of a transaction: what decides a row's sign and whether it was booked
    "direction": ("资金状态", "收/支", "收支", "收支类型", "借贷标志", "借贷", "借贷方向", "借/贷", "交易方向",
                  "收付标志", "afbij", "debit/credit", "dr/cr", "cr/dr", "credit/debit", "soll/haben",
                  "creditdebitindicator", "af/bij", "s/h", "creditdebet"),
    "status": ("交易状态", "当前状态", "状态", "state", "status", "transactionstatus", "statut"),
}
_RANK = {field: {name: rank for rank, name in enumerate(names)} for field, names in SYNONYMS.items()}
_KNOWN_NAMES = {name for names in SYNONYMS.values() for name in names}
CREDIT_MARKERS = ("收入", "收", "贷", "贷方", "入账", "存入", "转入", "已收入", "c", "cr", "credit", "crdt", "bij",
                  "h", "haben", "in", "income", "+")
DEBIT_MARKERS = ("支出", "支", "借", "借方", "出账", "支取", "转出", "已支出", "d", "dr", "debit", "dbit", "af", "s",
                 "soll", "out", "expense", "-")
NEUTRAL_MARKERS = ("不计收支", "/", "", "资金转移", "其他")
#: statuses of rows that were never booked (left out, with the status as the reason)
NOT_BOOKED = ("交易关闭", "等待付款", "待支付", "未支付", "交易失败", "支付失败", "已撤销", "已关闭", "已取消", "失败",
              "pending", "declined", "reverted", "failed", "cancelled", "canceled", "rejected")
_UNITS = re.compile(r"\(([^)]*)\)$|(?<=[a-z])\$$")
_IN_UNIT = re.compile(r"(.+?)(?:in)?([a-z]{3})")
#: the currencies a column name may end with (``Debit CHF``, ``Umsatz in EUR``)
UNIT_CODES = frozenset("EUR USD GBP CHF CNY JPY CAD AUD NZD SEK NOK DKK PLN CZK HUF RON BGN HKD SGD INR ZAR BRL MXN "
                       "TRY ILS KRW TWD THB".split())
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MISREAD = re.compile(r"[a-z][\u4e00-\u9fff]+[a-z]")
_EUROPEAN = re.compile(r"[äöüßéèàçñ]|buchung|betrag|datum|bedrag|montant|libell|fecha|importe|importo|data|valuta|"
                       r"soll|haben|verwendung|omschrijving|mededeling")
ACCOUNT_PATTERN = (r"(?:卡号/账号|账号|帐号|卡号|账户|(?i:account(?: number| no\.?)?|iban|konto(?:nummer)?|rekening|"
                   r"(?:num[ée]ro )?(?:de )?compte))"
                   r"[\"'\s]*[:：;,\t][\"'\s:：;,\t]*\[?\s*(?=[0-9A-Za-z*\-]*\d)"  # a label, an account with a digit
                   r"([0-9A-Za-z][0-9A-Za-z*\-]{3,40}(?: [0-9A-Za-z*]{2,4})*)(?![0-9A-Za-z*\-])")
CURRENCY_PATTERN = (r"(?:币种|币别|货币|Currency|Währung|Waehrung|Devise|Valuta)\s*[:：]\s*\[?\s*"
                    r"([A-Za-z]{3}|[\u4e00-\u9fff]{1,6})")


def normal(cell: str) -> tuple[str, str]:
    """A header cell as :data:`SYNONYMS` names it, and the currency of its unit
    (``金额(元)`` is ``("金额", "CNY")``, ``CAD$`` is ``("cad", "CAD")``)."""
    text = unicodedata.normalize("NFKC", header_name(cell)).casefold()
    text = re.sub(r"[\s_]+", "", text)
    unit = ""
    match = _UNITS.search(text)
    if match:
        written = match.group(1) if match.group(1) is not None else text[:-1][-3:]
        code = currency_code(written) or ("EUR" if written in ("euro", "euros", "€") else "")
        if code or written in ("人民币元", "元"):
            unit, text = code or "CNY", text[: match.start()] if match.group(1) is not None else text[:-1]
    for suffix, code in (("euros", "EUR"), ("euro", "EUR"), ("(€)", "EUR"), ("€", "EUR")):
        if text.endswith(suffix) and len(text) > len(suffix):
            text, unit = text[: -len(suffix)], code
    match = _IN_UNIT.fullmatch(text)
    if not unit and text not in _KNOWN_NAMES and match and match.group(1) in _KNOWN_NAMES and (
            match.group(2).upper() in UNIT_CODES):  # Umsatz in EUR, Amount in USD, Debit CHF
        text, unit = match.group(1), match.group(2).upper()
    return text, unit


def map_header(cells: list[str]) -> tuple[dict[str, list[str]], dict[str, str]] | None:
    """``field -> [column names]`` (best first) and the currencies of the amount columns'
    units, when ``cells`` is a header row: a booking date and an amount, or debit and credit."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    units: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name, unit = normal(cell)
        for field, ranks in _RANK.items():
            if name in ranks:
                found.setdefault(field, []).append((ranks[name], position, header_name(cell)))
                if unit:
                    units[field] = unit
                break
    if "booking_date" not in found or not ("amount" in found or {"debit", "credit"} <= set(found)):
        return None
    return {field: [cell for _, _, cell in sorted(hits)] for field, hits in found.items()}, units


def build_profile(cells: list[str], delimiter: str, preamble: str, base: Profile | None) -> Profile | None:
    """The profile that reads a table under the header ``cells``, or ``None`` when they are
    no header."""
    mapped = map_header(cells)
    if mapped is None:
        return None
    fields, units = mapped
    columns: dict[str, str | list[str]] = {}
    for field, names in fields.items():
        if field in ("direction", "status"):
            continue
        if field == "remittance":
            columns[field] = list(dict.fromkeys(header_name(cell) for cell in cells if header_name(cell) in names))
        else:
            columns[field] = names[0]
    if "amount" in columns and {"debit", "credit"} <= set(columns):
        del columns["debit"], columns["credit"]
    elif "amount" not in columns:
        columns.pop("amount", None)
    direction = {}
    if "direction" in fields and "amount" in columns:
        direction = {"column": fields["direction"][0], "credit": [], "debit": [], "neutral": list(NEUTRAL_MARKERS),
                     "refund_column": fields.get("status", [""])[0], "refund": ["退款"]}
    status = {"column": fields["status"][0], "skip": []} if "status" in fields else {}
    words = " ".join(header_name(cell).casefold() for cell in cells)
    day_first = True if _CJK.search(words) or _EUROPEAN.search(words) else None
    currency = next((units[key] for key in ("amount", "credit", "debit") if key in units), "")
    if not currency and _CJK.search(words):
        currency = "CNY"  # a Chinese header with no 币种 anywhere (a column or the preamble, read first)
    profile = Profile(name=base.name if base else "csv", columns=columns,
                      description="bank export recognised by its header row", delimiter=delimiter,
                      decimal="auto", date_format="auto", day_first=day_first, currency=currency,
                      account_pattern=ACCOUNT_PATTERN, currency_pattern=CURRENCY_PATTERN,
                      direction=direction, status=status, blank=["/", "--", "-"])
    if base is not None:
        own = {key: getattr(base, key) for key in ("currency", "account", "account_pattern", "currency_pattern",
                                                   "day_first", "encoding", "fallback", "strip", "fee_pattern")
               if getattr(base, key) not in ("", None, "cp1252")}
        if base.decimal != ".":
            own.update(decimal=base.decimal, thousands=base.thousands)
        if base.date_format != "%Y-%m-%d":
            own["date_format"] = base.date_format
        profile = replace(profile, description=base.description or profile.description, **own)
    return profile


def with_markers(profile: Profile, values: Iterable[str]) -> Profile:
    """``profile`` with its direction's and status's values taken from those the file holds
    (``values``: the direction and status cells), known ones only: an unknown direction is
    refused by the table, naming the row."""
    if not profile.direction and not profile.status:
        return profile
    seen = set(values)
    changes = {}
    if profile.direction:
        direction = dict(profile.direction)
        direction["credit"] = sorted(v for v in seen if v.casefold() in CREDIT_MARKERS)
        direction["debit"] = sorted(v for v in seen if v.casefold() in DEBIT_MARKERS)
        changes["direction"] = direction
    if profile.status:
        changes["status"] = {"column": profile.status["column"],
                             "skip": sorted(v for v in seen if v.casefold() in NOT_BOOKED)}
    return replace(profile, **changes)


_SIGNS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB"}


def fit_to_file(profile: Profile, header: list[str], rows: list[list[str]]) -> Profile:
    """A recognised profile fitted to the file's values: its direction's and status's known
    values (:func:`with_markers`), and the currency its amounts are written with (``€12.50``,
    ``£3.00``: signs that name one currency) when nothing else named one."""
    profile = with_markers(profile, direction_values(profile, header, rows))
    profile = _valuta_as_currency(profile, header, rows)
    if profile.currency:
        return profile
    names = {profile.columns.get(key) for key in ("amount", "debit", "credit", "balance")} - {None}
    positions = [i for i, cell in enumerate(header) if header_name(cell) in names]
    found = {code for row in rows for i in positions if i < len(row)
             for sign, code in _SIGNS.items() if sign in row[i]}
    return replace(profile, currency=found.pop()) if len(found) == 1 else profile


def _valuta_as_currency(profile: Profile, header: list[str], rows: list[list[str]]) -> Profile:
    """``profile`` reading its value-date column as the currency when that column holds
    currency codes: ``Valuta`` is the value date in German and Dutch, the currency in Swedish
    and Danish (Nordea: ``Valuta`` SEK)."""
    name = profile.columns.get("value_date")
    if not name or "currency" in profile.columns:
        return profile
    position = next(i for i, cell in enumerate(header) if header_name(cell) == name)
    values = {row[position].strip() for row in rows if position < len(row) and row[position].strip()}
    if not values or not all(re.fullmatch(r"[A-Z]{3}", value) for value in values):
        return profile
    columns = {key: value for key, value in profile.columns.items() if key != "value_date"}
    return replace(profile, columns={**columns, "currency": name})


def recognise_cells(rows: list[list[str]], base: Profile | None = None,
                    delimiter: str = ",") -> tuple[Profile, int, list[str]] | None:
    """The profile of the first header row among ``rows`` (a spreadsheet's), the index of the
    header's last row and its cells: a header written on two rows (``交易金额`` merged over
    ``收入 | 支出``) reads as one, the second row's names under the first's."""
    for index, row in enumerate(rows[:HEADER_SEARCH_LINES]):
        preamble = "\n".join(" ".join(cells) for cells in rows[:index])
        if build_profile(row, delimiter, preamble, base) is None:
            continue
        combined = two_row_header(row, rows[index + 1]) if index + 1 < len(rows) else None
        header, last = (combined, index + 1) if combined else (row, index)
        profile = build_profile(header, delimiter, preamble, base)
        assert profile is not None  # a header with more known columns is one too
        return profile, last, header
    return None


def two_row_header(first: list[str], second: list[str]) -> list[str] | None:
    """The header ``first`` and ``second`` make when ``second`` continues it: a row of names
    only (no digit) that makes more columns known, its names standing where it has them."""
    if not any(cell.strip() for cell in second) or any(char.isdigit() for cell in second for char in cell):
        return None
    width = max(len(first), len(second))
    combined = [second[i] if i < len(second) and second[i].strip() else (first[i] if i < len(first) else "")
                for i in range(width)]
    before, after = map_header(first), map_header(combined)
    if before is None or after is None:
        return None
    known = sum(len(names) for names in after[0].values())
    return combined if known > sum(len(names) for names in before[0].values()) else None


def recognise_lines(lines: list[str], base: Profile | None = None) -> tuple[Profile, int] | None:
    """The profile of the first header line among ``lines`` and its index, the delimiter
    the one that splits it into the most known columns."""
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        best: tuple[int, str, list[str]] | None = None
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            cells = split_line(line, delimiter)
            mapped = map_header(cells)
            if mapped is not None:
                count = sum(len(names) for names in mapped[0].values())
                if best is None or count > best[0]:
                    best = (count, delimiter, cells)
        if best is not None:
            profile = build_profile(best[2], best[1], "\n".join(lines[:index]), base)
            if profile is not None:
                return profile, index
    return None


def no_header(path: str, lines: int, what: str = "lines") -> InputError:
    return InputError(path, f"{what} 1-{lines}", "no header row naming a booking date and an amount (or debit and "
                      "credit columns) in a known language: write a profile for this export ([csv_profiles.NAME])")


def direction_values(profile: Profile, header: list[str], rows: Iterable[list[str]]) -> list[str]:
    """The values the file holds in its direction and status columns."""
    positions = [i for i, cell in enumerate(header) if header_name(cell) in
                 {profile.direction.get("column"), profile.status.get("column")} - {None}]
    return [row[i].strip() for row in rows for i in positions if i < len(row)]


class HeaderCsvParser:
    """Bank CSV exports no profile knows, read by their header row: format ``csv``.

    ``others``: the parsers that come first (detection leaves to them what they know)."""

    name = "csv"
    description = "bank CSV export recognised by its header row"

    def __init__(self, others: Callable[[], Iterable]):
        self.others = others

    def detect(self, data: bytes) -> bool:
        try:
            lines = decode_export(head_lines(data), "")
        except InputError:
            return False
        if recognise_lines(lines[:HEADER_SEARCH_LINES]) is None:
            return False
        return not any(parser.detect(data) for parser in self.others() if parser is not self)

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        if len(data) > max_bytes:
            raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
        check_lines(data, path, MAX_RECORD_SIZE)
        return read_recognised(path, decode_export(data, path, encoding))


def decode_export(data: bytes, path: str, encoding: str | None = None) -> list[str]:
    """The lines of an export of unknown origin: UTF-8 (or its byte order mark's encoding)
    when it is, else GB18030 (Chinese banks) or cp1252 (Western ones), whichever makes the
    more columns of a header row known (on a tie, the one that does not put Chinese characters
    inside Latin words, as GB18030 does with cp1252's umlauts: ``Empf鋘ger``); the configured
    ``encoding`` when there is one."""
    if encoding:
        return decode(data, path, encoding).splitlines()
    candidates, problem = [], None
    for fallback in ("gb18030", "cp1252"):
        try:
            lines = decode(data, path, None, fallback=fallback).splitlines()
        except InputError as exc:
            problem = problem or exc
            continue
        found = recognise_lines(lines[:HEADER_SEARCH_LINES])
        head = lines[:HEADER_SEARCH_LINES]
        misread = sum(len(_MISREAD.findall(line)) for line in head)
        candidates.append((len(found[0].required_headers()) if found else 0, -misread, -len(candidates), lines))
        if _is_utf8(data):
            break
    if not candidates:
        assert problem is not None
        raise problem
    return max(candidates)[-1]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data[:2] in (b"\xff\xfe", b"\xfe\xff")
    return True


def read_recognised(path: str, lines: list[str], base: Profile | None = None) -> list[Statement]:
    found = recognise_lines(lines[:HEADER_SEARCH_LINES], base)
    if found is None:
        raise no_header(path, min(len(lines), HEADER_SEARCH_LINES))
    profile, header_at = found
    header = split_line(lines[header_at], profile.delimiter)
    body = [split_line(line, profile.delimiter) for line in lines[header_at + 1:]]
    return csv_statements(path, fit_to_file(profile, header, body), lines, header_at)
