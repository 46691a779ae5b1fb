"""The import pipeline's own logic, with an in-memory stand-in for the addon's API.

Only syncd's bookkeeping is under test here; that Odoo does its part is proven by
test_e2e_import.py against a live server.
"""

from decimal import Decimal

import pytest

from syncd.config import Config, OdooConfig
from syncd.engine import Importer, ImportSummary
from syncd.errors import TransientError, UserError
from syncd.store import State, Store, TransactionRecord

from .camt_builder import Entry, build_camt053

ACCOUNT = "GB29NWBK60161331926819"


class FakeAddon:
    """Keeps lines by key like the addon does; can fail the next N pushes."""

    def __init__(self):
        self.lines = {}
        self.fail_pushes = 0
        self.push_calls = 0
        self.lookups = 0
        self.reconciled = []

    def api_info(self):
        return {"api_version": "1.0"}

    def push_lines(self, journal, lines, source):
        self.push_calls += 1
        result = {}
        for line in lines:
            created = line["key"] not in self.lines
            self.lines.setdefault(line["key"], len(self.lines) + 1)
            result[line["key"]] = {"id": self.lines[line["key"]], "created": created}
        if self.fail_pushes:
            self.fail_pushes -= 1
            raise TransientError("the response was lost after Odoo committed")
        return {"lines": result}

    def lookup_keys(self, journal, keys):
        self.lookups += 1
        return {key: self.lines.get(key, False) for key in keys}

    def reconcile(self, line_ids):
        self.reconciled.extend(line_ids)
        return {str(i): {"state": "unmatched", "invoice_ids": [], "reason": "test"} for i in line_ids}


@pytest.fixture
def importer(tmp_path):
    config = Config(odoo=OdooConfig(), state_url=f"sqlite:///{tmp_path / 'state.sqlite'}", batch_size=2)
    return Importer(config, Store(config.state_url), FakeAddon())


def statement(tmp_path, name, amounts):
    path = tmp_path / name
    entries = [Entry(Decimal(a), f"payment {i}", bank_ref=f"{name}-{i}") for i, a in enumerate(amounts)]
    path.write_bytes(build_camt053(ACCOUNT, entries))
    return path


def states(store):
    with store.transaction() as session:
        return sorted(r.state for r in session.query(TransactionRecord))


def test_lost_response_is_settled_by_the_next_run(importer, tmp_path):
    path = statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00"])
    importer.sink.fail_pushes = 1
    with pytest.raises(TransientError):
        importer.run([path])
    # the first batch reached the addon; syncd does not know it yet
    assert len(importer.sink.lines) == 2
    assert states(importer.store) == ["queued", "sending", "sending"]

    summary = importer.run([path])
    assert summary.transactions_new == 0
    # the two in doubt are looked up, found and confirmed without being sent again
    assert (importer.sink.lookups, importer.sink.push_calls) == (1, 2)
    assert (summary.created_in_odoo, summary.already_in_odoo) == (1, 2)
    assert len(importer.sink.lines) == 3
    assert states(importer.store) == [State.UNMATCHED.value] * 3


def test_in_doubt_lines_odoo_never_got_are_sent_again(importer, tmp_path):
    path = statement(tmp_path, "a.xml", ["1.00", "2.00"])
    importer.sink.fail_pushes = 1
    with pytest.raises(TransientError):
        importer.run([path])
    importer.sink.lines.clear()  # the call never reached Odoo after all
    summary = importer.run([path])
    assert (summary.created_in_odoo, summary.already_in_odoo) == (2, 0)
    assert states(importer.store) == [State.UNMATCHED.value] * 2


def test_replay_sends_a_batch_again_and_odoo_creates_nothing_twice(importer, tmp_path):
    importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00"])])
    batches = {entry["batch"]: entry["transactions"] for entry in importer.store.counts()["batches"]}
    assert sorted(batches.values()) == [1, 2]  # batch_size 2
    batch = next(name for name, count in batches.items() if count == 2)
    with importer.store.transaction() as session:
        sent = sorted(record.key for record in importer.store.in_batch(session, batch))
    removed = sent[0]
    del importer.sink.lines[removed]  # deleted in Odoo by someone
    summary = ImportSummary()
    assert importer.replay(batch, summary) == 2
    assert (summary.created_in_odoo, summary.already_in_odoo) == (1, 1)
    assert removed in importer.sink.lines
    with pytest.raises(UserError, match=f"no batch 'nope' in the state store; recent batches: .*{batch}"):
        importer.replay("nope", ImportSummary())


def test_bad_file_leaves_nothing_behind(importer, tmp_path):
    good = statement(tmp_path, "good.xml", ["5.00"])
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.read_bytes().replace(b"5.00</Amt>", b"5.0.0</Amt>", 1))
    summary = importer.run([bad])
    assert summary.errors and "bad.xml" in summary.errors[0]
    assert states(importer.store) == []
    assert importer.sink.push_calls == 0


def test_batches_follow_the_configured_size(importer, tmp_path):
    importer.run([statement(tmp_path, "b.xml", ["1.00", "2.00", "3.00", "4.00", "5.00"])])
    assert importer.sink.push_calls == 3


@pytest.fixture
def shared_importer(pg_url):
    """An importer on a PostgreSQL store, which several instances may share."""
    config = Config(odoo=OdooConfig(), state_url=pg_url, batch_size=2)
    importer = Importer(config, Store(config.state_url), FakeAddon())
    yield importer
    importer.store.engine.dispose()


def test_one_writer_per_journal_and_a_lease_taken_over_once_expired(shared_importer):
    store = shared_importer.store
    assert store.claim_journal("J", "a", 60) and store.claim_journal("J", "a", 60)  # taken, renewed
    assert not store.claim_journal("J", "b", 60)
    assert store.claim_journal("K", "b", 60)  # another journal is free
    assert store.claim_journal("L", "a", -1)  # a lease already expired...
    assert store.claim_journal("L", "b", 60)  # ...is taken over
    assert not store.claim_journal("L", "a", 60)  # and its old owner cannot renew it
    store.release_journal("J", "b")  # only its owner releases it
    assert not store.claim_journal("J", "b", 60)
    store.release_journal("J", "a")
    assert store.claim_journal("J", "b", 60)


def test_on_sqlite_a_lease_left_by_a_killed_instance_is_taken_over(importer, tmp_path):
    assert not importer.store.shared
    journal = '{"account_number": "%s"}' % ACCOUNT
    assert importer.store.claim_journal(journal, "killed-before-it-released", 300)
    assert importer.run([statement(tmp_path, "a.xml", ["1.00"])]).created_in_odoo == 1


def test_a_journal_another_instance_writes_to_is_left_to_it(shared_importer, tmp_path):
    importer = shared_importer
    importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00"])])
    importer.run([statement(tmp_path, "b.xml", ["3.00"])])  # stored; its journal is free: sent
    assert states(importer.store).count("unmatched") == 3
    path = statement(tmp_path, "c.xml", ["4.00"])
    journal = '{"account_number": "%s"}' % ACCOUNT
    assert importer.store.claim_journal(journal, "someone-else", 60)
    calls = importer.sink.push_calls
    summary = importer.run([path])
    assert importer.sink.push_calls == calls and summary.created_in_odoo == 0
    assert sorted(states(importer.store)) == ["queued", "unmatched", "unmatched", "unmatched"]
    importer.store.release_journal(journal, "someone-else")
    assert importer.run([path]).created_in_odoo == 1
    assert states(importer.store) == ["unmatched"] * 4


def test_open_lines_are_asked_again_only_once_rematch_after_has_passed(importer, tmp_path):
    import dataclasses
    from datetime import datetime, timedelta, timezone

    importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00"])])
    assert len(importer.sink.reconciled) == 2
    importer.run([])  # an hour has not passed: nothing asked
    assert len(importer.sink.reconciled) == 2
    with importer.store.transaction() as session:
        for record in session.query(TransactionRecord):
            record.matched_at = datetime.now(timezone.utc) - timedelta(hours=2)
    importer.run([])
    assert len(importer.sink.reconciled) == 4
    importer.config = dataclasses.replace(importer.config, rematch_after=0)
    importer.run([])
    assert len(importer.sink.reconciled) == 6


def test_a_stop_request_ends_the_push_after_the_current_batch(importer, tmp_path):
    importer.stopping = lambda: importer.sink.push_calls >= 1  # SIGTERM arrives during the first batch
    importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00", "4.00", "5.00"])])
    assert importer.sink.push_calls == 1
    assert sorted(states(importer.store)) == ["confirmed", "confirmed", "queued", "queued", "queued"]
    importer.stopping = lambda: False
    importer.run([])  # the next run sends the rest
    assert states(importer.store) == ["unmatched"] * 5
