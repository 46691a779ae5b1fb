"""The sync API under arbitrary JSON, as the robot, over JSON-RPC against a live Odoo.

Every public method of ``customer.ledger.sync`` gets arbitrary JSON values for each of its
arguments (the others valid), and push gets near-valid lines (a valid line with one field
replaced). The answer is a result or a JSON-RPC error named ValidationError or AccessError:
never another exception, never an HTTP error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, event, given, seed, settings
from hypothesis import strategies as st

from .harness import JsonRpc

pytestmark = pytest.mark.odoo

API = "customer.ledger.sync"
JOURNAL_CODE = "FUZZ"
JOURNAL_IBAN = "GB29NWBK60161331926819"
REFUSALS = {"odoo.exceptions.ValidationError", "odoo.exceptions.AccessError"}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                print_blob=False)
SEED = 20261204

# what a hostile or broken client sends: NUL and other controls, lone surrogates, digits that
# are not ASCII, spellings Decimal() takes, dates Python cannot hold, long texts at the caps
HOSTILE_TEXT = st.sampled_from([
    "", "\x00", "a\x00b", "\x07", "\x1b[2J", "\x7f", "\x85", "\r\n", "\ud800", "\udfff",
    "١٢٣", "۱۲", "１２", "1_000", "1e400", "1E2", "-Infinity", "NaN", " 12.30", "12.30\n", "+1", "0x10",
    "0001-01-01", "9999-12-31", "2026-02-30", "٢٠٢٦-١١-٢٠", "2026-11-20T00:00", "1.0", "2.0", "1",
])
LONG_TEXT = st.builds(lambda char, count: char * count, st.sampled_from(["x", "é", "谢", "\x00", "\n"]),
                      st.sampled_from([99, 100, 101, 128, 129, 255, 256, 500, 501, 1000, 1001, 20001]))
CONTROLS = st.sampled_from(["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\r", "\n", "\t", "\ud800"])
WITH_CONTROL = st.builds(lambda before, char, after: before + char + after,
                         st.text(max_size=4), CONTROLS, st.text(max_size=4))
TEXT = st.text(max_size=12) | HOSTILE_TEXT | LONG_TEXT | WITH_CONTROL
SCALARS = (
    st.none() | st.booleans() | st.integers()
    | st.sampled_from([0, -1, 2**31, 2**63, 10**13, 10**30, -(10**30), 10**300])
    | st.floats() | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)

JOURNAL = JSON | st.dictionaries(st.sampled_from(["code", "account_number"]), TEXT | JSON, min_size=1, max_size=2)


def rpc(server, robot, method, *args):
    """``("result", value)`` or ``("error", data name)``; an HTTP error fails the test."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "object", "method": "execute_kw",
        "args": [server.database, robot["user_id"], robot["api_key"], API, method, list(args), {}]}})
    request = urllib.request.Request(f"{server.url}/jsonrpc", body.encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            reply = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        pytest.fail(f"{method}: HTTP {exc.code} {exc.reason}")
    if "error" in reply:
        data = reply["error"].get("data") or {}
        return "error", data.get("name", ""), data.get("message", "")[:300]
    return "result", reply["result"], ""


def assert_answered(server, robot, method, *args):
    kind, value, message = rpc(server, robot, method, *args)
    event(f"{method}: {value.rsplit('.', 1)[-1] if kind == 'error' else 'result'}")  # --hypothesis-show-statistics
    if kind == "error":
        assert value in REFUSALS, f"{method} answered {value}: {message}"
    return kind, value


@pytest.fixture(scope="module")
def journal(admin):
    return admin("account.journal", "create",
                 {"name": "Fuzz Bank", "code": JOURNAL_CODE, "type": "bank", "bank_acc_number": JOURNAL_IBAN})


@pytest.fixture(scope="module")
def currency(admin, journal):
    [values] = admin("account.journal", "read", [journal], ["currency_id", "company_id"])
    if values["currency_id"]:
        return values["currency_id"][1]
    [company] = admin("res.company", "read", [values["company_id"][0]], ["currency_id"])
    return company["currency_id"][1]


@pytest.fixture(scope="module")
def valid(currency):
    """A valid line, and valid values for every argument."""
    line = {"key": "fuzz-valid", "date": "2026-11-20", "amount": "12.30", "currency": currency,
            "payment_ref": "Invoice INV/2026/0001", "partner_name": "ACME", "account_number": "GB94BARC10201530093459",
            "structured_ref": "RF18539007547034", "bank_ref": "B-1", "end_to_end_id": "E2E-1",
            "raw": {"source": "fuzz"}}
    return {"api_version": "1.0", "journal": {"code": JOURNAL_CODE}, "line": line,
            "source": {"feed": "fuzz", "file": "fuzz.xml", "batch": "b1"}}


def test_api_info_answers(odoo_server, robot, journal):
    kind, info, message = rpc(odoo_server, robot, "api_info")
    assert kind == "result", message
    assert set(info["limits"]) == {"max_batch", "max_request_bytes", "max_key_length", "max_raw_chars",
                                   "max_source_chars", "text_fields"}


@seed(SEED)
@FUZZ
@given(data=st.data())
def test_push_arguments(odoo_server, robot, valid, data):
    args = [valid["api_version"], valid["journal"], [valid["line"]], valid["source"]]
    position = data.draw(st.integers(0, 3), label="argument")
    args[position] = data.draw({
        1: JOURNAL,
        2: JSON | st.lists(JSON, min_size=1, max_size=3),
        3: JSON | st.dictionaries(st.sampled_from(["feed", "file", "batch"]), TEXT | JSON, max_size=3),
    }.get(position, JSON), label="value")
    assert_answered(odoo_server, robot, "push_statement_lines", *args)


STATEMENT_FIELDS = st.sampled_from(["name", "date", "opening_balance", "closing_balance", "colour"])
STATEMENTS = JSON | st.dictionaries(TEXT, JSON | st.dictionaries(STATEMENT_FIELDS, TEXT | JSON, max_size=4),
                                    max_size=3)


@seed(SEED)
@FUZZ
@given(data=st.data())
def test_push_statements_argument(odoo_server, robot, valid, data):
    """Statements (sync API 1.1) beside lines, the lines naming one of them or anything else."""
    statements = data.draw(STATEMENTS, label="statements")
    named = list(statements) if isinstance(statements, dict) and statements else []
    key = data.draw(st.sampled_from(named) | TEXT | JSON if named else TEXT | JSON, label="statement")
    line = dict(valid["line"], key=data.draw(st.text("abcdef0123456789", min_size=8, max_size=8), label="key"),
                statement=key)
    assert_answered(odoo_server, robot, "push_statement_lines", "1.1", valid["journal"], [line], valid["source"],
                    statements)


@seed(SEED)
@FUZZ
@given(data=st.data())
def test_push_near_valid_lines(odoo_server, robot, valid, data):
    line = dict(valid["line"], key=data.draw(st.text("abcdef0123456789", min_size=8, max_size=8), label="key"))
    field = data.draw(st.sampled_from([*sorted(line), "foreign_currency", "amount_currency", "colour"]),
                      label="field")
    if data.draw(st.booleans(), label="drop") and field in line:
        del line[field]
    else:
        line[field] = data.draw(JSON | TEXT, label="value")
    if field == "amount_currency" and "foreign_currency" not in line:
        line["foreign_currency"] = data.draw(st.sampled_from(["EUR", "USD", "CHF"]), label="foreign")
    assert_answered(odoo_server, robot, "push_statement_lines", valid["api_version"], valid["journal"],
                    [line], valid["source"])


@seed(SEED)
@FUZZ
@given(data=st.data())
def test_lookup_keys_arguments(odoo_server, robot, valid, data):
    args = [valid["api_version"], valid["journal"], ["fuzz-valid"]]
    position = data.draw(st.integers(0, 2), label="argument")
    args[position] = data.draw({1: JOURNAL, 2: JSON | st.lists(TEXT, max_size=4)}.get(position, JSON), label="value")
    assert_answered(odoo_server, robot, "lookup_keys", *args)


@seed(SEED)
@FUZZ
@given(data=st.data())
def test_reconcile_arguments(odoo_server, robot, valid, data):
    args = [valid["api_version"], [1]]
    position = data.draw(st.integers(0, 1), label="argument")
    ids = st.lists(st.integers(-5, 10**6) | st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30]), max_size=4)
    args[position] = data.draw(JSON | ids if position == 1 else JSON, label="value")
    assert_answered(odoo_server, robot, "reconcile_statement_lines", *args)


def test_a_push_above_the_request_budget_is_refused(odoo_server, robot, valid):
    info = JsonRpc(odoo_server.url, odoo_server.database, robot["login"], robot["api_key"])(API, "api_info")
    budget = info["limits"]["max_request_bytes"]
    filler = "x" * (info["limits"]["max_raw_chars"] - 100)
    lines = [dict(valid["line"], key=f"big-{i}", raw={"t": filler})
             for i in range(budget // len(filler) + 2)]
    kind, name, message = rpc(odoo_server, robot, "push_statement_lines", valid["api_version"], valid["journal"],
                              lines, valid["source"])
    assert (kind, name) == ("error", "odoo.exceptions.ValidationError")
    assert f"at most {budget}" in message


def test_deep_nesting(odoo_server, robot, valid):
    """Nested lists just shallow enough for Odoo's JSON parser reach the API a few frames deeper
    in the stack: each argument is refused, never a RecursionError of ours. (Deeper still,
    Odoo's parser gives up before any method runs: an error answer with no request id.)"""
    def call(method, args):
        body = ('{"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": "object", '
                '"method": "execute_kw", "args": [%s, %d, %s, "%s", "%s", [%s], {}]}}') % (
            json.dumps(odoo_server.database), robot["user_id"], json.dumps(robot["api_key"]), API, method, args)
        request = urllib.request.Request(f"{odoo_server.url}/jsonrpc", body.encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    line = json.dumps(valid["line"])[:-1]
    journal = json.dumps(valid["journal"])
    reached = 0
    for depth in range(900, 1000, 4):
        deep = "[" * depth + "]" * depth
        for method, args in {
            "version": ("lookup_keys", f'{deep}, {journal}, []'),
            "lines": ("push_statement_lines", f'"1.0", {journal}, [{deep}]'),
            "raw": ("push_statement_lines", f'"1.0", {journal}, [{line}, "raw": {deep}}}]'),
            "amount": ("push_statement_lines", f'"1.0", {journal}, [{line}, "amount": {deep}}}]'),
            "currency": ("push_statement_lines", f'"1.0", {journal}, [{line}, "currency": {deep}}}]'),
            "source": ("push_statement_lines", f'"1.0", {journal}, [{line}}}], {{"feed": {deep}}}'),
            "keys": ("lookup_keys", f'"1.0", {journal}, [{deep}]'),
            "line_ids": ("reconcile_statement_lines", f'"1.0", {deep}'),
        }.values():
            reply = call(method, args)
            assert "error" in reply, (depth, method)
            if reply["id"] is None:
                continue  # Odoo could not parse the request
            reached += 1
            assert reply["error"]["data"]["name"] == "odoo.exceptions.ValidationError", (depth, method, reply)
    assert reached
