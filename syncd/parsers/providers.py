"""Payment providers' reports: Stripe, PayPal and Adyen.

A provider pays out to the bank one sum for many customer payments, less its fees and the
refunds. The bank statement shows only that sum; to reconcile it, the provider's report is
read into the provider's own journal in Odoo.

**Gross and net.** By default (``fees = "separate"``) a row becomes its gross amount and,
beside it, the provider's fee as a transaction of its own (an expense, the amount also in
``fees``); the payout is money leaving the provider's balance for the bank. So in the
provider's journal a customer's payment is the invoice's amount (it reconciles with the
invoice exactly, with no write-off), the fees land on their own lines (bank charges), and
the payout line is the sum of the nets of the rows it carries, which is the amount the bank
receives: the bank journal's line and the provider journal's payout line are one internal
transfer and reconcile with each other. ``NAME:net`` (``paypal:net``, ``stripe:net``,
``adyen:net`` as ``--format`` or a source's ``format``) reads one line per row instead, at
its net amount, the fee kept in ``fees``: the payout reconciles the same way, but each
invoice is then short of its fee (for books that do not follow fees line by line).

**What moves money.** Rows that are not on the provider's balance are read and left out of
the transactions, counted in the statement's ``left_out`` by their status, never dropped
silently:

- PayPal: ``Completed`` rows move money, and so do ``Reversed``, ``Refunded`` and
  ``Partially Refunded`` ones (the payment was made; the reversal or refund is a row of its
  own). ``Pending``, ``Denied``, ``Canceled``, ``Held``, ``Failed``... rows (and those whose
  ``Balance Impact`` is ``Memo``) do not, unless the report's ``Balance`` column shows that
  they did: a row whose balance is the previous row's plus its net moved money whatever its
  status says (PayPal funds a payment from the bank with a ``Pending`` deposit that is on
  the balance at once, and holds an authorization's amount with a ``Pending`` row). The
  activity download and the monthly statement layout (``Description`` in place of ``Type``,
  no ``Status``: every row is balance-affecting) are both read, with English or German
  headers and a decimal comma where the file has one. The ``Balance`` column gives each
  currency's statement its opening and closing balance; a file with several currencies gives
  one statement per currency, a currency conversion being a row in each, each row
  carrying the other's amount as its original amount and currency.
- Stripe: every balance transaction is on the Stripe balance from its creation (a pending
  one is in the pending part of it until ``available_on``), so all are read; rows of the
  itemized payout reconciliation report that no payout carries yet are the statement
  ``not paid out yet``. The balance history exports (``id,Type,Source,Amount,Fee,Net,...``,
  and ``balance_transaction_id,created_utc,...`` without payouts) are read by currency, a
  ``payout`` row being the money leaving for the bank.
- Adyen: the settlement details report lists what was booked, batch by batch, each closed by
  its ``MerchantPayout``; every row is read. The payment accounting report follows each
  payment through its life: only records booked on the balance (``Settled``, ``Refunded``,
  ``Chargeback``, fees, ...; any other with a payable amount) are read, the others
  (``Received``, ``Authorised``, ``SentForSettle``, ``Refused``, ``Cancelled``...) are left
  out by their record type.

A row whose gross and fee do not make its net is refused, naming the line. Reports are CSV
files recognised by their header row; amounts are decimal strings, never floats.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from syncd.caps import MAX_RECORD_SIZE
from syncd.errors import InputError, UserError
from syncd.parsers.csvprofile import checked_rows
from syncd.parsers.text import check_lines, decode, head_lines
from syncd.records import SourceRef, Statement, Transaction
from syncd.safexml import DEFAULT_MAX_BYTES

FEE_MODES = ("separate", "net")
_DELIMITERS = (",", ";", "\t")


@dataclass
class _Row:
    line: int
    cells: dict


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return [cell.strip().lstrip("\ufeff").strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
    except csv.Error:
        return []


def _find_header(lines: list[str], layouts: tuple[set[str], ...]) -> tuple[int, str, set[str]] | None:
    """The index of the header row, its delimiter and the layout it fits."""
    for index, line in enumerate(lines[:20]):
        for delimiter in _DELIMITERS:
            if delimiter not in line:
                continue
            cells = set(_cells(line, delimiter))
            for layout in layouts:
                if layout <= cells:
                    return index, delimiter, layout
    return None


class _Report:
    """A provider report read as rows of named cells."""

    def __init__(self, path: str, text: str, layouts: tuple[set[str], ...]):
        self.path = path
        lines = text.splitlines()
        found = _find_header(lines, layouts)
        if found is None:
            wanted = " or ".join(", ".join(sorted(layout)) for layout in layouts)
            raise InputError(path, "line 1", f"no header row with {wanted}")
        header_at, self.delimiter, self.layout = found
        header = _cells(lines[header_at], self.delimiter)
        self.columns = set(header)
        body = "\n".join(lines[header_at + 1:])
        self.rows = []
        for line, row in checked_rows(csv.reader(io.StringIO(body), delimiter=self.delimiter), path, header_at + 2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header) or any(cell.strip() for cell in row[len(header):]):
                raise InputError(path, f"line {line}", f"{len(row)} cells, but the header has {len(header)}")
            self.rows.append(_Row(line, dict(zip(header, (cell.strip() for cell in row), strict=False))))

    def error(self, row: _Row, reason: str) -> InputError:
        return InputError(self.path, f"line {row.line}", reason)

    def money(self, row: _Row, column: str, required: bool = True) -> Decimal:
        raw = row.cells.get(column, "")
        text = raw.replace(" ", "").replace("\u00a0", "").replace("'", "")
        if not text and not required:
            return Decimal(0)
        if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})*,\d+|[+-]?\d+,\d{1,2}", text):  # 1.234,56 or 12,5
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            raise self.error(row, f"{column} {raw!r} is not an amount")
        return Decimal(text)

    def day(self, row: _Row, column: str, formats: tuple[str, ...]) -> date:
        text = row.cells.get(column, "")
        for form in formats:
            try:  # the format's width of the text: a time zone or seconds after it are no matter
                return datetime.strptime(text[: len(datetime(2000, 1, 1).strftime(form))], form).date()
            except ValueError:
                continue
        raise self.error(row, f"{column} {text!r} is not a date")

    def currency(self, row: _Row, column: str) -> str:
        code = row.cells.get(column, "").upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise self.error(row, f"{column} {row.cells.get(column, '')!r} is not an ISO 4217 code")
        return code


class _Ledger:
    """The provider account's transactions by group (a payout, or a currency where the report
    does not tie rows to payouts), each row as gross and fee or as its net."""

    def __init__(self, report: _Report, account: str, fees: str, provider: str):
        self.report = report
        self.account = account
        self.fees = fees
        self.provider = provider
        self.groups: dict[str, list[Transaction]] = {}
        self.left_out: dict[str, dict[str, int]] = {}
        self.balances: dict[str, tuple[Decimal | None, Decimal | None]] = {}
        self.currencies: dict[str, str] = {}

    def open(self, group: str, currency: str):
        self.groups.setdefault(group, [])
        if self.currencies.get(group, "XXX") == "XXX":  # a row without currency came first
            self.currencies[group] = currency

    def add(self, group: str, row: _Row, currency: str, day: date, amount: Decimal, **fields):
        self.open(group, currency)
        if amount:
            self.groups[group].append(Transaction(
                account=self.account, currency=currency, booking_date=day, amount=amount,
                source=SourceRef(self.report.path, f"line {row.line}"), statement_id=group, **fields))

    def row(self, group: str, row: _Row, currency: str, day: date, gross: Decimal, fee: Decimal, ref: str,
            **fields):
        """A row of the report: ``gross`` signed from the provider account's view, ``fee`` what
        the provider took on it (positive; negative when a fee is given back)."""
        if self.fees == "net":
            self.add(group, row, currency, day, gross - fee, bank_ref=ref, fees=fee if fee else None, **fields)
            return
        self.add(group, row, currency, day, gross, bank_ref=ref, **fields)
        self.add(group, row, currency, day, -fee, remittance=f"{self.provider} fee {ref}", bank_ref=f"{ref}/fee",
                 fees=fee if fee else None)

    def payout(self, group: str, row: _Row, currency: str, day: date, amount: Decimal, ref: str):
        """The payout to the bank (``amount`` negative: money leaving the provider account)."""
        self.add(group, row, currency, day, amount, remittance=f"Payout {ref} to the bank", bank_ref=ref)

    def leave_out(self, group: str, currency: str, reason: str):
        self.open(group, currency)
        counts = self.left_out.setdefault(group, {})
        counts[reason] = counts.get(reason, 0) + 1

    def statements(self) -> list[Statement]:
        statements = []
        for group, txs in self.groups.items():
            currency = self.currencies[group]
            opening, closing = self.balances.get(group, (None, None))
            statements.append(Statement(
                statement_id=group, account=self.account, currency=currency,
                source=txs[0].source if txs else SourceRef(self.report.path, "line 1"), transactions=tuple(txs),
                opening_balance=opening, closing_balance=closing,
                statement_date=max(tx.booking_date for tx in txs) if txs else None,
                left_out=tuple(self.left_out.get(group, {}).items())))
        return statements


def _read(parser, data: bytes, path: str, max_bytes: int, encoding: str | None) -> _Report:
    if len(data) > max_bytes:
        raise InputError(path, "", f"file is {len(data)} bytes, more than the limit of {max_bytes} bytes")
    check_lines(data, path, MAX_RECORD_SIZE)  # a row is one line or more
    report = _Report(path, decode(data, path, encoding), parser.layouts)
    if not report.rows:
        raise InputError(path, "line 2", "the report has no rows")
    return report


def _detect(data: bytes, layouts: tuple[set[str], ...]) -> bool:
    try:
        head = decode(head_lines(data), "").splitlines()[:20]
    except InputError:
        return False
    return _find_header(head, layouts) is not None


class _Provider:
    """What the three reports share: detection by header, the fee mode as an option."""

    name = ""
    layouts: tuple[set[str], ...] = ()

    def __init__(self, fees: str = "separate"):
        self.fees = fees
        if fees != "separate":
            self.name = f"{type(self).name}:{fees}"

    def configured(self, option: str):
        """The parser of ``NAME:net`` or ``NAME:separate``."""
        if option not in FEE_MODES:
            raise UserError(f"format {type(self).name}:{option}: the option is net (one line per row, at its net "
                            "amount) or separate (gross and fee lines, the default)")
        return type(self)(option)

    def detect(self, data: bytes) -> bool:
        return _detect(data, self.layouts)


def _span(txs: list[tuple[date, object]]) -> str:
    days = [day for day, _ in txs]
    return f"{min(days).isoformat()}..{max(days).isoformat()}" if days else ""


_STRIPE_DAYS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y")


class StripeParser(_Provider):
    """Stripe's reports: the itemized payout reconciliation (each automatic payout's balance
    transactions; the payout is their net sum) and the balance history exports."""

    name = "stripe"
    description = "Stripe payout reconciliation or balance history report"
    layouts = ({"balance_transaction_id", "gross", "fee", "net", "currency", "created_utc"},
               {"id", "Type", "Amount", "Fee", "Net", "Currency"})

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        if "balance_transaction_id" in report.layout:
            return self._reporting(report)
        return self._dashboard(report)

    def _reporting(self, report: _Report) -> list[Statement]:
        """The Reporting API's layouts: by payout when the report names them, else by currency."""
        ledger = _Ledger(report, "stripe", self.fees, "Stripe")
        by_payout = "automatic_payout_id" in report.columns
        last: dict[str, tuple[_Row, str, date]] = {}
        rows = []
        for row in report.rows:
            currency = report.currency(row, "currency")
            day = report.day(row, "created_utc", _STRIPE_DAYS)
            gross, fee, net = report.money(row, "gross"), report.money(row, "fee"), report.money(row, "net")
            if gross - fee != net:
                raise report.error(row, f"gross {gross} less fee {fee} is not net {net}")
            rows.append((row, currency, day, gross, fee))
        spans: dict[str, list] = {}
        for row, currency, day, _gross, _fee in rows:
            spans.setdefault(currency, []).append((day, row))
        for row, currency, day, gross, fee in rows:
            ref = row.cells["balance_transaction_id"]
            if by_payout:
                group = row.cells.get("automatic_payout_id") or "not paid out yet"
            else:
                group = f"{currency}:{_span(spans[currency])}"
            category = row.cells.get("reporting_category", "")
            if category == "payout" and not by_payout:
                ledger.payout(group, row, currency, day, gross, row.cells.get("source_id") or ref)
                continue
            text = " ".join(filter(None, (row.cells.get("invoice_number", ""), row.cells.get("description", ""))))
            ledger.row(group, row, currency, day, gross, fee, ref, remittance=text,
                       counterparty_name=row.cells.get("customer_name", ""),
                       end_to_end_id=row.cells.get("payment_intent_id") or row.cells.get("source_id", ""))
            if by_payout and row.cells.get("automatic_payout_id"):
                effective = row.cells.get("automatic_payout_effective_at", "")
                last[group] = (row, currency, report.day(row, "automatic_payout_effective_at", _STRIPE_DAYS)
                               if effective else day)
        for payout, (row, currency, day) in last.items():
            net = sum((tx.amount for tx in ledger.groups[payout]), Decimal(0))
            ledger.payout(payout, row, currency, day, -net, payout)
        return ledger.statements()

    def _dashboard(self, report: _Report) -> list[Statement]:
        """The Dashboard's balance history export: ``id,Type,Source,Amount,Fee,Net,...``."""
        ledger = _Ledger(report, "stripe", self.fees, "Stripe")
        created = next((c for c in ("Created (UTC)", "Created date (UTC)", "Created") if c in report.columns), "")
        if not created:
            raise InputError(report.path, "line 1", "no Created (UTC) column")
        rows = []
        for row in report.rows:
            currency = report.currency(row, "Currency")
            day = report.day(row, created, _STRIPE_DAYS)
            gross, fee, net = report.money(row, "Amount"), report.money(row, "Fee"), report.money(row, "Net")
            if gross - fee != net:
                raise report.error(row, f"Amount {gross} less Fee {fee} is not Net {net}")
            rows.append((row, currency, day, gross, fee))
        spans: dict[str, list] = {}
        for row, currency, day, _gross, _fee in rows:
            spans.setdefault(currency, []).append((day, row))
        for row, currency, day, gross, fee in rows:
            group = f"{currency}:{_span(spans[currency])}"
            ref, source = row.cells["id"], row.cells.get("Source", "")
            if row.cells["Type"].lower() == "payout":
                ledger.payout(group, row, currency, day, gross, source or ref)
                continue
            ledger.row(group, row, currency, day, gross, fee, ref, remittance=row.cells.get("Description", ""),
                       end_to_end_id=source)
        return ledger.statements()


#: PayPal's column names, English first, then German (the activity download and the statement)
_PAYPAL_COLUMNS = {
    "date": ("Date", "Datum", "Fecha", "日期"),
    "time": ("Time", "Uhrzeit", "Heure", "Hora", "时间"),
    "type": ("Type", "Typ", "Tipo", "类型", "Description", "Beschreibung", "Descripción", "描述"),
    "status": ("Status", "Statut", "Estado", "状态"),
    "currency": ("Currency", "Währung", "Devise", "Divisa", "Moneda", "币种"),
    "gross": ("Gross", "Brutto", "Avant commission", "Bruto", "总额"),
    "fee": ("Fee", "Gebühr", "Commission", "Tarifa", "Comisión", "费用"),
    "net": ("Net", "Netto", "Neto", "净额"),
    "balance": ("Balance", "Guthaben", "Saldo", "Solde", "余额"),
    "id": ("Transaction ID", "Transaktionscode", "Numéro de transaction", "Id. de transacción", "交易号"),
    "name": ("Name", "Nom", "Nombre", "名称"),
    "email": ("From Email Address", "Absender E-Mail-Adresse", "De l'adresse email", "发件人邮箱地址"),
    "reference": ("Reference Txn ID", "Zugehöriger Transaktionscode", "Numéro de la transaction de référence",
                  "参考交易号"),
    "invoice": ("Invoice Number", "Invoice ID", "Rechnungsnummer", "Numéro de facture", "Número de factura", "账单号"),
    "item": ("Item Title", "Artikelbezeichnung", "Titre de l'objet", "物品名称"),
    "note": ("Note", "Hinweis", "Remarque", "Nota", "备注"),
    "zone": ("TimeZone", "Time Zone", "Zeitzone", "Fuseau horaire", "Zona horaria", "时区"),
    "impact": ("Balance Impact", "Auswirkung auf Guthaben", "Impact sur le solde", "Impacto en el saldo", "余额影响"),
}
#: the columns a PayPal header must have, in each language it is written in
_PAYPAL_LAYOUTS = (
    {"Date", "Currency", "Gross", "Fee", "Net", "Transaction ID"},
    {"Datum", "Währung", "Brutto", "Gebühr", "Netto", "Transaktionscode"},
    {"Date", "Devise", "Avant commission", "Commission", "Net", "Numéro de transaction"},
    {"Fecha", "Divisa", "Bruto", "Tarifa", "Neto", "Id. de transacción"},
    {"日期", "币种", "总额", "费用", "净额", "交易号"},
)
#: statuses of rows that moved money (a reversal or refund is a row of its own)
_PAYPAL_MOVED = {"completed", "abgeschlossen", "terminé", "completado", "已完成", "完了", "cleared",
                 "reversed", "refunded", "partially refunded", "storniert", "erstattet", "teilweise erstattet",
                 "remboursé", "reembolsado", "已退款", ""}
_WITHDRAWAL = re.compile(r"withdraw|auszahlung|retrait|retiro|提现", re.IGNORECASE)
#: time zones of the Americas: PayPal writes their dates month first
_MONTH_FIRST_ZONES = re.compile(r"^(P|M|C|E|AK|H)[SD]T$|^America/", re.IGNORECASE)


def _paypal_days(report: _Report, column: dict) -> tuple[str, ...]:
    """The date formats of this file: ``05/01/2026`` is day first if any date of the file has
    a first number above 12, or the time zone is European; month first otherwise."""
    first = second = False
    for row in report.rows:
        match = re.match(r"\s*(\d{1,2})/(\d{1,2})/", row.cells.get(column["date"], ""))
        if match:
            first |= int(match[1]) > 12
            second |= int(match[2]) > 12
    zone = report.rows[0].cells.get(column["zone"], "") if column["zone"] else ""
    day_first = first or (not second and bool(zone) and not _MONTH_FIRST_ZONES.search(zone.strip()))
    slashes = ("%d/%m/%Y", "%d/%m/%y") if day_first else ("%m/%d/%Y", "%m/%d/%y")
    return ("%d.%m.%Y", *slashes, "%Y-%m-%d", "%Y/%m/%d")


class PaypalParser(_Provider):
    """PayPal's activity download and its monthly statement (CSV): payments, refunds and their
    fees, currency conversions, and withdrawals to the bank, by currency. The report does not
    say which payments a withdrawal carries: each withdrawal is a transaction the bank's line
    is matched to."""

    name = "paypal"
    description = "PayPal activity or statement report"
    layouts = _PAYPAL_LAYOUTS

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        column = {key: next((n for n in names if n in report.columns), "") for key, names in _PAYPAL_COLUMNS.items()}
        rows = []
        days = _paypal_days(report, column)
        for row in report.rows:
            currency = report.currency(row, column["currency"])
            day = report.day(row, column["date"], days)
            gross, net = report.money(row, column["gross"]), report.money(row, column["net"])
            fee = report.money(row, column["fee"], False)
            if gross + fee != net:
                if gross - fee != net:
                    raise report.error(row, f"{column['gross']} {gross} and {column['fee']} {fee} do not make "
                                       f"{column['net']} {net}")
                fee = -fee  # a fee written positive
            balance = report.money(row, column["balance"], False) if row.cells.get(column["balance"]) else None
            status = row.cells.get(column["status"], "") if column["status"] else ""
            if column["impact"] and row.cells.get(column["impact"], "").lower() == "memo":
                status = f"{status} (Balance Impact Memo)".strip()
            rows.append((row, currency, day, gross, fee, net, balance, status))
        by_currency: dict[str, list] = {}
        for item in rows:
            by_currency.setdefault(item[1], []).append(item)
        ledger = _Ledger(report, "paypal", self.fees, "PayPal")
        conversions = _conversions(rows, column)
        for currency, items in by_currency.items():
            group = f"{currency}:{_span([(item[2], None) for item in items])}"
            ledger.open(group, currency)
            self._currency(report, ledger, group, currency, _chronological(items), column, conversions)
        return ledger.statements()

    def _currency(self, report: _Report, ledger: _Ledger, group: str, currency: str, items: list, column: dict,
                  conversions: dict[int, tuple[str, Decimal]]):
        before: Decimal | None = None
        opening: Decimal | None = None
        closing: Decimal | None = None
        for row, _currency, day, gross, fee, net, balance, status in items:
            moved = status.strip().lower() in _PAYPAL_MOVED
            if not moved and balance is not None and before is not None and net and balance - before == net:
                moved = True  # the Balance column shows it moved, whatever its status says
            if balance is not None:
                if opening is None:
                    opening = balance - (net if moved else 0)
                before = closing = balance
            if not moved:
                ledger.leave_out(group, currency, f"status {status}: not on the PayPal balance")
                continue
            ref = row.cells[column["id"]]
            kind = row.cells.get(column["type"], "") if column["type"] else ""
            text = " ".join(filter(None, (row.cells.get(column["invoice"], "") if column["invoice"] else "",
                                          row.cells.get(column["item"], "") if column["item"] else "",
                                          row.cells.get(column["note"], "") if column["note"] else "")))
            if _WITHDRAWAL.search(kind) and gross < 0:
                ledger.payout(group, row, currency, day, net, ref)
                continue
            original_currency, original_amount = conversions.get(row.line, ("", None))
            ledger.row(group, row, currency, day, gross, -fee, ref, remittance=text or kind.strip(),
                       original_currency=original_currency, original_amount=original_amount,
                       counterparty_name=row.cells.get(column["name"], "") if column["name"] else "",
                       counterparty_account=row.cells.get(column["email"], "") if column["email"] else "",
                       end_to_end_id=row.cells.get(column["reference"], "") if column["reference"] else "")
        ledger.balances[group] = (opening, closing)


_CONVERSION = re.compile(r"conversion|umrechnung|conversión|转换", re.IGNORECASE)


def _conversions(rows: list, column: dict) -> dict[int, tuple[str, Decimal]]:
    """The two rows of each currency conversion (same date, time and reference, two
    currencies): each row's line -> the other row's currency and amount, signed like its own
    (``-200.00 USD`` was converted into ``183.40 EUR``: the EUR row's original is ``200.00 USD``)."""
    pairs: dict[tuple, list] = {}
    for row, currency, day, _gross, _fee, net, _balance, _status in rows:
        kind = row.cells.get(column["type"], "") if column["type"] else ""
        if _CONVERSION.search(kind):
            time = row.cells.get(column["time"], "") if column["time"] else ""
            reference = row.cells.get(column["reference"], "") if column["reference"] else ""
            pairs.setdefault((day, time, reference), []).append((row.line, currency, net))
    found = {}
    for pair in pairs.values():
        if len(pair) == 2 and pair[0][1] != pair[1][1]:
            (line_a, currency_a, net_a), (line_b, currency_b, net_b) = pair
            found[line_a] = (currency_b, -net_b)
            found[line_b] = (currency_a, -net_a)
    return found


def _chronological(items: list) -> list:
    """The rows of one currency oldest first: PayPal writes newest first in some downloads.
    The order is the one in which more rows' balances follow from the previous row's."""
    if len(items) < 2:
        return items

    def fits(ordered: list) -> int:
        return sum(1 for prev, cur in zip(ordered, ordered[1:], strict=False)
                   if prev[6] is not None and cur[6] is not None and cur[6] - prev[6] == cur[5])

    backwards = list(reversed(items))
    if items[0][2] > items[-1][2] or (items[0][2] == items[-1][2] and fits(backwards) > fits(items)):
        return backwards
    return items


_ADYEN_DAYS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y")
_ADYEN_FEES = ("Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)")
_ADYEN_ACCOUNTING_FEES = ("Commission (SC)", "Markup (SC)", "Scheme Fees (SC)", "Interchange (SC)")
#: payment accounting records booked on the merchant's balance
_ADYEN_BOOKED = {"settled", "settledbulk", "refunded", "refundedbulk", "chargeback", "chargebackreversed",
                 "secondchargeback", "refundedreversed", "chargebackexternally", "refundedexternally",
                 "fee", "misccosts", "paymentcost", "depositcorrection", "invoicededuction", "balancetransfer",
                 "manualcorrected", "merchantpayout", "reserveadjustment", "settledexternally"}


class AdyenParser(_Provider):
    """Adyen's settlement details report (each batch's settled payments, refunds and fees, and
    the merchant payout that closes it) and payment accounting report (booked records only)."""

    name = "adyen"
    description = "Adyen settlement details or payment accounting report"
    layouts = ({"Merchant Account", "Psp Reference", "Type", "Net Currency", "Net Debit (NC)", "Net Credit (NC)",
                "Batch Number"},
               {"Merchant Account", "Psp Reference", "Record Type", "Booking Date", "Settlement Currency",
                "Payable (SC)"})

    def parse(self, data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
              encoding: str | None = None) -> list[Statement]:
        report = _read(self, data, path, max_bytes, encoding)
        ledger = _Ledger(report, f"adyen:{report.rows[0].cells['Merchant Account']}", self.fees, "Adyen")
        if "Record Type" in report.layout:
            return self._accounting(report, ledger)
        created = next((c for c in ("Creation Date", "Booking Date", "Date") if c in report.columns), "Creation Date")
        for row in report.rows:
            batch = f"batch {row.cells['Batch Number']}"
            kind, ref = row.cells["Type"], row.cells["Psp Reference"]
            net = report.money(row, "Net Credit (NC)", False) - report.money(row, "Net Debit (NC)", False)
            fee = sum((report.money(row, column, False) for column in _ADYEN_FEES), Decimal(0))
            if not net and not fee and not row.cells.get("Net Currency"):
                ledger.leave_out(batch, ledger.currencies.get(batch, "") or "XXX",
                                 f"{kind or 'row'} without an amount or currency")
                continue
            currency = report.currency(row, "Net Currency")
            day = report.day(row, created, _ADYEN_DAYS)
            if kind == "MerchantPayout":
                ledger.payout(batch, row, currency, day, net, ref or batch)
                continue
            ledger.row(batch, row, currency, day, net + fee, fee,
                       row.cells.get("Modification Reference") or ref or f"{batch}/{kind}/line {row.line}",
                       remittance=row.cells.get("Merchant Reference", "") or kind,
                       end_to_end_id=row.cells.get("Modification Reference", ""))
        return ledger.statements()

    def _accounting(self, report: _Report, ledger: _Ledger) -> list[Statement]:
        items = []
        for row in report.rows:
            kind = row.cells["Record Type"]
            currency = row.cells.get("Settlement Currency", "") or row.cells.get("Main Currency", "")
            payable = report.money(row, "Payable (SC)", False)
            fee = sum((report.money(row, column, False) for column in _ADYEN_ACCOUNTING_FEES
                       if column in report.columns), Decimal(0))
            booked = kind.lower() in _ADYEN_BOOKED or bool(payable)
            day = report.day(row, "Booking Date", _ADYEN_DAYS)
            items.append((row, kind, currency.upper(), payable, fee, booked, day))
        by_currency: dict[str, list] = {}
        for item in items:
            if item[2]:
                by_currency.setdefault(item[2], []).append(item)
        groups = {currency: f"{currency}:{_span([(i[6], None) for i in group])}"
                  for currency, group in by_currency.items()}
        for row, kind, currency, payable, fee, booked, day in items:
            if not booked:
                group = groups.get(currency) or next(iter(groups.values()), "")
                if not group:
                    continue
                ledger.leave_out(group, currency or group.split(":")[0],
                                 f"record type {kind}: not booked on the Adyen balance")
                continue
            currency = report.currency(row, "Settlement Currency")
            ref = row.cells["Psp Reference"]
            if kind == "MerchantPayout":
                ledger.payout(groups[currency], row, currency, day, payable, ref or kind)
                continue
            ledger.row(groups[currency], row, currency, day, payable + fee, fee, f"{ref}/{kind}",
                       remittance=row.cells.get("Merchant Reference", "") or kind,
                       end_to_end_id=row.cells.get("Modification Merchant Reference", ""))
        statements = ledger.statements()
        if not statements:
            raise InputError(report.path, "line 2", "no record with a settlement currency")
        return statements


STRIPE, PAYPAL, ADYEN = StripeParser(), PaypalParser(), AdyenParser()
