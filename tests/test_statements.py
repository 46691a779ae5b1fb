"""Statements of a file in the state store and on their way to Odoo: balances kept as the file
gives them, pages joined, a statement whose balances do not add up flagged, entries left out
told. That Odoo makes bank statements of them is proven by test_e2e_import.py."""

import json
from datetime import date
from decimal import Decimal

import pytest

from syncd.config import Config, OdooConfig
from syncd.engine import Importer, ImportSummary
from syncd.identity import iter_keys
from syncd.metrics import METRICS
from syncd.reading import ParsedFile, statement_key
from syncd.records import SourceRef, Statement, Transaction, with_totals
from syncd.store import StatementRecord, Store, TransactionRecord

from .mt940_builder import page_split_mt940
from .test_engine import FakeAddon

ACCOUNT = "NL91ABNA0417164300"


class StatementAddon(FakeAddon):
    """An addon that speaks sync API 1.1: it takes statements beside the lines."""

    def __init__(self):
        super().__init__()
        self.statements = []  # the statements of every call

    def api_info(self):
        return dict(super().api_info(), api_version="1.1", features=["statements"])

    def push_lines(self, journal, lines, source, statements=None):
        result = super().push_lines(journal, lines, source)
        self.statements.append(statements)
        return dict(result, statements={key: 100 + i for i, key in enumerate(statements or {})})


def tx(amount, ref, statement_id="5", day=5):
    return Transaction(account=ACCOUNT, currency="EUR", booking_date=date(2026, 1, day), amount=Decimal(amount),
                       source=SourceRef("day.sta", f"line {ref}"), bank_ref=ref, statement_id=statement_id)


def stmt(statement_id="5", opening="100.00", closing="150.00", day=5, left_out=()):
    return Statement(statement_id=statement_id, account=ACCOUNT, currency="EUR", source=SourceRef("day.sta", "1"),
                     opening_balance=None if opening is None else Decimal(opening),
                     closing_balance=None if closing is None else Decimal(closing),
                     statement_date=date(2026, 1, day), left_out=left_out)


def parsed(items, sha="a" * 64):
    return ParsedFile("day.sta", sha, "mt940", list(iter_keys(with_totals(items))))


@pytest.fixture(params=["sqlite", "postgresql"])
def importer(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    config = Config(odoo=OdooConfig(), state_url=url, batch_size=2)
    return Importer(config, Store(config.state_url), StatementAddon())


def rows(store):
    with store.transaction() as session:
        statements = session.query(StatementRecord).order_by(StatementRecord.id).all()
        joined = {r.key: r.statement_id for r in session.query(TransactionRecord)}
        return statements, joined


def test_balances_that_do_not_add_up_are_kept_and_flagged(importer):
    summary = ImportSummary()
    importer.record(parsed([tx("20.00", "r1"), tx("10.00", "r2"), stmt(closing="999.00")]), summary)
    (row,), joined = rows(importer.store)
    assert (row.opening, row.closing, row.total, row.gap) == ("100.00", "999.00", "30.00", "869.00")
    assert row.flagged and set(joined.values()) == {row.id}
    lines = list(summary.lines())
    assert "statements read: 1 (1 whose balances do not add up)" in lines
    warning, = [line for line in lines if line.startswith("warning:")]
    assert "statement 5 of account NL91ABNA0417164300 on 2026-01-05" in warning
    assert "opening 100.00 + entries 30.00 = 130.00, but the closing balance is 999.00 (difference 869.00)" in warning
    counts = importer.store.counts()
    flagged, = counts["flagged_statements"]
    assert (flagged["statement"], flagged["gap"], flagged["balanced"]) == ("5", "869.00", False)
    METRICS.refresh(counts)
    assert METRICS.registry.get_sample_value("syncd_statements_unbalanced") == 1


def test_balances_that_add_up_are_not_flagged(importer):
    summary = ImportSummary()
    importer.record(parsed([tx("20.00", "r1"), tx("30.00", "r2"), stmt()]), summary)
    (row,), _ = rows(importer.store)
    assert (row.gap, row.flagged) == ("0", False)
    assert not [line for line in summary.lines() if line.startswith("warning:")]
    assert importer.store.counts()["flagged_statements"] == []


def test_pages_join_one_statement_and_each_statement_keeps_its_lines(importer):
    items = [tx("20.00", "r1"), stmt(closing="120.00"),
             tx("30.00", "r2"), stmt(opening="120.00", closing="150.00"),  # page 2 of statement 5
             tx("-5.00", "r3", statement_id="6", day=6), stmt("6", "150.00", "145.00", day=6)]
    importer.record(parsed(items), ImportSummary())
    (five, six), joined = rows(importer.store)
    assert (five.name, five.opening, five.closing, five.total, five.gap) == ("5", "100.00", "150.00", "50.00", "0")
    assert (six.name, six.total, six.gap) == ("6", "-5.00", "0")
    assert sorted(joined.values()) == [five.id, five.id, six.id]


def test_reading_a_statement_again_finds_it(importer):
    items = [tx("20.00", "r1"), stmt(closing="120.00")]
    importer.record(parsed(items), ImportSummary())
    # an overlapping file: the same statement, one entry more
    importer.record(parsed([tx("20.00", "r1"), tx("1.00", "r9"), stmt(closing="121.00")], sha="b" * 64),
                    ImportSummary())
    (row,), joined = rows(importer.store)
    assert row.key == statement_key(stmt(closing="120.00"))
    assert set(joined.values()) == {row.id}


def test_entries_left_out_are_told(importer):
    summary = ImportSummary()
    importer.record(parsed([tx("20.00", "r1"), stmt(closing="120.00", left_out=(("pending entry", 2),))]), summary)
    assert any(line.startswith("left out:") and "2 pending entry" in line for line in summary.lines())
    flagged, = importer.store.counts()["flagged_statements"]
    assert (flagged["balanced"], flagged["left_out"]) == (True, {"pending entry": 2})


def test_lines_go_to_odoo_with_their_statement_and_its_balances(importer):
    importer.record(parsed([tx("20.00", "r1"), tx("10.00", "r2"), tx("5.00", "r3"), stmt(closing="135.00")]),
                    ImportSummary())
    importer.connect()
    importer.push(ImportSummary())
    (row,), _ = rows(importer.store)
    sent = [line for lines, _source in importer.sink.sent for line in lines]
    assert {line["statement"] for line in sent} == {row.key}
    assert importer.sink.statements == [{row.key: {"name": "5", "date": "2026-01-05", "opening_balance": "100.00",
                                                   "closing_balance": "135.00"}}] * 2  # two batches of 2 and 1
    assert row.odoo_statement_id == 100  # what Odoo answered


def test_an_older_addon_gets_lines_alone(importer):
    importer.sink = FakeAddon()
    importer.record(parsed([tx("20.00", "r1"), stmt(closing="120.00")]), ImportSummary())
    importer.connect()
    importer.push(ImportSummary())
    (lines, _source), = importer.sink.sent
    assert "statement" not in lines[0]


def test_a_file_that_names_no_currency_is_refused_at_import_saying_how_to_give_it(importer, tmp_path):
    from syncd.errors import InputError
    from syncd.reading import read_file

    path = tmp_path / "bank.qif"
    path.write_text("!Type:Bank\nD01/02/2024\nT-12.50\nPCoffee\n^\n")
    with pytest.raises(InputError, match=r"bank.qif:.*names no currency: give it with the format, e\.g\. --format qif"):
        importer.record(read_file(path), ImportSummary())
    assert importer.store.counts()["files"] == 0
    importer.record(read_file(path, "qif:EUR"), ImportSummary())
    assert importer.store.counts()["states"] == {"queued": 1}


def test_two_instances_storing_one_statement_at_once_share_its_row(pg_url):
    """Two files of one statement (an overlapping download) stored by two instances at once:
    the second insert of the statement waits for the first and takes its row."""
    import threading

    stores = [Store(pg_url), Store(pg_url)]
    config = Config(odoo=OdooConfig(), state_url=pg_url)
    importers = [Importer(config, store) for store in stores]
    first_has_the_row, second_done = threading.Event(), threading.Event()

    original = stores[0].statement_row

    def slow_statement_row(session, key, make):
        row = original(session, key, make)
        session.flush()
        first_has_the_row.set()
        second_done.wait(timeout=5)  # the second one waits on our insert meanwhile
        return row

    stores[0].statement_row = slow_statement_row
    worker = threading.Thread(target=importers[0].record, args=(parsed([tx("20.00", "r1"), stmt()]), ImportSummary()))
    worker.start()
    assert first_has_the_row.wait(timeout=30)
    timer = threading.Timer(1.0, second_done.set)
    timer.start()
    importers[1].record(parsed([tx("30.00", "r2"), stmt()], sha="b" * 64), ImportSummary())
    worker.join(timeout=30)
    statements, joined = rows(stores[0])
    assert len(statements) == 1 and set(joined.values()) == {statements[0].id}


def test_notes_of_a_statement_are_warnings(importer):
    summary = ImportSummary()
    noted = Statement(statement_id="9", account=ACCOUNT, currency="EUR", source=SourceRef("day.sta", "1"),
                      notes=("line 12 :90D:: the report counts 2 entries for 40.00, but lists 1 for 40.00",))
    importer.record(parsed([tx("20.00", "r1", statement_id="9"), noted]), summary)
    assert "statements read: 1 (0 whose balances do not add up)" in list(summary.lines())
    warning, = [line for line in summary.lines() if line.startswith("warning:")]
    assert warning == ("warning: day.sta: statement 9 of account NL91ABNA0417164300: "
                       "line 12 :90D:: the report counts 2 entries for 40.00, but lists 1 for 40.00")
    flagged, = importer.store.counts()["flagged_statements"]
    assert (flagged["balanced"], flagged["notes"]) == (True, [noted.notes[0]])


def test_pages_of_another_currency_are_another_statement(importer):
    usd = Statement(statement_id="5", account=ACCOUNT, currency="USD", source=SourceRef("day.sta", "9"))
    importer.record(parsed([tx("20.00", "r1"), stmt(closing="120.00"), usd]), ImportSummary())
    statements, _ = rows(importer.store)
    assert [s.currency for s in statements] == ["EUR", "USD"]


def test_parse_prints_transactions_and_tells_of_statements_on_stderr(tmp_path):
    from click.testing import CliRunner

    from syncd.cli import main

    path = tmp_path / "split.sta"
    path.write_text(page_split_mt940(ACCOUNT, "EUR", 100, [10, -4, 20], closing_off=5))
    config = tmp_path / "none.toml"
    config.write_text("")
    runner = CliRunner()
    plain = runner.invoke(main, ["--config", str(config), "parse", str(path)])
    assert plain.exit_code == 0, plain.output
    assert [json.loads(line)["amount"] for line in plain.stdout.splitlines()] == ["10.00", "-4.00", "20.00"]
    assert plain.stderr.count("warning:") == 1  # the three pages are one statement, 5.00 off
    assert ("statement 7 of account NL91ABNA0417164300 on 2026-11-21: balances do not add up: opening 100.00 + "
            "entries 26.00 = 126.00, but the closing balance is 131.00 (difference 5.00)") in plain.stderr
    with_statements = runner.invoke(main, ["--config", str(config), "parse", "--statements", str(path)])
    *_transactions, last = with_statements.stdout.splitlines()
    statement = json.loads(last)["statement"]
    assert (statement["statement_id"], statement["opening_balance"], statement["closing_balance"],
            statement["total"], statement["balance_gap"]) == ("7", "100.00", "131.00", "26.00", "5.00")
