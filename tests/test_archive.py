"""Zip archives: statements inside are read; bombs, floods, deep nesting and lies are refused
before they cost memory."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from syncd.errors import InputError
from syncd.parsers.archive import Limits, members
from syncd.reading import read_file

DATA = Path(__file__).parent / "data"


def zipped(files: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refused(data: bytes, tmp_path, limits=None) -> str:
    path = tmp_path / "in.zip"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        if limits:
            members(data, str(path), limits)
        else:
            read_file(path)
    assert "in.zip" in str(info.value)
    return str(info.value)


def test_statements_of_several_formats_in_one_archive(tmp_path):
    inner = zipped({"mt940/day2.sta": (DATA / "mt940" / "mt942_interim.sta").read_bytes()})
    archive = tmp_path / "statements.zip"
    archive.write_bytes(zipped({"camt/simple.xml": (DATA / "camt" / "simple.xml").read_bytes(),
                                "mt940/day1.sta": (DATA / "mt940" / "german_envelope_crlf.sta").read_bytes(),
                                "nested.zip": inner, "empty-dir/": b""}))
    parsed = read_file(archive)
    assert parsed.format == "camt053,mt940"
    sources = {tx.source.path for tx in parsed.transactions}
    assert sources == {f"{archive}!camt/simple.xml", f"{archive}!mt940/day1.sta",
                       f"{archive}!nested.zip!mt940/day2.sta"}
    again = read_file(archive)
    assert [tx.key for tx in again.transactions] == [tx.key for tx in parsed.transactions]


def test_a_bad_member_refuses_the_whole_archive(tmp_path):
    data = zipped({"good.xml": (DATA / "camt" / "simple.xml").read_bytes(), "bad.sta": b":20:X\n:61:nonsense\n"})
    assert "in.zip!bad.sta" in refused(data, tmp_path)


def test_zip_bomb_refused_by_its_ratio(tmp_path):
    bomb = zipped({"statement.xml": b"\0" * (20 * 1024 * 1024)})  # 20 MB of zeros, about 20 kB zipped
    assert len(bomb) < 100_000
    assert "a zip bomb?" in refused(bomb, tmp_path)


def test_declared_sizes_that_lie_are_caught_while_inflating(tmp_path):
    data = bytearray(zipped({"statement.xml": b"A" * 300_000}))
    # rewrite the sizes the central directory declares: 1000 bytes instead of 300,000
    at = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, at + 24, 1000)
    limits = Limits(max_member_bytes=50_000, max_ratio=10_000)
    # inflating stops at the declared size, and the checksum then tells the lie
    assert "cannot inflate the member: Bad CRC-32" in refused(bytes(data), tmp_path, limits)


def test_member_count_size_and_nesting_caps(tmp_path):
    flood = zipped({f"f{i}.txt": b"x" for i in range(50)})
    assert "holds 50 files" in refused(flood, tmp_path, Limits(max_members=20))
    big = zipped({"big.xml": b"<a/>" * 100_000}, zipfile.ZIP_STORED)
    assert "more than the limit of 1000" in refused(big, tmp_path, Limits(max_member_bytes=1000))
    deep = zipped({"a.zip": zipped({"b.zip": zipped({"c.xml": b"<a/>"})})})
    assert "nested more than 2 deep" in refused(deep, tmp_path)
    assert "encrypted" in refused(_encrypted(), tmp_path)
    assert "not a readable zip" in refused(b"PK\x03\x04garbage", tmp_path)
    assert "holds no file" in refused(zipped({"dir/": b""}), tmp_path)


def _encrypted() -> bytes:
    data = bytearray(zipped({"secret.xml": b"<a/>"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        at = data.index(signature)
        struct.pack_into("<H", data, at + offset, struct.unpack_from("<H", data, at + offset)[0] | 1)
    return bytes(data)
