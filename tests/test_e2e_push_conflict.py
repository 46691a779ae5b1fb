"""Two pushes racing for the same keys on a live Odoo: the loser gets PushConflict, a name syncd
retries, and the retry finds the winner's lines. Nothing is created twice."""

from __future__ import annotations

import threading
import time

import pytest

from .harness import JsonRpc, RpcFault

pytestmark = pytest.mark.odoo

API = "1.0"
JOURNAL = {"code": "RACE"}


@pytest.fixture(scope="module")
def robot_rpc(odoo_server, admin, robot):
    [company] = admin("res.company", "search_read", [], ["currency_id"], limit=1)
    admin("account.journal", "create", {"name": "Race Bank", "code": "RACE", "type": "bank"})
    rpc = JsonRpc(odoo_server.url, odoo_server.database, robot["login"], robot["api_key"])
    rpc.currency = company["currency_id"][1]
    return rpc


def lines(rpc, prefix, count):
    return [{"key": f"{prefix}:{i}", "date": "2026-11-20", "amount": f"{i + 1}.25", "currency": rpc.currency,
             "payment_ref": f"race {prefix} {i}"} for i in range(count)]


def inserting(harness, database):
    """Whether a transaction of ``database`` has inserted statement lines and not yet ended."""
    return harness.sql(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.relname = 'account_bank_statement_line' AND l.mode = 'RowExclusiveLock' AND l.granted",
        database=database,
    ).strip() != "0"


def push(rpc, batch, statements=None):
    try:
        if statements is None:
            return rpc("customer.ledger.sync", "push_statement_lines", API, JOURNAL, batch)
        return rpc("customer.ledger.sync", "push_statement_lines", "1.1", JOURNAL, batch, None, statements)
    except RpcFault as fault:
        return fault


def test_two_pushes_racing_for_the_same_key_one_gets_push_conflict(harness, odoo_server, admin, robot_rpc):
    big = lines(robot_rpc, "race", 150)
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(big=push(robot_rpc, big)))
    thread.start()
    deadline = time.monotonic() + 60
    while not inserting(harness, odoo_server.database):
        assert thread.is_alive() and time.monotonic() < deadline, "the first push never held its insert open"
        time.sleep(0.02)
    # The big push has inserted its lines and works on their entries, not committed; a push of
    # one of its keys (a client retrying after a lost answer, say) runs meanwhile. Both cannot
    # commit: the one that loses gets PushConflict and keeps nothing (which one loses depends on
    # which reaches the key's or the entry number's unique index first).
    outcome["small"] = push(robot_rpc, big[:1])
    thread.join(120)
    conflicts = {name for name, result in outcome.items() if isinstance(result, RpcFault)}
    assert len(conflicts) == 1, outcome
    [loser] = conflicts
    fault = outcome[loser]
    assert fault.name.endswith(".PushConflict"), fault
    assert "send the batch again" in fault.message
    [winner] = set(outcome) - conflicts
    assert all(line["created"] for line in outcome[winner]["lines"].values())
    winner_ids = {key: line["id"] for key, line in outcome[winner]["lines"].items()}

    # what syncd does next: send the loser's batch again; the winner's lines are reported as existing
    again = push(robot_rpc, big if loser == "big" else big[:1])
    assert {key: line["id"] for key, line in again["lines"].items() if not line["created"]} == winner_ids
    rows = admin("account.bank.statement.line", "search_read", [("ledger_import_key", "=like", "race:%")],
                 ["ledger_import_key"])
    assert sorted(row["ledger_import_key"] for row in rows) == sorted(line["key"] for line in big)
    assert next(row["id"] for row in rows if row["ledger_import_key"] == "race:0") == winner_ids["race:0"]


def test_two_pushes_racing_to_create_one_statement_one_gets_push_conflict(harness, odoo_server, admin, robot_rpc):
    """Two files of one statement pushed at once (two clients, no lease between them): both
    cannot create it; the loser keeps nothing, and its retry joins the winner's statement."""
    statements = {"race-statement": {"name": "RACE-7", "opening_balance": "0", "closing_balance": "100.00"}}
    big = [dict(line, statement="race-statement") for line in lines(robot_rpc, "stmt-big", 150)]
    small = [dict(line, statement="race-statement") for line in lines(robot_rpc, "stmt-small", 1)]
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(big=push(robot_rpc, big, statements)))
    thread.start()
    deadline = time.monotonic() + 60
    while not inserting(harness, odoo_server.database):
        assert thread.is_alive() and time.monotonic() < deadline, "the first push never held its insert open"
        time.sleep(0.02)
    outcome["small"] = push(robot_rpc, small, statements)
    thread.join(120)
    conflicts = {name for name, result in outcome.items() if isinstance(result, RpcFault)}
    assert len(conflicts) <= 1, outcome  # the small one may also come after the big one committed
    for loser in conflicts:
        assert outcome[loser].name.endswith(".PushConflict"), outcome[loser]
        outcome[loser] = push(robot_rpc, big if loser == "big" else small, statements)
    [statement] = admin("account.bank.statement", "search_read", [("ledger_import_key", "=", "race-statement")],
                        ["line_ids", "balance_start", "balance_end_real"])
    assert (len(statement["line_ids"]), statement["balance_end_real"]) == (151, 100.0)
    assert {outcome["big"]["statements"]["race-statement"], outcome["small"]["statements"]["race-statement"]} == {
        statement["id"]}
