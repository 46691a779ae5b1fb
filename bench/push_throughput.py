"""Push throughput: syncd over JSON-RPC against in-process batch creation.

(a) reference: N statement lines created through the ORM inside Odoo (``odoo-bin shell``),
    one batch ``create()`` in one transaction;
(b) syncd: the same N lines, from a CAMT.053 file, pushed by syncd's importer over JSON-RPC
    to a live Odoo serving a copy of the same database (parsing and reconciliation not timed).

Prints lines/s for both and the ratio (b)/(a); the goal is at least 0.9. With
``--per-line M`` it also times M lines sent one per RPC call, the naive way.

    python -m bench.push_throughput [-n 2000] [--per-line 0]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from syncd.config import Config, OdooConfig
from syncd.engine import Importer, ImportSummary
from syncd.reading import read_file
from syncd.sink import OdooSink
from syncd.store import Store
from tests.camt_builder import Entry, build_camt053
from tests.harness import JsonRpc, OdooHarness, create_robot, locate_odoo

DEMO_IBAN = "DE89370400440532013000"  # the demo data's bank journal (LDEMO)

IN_PROCESS = """
import time
journal = env.ref("customer_ledger.demo_bank_journal")
vals_list = [{{
    "journal_id": journal.id, "date": "2026-11-20", "amount": 1 + i / 100,
    "payment_ref": "reference payment %d" % i, "ledger_import_key": "ref:%d" % i,
    "ledger_feed": "bench", "ledger_source_file": "bench.xml", "ledger_batch": "bench",
}} for i in range({n})]
Lines = env["account.bank.statement.line"].sudo()
start = time.perf_counter()
Lines.create(vals_list)
env.cr.commit()
print("ELAPSED %.6f" % (time.perf_counter() - start))
"""


def shell_seconds(harness, database, script):
    """Run ``script`` in ``odoo-bin shell`` on ``database``; the seconds it prints as ``ELAPSED``."""
    _code, output = harness.odoo("-d", database, "--log-level=warn", "--no-http", command="shell", input=script)
    match = re.search(r"ELAPSED ([0-9.]+)", output)
    if not match:
        raise RuntimeError(f"odoo-bin shell failed:\n{output[-5000:]}")
    return float(match.group(1))


def in_process(harness, database, n):
    return shell_seconds(harness, database, IN_PROCESS.format(n=n))


def over_rpc(server, robot_key, statement_path, workdir, batch_size):
    config = Config(
        odoo=OdooConfig(url=server.url, database=server.database, login="syncd", api_key=robot_key, timeout=3600),
        state_url=f"sqlite:///{workdir / f'state-{batch_size}.sqlite'}",
        batch_size=batch_size,
    )
    importer = Importer(config, Store(config.state_url), OdooSink(config.odoo))
    summary = ImportSummary()
    importer.record(read_file(statement_path), summary)
    importer.sink.api_info()  # log in before the clock starts
    start = time.perf_counter()
    importer.push(summary)
    elapsed = time.perf_counter() - start
    assert summary.created_in_odoo == summary.transactions_new, summary
    return elapsed, summary.created_in_odoo


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2000, help="statement lines (default 2000)")
    parser.add_argument("--batch-size", type=int, default=500, help="syncd's lines per RPC call (default 500)")
    parser.add_argument("--per-line", type=int, default=0, metavar="M",
                        help="also time M lines sent one per RPC call")
    args = parser.parse_args(argv)

    harness = OdooHarness(*locate_odoo(), role=None)
    try:
        harness.setup()
        print("building the template database...", file=sys.stderr)
        harness.build_template()
        reference_db = harness.copy_database("bench_reference")
        rpc_db = harness.copy_database("bench_rpc")

        reference = in_process(harness, reference_db, args.n)

        workdir = Path(tempfile.mkdtemp(dir=harness.workdir))
        statement = workdir / "bench.xml"
        entries = [Entry(Decimal(100 + i) / 100, f"payment {i}", bank_ref=f"B{i:07d}") for i in range(args.n)]
        statement.write_bytes(build_camt053(DEMO_IBAN, entries))
        with harness.start_server(rpc_db) as server:
            _user, key = create_robot(JsonRpc(server.url, rpc_db))
            rpc_elapsed, created = over_rpc(server, key, statement, workdir, args.batch_size)
            per_line = None
            if args.per_line:
                small = workdir / "per_line.xml"
                small.write_bytes(build_camt053(DEMO_IBAN, [
                    Entry(Decimal(i + 1), f"single {i}", bank_ref=f"S{i:07d}") for i in range(args.per_line)
                ], statement_id="PER-LINE"))
                per_line = over_rpc(server, key, small, workdir, 1)

        ref_rate = args.n / reference
        rpc_rate = created / rpc_elapsed
        print(f"lines: {args.n}")
        print(f"(a) in-process ORM, one create(): {ref_rate:8.1f} lines/s ({reference:.2f} s)")
        print(f"(b) syncd over JSON-RPC, {args.batch_size}/call: {rpc_rate:8.1f} lines/s ({rpc_elapsed:.2f} s)")
        if per_line:
            elapsed, count = per_line
            print(f"    syncd over JSON-RPC, 1/call:   {count / elapsed:8.1f} lines/s ({count} lines)")
        print(f"ratio (b)/(a): {rpc_rate / ref_rate:.2f}  (goal >= 0.9)")
    finally:
        harness.cleanup()


if __name__ == "__main__":
    main()
