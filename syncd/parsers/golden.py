"""Golden files for parser tests: ``python -m syncd.parsers.golden DIR``.

For every ``DIR/NAME.xml`` (or other sample) this writes ``DIR/NAME.jsonl``:
one line per transaction, ``Transaction.to_json()`` after key assignment,
with sorted keys.  Sources name the sample by its base name, so golden files
do not depend on where the checkout lives.  Regenerate after an intended
change of parser output, then review the diff before committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from syncd.identity import assign_keys
from syncd.parsers import detect_format

SAMPLE_SUFFIXES = (".xml", ".sta", ".ofx", ".qfx", ".bai", ".csv")


def samples(directory: str | Path) -> list[Path]:
    return sorted(p for p in Path(directory).iterdir() if p.suffix in SAMPLE_SUFFIXES and p.is_file())


def render(sample: str | Path) -> str:
    """The golden text for one sample file."""
    sample = Path(sample)
    data = sample.read_bytes()
    statements = detect_format(data, sample.name).parse(data, sample.name)
    transactions = assign_keys(tx for statement in statements for tx in statement.transactions)
    return "".join(json.dumps(tx.to_json(), sort_keys=True, ensure_ascii=False) + "\n" for tx in transactions)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m syncd.parsers.golden DIRECTORY", file=sys.stderr)
        return 2
    for sample in samples(args[0]):
        target = sample.with_suffix(".jsonl")
        target.write_text(render(sample), encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
