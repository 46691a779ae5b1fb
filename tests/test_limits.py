"""Fitting a push to what the sync API takes: clipping, the raw record's cap, batches by lines
and bytes (syncd.limits, plain functions)."""

import json

import pytest

from syncd.limits import Limits, batches, clean_text, clip, fit_line, fit_raw, raw_size, request_size

SERVER = {"api_version": "1.0", "limits": {
    "max_batch": 5000, "max_request_bytes": 4_000_000, "max_key_length": 128, "max_raw_chars": 20000,
    "max_source_chars": 500, "text_fields": {"payment_ref": 1000, "partner_name": 255}}}


def test_limits_are_read_from_api_info_and_an_older_server_states_none():
    limits = Limits.from_api_info(SERVER)
    assert (limits.max_batch, limits.max_request_bytes, limits.max_raw_chars) == (5000, 4_000_000, 20000)
    assert limits.text_fields == {"payment_ref": 1000, "partner_name": 255}
    older = Limits.from_api_info({"api_version": "1.0", "max_batch": 5000})
    assert older == Limits(max_batch=5000)
    assert Limits.from_api_info({"limits": {"max_request_bytes": "lots", "text_fields": [1]}}) == Limits()


def test_clip_keeps_the_start_and_says_it_clipped():
    assert clip("short", 10) == "short"
    clipped = clip("é" * 1500, 1000)
    assert len(clipped) == 1000 and clipped.startswith("éé") and clipped.endswith("[clipped from 1500 characters]")
    assert clip("abcdef", 3) == "abc"  # no room for the marker


def test_fit_line_clips_only_fields_over_their_limit():
    line = {"key": "k", "payment_ref": "p" * 1001, "partner_name": "n" * 255, "raw": {"remittance": "p" * 1001}}
    fitted = fit_line(line, Limits.from_api_info(SERVER))
    assert len(fitted["payment_ref"]) == 1000 and fitted["partner_name"] == line["partner_name"]
    assert fitted["raw"] == line["raw"] and line["payment_ref"] == "p" * 1001  # the original is untouched
    assert fit_line(line, Limits()) == line


def test_fit_raw_shrinks_the_longest_strings_just_enough():
    raw = {"a": "x" * 30000, "b": "y" * 9000, "c": "short", "n": 5, "nested": {"d": ["z" * 5000]}}
    fitted = fit_raw(raw, 20000)
    assert 19900 < raw_size(fitted) <= 20000
    assert fitted["c"] == "short" and fitted["n"] == 5
    assert fitted["a"].endswith("[clipped from 30000 characters]")
    assert fitted["nested"]["d"][0] == "z" * 5000  # under the cut: kept
    assert fit_raw({"a": "x"}, 20000) == {"a": "x"}
    escaped = {"q": '"\\' * 5000}  # JSON escapes double the size: measured as the server does
    assert raw_size(fit_raw(escaped, 2000)) <= 2000


def test_batches_hold_at_most_max_lines_and_max_bytes_of_compact_json():
    lines = [{"key": str(n), "payment_ref": "€" * (n * 10)} for n in range(50)]
    cut = list(batches(lines, 7, 3000))
    assert [line for batch in cut for line in batch] == lines
    assert all(len(batch) <= 7 and request_size(batch) <= 3000 for batch in cut)
    # each batch as full as allowed: the next line would not have fitted
    for batch, following in zip(cut, cut[1:], strict=False):
        assert len(batch) == 7 or request_size([*batch, following[0]]) > 3000
    assert request_size(lines[:2]) == len(json.dumps(lines[:2], separators=(",", ":"), ensure_ascii=False).encode())


def test_a_line_bigger_than_the_byte_limit_goes_alone():
    lines = [{"key": "a"}, {"key": "b", "payment_ref": "x" * 500}, {"key": "c"}]
    assert [len(batch) for batch in batches(lines, 10, 100)] == [1, 1, 1]
    assert [len(batch) for batch in batches(lines, 10, None)] == [3]


@pytest.mark.parametrize(("text", "multiline", "expected"), [
    ("plain text", False, "plain text"),
    ("Invoice\r\n4711\rpaid\n", True, "Invoice\n4711\npaid\n"),
    ("Invoice\r\n4711", False, "Invoice 4711"),
    ("a\tb", False, "a b"),
    ("a\tb", True, "a\tb"),
    ("\x01{4:\x03 NUL\x00 ESC\x1b DEL\x7f C1\x9b", True, "{4: NUL ESC DEL C1"),
    ("page\x0cbreak", True, "page\nbreak"),
    ("lone \ud800 surrogate", False, "lone  surrogate"),
])
def test_texts_lose_what_the_server_refuses(text, multiline, expected):
    assert clean_text(text, multiline) == expected


def test_a_line_and_its_raw_record_are_cleaned_for_the_server():
    line = {"key": "k", "payment_ref": "REF\x0012\r\nnext", "partner_name": "ACME\x1b[0m Ltd",
            "raw": {"remittance": "a\r\nb\x01", "nested": ["\x02x"]}}
    fitted = fit_line(line, Limits())
    assert (fitted["payment_ref"], fitted["partner_name"]) == ("REF12\nnext", "ACME[0m Ltd")
    assert fitted["raw"] == {"remittance": "a\nb", "nested": ["x"]}
