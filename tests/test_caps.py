"""The field and record caps (syncd/limits.py) in every format: a file with one oversize field
in the middle is refused whole, naming the file, the line or element and the cap, and its
reading stops at the cap; detection reports an XML file's real error; the files are built
here, on the fly (bench/parse_memory.py measures the memory of the same with a 200 MB field)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from bench.parse_memory import CASES, ZIP_CASE, write_hostile
from bench.parse_throughput import write_mt940
from syncd.caps import MAX_ENTRY_BYTES, MAX_FIELD_CHARS, MAX_RECORD_SIZE
from syncd.config import load_config
from syncd.daemon import Daemon
from syncd.errors import InputError
from syncd.parsers import get_parser
from syncd.reading import read_file
from syncd.store import FileRecord, Store, TransactionRecord
from tests.camt_builder import Entry, build_camt053

ROOT = Path(__file__).parent.parent
CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
ACCOUNT = "GB29NWBK60161331926819"
UNDER_THE_RECORD_CAP = MAX_FIELD_CHARS + 7_000  # over the field cap only
OVER_THE_RECORD_CAP = 2_000_000  # more than a read chunk (1 MB) too


def refusal(path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_file(path, **kwargs)
    return str(info.value)


def where(case: str) -> str:
    """The place the refusal of ``case`` names: the line, or the CAMT element."""
    if case == "camt":
        return "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]"
    return f"line {CASES['csv:nl-ing' if case == ZIP_CASE else case][3]}"


@pytest.mark.parametrize("size", [UNDER_THE_RECORD_CAP, OVER_THE_RECORD_CAP])
@pytest.mark.parametrize("case", [*CASES, ZIP_CASE])
def test_one_oversize_field_refuses_the_file_naming_where(tmp_path, case, size):
    path = tmp_path / f"hostile-{case.replace(':', '-')}"
    name = write_hostile(path, case, size)
    message = refusal(path)
    assert message.startswith(f"{name}: {where(case)}"), message
    assert re.search(r"limit of [\d,]+ (characters|bytes) for one (field|record|line)\b.*: the file is refused$",
                     message), message


def test_the_field_and_record_caps_leave_real_files_alone():
    # the goldens (tests/test_goldens.py) are real files; these are the caps' own margins
    assert MAX_FIELD_CHARS >= 100 * 140  # a hundred SEPA remittance lines in one field
    assert MAX_RECORD_SIZE >= 8 * MAX_FIELD_CHARS


def test_a_field_at_the_cap_is_read(tmp_path):
    path = tmp_path / "long.sta"
    write_hostile(path, "mt940", MAX_FIELD_CHARS - 200)
    transactions = read_file(path).transactions
    assert max(len(t.remittance) for t in transactions) > MAX_FIELD_CHARS - 200


def test_an_oversize_field_deep_in_a_large_file_leaves_nothing_stored_and_the_daemon_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config_path = tmp_path / "syncd.toml"
    config_path.write_text(f'[state]\nurl = "sqlite:///{tmp_path / "state.sqlite"}"\n'
                           f'[sources.bank]\npath = "{inbox}"\nsettle = 0\n')
    store = Store(load_config(config_path).state_url)
    hostile = inbox / "a-hostile.sta"
    write_mt940(hostile, 2500)  # more than the store's chunk: the first 1,000 are flushed before the error
    data = hostile.read_bytes()
    at = data.index(b"?21SVWZ+Invoice INV/2026/01500")
    hostile.write_bytes(data[:at] + b"X" * (MAX_FIELD_CHARS + 1) + data[at:])
    good = inbox / "b-good.sta"
    write_mt940(good, 10)
    old = time.time() - 60
    for path in (hostile, good):
        os.utime(path, (old, old))

    result = Daemon(lambda: load_config(config_path), store, lambda _config: None).run_pass("bank")

    assert (result.files, result.quarantined) == (1, 1)
    reason = (inbox / "quarantine" / "a-hostile.sta.reason.txt").read_text()
    assert re.search(r"a-hostile.sta: line 60\d\d: the line is longer than the limit", reason), reason
    with store.transaction() as session:
        assert [f.path.rsplit("/", 1)[-1] for f in session.query(FileRecord)] == ["b-good.sta"]
        assert session.query(TransactionRecord).count() == 10


def test_an_mt942_holds_its_entries_until_the_currency_comes_only_up_to_the_entry_cap(tmp_path):
    entry = ":61:2612311231C1,00NTRFNONREF\n:86:" + "remittance " * 2500 + "\n"  # within the field cap
    count = MAX_ENTRY_BYTES // 27_500 + 1
    path = tmp_path / "late-currency.sta"
    path.write_text(":20:INTERIM\n:25:DE89370400440532013000\n:28C:1/1\n" + entry * count
                    + f":34F:EUR0,\n:90C:{count}EUR{count},00\n-\n")
    assert re.search(r"line 4 :61:: more than [\d,]+ characters of entries before the currency is known",
                     refusal(path))
    path.write_text(":20:INTERIM\n:25:DE89370400440532013000\n:28C:1/1\n" + entry * 3
                    + ":34F:EUR0,\n:90C:3EUR3,00\n-\n")
    assert [t.currency for t in read_file(path).transactions] == ["EUR"] * 3


def test_streaming_a_50_mb_field_holds_a_few_megabytes(tmp_path):
    # MT940 is read in Python alone, so tracemalloc sees all it holds: the old reader held the
    # whole line (and copied it at every 1 MB chunk), 3 times the field in all
    path = tmp_path / "hostile.sta"
    write_hostile(path, "mt940", 50_000_000)
    parser = get_parser("mt940")
    tracemalloc.start()
    try:
        with open(path, "rb") as handle, pytest.raises(InputError, match="line 13: the line is longer"):
            list(parser.stream(handle, str(path)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, peak


def test_streaming_a_50_mb_xml_entry_stops_at_the_record_cap(tmp_path):
    # lxml's memory is not Python's: count what the reader was asked for instead
    path = tmp_path / "hostile.xml"
    write_hostile(path, "camt", 50_000_000)
    parser = get_parser("camt053")
    read = []
    with open(path, "rb") as handle:
        original = handle.read

        def counting(size=-1):
            chunk = original(size)
            read.append(len(chunk))
            return chunk

        handle.read = counting
        with pytest.raises(InputError, match=r"Ntry\[1\]/NtryDtls/TxDtls\[1\] \(line 90\): the transaction "
                           "is larger than the limit of 262,144 bytes for one record"):
            list(parser.stream(handle, str(path)))
    assert sum(read) < MAX_RECORD_SIZE + 16 * 65536


def batch_entry(tmp_path: Path, payments: int) -> Path:
    """A CAMT.053 statement of one batch booking: an entry of ``payments`` transactions."""
    data = build_camt053(ACCOUNT, [Entry(Decimal(payments), "batch")]).decode()
    details = "".join(f'<TxDtls><Refs><EndToEndId>E2E-{n}</EndToEndId></Refs><Amt Ccy="USD">1.00</Amt>'
                      f"<RmtInf><Ustrd>{'payment of a direct debit run ' * 12}{n}</Ustrd></RmtInf></TxDtls>"
                      for n in range(payments))
    start, end = data.index("<NtryDtls>") + len("<NtryDtls>"), data.index("</NtryDtls>")
    path = tmp_path / "batch.xml"
    path.write_text(data[:start] + details + data[end:])
    return path


def test_a_batch_entry_larger_than_a_record_is_read_transaction_by_transaction(tmp_path):
    path = batch_entry(tmp_path, 2000)
    assert path.stat().st_size > 3 * MAX_RECORD_SIZE
    assert len(read_file(path).transactions) == 2000


def test_a_batch_entry_over_the_entry_cap_is_refused(tmp_path):
    path = batch_entry(tmp_path, MAX_ENTRY_BYTES // 400)
    assert re.search(r"Stmt\[1\]/Ntry\[1\] \(line 2\): the entry is larger than the limit of [\d,]+ bytes for one "
                     "entry", refusal(path))


def test_xml_between_two_entries_over_the_record_cap_is_refused(tmp_path):
    data = build_camt053(ACCOUNT, [Entry(Decimal("1.00"), "a"), Entry(Decimal("2.00"), "b")]).decode()
    second = data.index("<Ntry>", data.index("<Ntry>") + 1)
    path = tmp_path / "junk.xml"
    path.write_text(data[:second] + "<Junk>" + "<x/>" * (MAX_RECORD_SIZE // 2) + "</Junk>" + data[second:])
    # counted from the read in which the entry ended: the cap holds within a read (64 KB)
    assert re.search(r"junk.xml: line 2: the XML after /Document/BkToCstmrStmt/Stmt\[1\]/Ntry\[1\] is larger than "
                     "the limit of 262,144 bytes for one record", refusal(path))


# -- detection of XML formats: the real error, not "unknown format (not XML)" ---------------------


def nested(head: str, root: str, depth: int = 100_000) -> bytes:
    return (head + root + "<a>" * depth + "</a>" * depth + f"</{root.strip('<>').split()[0]}>").encode()


@pytest.mark.parametrize("format_name", ["auto", "camt053"])
def test_deep_nesting_in_camt_is_reported_as_such_in_auto_detection(tmp_path, format_name):
    path = tmp_path / "deep.xml"
    path.write_bytes(nested('<?xml version="1.0"?>', f'<Document xmlns="{CAMT_NS}">'))
    message = refusal(path, format_name=format_name)
    assert "Excessive depth in document" in message and "unknown format" not in message, message


def test_deep_nesting_in_ofx_xml_is_reported_as_such_in_auto_detection(tmp_path):
    # the <OFX> root beyond the first 4 KB, where the byte sniffing of OFX does not look
    comment = "<!-- " + "exported by the bank's portal " * 200 + "-->\n"
    path = tmp_path / "deep.ofx"
    path.write_bytes(nested(f'<?xml version="1.0"?>\n{comment}<?OFX OFXHEADER="200" VERSION="220"?>\n', "<OFX>"))
    message = refusal(path)
    assert "nest more than" in message and "unknown format" not in message, message
    plain = tmp_path / "plain.ofx"
    plain.write_bytes(nested('<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n', "<OFX>"))
    assert "nest more than" in refusal(plain)


def test_an_unknown_xml_file_says_what_is_wrong_with_it(tmp_path):
    path = tmp_path / "deep.xml"
    path.write_bytes(nested('<?xml version="1.0"?>', "<Foo>"))
    message = refusal(path)
    assert "unknown format" in message and "root element <Foo>" in message
    assert "malformed XML: line 1: Excessive depth" in message, message
    path.write_bytes(b'<?xml version="1.0"?>\n<!-- a -- b --><Document/>')
    assert "malformed XML: line 2" in refusal(path)


def test_bench_parse_memory_runs(tmp_path):
    output = subprocess.run([sys.executable, "-m", "bench.parse_memory", "--field-mb", "0.05", "--only", "mt940,camt"],
                            capture_output=True, text=True, cwd=ROOT, check=False)
    assert output.returncode == 0, output.stdout + output.stderr
    lines = output.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["mt940", "camt"] and all("refused" in line for line in lines[1:])
