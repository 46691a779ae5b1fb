"""Helpers shared by the parsers' tests: golden files and mutations of valid samples."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import strategies as st

from syncd.parsers.golden import render


def assert_matches_golden(sample: Path, regenerate: str):
    """``sample`` parses to exactly its ``.jsonl`` golden file, or is refused with exactly its
    ``.error`` one; the diff otherwise."""
    suffix, actual = render(sample)
    golden = sample.with_suffix(suffix)
    if not golden.exists():
        other = ".error" if suffix == ".jsonl" else ".jsonl"
        pytest.fail(f"{sample.name}: parsed to {suffix}, but its golden file is {sample.stem}{other}; "
                    f"if intended, run: {regenerate}\n{actual[:2000]}")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{golden.name} (golden)",
                tofile=f"{golden.name} (parsed now)",
            )
        )
        pytest.fail(f"{sample.name} differs from its golden file; if intended, run: {regenerate}\n{diff}")


def mutate(raw: bytes, data) -> bytes:
    """``raw`` with one byte dropped, a few bytes inserted, or cut short, as hypothesis draws it."""
    position = data.draw(st.integers(0, len(raw) - 1))
    insert = data.draw(st.binary(min_size=1, max_size=3))
    return data.draw(st.sampled_from([raw[:position] + raw[position + 1:], raw[:position] + insert + raw[position:],
                                      raw[:position]]))
