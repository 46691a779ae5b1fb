"""BAI2: groups, accounts, continuations, funds types, records sharing a line, control totals.

The samples in tests/data/bai2 are compared with their golden .jsonl files; regenerate those
with ``python -m syncd.parsers.golden tests/data/bai2`` after an intended change. The tests
here take the classes of what real files do (records cut anywhere and continued by 88s, laid
out on lines any way, totals counted one way or another, files cut short) and try each on
every well-formed sample.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncd.errors import InputError
from syncd.parsers import PARSERS, parse_file
from syncd.parsers.bai2 import BAI2
from syncd.records import balance_gap
from tests.goldens import mutate

DATA = Path(__file__).parent / "data" / "bai2"
REGENERATE = "python -m syncd.parsers.golden tests/data/bai2"
SAMPLE = DATA / "two_groups.bai"
# well-formed single-file samples, one record to a line, each ending with "/"
WELL_FORMED = ["two_groups.bai", "continued_03.bai", "blank_totals.bai", "totals_without_summary.bai",
               "header_times.bai", "funds_types.bai", "balance_mismatch.bai", "info_and_bank_codes.bai",
               "typos_lowercase.bai"]


def parse(data: bytes, **kwargs):
    return BAI2.parse(data, "test.bai", **kwargs)


def error(data: bytes) -> InputError:
    with pytest.raises(InputError) as info:
        parse(data)
    assert "test.bai" in str(info.value)
    return info.value


def variant(old: str, new: str) -> bytes:
    text = SAMPLE.read_text()
    assert old in text, f"test bug: {old!r} not in the sample"
    return text.replace(old, new, 1).encode()


def essence(statements) -> list:
    """What a file says, without where it says it (line numbers differ between layouts)."""
    return [(s.account, s.currency, s.statement_date, s.opening_balance, s.closing_balance, s.left_out,
             [(t.amount, t.value_date, t.bank_ref, t.end_to_end_id, t.remittance) for t in s.transactions])
            for s in statements]


def records(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_groups_accounts_and_records():
    checking, lockbox, euro = parse_file(SAMPLE)
    assert (checking.account, checking.opening_balance, checking.closing_balance) == (
        "0975312468", Decimal("5000.00"), Decimal("4675.00"))
    assert checking.statement_date == date(2026, 1, 19)  # the group's as-of date
    credit, check, wire, payroll = checking.transactions
    assert credit.remittance == "ACH CREDIT FROM ACME CORP INVOICE INV/2026/00012 THANK YOU"  # 88 continued
    assert (credit.bank_ref, credit.end_to_end_id) == ("BR-0001", "INV-2026-0012")
    assert check.amount == Decimal("-250.00")  # type 475: a debit
    assert (wire.value_date, wire.remittance) == (date(2026, 1, 18), "WIRE IN, REF 77")  # funds type V, a comma
    assert (payroll.amount, payroll.bank_ref) == (Decimal("-225.00"), "BR-0004")  # funds type S
    assert lockbox.transactions[0].bank_ref == "BR-0005"  # on the 03's line; funds type D
    assert (euro.currency, euro.closing_balance, euro.opening_balance) == ("EUR", Decimal("700.00"), None)


def test_zero_decimal_currency():
    text = ("01,A,B,260120,0800,1,80,1,2/\n02,B,A,1,260119,2400,JPY,2/\n03,12345,,015,5000,,/\n"
            "16,195,5000,Z,R1,,PAYMENT/\n49,10000,3/\n98,10000,1,5/\n99,10000,1,7/\n")
    (statement,) = parse(text.encode())
    assert (statement.currency, statement.transactions[0].amount) == ("JPY", Decimal("5000"))


def test_the_specifications_sample_file():
    """Four groups; 03s cut inside a summary and continued; all trailers with the 03 amounts."""
    statements = parse_file(DATA / "spec_sample_kenwilcox.txt")
    assert [s.account for s in statements] == ["0123456789", "9876543210", "4589761203", "0975312468",
                                               "7890654321"]
    assert [s.opening_balance for s in statements] == [Decimal(v) for v in ("43500.00", "-5000.00", "100000.00",
                                                                              "5000.00", "8000.00")]
    assert sum(len(s.transactions) for s in statements) == 4
    assert statements[2].transactions[0].remittance == "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"


@pytest.mark.parametrize("old, new, reason", [
    ("16,475,25000", "16,475,2500.0", "'2500.0' is not an amount"),
    ("16,475,25000", "16,075,25000", "type code 075 is not a credit (100-399, 920-959)"),
    ("16,475,25000", "16,4750,25000", "type code '4750' is not a three-digit number"),
    ("16,399,5000,V,260118", "16,399,5000,V,261318", "not a valid date"),
    ("16,399,5000,V", "16,399,5000,Q", "unknown funds type 'Q'"),
    ("03,DE89370400440532013000,EUR,", "03,DE89370400440532013000,EURO,", "'EURO' is not an ISO 4217"),
    ("02,COMPANYX,026009593,1,260119", "02,COMPANYX,026009593,1,2601199", "'2601199' is not a valid date"),
    ("98,140000,1,5/", "03,X,USD/\n98,140000,1,5/", "the group trailer (98) comes before the trailer (49)"),
])
def test_altered_files_are_refused_with_line_and_reason(old, new, reason):
    assert reason in str(error(variant(old, new)))


@pytest.mark.parametrize("old, new, note, noted", [
    ("49,1030000,7/", "49,1030001,7/", "line 9 (49 record): the account control total is 1030001, but the amounts "
     "add up to 1030000 (with the 03 summary amounts) or 62500 (details alone) or -32500 (credits less debits)",
     [0]),
    ("49,1030000,7/", "49,1030000,5/", "line 9 (49 record): the account trailer counts 5 records, but there are 7 "
     "(6 without the 88 continuations)", [0]),
    ("98,1280000,2,12/", "98,1280000,2,13/", "line 12 (98 record): the group trailer counts 13 records", [0, 1]),
    ("99,1420000,2,19/", "99,1420001,2,19/", "the file control total is 1420001", [0, 1, 2]),
])
def test_trailers_that_disagree_are_flagged_on_the_statements_they_cover(old, new, note, noted):
    statements = parse(variant(old, new))
    assert [i for i, statement in enumerate(statements) if any(note in n for n in statement.notes)] == noted
    assert essence(statements) == essence(parse(SAMPLE.read_bytes()))  # read all the same


def test_balances_that_do_not_add_up_are_flagged_not_refused():
    text = SAMPLE.read_text()
    for old, new in (("015,467500", "015,467600"), ("49,1030000", "49,1030100"), ("98,1280000", "98,1280100"),
                     ("99,1420000", "99,1420100")):
        text = text.replace(old, new)  # the totals agree: only the balance is off
    checking = parse(text.encode())[0]
    assert checking.closing_balance == Decimal("4676.00")  # as the file says
    assert balance_gap(checking) == Decimal("1.00")
    (mismatch,) = parse_file(DATA / "balance_mismatch.bai")
    assert balance_gap(mismatch) == Decimal("150.00")


def test_truncated_and_empty():
    data = SAMPLE.read_bytes()
    assert "is it truncated" in str(error(data[: data.index(b"98,140000")]))
    assert "empty" in str(error(b"\n\n"))
    assert "starts with a 01" in str(error(b"02,B,A,1,260119,2400,USD,2/\n"))
    assert "before any record" in str(error(b"88,more text\n"))
    assert "cut short" in str(error(b"01,A,B,260120,0800,1,,,2/\n02,B,A,1,260119,,USD,2/\n98,,0,2/\n99,,\n"))


@pytest.mark.parametrize("name", WELL_FORMED)
def test_a_file_cut_at_any_record_is_refused(name):
    """No 99, no 98 for a group, no 49 for an account: each prefix of whole records is refused."""
    lines = records((DATA / name).read_text())
    for end in range(1, len(lines)):
        with pytest.raises(InputError):
            parse("\n".join(lines[:end]).encode())


@pytest.mark.parametrize("name", ["two_groups.bai", "continued_03.bai", "funds_types.bai", "typos_lowercase.bai"])
def test_how_records_are_laid_out_on_lines_does_not_change_what_is_read(name):
    """Records sharing one line, CRLF, 80-column padding, blank lines, trailing spaces, "88:" and
    "88 ," typos, lower case: the same statements every time."""
    text = (DATA / name).read_text()
    expected = essence(parse(text.encode()))
    lines = records(text)
    layouts = {
        "crlf": "\r\n".join(lines) + "\r\n",
        "padded to 80": "".join(line.ljust(80) + "\n" for line in lines),
        "blank lines": "\n\n".join(lines) + "\n\n\n",
        "trailing spaces": "".join(f"{line}   \n" for line in lines),
        "88 typos": "\n".join(re.sub(r"^88,", "88:", line) if i % 2 else re.sub(r"^88,", "88 ,", line)
                              for i, line in enumerate(lines)),
        "lower case": "\n".join(re.sub(r"\b(USD|EUR|JPY|[SVDZ])(?=[,/])", lambda m: m.group(1).lower(), line)
                                if not line.startswith(("16", "88")) else line for line in lines),
    }
    if all(line.endswith("/") and not line.startswith("88") for line in lines):
        layouts["one line"] = "".join(lines)  # a text continued by 88s cannot share its line
    for layout, data in layouts.items():
        assert essence(parse(data.encode())) == expected, layout


def test_framing_bytes_do_not_break_parsing():
    """NUL padding after the last record, form feeds between pages, a byte order mark."""
    data = SAMPLE.read_bytes()
    expected = essence(parse(data))
    assert essence(parse(data + b"\x00" * 64)) == expected
    assert essence(parse(data.replace(b"\n02,COMPANYX,026009593", b"\n\x0c\n02,COMPANYX,026009593"))) == expected
    assert essence(parse(b"\xef\xbb\xbf" + data)) == expected
    assert BAI2.detect(b"\xef\xbb\xbf" + data)


def test_several_records_on_one_line():
    text = ("01,A,B,260120,0800,1,,,2/02,B,A,1,260119,,USD,2/03,1,USD,010,100,,,015,150,,/"
            "16,195,50,Z,R1,,TEXT WITH 12/03, A DATE/49,300,3/98,300,1,5/99,300,1,7/")
    (statement,) = parse(text.encode())
    assert statement.transactions[0].remittance == "TEXT WITH 12/03, A DATE"
    assert balance_gap(statement) == 0


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_an_account_record_cut_anywhere_and_continued_reads_the_same(data):
    """A 03 may end after any field ("USD/", ",,/", "015/") and go on in 88s."""
    text = SAMPLE.read_text()
    line = next(line for line in records(text) if line.startswith("03,0975312468"))
    fields = line[3:].rstrip("/").split(",")
    cuts = sorted(data.draw(st.sets(st.integers(2, len(fields) - 1), max_size=4)))
    parts, start = [], 0
    for cut in [*cuts, len(fields)]:
        parts.append(",".join(fields[start:cut]) + "/")
        start = cut
    continued = "03," + parts[0] + "".join(f"\n88,{part}" for part in parts[1:])
    altered = text.replace(line, continued).replace("49,1030000,7/", f"49,1030000,{7 + len(cuts)}/")
    altered = altered.replace("98,1280000,2,12/", f"98,1280000,2,{12 + len(cuts)}/")
    altered = altered.replace("99,1420000,2,19/", f"99,1420000,2,{19 + len(cuts)}/")
    assert essence(parse(altered.encode())) == essence(parse(text.encode()))


@pytest.mark.parametrize("total, accepted", [
    ("1030000", True),  # the specification: every amount of the 03 and 16 records
    ("62500", True),  # the details alone
    ("-32500", True),  # credits less debits
    ("", True),  # blank: not checked
    ("1030001", False), ("62501", False), ("0", False),
])
def test_account_control_total_readings(total, accepted):
    data = variant("49,1030000,7/", f"49,{total},7/")
    if total not in ("1030000", ""):  # the group and file totals then sum the trailers as written
        data = data.decode().replace("98,1280000,", f"98,{int(total) + 250000},").replace(
            "99,1420000,", f"99,{int(total) + 390000},").encode()
    statements = parse(data)
    assert len(statements) == 3
    assert bool(statements[0].notes) is not accepted


def test_record_counts_with_or_without_the_88s():
    assert len(parse(variant("49,1030000,7/", "49,1030000,6/").replace(b"98,1280000,2,12/", b"98,1280000,2,11/")
                     .replace(b"99,1420000,2,19/", b"99,1420000,2,18/"))) == 3  # the 88 not counted
    assert "counts 8 records" in parse(variant("49,1030000,7/", "49,1030000,8/"))[0].notes[0]


def test_lines_without_a_record_code_go_on_with_the_record_before():
    text = (DATA / "blank_totals.bai").read_text()
    wrapped = text.replace("16,195,20000,Z,W-5,,WIRE IN/", "16,195,20000,Z,W-5,,WIRE IN FROM\n12, MAIN STREET/")
    wrapped = wrapped.replace("USD,010,345000,,,015", "USD,010,345\n000,,,015")
    (statement,) = parse(wrapped.encode())
    assert statement.opening_balance == Decimal("3450.00")
    assert statement.transactions[0].remittance == "WIRE IN FROM 12, MAIN STREET"
    assert "does not start with a record code" in str(error(text.replace("49,,3/", "49,,3/\nGARBAGE").encode()))
    assert "unknown record code 12" in str(error(text.replace("49,,3/", "49,,3/\n12,X/").encode()))


def test_dates_and_header_times():
    text = SAMPLE.read_text().replace("01,121000248,COMPANYX,260120,0800,", "01,121000248,COMPANYX,20260120,14:59:35,")
    assert PARSERS["bai2"].detect(text.encode())
    text = text.replace("02,COMPANYX,121000248,1,260119,2400,", "02,COMPANYX,121000248,1,20260119,9999,")
    assert essence(parse(text.encode())) == essence(parse(SAMPLE.read_bytes()))
    for time in ("1459", "2400", "9999", "14:59:35", "14:59", ""):
        head = f"01,SENDER,RECEIVER,260120,{time},1,80,,2/\r\n02,R,S,1,260119,{time},USD,2/\r\n".encode()
        assert BAI2.detect(head), time


def test_details_that_move_no_known_money_are_left_out_and_counted():
    (statement,) = parse_file(DATA / "info_and_bank_codes.bai")
    assert [t.amount for t in statement.transactions] == [Decimal("100.00"), Decimal("30.00"), Decimal("-30.00")]
    assert dict(statement.left_out) == {"information only (type code 890)": 1, "bank-defined status code (900-919)": 1}
    text = (DATA / "blank_totals.bai").read_text().replace("16,195,20000,", "16,195,,")
    (statement,) = parse(text.encode())
    assert (statement.transactions, dict(statement.left_out)) == ((), {"no amount": 1})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data):
    try:
        parse(data)
    except InputError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_sample_raises_only_input_error(data):
    sample = DATA / data.draw(st.sampled_from(WELL_FORMED + ["shared_lines.bai", "fixed_width_crlf.bai"]))
    mutated = mutate(sample.read_bytes(), data)
    try:
        parse(mutated)
    except InputError:
        pass
