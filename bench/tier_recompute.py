"""Tier and lifecycle recompute over 100,000 customers against the bare SQL aggregation it needs.

Generated with SQL into a copy of the demo database: ``--customers`` commercial customers and
``--invoices`` posted customer invoices and credit notes (one in ten), spread over four years,
skewed so that a few customers bring most of the revenue.

(a) floor: the bare aggregation the recompute needs, one ``GROUP BY`` over the company's posted
    invoices by customer (revenue over the window, invoice count, first and last invoice);
(b) the recompute as the monthly scheduled action runs it (``_ledger_recompute``): the
    aggregation, the Pareto ranking, lifecycles, every profile written, every tier change kept in
    the history and posted in the customer's chatter. Timed twice: the first run (every customer
    is new: 100,000 profiles, history entries and chatter notes) and the next month's.

Each inside one ``odoo-bin shell``, best of ``--repeat`` for the floor. Prints the seconds and
the ratios (b)/(a); the goal is at most 3.

    python -m bench.tier_recompute [--customers 100000] [--invoices 1000000]
"""

from __future__ import annotations

import argparse
import re
import sys
import time

from tests.harness import OdooHarness, locate_odoo

GENERATE = """
INSERT INTO res_partner (name, complete_name, is_company, customer_rank, active, type, lang, create_date, write_date)
SELECT 'Bench customer ' || n, 'Bench customer ' || n, n % 4 <> 0, 1, TRUE, 'contact', 'en_US', now(), now()
  FROM generate_series(1, {customers}) n;
UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench customer %';
CREATE TEMPORARY TABLE bench_customer AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM res_partner WHERE name LIKE 'Bench customer %';
CREATE INDEX ON bench_customer (n);
INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post, date,
                          invoice_date, partner_id, commercial_partner_id, amount_untaxed_signed,
                          amount_total_signed, create_date, write_date)
SELECT 'BENCH/' || g.n, j.id, j.company_id, c.currency_id, 'posted',
       CASE WHEN g.n % 10 = 0 THEN 'out_refund' ELSE 'out_invoice' END, 'no', g.day, g.day, b.id, b.id,
       CASE WHEN g.n % 10 = 0 THEN -1 ELSE 1 END * g.amount, CASE WHEN g.n % 10 = 0 THEN -1 ELSE 1 END * g.amount,
       now(), now()
  FROM (SELECT n, floor({customers} * power(random(), 3))::int AS customer,
               current_date - (random() * 1460)::int AS day, round((10 + random() * 5000)::numeric, 2) AS amount
          FROM generate_series(1, {invoices}) n) g
  JOIN bench_customer b ON b.n = g.customer
  JOIN account_journal j ON j.type = 'sale' AND j.company_id = {company}
  JOIN res_company c ON c.id = j.company_id
 WHERE j.id = (SELECT min(id) FROM account_journal WHERE type = 'sale' AND company_id = {company});
ANALYZE res_partner;
ANALYZE account_move;
"""

MEASURE = """
import time
from dateutil.relativedelta import relativedelta
from odoo import fields
company = env.ref("base.main_company")
Profile = env["customer.ledger.profile"]
today = fields.Date.context_today(Profile)
env.cr.execute("SET work_mem = '64MB'")  # as the recompute sets it
# the aggregation exactly as the recompute runs it, without the table it goes into
from odoo.addons.customer_ledger.models.customer_ledger_profile import _STATS
FLOOR = _STATS
def floor(day):
    start = time.perf_counter()
    env.cr.execute(FLOOR, {{"company_id": company.id, "today": day,
                           "window_start": day - relativedelta(months=company.ledger_tier_window_months)}})
    rows = len(env.cr.fetchall())
    return time.perf_counter() - start, rows
for _warm in range(2):
    floor(today)
best = min(floor(today)[0] for _ in range({repeat}))
print("CUSTOMERS_INVOICED %d" % floor(today)[1])
print("FLOOR %.6f" % best)
for label, day in (("FIRST", today), ("NEXT", today + relativedelta(months=1))):
    start = time.perf_counter()
    changes = Profile._ledger_recompute(company, today=day)
    env.cr.commit()
    print("%s %.6f %d" % (label, time.perf_counter() - start, changes))
    print("FLOOR_%s %.6f" % (label, min(floor(day)[0] for _ in range({repeat}))))
env.cr.execute("SELECT count(*) FROM customer_ledger_profile WHERE company_id = %s", [company.id])
print("PROFILES %d" % env.cr.fetchone()[0])
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="floor runs, the best counts (default 3)")
    args = parser.parse_args(argv)

    harness = OdooHarness(*locate_odoo(), role=None)
    try:
        harness.setup()
        print("building the template database...", file=sys.stderr)
        harness.build_template()
        database = harness.copy_database("bench_tiers")
        company = harness.sql("SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'main_company'",
                              database=database).strip()
        print(f"generating {args.customers} customers and {args.invoices} invoices...", file=sys.stderr)
        start = time.perf_counter()
        harness._pg("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-c",
                    GENERATE.format(customers=args.customers, invoices=args.invoices, company=company))
        print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        _code, output = harness.odoo("-d", database, "--log-level=warn", "--no-http", command="shell",
                                     input=MEASURE.format(repeat=args.repeat))
        figures = dict(re.findall(r"^([A-Z_]+) (.+)$", output, re.MULTILINE))
        if "PROFILES" not in figures:
            raise RuntimeError(f"odoo-bin shell failed:\n{output[-5000:]}")
        floor_first = float(figures["FLOOR"])
        first, first_changes = figures["FIRST"].split()
        following, next_changes = figures["NEXT"].split()
        floor_next = float(figures["FLOOR_NEXT"])
        print(f"{args.customers} customers ({figures['CUSTOMERS_INVOICED']} invoiced), {args.invoices} invoices; "
              f"{figures['PROFILES']} profiles after")
        print(f"(a) floor, the bare aggregation:          {floor_first:8.3f} s (next month: {floor_next:.3f} s)")
        print(f"(b) recompute, first run:                 {float(first):8.3f} s ({first_changes} tier changes)")
        print(f"(b) recompute, the next month:            {float(following):8.3f} s ({next_changes} tier changes)")
        print(f"ratio first run / floor:  {float(first) / floor_first:.2f}  (goal <= 3)")
        print(f"ratio next month / floor: {float(following) / floor_next:.2f}  (goal <= 3)")
    finally:
        harness.cleanup()


if __name__ == "__main__":
    main()
