"""Streaming: CAMT and MT940 files are read an entry at a time, checked whole, stored all or
nothing, and their errors still name the right line and element."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bench.parse_throughput import _amounts, write_camt, write_mt940
from syncd.cli import main
from syncd.config import Config, OdooConfig
from syncd.engine import Importer, ImportSummary
from syncd.errors import InputError
from syncd.parsers import text
from syncd.parsers.camt import CAMT053
from syncd.parsers.mt940 import MT940
from syncd.reading import open_file
from syncd.records import Statement, Transaction
from syncd.store import FileRecord, Store, TransactionRecord


class CountingReader(io.BytesIO):
    """A file that says how much of it was read, and hands out at most ``most`` bytes a read."""

    def __init__(self, data: bytes, most: int = 1 << 16):
        super().__init__(data)
        self.most = most
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(self.most if size is None or size < 0 else min(size, self.most))
        self.taken += len(chunk)
        return chunk


@pytest.mark.parametrize("parser, writer, name, passes", [
    (CAMT053, write_camt, "big.xml", 0),
    (MT940, write_mt940, "big.sta", 1),  # one whole pass first, to be sure of the encoding
])
def test_transactions_come_out_before_the_file_is_read_through(tmp_path, monkeypatch, parser, writer, name, passes):
    monkeypatch.setattr(text, "_CHUNK", 1 << 16)
    path = tmp_path / name
    writer(path, 3000)
    data = path.read_bytes()
    reader = CountingReader(data)
    stream = parser.stream(reader, name)
    first = next(stream)
    assert isinstance(first, Transaction) and first.amount == _amounts(3000)[0]
    assert reader.taken < len(data) * (passes + 0.25)
    rest = list(stream)
    assert [item.amount for item in rest if isinstance(item, Transaction)] == _amounts(3000)[1:]
    assert isinstance(rest[-1], Statement)


def test_an_error_deep_in_a_camt_file_names_its_entry(tmp_path):
    path = tmp_path / "deep.xml"
    write_camt(path, 1600)
    data = path.read_bytes()
    cut = data.index(b"BANKREF00001499")  # the 1500th entry
    amount = data.rindex(b'<Amt Ccy="EUR">', 0, cut)
    bad = data[:amount] + b'<Amt Ccy="EUR">12,50' + data[data.index(b"</Amt>", amount):]
    with pytest.raises(InputError) as info:
        list(CAMT053.stream(io.BytesIO(bad), "deep.xml"))
    assert info.value.location.startswith("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1500]/Amt (line ")
    line = bad[:amount].count(b"\n") + 1
    assert info.value.location.endswith(f"(line {line})") and "'12,50'" in info.value.reason


def test_doctype_split_between_two_reads_is_refused_with_its_line():
    data = (b'<?xml version="1.0"?>\n\n<!DOCTYPE Document [<!ENTITY a "aaaa">]>\n'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>')
    for most in (1, 3, 7, 40):
        with pytest.raises(InputError, match="DOCTYPE") as info:
            list(CAMT053.stream(CountingReader(data, most), "split.xml"))
        assert info.value.location == "line 3"


def test_a_stream_over_its_cap_stops_reading():
    data = b'<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">' + b" " * 5000
    reader = CountingReader(data, 512)
    with pytest.raises(InputError, match="more than the limit of 1000 bytes"):
        list(CAMT053.stream(reader, "long.xml", max_bytes=1000))
    assert reader.taken <= 1000 + 512


LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])
LINES = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e"
                                       "\x85\u2028\u2029"), max_size=12), max_size=12)


@given(lines=LINES, ends=st.lists(LINE_ENDS, min_size=12, max_size=12), last=st.booleans(),
       chunk=st.integers(1, 9), codec=st.sampled_from(["utf-8", "utf-16-le", "gb18030"]))
def test_lines_read_in_chunks_are_the_lines_of_the_text(lines, ends, last, chunk, codec):
    body = "".join(line + end for line, end in zip(lines, ends, strict=False))
    if last and lines:
        body = body[: -len(ends[len(lines) - 1])]  # no line end after the last line
    data = body.encode(codec)
    original = text._CHUNK
    text._CHUNK = chunk
    try:
        assert list(text.iter_lines(io.BytesIO(data), codec)) == body.splitlines()
    finally:
        text._CHUNK = original


def test_encoding_errors_after_the_first_chunk_name_their_line(monkeypatch):
    monkeypatch.setattr(text, "_CHUNK", 16)
    cp852 = ("line one\nline two\nline three\nZa\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105\n").encode("cp852")
    with pytest.raises(InputError) as info:
        text.choose_encoding(io.BytesIO(cp852), "pl.sta")
    assert info.value.location == "line 4" and "cp852" in info.value.reason
    latin = "one\ntwo\nthree\nfour\nf\u00fcnf\n".encode("latin-1")
    with pytest.raises(InputError) as info:
        text.choose_encoding(io.BytesIO(latin), "de.sta", encoding="utf-8")
    assert info.value.location == "line 5" and "0xfc" in info.value.reason
    handle = io.BytesIO(latin)
    assert text.choose_encoding(handle, "de.sta") == ("cp1252", 0) and handle.tell() == 0


@pytest.fixture
def importer(tmp_path):
    config = Config(odoo=OdooConfig(), state_url=f"sqlite:///{tmp_path / 'state.sqlite'}")
    return Importer(config, Store(config.state_url))


def stored(store):
    with store.transaction() as session:
        return session.query(FileRecord).count(), session.query(TransactionRecord).count()


CLOSING = b'<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">'


@pytest.mark.parametrize("writer, name, old, new, reason", [
    # the last closing balance refused: balances that do not add up are only flagged
    (write_camt, "big.xml", CLOSING, CLOSING + b"x", "is not a valid amount"),
    (write_mt940, "big.sta", b":61:2611201120C3", b":61:2611201120X3", "not a statement line"),
])
def test_a_bad_large_file_leaves_nothing_in_the_store(importer, tmp_path, writer, name, old, new, reason):
    path = tmp_path / name
    writer(path, 2500)  # more than the store's chunk: chunks are flushed before the error
    good = path.read_bytes()
    at = good.rindex(old)
    path.write_bytes(good[:at] + new + good[at + len(old):])
    summary = ImportSummary()
    with pytest.raises(InputError, match=reason), open_file(path) as parsed:
        importer.record(parsed, summary)
    assert stored(importer.store) == (0, 0) and summary.transactions_read == 0
    assert reason in importer.run([path]).errors[0]
    assert stored(importer.store) == (0, 0)

    path.write_bytes(good)
    summary = importer.run([path])
    assert (summary.transactions_read, summary.transactions_new, summary.errors) == (2500, 2500, [])
    assert stored(importer.store) == (1, 2500)
    again = importer.run([path])
    assert (again.files_already_known, again.transactions_new) == (1, 0)


def test_syncd_parse_prints_all_of_a_good_file_and_nothing_of_a_bad_one(tmp_path):
    path = tmp_path / "big.sta"
    write_mt940(path, 1500)
    runner = CliRunner()
    config = tmp_path / "none.toml"
    config.write_text("")
    good = runner.invoke(main, ["--config", str(config), "parse", str(path)])
    assert good.exit_code == 0, good.output
    amounts = [Decimal(json.loads(line)["amount"]) for line in good.stdout.splitlines()]
    assert amounts == _amounts(1500)

    data = path.read_bytes()
    at = data.rindex(b":62F:") + 8  # the month of the last closing balance's date: made the 13th
    path.write_bytes(data[:at] + b"13" + data[at + 2:])
    bad = runner.invoke(main, ["--config", str(config), "parse", str(path)])
    assert bad.exit_code == 3 and bad.stdout == ""
    assert "big.sta: line" in bad.stderr and ":62F:" in bad.stderr and "not a valid date" in bad.stderr
