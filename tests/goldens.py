"""Golden-file comparison shared by the parsers' tests."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

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
