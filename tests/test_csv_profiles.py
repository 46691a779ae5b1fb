"""Bank CSV exports and Chinese payment bills through declarative profiles.

The samples in tests/data/csv (one per bundled profile, named after it) are compared with
their golden .jsonl files; regenerate those with ``python -m syncd.parsers.golden
tests/data/csv`` after an intended change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError, UserError
from syncd.parsers import PARSERS, detect_format, parse_file, register_user_profiles
from syncd.parsers.csvprofile import Profile
from syncd.parsers.golden import samples
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "csv"
REGENERATE = "python -m syncd.parsers.golden tests/data/csv"


def test_sparkasse_cp1252_decimal_comma_and_formula_kept_raw():
    (statement,) = parse_file(DATA / "de-sparkasse.csv")
    credit, debit, fee = statement.transactions
    assert (credit.amount, credit.counterparty_name) == (Decimal("1190.00"), "Müller & Söhne KG")
    assert debit.end_to_end_id == ""  # NOTPROVIDED is a placeholder
    assert fee.remittance == '=HYPERLINK("http://x")'  # a formula-like cell stays text


def test_direction_column_and_unsigned_amounts():
    (statement,) = parse_file(DATA / "nl-ing.csv")
    assert [tx.amount for tx in statement.transactions] == [Decimal("1250.00"), Decimal("-23.45")]


def test_alipay_preamble_gbk_neutral_and_refund():
    (statement,) = parse_file(DATA / "cn-alipay.csv")
    assert statement.account == "zhangsan@example.com" and statement.currency == "CNY"
    income, expense, refund = statement.transactions  # the 余额宝 transfer moves no money
    assert (income.amount, income.counterparty_name) == (Decimal("1200.00"), "杭州星辰贸易有限公司")
    assert income.remittance == "货款 INV/2026/00031"
    assert expense.amount == Decimal("-88.50")
    assert (refund.amount, refund.remittance) == (Decimal("20.00"), "退款-保温杯")


def test_wechat_yuan_amounts_neutral_rows_and_fees():
    (statement,) = parse_file(DATA / "cn-wechat.csv")
    assert statement.account == "小明的店"
    coffee, scan, transfer = statement.transactions  # the withdrawal (/) is left out
    assert coffee.amount == Decimal("-35.00") and coffee.remittance == "咖啡"
    assert (scan.amount, scan.fees) == (Decimal("500.00"), Decimal("0.50"))
    assert transfer.remittance == "INV/2026/00044"  # "/" placeholders dropped
    assert transfer.bank_ref == "1000050001202601121234"  # the trailing tab of the export gone


def ing(rows: str) -> bytes:
    header = '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)","Mutatiesoort",' \
             '"Mededelingen"\n'
    return (header + rows).encode()


def error(data: bytes, name="csv:nl-ing") -> InputError:
    with pytest.raises(InputError) as info:
        PARSERS[name].parse(data, "test.csv")
    assert "test.csv" in str(info.value)
    return info.value


@pytest.mark.parametrize("row, reason", [
    ('"20261399","X","NL91ABNA0417164300","","OV","Bij","1,00","",""', "does not match the date format"),
    ('"20260118","X","NL91ABNA0417164300","","OV","Bij","1.0.0","",""', "is not an amount"),
    ('"20260118","X","NL91ABNA0417164300","","OV","Op","1,00","",""', "Af Bij is 'Op'"),
    ('"20260118","X","NL91ABNA0417164300"', "3 cells, but the header has 9"),
    ('"20260118","X","NL91ABNA0417164300","","OV","Bij","","",""', "the amount is empty"),
])
def test_bad_rows_name_the_line(row, reason):
    problem = str(error(ing('"20260117","Fine","NL91ABNA0417164300","","OV","Bij","5,00","",""\n' + row + "\n")))
    assert "line 3" in problem and reason in problem


def test_no_header_and_footer():
    assert "no header row with the columns of profile nl-ing" in str(error(b"a,b,c\n1,2,3\n"))
    rows = '"20260117","Fine","NL91ABNA0417164300","","OV","Bij","5,00","",""\n\n# totals 5,00\nanything, really\n'
    (statement,) = PARSERS["csv:nl-ing"].parse(ing(rows), "test.csv")
    assert len(statement.transactions) == 1  # the table ends at the blank row


def test_user_profile_from_the_configuration(tmp_path):
    table = {"description": "Test bank", "delimiter": "|", "decimal": ",", "date_format": "%d/%m/%Y",
             "account": "ACC-1", "currency": "CHF",
             "columns": {"booking_date": "Date", "debit": "Out", "credit": "In", "remittance": ["Text", "More"]}}
    register_user_profiles({"test-bank": table})
    try:
        data = b"Date|Text|More|Out|In\n01/02/2026|Rent|Feb|1200,00|\n02/02/2026|INV 7|paid||3,00\n"
        with pytest.raises(InputError, match="both debit"):
            PARSERS["csv:test-bank"].parse(data.replace(b"||3,00", b"|1,00|2,00"), "t.csv")
        (statement,) = PARSERS["csv:test-bank"].parse(data, "t.csv")
        assert [(tx.amount, tx.remittance) for tx in statement.transactions] == [
            (Decimal("-1200.00"), "Rent Feb"), (Decimal("3.00"), "INV 7 paid")]
        assert statement.account == "ACC-1"
    finally:
        del PARSERS["csv:test-bank"]


@pytest.mark.parametrize("table, reason", [
    ({"columns": {}}, "needs a [columns] table"),
    ({"columns": {"amount": "A"}}, "must map booking_date"),
    ({"columns": {"booking_date": "D", "amount": "A", "colour": "C"}}, "unknown field(s) colour"),
    ({"columns": {"booking_date": "D", "amount": ["A", "B"]}}, "columns.amount must be a column name"),
    ({"columns": {"booking_date": "D", "amount": "A"}, "delimiter": ";;"}, "one character"),
    ({"columns": {"booking_date": "D", "amount": "A"}, "direction": {"column": "X"}}, "[direction]"),
    ({"columns": {"booking_date": "D", "amount": "A"}, "fee_pattern": "("}, "not a regular expression"),
    ({"columns": {"booking_date": "D", "amount": "A"}, "colour": "red"}, "unknown key(s) colour"),
])
def test_bad_profiles_are_refused_with_the_key(table, reason):
    with pytest.raises(UserError) as info:
        Profile.from_mapping("mine", table, "syncd.toml [csv_profiles.mine]")
    assert reason in str(info.value) and "syncd.toml" in str(info.value)


def test_cli_reads_user_profiles_from_the_config(tmp_path):
    config = tmp_path / "syncd.toml"
    config.write_text('[csv_profiles.tiny]\naccount = "T-1"\ncurrency = "EUR"\n'
                      '[csv_profiles.tiny.columns]\nbooking_date = "When"\namount = "How much"\n', encoding="utf-8")
    statement = tmp_path / "tiny.csv"
    statement.write_text("When,How much\n2026-03-01,12.50\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config), "parse", str(statement)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["amount"] == "12.50"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(samples(DATA)), st.data())
def test_mutated_samples_raise_only_input_error(sample, data):
    mutated = mutate(sample.read_bytes(), data)
    try:
        PARSERS[f"csv:{sample.stem}"].parse(mutated, sample.name)
    except InputError:
        pass


def test_a_large_utf8_bill_is_detected_whatever_falls_at_the_cut():
    sample = (DATA / "cn-wechat.csv").read_bytes()
    row = sample.splitlines(keepends=True)[-1]
    for pad in range(3):  # the detection window ends inside a three-byte character at some pad
        data = sample + b" " * pad + row * 400
        assert detect_format(data, "bill.csv").name == "csv:cn-wechat"


def test_a_headerless_profile_names_every_column_it_maps():
    with pytest.raises(UserError, match="header names the columns"):
        Profile.from_mapping("x", {"header": ["Date", "Amount"], "columns": {"booking_date": "Date",
                                                                          "amount": "Value"}}, "test")


@pytest.mark.parametrize("line", [
    "2026-01-02,STARBUCKS,5.25,,2494.75",  # a TD row, but with an ISO date
    "01/02/2026,STARBUCKS,5.25,x,2494.75",  # text where an amount belongs
    "01/02/2026,STARBUCKS,,,2494.75,extra",  # a sixth cell
    "Date,Description,Withdrawal,Deposit,Balance",  # a header row
])
def test_a_headerless_profile_claims_only_rows_of_its_shape(line):
    assert not PARSERS["csv:ca-td"].detect(f"{line}\n".encode())


def test_a_headerless_file_names_its_lines_from_1():
    data = b"01/02/2026,A,5.25,,100.00\n01/03/2026,B,oops,,94.75\n"
    with pytest.raises(InputError, match=r"line 2: debit .oops. is not an amount"):
        PARSERS["csv:ca-td"].parse(data, "td.csv")
