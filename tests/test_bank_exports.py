"""Bank exports without a profile (read by their header row) and spreadsheets (.xlsx, .xls).

The samples in tests/data/exports and tests/data/sheets are compared with their golden files
by tests/test_goldens.py; regenerate them with ``python -m syncd.parsers.golden
tests/data/exports`` (or ``sheets``). These tests pin each class of quirk and of refusal.
"""

from __future__ import annotations

import io
import random
import string
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import PARSERS, detect_format, register_user_profiles
from syncd.parsers.cells import DateColumn, amount_style, currency_code, parse_amount
from syncd.parsers.golden import samples
from syncd.parsers.headers import map_header
from syncd.parsers.sheets import MAX_MEMBERS, is_xlsx
from tests.goldens import mutate

try:  # where reading a file whole lives (main moved it out of the engine)
    from syncd.reading import read_file
except ImportError:  # pragma: no cover - before that move
    from syncd.engine import read_file

EXPORTS = Path(__file__).parent / "data" / "exports"
SHEETS = Path(__file__).parent / "data" / "sheets"


def parse(data: bytes, name: str = "export.csv"):
    return detect_format(data, name).parse(data, name)


def refusal(data: bytes, name: str = "export.csv") -> str:
    with pytest.raises(InputError) as info:
        parse(data, name)
    assert name in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("header, expected", [
    ("交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号",
     {"booking_date": "交易日期", "debit": "借方发生额", "credit": "贷方发生额", "balance": "余额"}),
    ("记账日期,交易日期,金额,账户余额,币种,用途,附言",
     {"booking_date": "记账日期", "amount": "金额", "balance": "账户余额", "currency": "币种"}),
    ("交易时间,收/支,交易金额,对方户名,摘要", {"booking_date": "交易时间", "amount": "交易金额",
                                              "direction": "收/支", "counterparty_name": "对方户名"}),
    ("Transaction Date,Posting Date,Description,Withdrawals,Deposits,Balance",
     {"booking_date": "Posting Date", "debit": "Withdrawals", "credit": "Deposits"}),
    ("Date,Details,Money out,Money in,Balance", {"booking_date": "Date", "debit": "Money out", "credit": "Money in"}),
    ("Buchungstag,Valutadatum,Empfänger,Verwendungszweck,Betrag", {"booking_date": "Buchungstag",
                                                                   "value_date": "Valutadatum", "amount": "Betrag"}),
    ("Datum,Naam,Af Bij,Bedrag,Mededelingen", {"booking_date": "Datum", "amount": "Bedrag", "direction": "Af Bij"}),
    ("Date opération,Libellé,Débit,Crédit", {"booking_date": "Date opération", "debit": "Débit", "credit": "Crédit"}),
])
def test_header_rows_in_their_languages(header, expected):
    fields, _units = map_header(header.split(","))
    assert {field: names[0] for field, names in fields.items() if field in expected} == expected


def test_a_row_without_date_or_amount_is_no_header():
    assert map_header(["Date", "Description"]) is None
    assert map_header(["交易金额", "摘要"]) is None


@pytest.mark.parametrize("text, decimal, expected", [
    ("1,234.56", ".", "1234.56"), ("1.234,56", ",", "1234.56"), ("1 234,56", ",", "1234.56"),
    ("1\u00a0234,56", ",", "1234.56"), ("¥1,234.56", ".", "1234.56"), ("￥(34.56)", ".", "-34.56"),
    ("-¥200.00", ".", "-200.00"), ("+12.00", ".", "12.00"), ("(12.50)", ".", "-12.50"), ("12,50-", ",", "-12.50"),
    ("EUR 12.50", ".", "12.50"), ("$1,000.00", ".", "1000.00"), ("€ -3,10", ",", "-3.10"), ("", ".", None),
])
def test_amounts_as_banks_write_them(text, decimal, expected):
    thousands = "," if decimal == "." else "."
    value = parse_amount(text, decimal, thousands)
    assert value == (None if expected is None else Decimal(expected))


def test_the_decimal_mark_is_decided_by_the_column():
    assert amount_style(["1.234", "12,50"]) == (",", ".")  # 12,50 tells: 1.234 is a thousand
    assert amount_style(["1,234", "12.50"]) == (".", ",")
    assert amount_style(["1,234"], default_decimal=",") == (",", ".")  # nothing tells: the default
    with pytest.raises(ValueError, match="mix decimal marks"):
        amount_style(["1.234,50", "1,234.50"])


def test_dates_are_decided_by_the_whole_column():
    assert DateColumn(["03/04/2026", "25/04/2026"]).parse("03/04/2026") == date(2026, 4, 3)
    assert DateColumn(["03/04/2026", "04/25/2026"]).parse("03/04/2026") == date(2026, 3, 4)
    assert DateColumn(["01.02.2026"]).parse("01.02.2026") == date(2026, 2, 1)  # dotted: day first
    assert DateColumn(["01/02/2026"], day_first=True).parse("01/02/2026") == date(2026, 2, 1)
    column = DateColumn([])
    for text in ("2026-03-01", "2026/3/1 09:30", "20260301", "2026年3月1日", "2026-03-01T10:00:00Z", "1 Mar 2026",
                 "Mar 1, 2026", "2026.03.01"):
        assert column.parse(text) == date(2026, 3, 1), text
    with pytest.raises(ValueError, match="mix day/month"):
        DateColumn(["25/04/2026", "04/25/2026"])
    with pytest.raises(ValueError, match="tells the day from the month"):
        DateColumn(["01/02/2026"]).parse("01/02/2026")


def test_currency_names():
    assert [currency_code(text) for text in ("人民币", "人民币元", "RMB", "美元", "eur", "港币", "??")] == [
        "CNY", "CNY", "CNY", "USD", "EUR", "HKD", ""]


def test_ambiguous_dates_and_missing_currency_are_refused_with_how_to_fix():
    assert "set date_format in a profile" in refusal((EXPORTS / "en-ambiguous-dates.csv").read_bytes())
    problem = refusal((EXPORTS / "en-no-currency.csv").read_bytes())
    assert "no currency" in problem and "currency = " in problem and "line 2" in problem


def test_a_currency_sign_that_names_one_currency_is_the_currency():
    (statement,) = parse("Date,Description,Amount\n2026-01-02,Coffee,-£3.50\n2026-01-03,Salary,£1500.00\n".encode())
    assert statement.currency == "GBP" and statement.transactions[0].amount == Decimal("-3.50")
    assert "no currency" in refusal(b"Date,Description,Amount\n2026-01-02,Coffee,-$3.50\n")  # $: which dollar?


def test_a_profile_without_columns_gives_the_currency_and_keeps_the_recognition():
    register_user_profiles({"mybank": {"currency": "GBP", "account": "GB-1", "day_first": True}})
    try:
        data = (EXPORTS / "en-ambiguous-dates.csv").read_bytes().replace(b",Currency", b"").replace(b",GBP", b"")
        assert detect_format(data, "x.csv").name == "csv:mybank"
        (statement,) = PARSERS["csv:mybank"].parse(data, "x.csv")
        assert (statement.account, statement.currency) == ("GB-1", "GBP")
        assert [tx.booking_date for tx in statement.transactions] == [date(2026, 2, 1), date(2026, 3, 2)]
    finally:
        del PARSERS["csv:mybank"]


def test_unknown_direction_and_mixed_decimals_name_the_line():
    data = "交易日期,收/支,金额,币种\n2026-01-01,收入,1.00,CNY\n2026-01-02,转账,2.00,CNY\n".encode()
    problem = refusal(data)
    assert "line 3" in problem and "收/支 is '转账'" in problem
    problem = refusal(b"Date,Amount,Currency\n2026-01-01,\"1.234,50\",EUR\n2026-01-02,\"1,234.50\",EUR\n")
    assert "line 1" in problem and "mix decimal marks" in problem


def test_rows_not_booked_and_neutral_rows_are_left_out_with_their_reason():
    data = ("交易时间,交易对方,收/支,金额,交易状态,币种\n"
            "2026-01-01 10:00:00,A,支出,10.00,交易成功,CNY\n"
            "2026-01-02 10:00:00,B,支出,20.00,交易关闭,CNY\n"
            "2026-01-03 10:00:00,C,不计收支,30.00,交易成功,CNY\n"
            "2026-01-04 10:00:00,D,不计收支,5.00,退款成功,CNY\n"
            "2026-01-05 10:00:00,E,支出,7.00,等待付款,CNY\n").encode("gb18030")
    (statement,) = parse(data)
    assert [tx.amount for tx in statement.transactions] == [Decimal("-10.00"), Decimal("5.00")]  # the refund
    assert dict(statement.left_out) == {"交易状态 交易关闭: not booked": 1, "交易状态 等待付款: not booked": 1,
                                        "收/支 不计收支: moves no money": 1}


def test_alipay_web_counts_each_row_once_from_its_fund_state():
    (statement,) = parse((Path(__file__).parent / "data" / "csv" / "cn-alipay-web.csv").read_bytes())
    assert [tx.amount for tx in statement.transactions] == [Decimal("1200.00"), Decimal("-88.50"), Decimal("20.00")]
    assert dict(statement.left_out) == {"资金状态 资金转移: moves no money": 1, "资金状态 (empty): moves no money": 1}


def test_balances_come_from_the_balance_column_newest_first_or_oldest_first():
    oldest = b"Date,Amount,Balance,Currency\n2026-01-01,10.00,110.00,EUR\n2026-01-02,-5.00,105.00,EUR\n"
    newest = b"Date,Amount,Balance,Currency\n2026-01-02,-5.00,105.00,EUR\n2026-01-01,10.00,110.00,EUR\n"
    for data in (oldest, newest):
        (statement,) = parse(data)
        assert (statement.opening_balance, statement.closing_balance) == (Decimal("100.00"), Decimal("105.00"))
        assert statement.statement_date == date(2026, 1, 2)


def test_totals_rows_and_blank_trailing_columns_end_nothing_else():
    data = "交易日期,摘要,金额,,\n2026-01-01,a,1.00,,\n2026-01-02,b,2.00,,\n合计,,3.00,,\n2026-01-03,c,9.00,,\n"
    (statement,) = parse(data.encode())
    assert statement.currency == "CNY"  # a Chinese header with no currency anywhere
    assert [tx.amount for tx in statement.transactions] == [Decimal("1.00"), Decimal("2.00")]


def test_a_cp1252_export_is_not_read_as_gb18030():
    (statement,) = parse((EXPORTS / "de-umsatzanzeige-soll-haben.csv").read_bytes())
    assert statement.transactions[0].counterparty_name == "REWE Markt GmbH"
    assert statement.currency == "EUR" and statement.transactions[1].amount == Decimal("3250.00")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([path for path in samples(EXPORTS) if path.with_suffix(".jsonl").exists()]), st.data())
def test_mutated_exports_raise_only_input_error(sample, data):
    mutated = mutate(sample.read_bytes(), data)
    try:
        parse(mutated, sample.name)
    except InputError:
        pass


# --- spreadsheets ---------------------------------------------------------------------------

def workbook(rows, title="Sheet1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["交易日期", "摘要", "金额", "币种"]


def test_wechat_xlsx_through_the_wechat_profile():
    data = (SHEETS / "wechat-bill.xlsx").read_bytes()
    assert detect_format(data, "bill.xlsx").name == "sheet"
    (statement,) = parse(data, "bill.xlsx")
    assert statement.account == "小明的店"
    assert [tx.amount for tx in statement.transactions] == [Decimal("-35.00"), Decimal("500.00"), Decimal("20.00")]
    assert statement.transactions[1].fees == Decimal("0.50")
    assert statement.transactions[0].source.location == "Sheet1 row 18"


def test_xls_cells_are_numbers_and_text():
    (statement,) = parse((SHEETS / "ccb-statement.xls").read_bytes(), "ccb.xls")
    assert [tx.amount for tx in statement.transactions] == [Decimal("-128"), Decimal("1500"), Decimal("-372.1")]
    assert statement.closing_balance == Decimal("5999.9") and statement.opening_balance == Decimal("5000")


def test_date_and_number_cells():
    data = workbook([HEADER, [datetime(2026, 3, 1, 9, 30), "a", 0.1, "人民币"],
                     [date(2026, 3, 2), "b", -1234.56, "CNY"]])
    (statement,) = parse(data, "x.xlsx")
    assert [(tx.booking_date, tx.amount) for tx in statement.transactions] == [
        (date(2026, 3, 1), Decimal("0.1")), (date(2026, 3, 2), Decimal("-1234.56"))]


def test_formulas_are_never_evaluated():
    data = workbook([HEADER, ["2026-03-01", "=HYPERLINK(\"http://x\")", 5, "CNY"], ["2026-03-02", "b", "=1+1", "CNY"]])
    problem = refusal(data, "x.xlsx")  # openpyxl stores no computed value: the cell is empty
    assert "row 3" in problem and "the amount is empty" in problem


def test_a_workbook_is_not_an_archive(tmp_path):
    path = tmp_path / "bill.xlsx"
    path.write_bytes((SHEETS / "wechat-bill.xlsx").read_bytes())
    parsed = read_file(path)
    assert parsed.format == "sheet" and len(list(parsed.transactions)) == 3
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("statements/x.csv", (EXPORTS / "nl-af-bij.csv").read_bytes())
    assert not is_xlsx(archive.getvalue())


def test_zip_bombs_and_floods_are_refused_before_openpyxl_opens_them():
    assert "a zip bomb?" in refusal((SHEETS / "zip-bomb.xlsx").read_bytes(), "bomb.xlsx")
    good = workbook([HEADER, ["2026-03-01", "a", 1, "CNY"]])
    flood = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(flood, "w") as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        for index in range(MAX_MEMBERS):
            out.writestr(f"xl/media/{index}.bin", b"")
    assert "more than the limit of" in refusal(flood.getvalue(), "flood.xlsx")


def test_a_lying_declared_size_is_caught_while_inflating():
    good = workbook([HEADER, ["2026-03-01", "a", 1, "CNY"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        out.writestr("xl/media/pad.bin", b"\0" * 4_000_000)
    data = bytearray(buffer.getvalue())
    # the central directory's entry of the last part: claim 1,000 bytes instead of 4,000,000
    entry = data.rfind(b"PK\x01\x02")
    data[entry + 24:entry + 28] = (1000).to_bytes(4, "little")
    problem = refusal(bytes(data), "liar.xlsx")
    assert "xl/media/pad.bin" in problem


def test_rows_are_held_to_the_record_cap():
    # a cell of a workbook holds at most 32,767 characters, under the field cap: a row of ten
    # of them is over the record cap
    noise = random.Random(7)
    cells = ["".join(noise.choices(string.ascii_letters, k=30_000)) for _ in range(10)]
    data = workbook([HEADER, ["2026-03-01", "a", 1, "CNY", *cells]])
    problem = refusal(data, "x.xlsx")
    assert "Sheet1 row 2" in problem and "larger than the limit" in problem


def test_a_forged_dimension_pads_nothing():
    data = workbook([HEADER, ["2026-03-01", "a", 1, "CNY"]])
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            out.writestr(name, content)
    (statement,) = parse(buffer.getvalue(), "x.xlsx")
    assert len(statement.transactions) == 1


def test_broken_workbooks_are_refused_with_the_file():
    assert "not a readable .xls workbook" in refusal((SHEETS / "truncated.xls").read_bytes(), "t.xls")
    good = workbook([HEADER, ["2026-03-01", "a", 1, "CNY"]])
    assert "not a readable" in refusal(good[:-200], "cut.xlsx")
    assert "no sheet has a header row" in refusal(workbook([["just", "words"]]), "words.xlsx")


def test_an_html_table_saved_as_xls_is_read_and_nothing_in_it_runs():
    data = (SHEETS / "html-table.xls").read_bytes()
    assert detect_format(data, "mingxi.xls").name == "sheet"
    (statement,) = parse(data, "mingxi.xls")
    assert statement.account == "1202020209000012345" and statement.currency == "CNY"
    assert [tx.amount for tx in statement.transactions] == [Decimal("12000.00"), Decimal("-1580.40")]
    assert statement.transactions[1].remittance == "电费 3月"


def test_refunds_written_into_jd_amounts():
    (statement,) = parse((EXPORTS / "jd-refunds-annotated.csv").read_bytes())
    assert [tx.amount for tx in statement.transactions] == [Decimal("-129.00"), Decimal("-129.00"), Decimal("12.00")]
    assert dict(statement.left_out)["金额 (已全额退款): refunded in full"] == 1


def test_a_direction_read_from_the_first_column_that_knows():
    (statement,) = parse((EXPORTS / "alipay-web-tabs.csv").read_bytes())  # 资金状态 names a card: 收/支 decides
    assert [tx.amount for tx in statement.transactions] == [Decimal("-15.90"), Decimal("-32.50"), Decimal("500.00")]


def test_credit_card_charges_are_negated():
    (statement,) = parse((Path(__file__).parent / "data" / "csv" / "cn-cmb-credit.csv").read_bytes())
    assert [tx.amount for tx in statement.transactions][:2] == [Decimal("-18.90"), Decimal("-1260.00")]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([path for path in samples(SHEETS) if path.with_suffix(".jsonl").exists()]), st.data())
def test_mutated_workbooks_raise_only_input_error(sample, data):
    mutated = mutate(sample.read_bytes(), data)
    try:
        PARSERS["sheet"].parse(mutated, sample.name)
    except InputError:
        pass
