"""Matching accuracy on a labelled scenario generated in a live Odoo.

Builds a database with Customer Ledger, then inside Odoo (``odoo-bin shell``) creates the
customers (70% with a known IBAN), their posted invoices and credit notes (4% in a foreign
currency, some recurring same-amount subscriptions) and bank lines of every difficulty with
the truth recorded: clean references, references in other spellings, references with typos,
no reference but a known IBAN, a payer name only, one payment for several invoices, partial
payments, payments short by a bank fee, foreign-currency payments, and payments with no
invoice at all. It pushes the lines through the sync API, runs the matcher, and compares.

Prints: precision of the automatic reconciliations (goal >= 99.9%), the share of lines with a
true match reconciled automatically and correctly (goal >= 90%), and the top-1 accuracy of
the suggestions for the rest (goal >= 97%), with figures per kind of line.

    python -m bench.match_accuracy [--customers 1000] [--invoices 10000] [--lines 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.harness import OdooHarness, locate_odoo

SCENARIO = Path(__file__).with_name("match_accuracy_scenario.py")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-misses", action="store_true", help="list the lines left to the accountant")
    args = parser.parse_args(argv)

    harness = OdooHarness(*locate_odoo())
    try:
        harness.setup()
        print("building the database...", file=sys.stderr)
        database = harness.build_template()
        params = {"customers": args.customers, "invoices": args.invoices, "lines": args.lines, "seed": args.seed}
        script = f"PARAMS = {params!r}\n" + SCENARIO.read_text()
        print("generating the scenario and matching (several minutes)...", file=sys.stderr)
        code, output = harness.odoo("-d", database, "--log-level=warn", "--no-http", command="shell", input=script)
        result = next((json.loads(line) for line in output.splitlines() if line.startswith('{"customers"')), None)
        if code or result is None:
            raise SystemExit(f"the scenario failed:\n{output[-5000:]}")
    finally:
        harness.cleanup()

    auto, correct = result["automatic"], result["automatic_correct"]
    precision = correct / auto if auto else 1.0
    share = result["automatic_of_true"] / result["with_true_match"]
    top1 = result["suggested_rest_top1"] / result["suggested_rest"] if result["suggested_rest"] else 1.0
    print(f"customers: {result['customers']}, open items: {result['invoices']}, bank lines: {result['lines']}")
    print(f"generated in {result['generated_in']:.0f} s; matched in {result['matched_in']:.1f} s "
          f"({result['lines'] / result['matched_in']:.0f} lines/s)")
    print(f"precision of automatic reconciliations: {precision:.4%} ({correct}/{auto})  (goal >= 99.9%)")
    print(f"reconciled automatically (correctly), of lines with a true match: {share:.2%} "
          f"({result['automatic_of_true']}/{result['with_true_match']})  (goal >= 90%)")
    print(f"top-1 accuracy of suggestions for the rest: {top1:.2%} "
          f"({result['suggested_rest_top1']}/{result['suggested_rest']})  (goal >= 97%)")
    print("per kind (automatic/with a true match):")
    for kind, (done, total) in sorted(result["per_kind"].items()):
        print(f"  {kind:20} {done:5}/{total:<5} {done / total:7.1%}")
    for mistake in result["mistakes"]:
        print(f"  wrong: {mistake}")
    if args.show_misses:
        for miss in result["misses"]:
            print(f"  not automatic: {miss}")


if __name__ == "__main__":
    main()
