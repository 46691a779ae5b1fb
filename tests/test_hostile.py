"""Hostile and broken files, across every format: each is refused with the file and the reason,
without reading more than the caps allow."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.errors import InputError
from syncd.parsers.golden import samples
from syncd.reading import read_file

DATA = Path(__file__).parent / "data"
# formats whose files say where they end (trailers, closing tags, closing balances):
# cut in the middle, they are refused rather than read in part
SELF_DELIMITED = ["camt", "mt940", "ofx", "bai2"]


def refused(path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_file(path, **kwargs)
    assert str(path) in str(info.value) or Path(path).name in str(info.value)
    return str(info.value)


def test_a_one_gigabyte_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.xml"
    with open(path, "wb") as handle:  # sparse: costs no disk
        handle.truncate(1024**3)
    assert "more than the limit" in refused(path)


@pytest.mark.parametrize("family", SELF_DELIMITED)
def test_truncated_files_are_refused(tmp_path, family):
    for sample in samples(DATA / family):
        data = sample.read_bytes()
        for cut in (len(data) // 3, len(data) // 2, len(data) - 8):
            if not data[cut:].strip() or family == "mt940" and b"\n:" not in data[:cut].rpartition(b"\n-")[2]:
                continue  # only blank lines cut off, or whole MT940 messages left: no cut to see
            path = tmp_path / f"cut-{cut}-{sample.name}"
            path.write_bytes(data[:cut])
            refused(path)


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(tmp_path, content):
    path = tmp_path / "empty.dat"
    path.write_bytes(content)
    assert "unknown format" in refused(path) or "empty" in refused(path)


def test_quadratic_blowup_and_external_entities_are_refused(tmp_path):
    entity = "x" * 50_000
    blowup = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "{entity}">]>'
              '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">' + "&a;" * 50_000 + "</Document>")
    path = tmp_path / "blowup.xml"
    path.write_text(blowup)
    assert "DOCTYPE" in refused(path)
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>')
    path.write_text(xxe)
    assert "DOCTYPE" in refused(path)
    ofx_xxe = ('<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               '<?OFX OFXHEADER="200"?><OFX><SIGNONMSGSRSV1>&x;</SIGNONMSGSRSV1></OFX>')
    path.write_text(ofx_xxe)
    assert "DOCTYPE" in refused(path)
