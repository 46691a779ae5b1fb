"""Golden files for parser tests: ``python -m syncd.parsers.golden DIR``.

For every sample ``DIR/NAME.EXT`` this writes ``DIR/NAME.jsonl``: one line per transaction,
``Transaction.to_json()`` after key assignment, then one ``{"statement": ...}`` line per
statement (``Statement.to_json()``: balances, total, the gap when they disagree, entries left
out), all with sorted keys. A sample the parser refuses gets ``DIR/NAME.error`` instead: the
refusal, word for word (a broken sample must stay refused, for the same reason). Sources name
the sample by its base name, so golden files do not depend on where the checkout lives.
Regenerate after an intended change of parser output, then review the diff before committing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from syncd.errors import InputError
from syncd.identity import assign_keys
from syncd.parsers import detect_format
from syncd.records import join_pages

#: files of a data folder that are not samples: goldens and the record of where samples come from
NOT_SAMPLES = (".jsonl", ".error", ".md")


def samples(directory: str | Path) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir()
                  if p.is_file() and p.suffix not in NOT_SAMPLES and not p.name.startswith("."))


def _line(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False) + "\n"


def render(sample: str | Path) -> tuple[str, str]:
    """The golden file's suffix (``.jsonl`` or ``.error``) and text for one sample file."""
    sample = Path(sample)
    data = sample.read_bytes()
    try:
        statements = join_pages(detect_format(data, sample.name).parse(data, sample.name))
    except InputError as exc:
        return ".error", str(exc) + "\n"
    transactions = assign_keys(tx for statement in statements for tx in statement.transactions)
    return ".jsonl", ("".join(_line(tx.to_json()) for tx in transactions)
                      + "".join(_line({"statement": statement.to_json()}) for statement in statements))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m syncd.parsers.golden DIRECTORY", file=sys.stderr)
        return 2
    for sample in samples(args[0]):
        suffix, text = render(sample)
        for stale in {".jsonl", ".error"} - {suffix}:
            sample.with_suffix(stale).unlink(missing_ok=True)
        target = sample.with_suffix(suffix)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
