"""Daemon throughput: lines/s from an inbox folder to confirmed statement lines in Odoo.

Against Odoo 17 serving with 2 workers (``--workers=2``), each on its own copy of the same
database:

(a) reference: the same statement lines created through the ORM inside Odoo (``odoo-bin shell``),
    as many in each of the same two journals, one batch ``create()`` in one transaction; for
    comparison also (a') with one ``create()`` and commit per ``--batch-size`` lines, as syncd
    sends them (Odoo's cost per line grows with the size of one ``create()``);
(b) one syncd instance: ``syncd run --once --no-reconcile`` over an inbox holding the lines in
    CAMT.053 files for two bank journals (SQLite state store), timed from start to exit:
    detection, parsing, storing, pushing and confirming;
(c) two syncd instances started together on one PostgreSQL state store over the same inbox
    (they share the files and take one journal each under its lease), timed until both exit.

Prints lines/s for each and the ratios (b)/(a) (goal >= 0.9) and (c)/(a) (goal >= 1.6), after
checking that Odoo holds every line exactly once.

    python -m bench.daemon_throughput [-n 4000] [--files 8] [--batch-size 250]
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from bench.push_throughput import DEMO_IBAN, shell_seconds
from tests.camt_builder import Entry, build_camt053
from tests.harness import JsonRpc, OdooHarness, create_robot, locate_odoo

SECOND_IBAN = "FR1420041010050500013M02606"
SECOND_JOURNAL = {"name": "Bench Bank 2", "code": "BNC2", "type": "bank", "bank_acc_number": SECOND_IBAN}

IN_PROCESS = """
import time
usd = env["res.currency"].search([("name", "=", "USD")])
journals = [env.ref("customer_ledger.demo_bank_journal"),
            env["account.journal"].create(dict({journal!r}, currency_id=usd.id))]
per_file = {n} // {files}
vals_list = [{{
    "journal_id": journals[f % 2].id, "date": "2026-11-20", "amount": (100 + f * per_file + i) / 100,
    "payment_ref": "payment %d-%d" % (f, i), "ledger_import_key": "ref:%d:%d" % (f, i),
    "ledger_feed": "bench", "ledger_source_file": "day%03d.xml" % f, "ledger_batch": "bench",
}} for f in range({files}) for i in range(per_file)]
env.cr.commit()
Lines = env["account.bank.statement.line"].sudo()
start = time.perf_counter()
for first in range(0, len(vals_list), {batch}):
    Lines.create(vals_list[first:first + {batch}])
    env.cr.commit()
print("ELAPSED %.6f" % (time.perf_counter() - start))
"""


def in_process(harness, database, n, files, batch):
    """Seconds to ``create()`` the inbox's lines, file by file into the same journals, ``batch``
    lines per call and transaction."""
    return shell_seconds(harness, database,
                         IN_PROCESS.format(n=n, files=files, journal=SECOND_JOURNAL, batch=batch))


def write_inbox(inbox: Path, n: int, files: int):
    """``n`` lines in ``files`` CAMT files, alternating between the two journals' accounts."""
    inbox.mkdir(parents=True)
    per_file = n // files
    for f in range(files):
        iban = DEMO_IBAN if f % 2 == 0 else SECOND_IBAN
        entries = [Entry(Decimal(100 + f * per_file + i) / 100, f"payment {f}-{i}", bank_ref=f"D{f:03d}{i:06d}")
                   for i in range(per_file)]
        (inbox / f"day{f:03d}.xml").write_bytes(build_camt053(iban, entries, statement_id=f"DAY-{f}",
                                                              currency="USD"))
    for path in inbox.iterdir():
        old = time.time() - 3600
        os.utime(path, (old, old))


def prepare(harness, database, n, files, workdir, state_url, batch_size):
    """Odoo with 2 workers on ``database``, a robot, the second journal, an inbox, a config."""
    server = harness.start_server(database, extra_args=["--workers=2", "--limit-time-real=600",
                                                        "--limit-time-cpu=600"])
    admin = JsonRpc(server.url, database)
    currency = admin("res.currency", "search", [("name", "=", "USD")])[0]
    admin("account.journal", "create", dict(SECOND_JOURNAL, currency_id=currency))
    _user, key = create_robot(admin)
    inbox = workdir / "inbox"
    write_inbox(inbox, n, files)
    config = workdir / "syncd.toml"
    config.write_text(f'[push]\nbatch_size = {batch_size}\n[sources.bench]\npath = "{inbox}"\nsettle = 0\n')
    env = dict(os.environ, SYNCD_CONFIG=str(config), SYNCD_ODOO_URL=server.url, SYNCD_ODOO_DATABASE=database,
               SYNCD_ODOO_LOGIN="syncd", SYNCD_ODOO_API_KEY=key, SYNCD_STATE_URL=state_url)
    return server, admin, env


TICK = os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all cores spent on anything but idling, since boot."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK  # minus idle and iowait


def process_tree_cpu(root: int) -> float:
    """CPU seconds of ``root``, its living descendants and the children it has reaped."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), [int(value) for value in fields[11:15]])
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        ppid_ticks = stats.get(pid)
        if ppid_ticks:
            utime, stime, cutime, cstime = ppid_ticks[1]
            total += utime + stime + cutime + cstime
        pending.extend(child for child, (ppid, _ticks) in stats.items() if ppid == pid)
    return total / TICK


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_instances(env, count: int, server) -> tuple[float, list[str], str]:
    """Seconds until ``count`` instances have all exited, the lines each created, and where the
    CPU went meanwhile (Odoo's processes, syncd's, and the rest: PostgreSQL mostly)."""
    argv = [sys.executable, "-m", "syncd", "run", "--once", "--no-reconcile"]
    before = machine_busy(), process_tree_cpu(server.process.pid), children_cpu()
    start = time.perf_counter()
    processes = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(count)]
    outputs = [process.communicate(timeout=7200) for process in processes]
    elapsed = time.perf_counter() - start
    busy, odoo, syncd = (after - first for after, first in
                         zip((machine_busy(), process_tree_cpu(server.process.pid), children_cpu()), before,
                             strict=True))
    cpu = (f"CPU {busy / elapsed:.2f} of {os.cpu_count()} cores busy: Odoo {odoo:.1f} s, syncd {syncd:.1f} s, "
           f"the rest (PostgreSQL...) {busy - odoo - syncd:.1f} s")
    shares = []
    for process, (_out, err) in zip(processes, outputs, strict=True):
        if process.returncode:
            raise RuntimeError(f"syncd exited with {process.returncode}:\n{err[-4000:]}")
        created = sum(int(line.split("created in Odoo: ")[1].split()[0]) for line in err.splitlines()
                      if "created in Odoo: " in line)
        shares.append(f"{created} lines")
    return elapsed, shares, cpu


def check_once(admin, n):
    lines = admin("account.bank.statement.line", "search_read", [("ledger_import_key", "!=", False)],
                  ["ledger_import_key"])
    counts = Counter(line["ledger_import_key"] for line in lines)
    if len(counts) != n or set(counts.values()) != {1}:
        raise RuntimeError(f"Odoo holds {len(lines)} lines for {len(counts)} keys, expected {n} once each")


def pg_database():
    name = f"syncd_bench_{secrets.token_hex(4)}"
    password = secrets.token_hex(12)

    def psql(sql):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
                       check=True, capture_output=True)

    psql(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    psql(f"CREATE DATABASE {name} OWNER {name}")

    def drop():
        psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"DROP ROLE IF EXISTS {name}")

    return f"postgresql+psycopg://{name}:{password}@127.0.0.1:5432/{name}", drop


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=4000, help="statement lines (default 4000)")
    parser.add_argument("--files", type=int, default=8, help="files in the inbox, half per journal (default 8)")
    parser.add_argument("--batch-size", type=int, default=250, help="syncd's lines per RPC call (default 250)")
    args = parser.parse_args(argv)
    n = args.n // args.files * args.files

    harness = OdooHarness(*locate_odoo(), role=None)
    drop_pg = None
    try:
        harness.setup()
        print("building the template database...", file=sys.stderr)
        harness.build_template()
        reference = in_process(harness, harness.copy_database("bench_daemon_reference"), n, args.files, n)
        batched = in_process(harness, harness.copy_database("bench_daemon_batched"), n, args.files,
                             args.batch_size)

        workdir = Path(tempfile.mkdtemp(dir=harness.workdir))
        database = harness.copy_database("bench_daemon_one")
        server, admin, env = prepare(harness, database, n, args.files, workdir / "one",
                                     f"sqlite:///{workdir / 'one.sqlite'}", args.batch_size)
        with server:
            one, _shares, one_cpu = run_instances(env, 1, server)
            check_once(admin, n)

        state_url, drop_pg = pg_database()
        database = harness.copy_database("bench_daemon_two")
        server, admin, env = prepare(harness, database, n, args.files, workdir / "two", state_url, args.batch_size)
        with server:
            two, shares, two_cpu = run_instances(env, 2, server)
            check_once(admin, n)

        rates = {"reference": n / reference, "batched": n / batched, "one": n / one, "two": n / two}
        print(f"lines: {n} in {args.files} files, two journals, {args.batch_size} lines per call, Odoo with 2 workers")
        print(f"(a) in-process ORM, one create():         {rates['reference']:8.1f} lines/s ({reference:.2f} s)")
        batched_label = f"(a') in-process ORM, {args.batch_size} per create():"
        print(f"{batched_label:42} {rates['batched']:8.1f} lines/s ({batched:.2f} s)")
        print(f"(b) one syncd, inbox to confirmed:         {rates['one']:8.1f} lines/s ({one:.2f} s)")
        print(f"(c) two syncd on PostgreSQL, same inbox:   {rates['two']:8.1f} lines/s ({two:.2f} s; "
              f"created by each: {', '.join(shares)})")
        print(f"    (b) {one_cpu}")
        print(f"    (c) {two_cpu}")
        print(f"ratio (b)/(a): {rates['one'] / rates['reference']:.2f}  (goal >= 0.9)")
        print(f"ratio (c)/(a): {rates['two'] / rates['reference']:.2f}  (goal >= 1.6)")
        print(f"against (a'): (b) {rates['one'] / rates['batched']:.2f}, (c) {rates['two'] / rates['batched']:.2f}")
    finally:
        if drop_pg:
            drop_pg()
        harness.cleanup()


if __name__ == "__main__":
    main()
