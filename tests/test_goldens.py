"""Every parser against its golden files, and detection from content, across all formats.

Each folder of tests/data holds sample files and, for each, the ``.jsonl`` golden file of the
normalized transactions it must give (keys included), compared exactly. After an intended
change of a parser's output, regenerate a folder with ``python -m syncd.parsers.golden
tests/data/FOLDER`` and review the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncd.parsers import PARSERS, detect_format
from syncd.parsers.csvprofile import bundled_profiles
from syncd.parsers.golden import samples
from tests.goldens import assert_matches_golden

DATA = Path(__file__).parent / "data"
# the samples each folder must have at least: every dialect and quirk has one
REQUIRED = {
    "camt": {"simple", "batch", "pending_and_reversal", "v08", "duplicates", "notification_054", "report_052",
             "balance_other_currency", "details_other_currency", "batch_details_mismatch", "no_booking_date",
             "balance_mismatch", "balance_types", "report_052_interim", "status_v13", "notification_054_v13",
             "prefixed_namespace", "no_namespace", "zero_and_accounts", "latin1_declared", "bom_utf8",
             "austrian_flavour", "czech_flavour", "prowide_053_v07_envelope", "lt_053_v08_no_status",
             "hbci4java_052_v08", "hbci4java_052_none", "postfinance_053", "dvbern_postfinance_053_v04",
             "abn_amro_053", "ing_053", "nordea_053", "goldman_sachs_053_us"},
    "mt940": {"german_envelope_crlf", "dutch_page_split", "mt942_interim", "two_accounts_dot_decimals"},
    "ofx": {"ofx1_checking_cp1252", "ofx1_header_lies_utf8", "qfx2_credit_card"},
    "bai2": {"two_groups"},
    "csv": {profile.name for profile in bundled_profiles()},  # one per bundled profile, named after it
    "providers": {"stripe", "paypal", "adyen"},
}
ALL_SAMPLES = [sample for folder in REQUIRED for sample in samples(DATA / folder)]


def test_the_folders_are_all_here():
    assert {path.name for path in DATA.iterdir() if path.is_dir()} == set(REQUIRED)


@pytest.mark.parametrize("folder", sorted(REQUIRED))
def test_every_sample_has_a_golden_file(folder):
    names = {path.stem for path in samples(DATA / folder)}
    assert REQUIRED[folder] <= names
    goldens = [path.stem for pattern in ("*.jsonl", "*.error") for path in (DATA / folder).glob(pattern)]
    assert sorted(goldens) == sorted(names), f"run: python -m syncd.parsers.golden tests/data/{folder}"


@pytest.mark.parametrize("folder", sorted(REQUIRED))
def test_every_sample_says_where_it_comes_from(folder):
    """Each folder's SOURCES.md has a row per sample: its origin and licence, or that it was
    written here (and from what)."""
    sources = (DATA / folder / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", sources, re.MULTILINE))
    assert listed == {path.name for path in samples(DATA / folder)}


@pytest.mark.parametrize("sample", ALL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_sample_matches_golden_file(sample):
    assert_matches_golden(sample, f"python -m syncd.parsers.golden tests/data/{sample.parent.name}")


@pytest.mark.parametrize("sample", ALL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_detected_from_content_by_exactly_one_parser(sample):
    data = sample.read_bytes()
    detected = [name for name, parser in PARSERS.items() if parser.detect(data)]
    assert len(detected) == 1, detected
    assert detect_format(data, "statement.dat").name == detected[0]  # whatever the file is called
    if sample.parent.name == "csv":
        assert detected == [f"csv:{sample.stem}"]
    elif sample.parent.name in ("mt940", "ofx", "bai2"):
        assert detected == [sample.parent.name]
