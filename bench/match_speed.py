"""Matching speed: the engine against Odoo reconciling known pairs, and against twice the items.

1. Generates open invoices (``--items``, half of them first) and bank lines that each pay one
   invoice by reference (``--lines``), inside Odoo.
2. The floor: on one copy of the database, Odoo reconciles the same known (line, invoice)
   pairs directly, batched, without searching for anything.
3. The engine: on another copy, ``_ledger_match`` finds the invoices and reconciles them.
4. Scaling: matching alone (no reconciling) on the database with half the items and on the one
   with all of them.

Prints the times and the ratios: engine / floor (goal <= 2) and matching time with twice the
open items / with half (goal < 1.3).

    python -m bench.match_speed [--items 50000] [--lines 10000]
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.harness import OdooHarness, locate_odoo

COMMON = """
import json, time, random
rng = random.Random(11)
journal = env["account.journal"].search([("code", "=", "SPED")]) or env["account.journal"].create(
    {"name": "Speed Bank", "code": "SPED", "type": "bank"})
"""

GENERATE_ITEMS = COMMON + """
partners = env["res.partner"].search([("name", "like", "Speed customer %")])
if not partners:
    partners = env["res.partner"].create([{"name": f"Speed customer {i}", "is_company": True} for i in range(1000)])
start = env["account.move"].search_count([("partner_id", "in", partners.ids)])
# numbered here, in sequence, rather than by Odoo's sequence, whose next number comes from a
# scan of the journal's moves of the year: generating 50,000 would take hours
for offset in range(0, PARAMS["count"], 1000):
    vals = [{"move_type": "out_invoice", "partner_id": partners[(start + offset + i) % len(partners)].id,
              "invoice_date": "2026-10-01", "name": f"INV/2026/{start + offset + i + 1:06d}",
              "invoice_line_ids": [(0, 0, {"name": "x", "quantity": 1, "price_unit": round(rng.uniform(10, 9000), 2),
                                            "tax_ids": [(6, 0, [])]})]}
            for i in range(min(1000, PARAMS["count"] - offset))]
    env["account.move"].with_context(tracking_disable=True).create(vals).action_post()
    env.cr.commit()
print("DONE")
"""

GENERATE_LINES = COMMON + """
invoices = env["account.move"].search([("move_type", "=", "out_invoice"), ("payment_state", "=", "not_paid"),
                                       ("partner_id.name", "like", "Speed customer %")])
chosen = rng.sample(list(invoices), PARAMS["count"])
lines = env["account.bank.statement.line"].create([
    {"journal_id": journal.id, "date": "2026-11-20", "amount": inv.amount_residual,
      "payment_ref": f"Invoice {inv.name} thank you", "ledger_import_key": f"speed:{inv.id}"} for inv in chosen])
env.cr.commit()
print("DONE")
"""

FLOOR = COMMON + """
lines = env["account.bank.statement.line"].search([("journal_id", "=", journal.id)], order="id")
invoices = {int(line.ledger_import_key.split(":")[1]): line for line in lines}
pairs = [(line, env["account.move"].browse(inv_id)) for inv_id, line in invoices.items()]
t0 = time.time()
for start in range(0, len(pairs), PARAMS["batch"]):
    for line, invoice in pairs[start:start + PARAMS["batch"]]:
        receivable = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        line.partner_id = invoice.partner_id
        suspense = line._seek_for_lines()[1]
        suspense.account_id = receivable.account_id
        (suspense + receivable).reconcile()
    env.cr.commit()
print(json.dumps({"seconds": time.time() - t0, "reconciled": sum(lines.mapped("is_reconciled"))}))
"""

ENGINE = COMMON + """
lines = env["account.bank.statement.line"].search([("journal_id", "=", journal.id)], order="id")
t0 = time.time()
for start in range(0, len(lines), PARAMS["batch"]):
    lines[start:start + PARAMS["batch"]]._ledger_match(auto=PARAMS["auto"])
    env.cr.commit()
elapsed = time.time() - t0
env.invalidate_all()
correct = sum(1 for line in lines if line.is_reconciled and
              line._ledger_reconciled_moves().ids == [int(line.ledger_import_key.split(":")[1])])
suggested_right = sum(1 for line in lines if line.ledger_suggested_line_ids.move_id.ids ==
                      [int(line.ledger_import_key.split(":")[1])])
print(json.dumps({"seconds": elapsed, "reconciled_correctly": correct, "suggested_right": suggested_right}))
"""


def shell(harness, database, script, **params):
    script = f"PARAMS = {params!r}\n" + script
    code, output = harness.odoo("-d", database, "--log-level=warn", "--no-http", command="shell", input=script)
    last = [line for line in output.splitlines() if line.startswith(("{", "DONE"))]
    if code or not last:
        raise SystemExit(f"odoo-bin shell failed on {database}:\n{output[-5000:]}")
    return json.loads(last[-1]) if last[-1].startswith("{") else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50000, help="open invoices in the end (default 50000)")
    parser.add_argument("--lines", type=int, default=10000, help="bank lines (default 10000)")
    parser.add_argument("--batch", type=int, default=500, help="lines per transaction (default 500)")
    args = parser.parse_args(argv)
    half = args.items // 2

    harness = OdooHarness(*locate_odoo())
    try:
        harness.setup()
        print("building the database and generating the scenario...", file=sys.stderr)
        template = harness.build_template()
        shell(harness, template, GENERATE_ITEMS, count=half)
        shell(harness, template, GENERATE_LINES, count=args.lines)
        half_db = harness.copy_database("speed_half")
        shell(harness, template, GENERATE_ITEMS, count=args.items - half)
        floor_db = harness.copy_database("speed_floor")
        engine_db = harness.copy_database("speed_engine")

        print("matching only, half and all of the items...", file=sys.stderr)
        match_half = shell(harness, half_db, ENGINE, batch=args.batch, auto=False)
        match_all = shell(harness, template, ENGINE, batch=args.batch, auto=False)
        print("floor and engine...", file=sys.stderr)
        floor = shell(harness, floor_db, FLOOR, batch=args.batch)
        engine = shell(harness, engine_db, ENGINE, batch=args.batch, auto=True)
    finally:
        harness.cleanup()

    n = args.lines
    print(f"bank lines: {n}, open invoices: {args.items} (half: {half})")
    print(f"floor, Odoo reconciling the known pairs: {floor['seconds']:8.1f} s ({n / floor['seconds']:.0f} lines/s)")
    print(f"engine, matching and reconciling:        {engine['seconds']:8.1f} s ({n / engine['seconds']:.0f} lines/s),"
          f" {engine['reconciled_correctly']} reconciled correctly")
    print(f"ratio engine / floor: {engine['seconds'] / floor['seconds']:.2f}  (goal <= 2)")
    print(f"matching alone: {match_half['seconds']:.1f} s with {half} items, {match_all['seconds']:.1f} s with "
          f"{args.items}; ratio {match_all['seconds'] / match_half['seconds']:.2f}  (goal < 1.3)")


if __name__ == "__main__":
    main()
