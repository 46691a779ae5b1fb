"""Helpers shared by the parsers' tests: golden files and mutations of valid samples."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import strategies as st

from syncd.parsers.golden import render


def assert_matches_golden(sample: Path, regenerate: str):
    """``sample`` parses to exactly its ``.jsonl`` golden file; the diff otherwise."""
    expected = sample.with_suffix(".jsonl").read_text(encoding="utf-8")
    actual = render(sample)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{sample.stem}.jsonl (golden)",
                tofile=f"{sample.stem}.jsonl (parsed now)",
            )
        )
        pytest.fail(f"{sample.name} differs from its golden file; if intended, run: {regenerate}\n{diff}")


def mutate(raw: bytes, data) -> bytes:
    """``raw`` with one byte dropped, a few bytes inserted, or cut short, as hypothesis draws it."""
    position = data.draw(st.integers(0, len(raw) - 1))
    insert = data.draw(st.binary(min_size=1, max_size=3))
    return data.draw(st.sampled_from([raw[:position] + raw[position + 1:], raw[:position] + insert + raw[position:],
                                      raw[:position]]))
