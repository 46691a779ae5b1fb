"""The README's demo: Customer Ledger on a demo database, Odoo on 127.0.0.1:8069, and syncd
importing ``demo/sample_camt053.xml``, which pays one of the demo invoices.

Run through ``scripts/demo``; ``scripts/demo --stop`` stops the Odoo it started. What it
makes lives in ``.demo/`` (Odoo's config and log, syncd's config and state store) and in the
PostgreSQL role ``cl_demo`` with the database ``customer_ledger_demo``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    JsonRpc,
    OdooHarness,
    OdooMissing,
    OdooServer,
    create_robot,
    locate_odoo,
)

REPO = Path(__file__).resolve().parent.parent
WORKDIR = REPO / ".demo"
DATABASE = "customer_ledger_demo"
PORT = int(os.environ.get("CL_DEMO_PORT", "8069"))
SAMPLE = REPO / "demo" / "sample_camt053.xml"
PIDFILE = WORKDIR / "odoo.pid"


def stop_previous():
    try:
        pid = int(PIDFILE.read_text())
    except (OSError, ValueError):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    else:
        for _ in range(100):
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            import time

            time.sleep(0.2)
    PIDFILE.unlink(missing_ok=True)
    return True


def main(argv):
    if "--stop" in argv:
        print("Stopped the demo's Odoo." if stop_previous() else "No demo Odoo was running.")
        return 0
    try:
        odoo_bin, odoo_python = locate_odoo()
    except OdooMissing as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    stop_previous()
    harness = OdooHarness(odoo_bin, odoo_python, role="cl_demo", password="cl_demo", workdir=WORKDIR, keep=True)
    harness.setup()
    print(f"[1/4] Creating database {DATABASE} with Customer Ledger and demo data (about a minute)...")
    harness.drop_database(DATABASE)
    harness.build_template(name=DATABASE)

    print(f"[2/4] Starting Odoo on http://127.0.0.1:{PORT} ...")
    server = OdooServer(harness, DATABASE, PORT, WORKDIR / "odoo.log").start()
    PIDFILE.write_text(str(server.process.pid))

    print("[3/4] Creating the syncd robot user and its API key...")
    admin = JsonRpc(server.url, DATABASE)
    _user_id, api_key = create_robot(admin)
    config = WORKDIR / "syncd.toml"
    state = WORKDIR / "state.sqlite"
    state.unlink(missing_ok=True)
    config.write_text(
        "[odoo]\n"
        f'url = "{server.url}"\n'
        f'database = "{DATABASE}"\n'
        'login = "syncd"\n'
        f'api_key = "{api_key}"\n\n'
        "[state]\n"
        f'url = "sqlite:///{state}"\n'
    )
    config.chmod(0o600)

    print(f"[4/4] syncd import {SAMPLE.relative_to(REPO)}")
    result = subprocess.run([sys.executable, "-m", "syncd", "--config", str(config), "import", str(SAMPLE)],
                            check=False)
    if result.returncode:
        print(f"syncd exited with {result.returncode}; Odoo's log: {WORKDIR / 'odoo.log'}", file=sys.stderr)
        return result.returncode
    print(f"""
Odoo is running at {server.url} (database {DATABASE}).
Log in as {ADMIN_LOGIN} / {ADMIN_PASSWORD}, then Invoicing > Ledger > Bank Transactions:
the payment of CL-DEMO-2026-0001 is reconciled and that invoice is paid.
syncd's configuration: {config}   (try: syncd --config {config} status)
Stop Odoo with: scripts/demo --stop""")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
