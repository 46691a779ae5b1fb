"""The import pipeline's own logic, with an in-memory stand-in for the addon's API.

Only syncd's bookkeeping is under test here; that Odoo does its part is proven by
test_e2e_import.py against a live server.
"""

from datetime import date
from decimal import Decimal

import odoorpc.error
import pytest

from syncd.config import Config, OdooConfig
from syncd.engine import Importer, ImportSummary, line_payload
from syncd.errors import TransientError, UserError
from syncd.limits import raw_size, request_size
from syncd.records import SourceRef, Transaction
from syncd.sink import _classify
from syncd.store import State, Store, TransactionRecord

from .camt_builder import Entry, build_camt053

ACCOUNT = "GB29NWBK60161331926819"


#: what the addon's api_info says it takes (its figures, only for these tests)
LIMITS = {"max_batch": 5000, "max_request_bytes": 2_000_000, "max_key_length": 128, "max_raw_chars": 20000,
          "max_source_chars": 500, "text_fields": {"payment_ref": 1000, "partner_name": 255, "account_number": 100,
                                                   "structured_ref": 100, "bank_ref": 255, "end_to_end_id": 255}}


def refusal(message, name="odoo.exceptions.ValidationError"):
    """What the sink makes of the addon's refusal of a call."""
    error = odoorpc.error.RPCError(message, {"code": 200, "data": {"name": name, "message": message}})
    return _classify(error, "customer.ledger.sync.push_statement_lines")


class FakeAddon:
    """Keeps lines by key like the addon does; can fail the next N pushes. Like the addon it
    refuses a whole call for one bad line (a field over its limit, or a line ``refuse`` says
    is bad), naming the line unless ``names_lines`` is False (as a refusal from deeper in
    Odoo would not); ``limits`` is what its api_info says (None: an older addon, silent)."""

    def __init__(self, limits=None):
        self.lines = {}
        self.fail_pushes = 0
        self.push_calls = 0
        self.lookups = 0
        self.reconciled = []
        self.limits = limits
        self.refuse = lambda line: False
        self.names_lines = True
        self.refuse_call = None  # a refusal of every call (an unknown journal, say)
        self.sent = []  # (lines, source) of every call

    def api_info(self):
        return {"api_version": "1.0", **({"limits": self.limits} if self.limits else {})}

    def _check(self, lines, source):
        hidden = self.limits or LIMITS  # an older addon checks the same, it only does not say
        if self.refuse_call:
            raise self.refuse_call
        if request_size(lines) > hidden["max_request_bytes"]:
            raise refusal("the request is too large")
        for index, line in enumerate(lines):
            where = f"lines[{index}]: " if self.names_lines else ""
            for name, limit in hidden["text_fields"].items():
                if len(line.get(name) or "") > limit:
                    raise refusal(f"{where}{name} must be a string of at most {limit} characters.")
            if raw_size(line["raw"]) > hidden["max_raw_chars"]:
                raise refusal(f"{where}raw is larger than {hidden['max_raw_chars']} characters.")
            if self.refuse(line):
                raise refusal(f"{where}the amount is in XXX but journal BNK1 keeps USD.")
        if any(len(value) > hidden["max_source_chars"] for value in source.values()):
            raise refusal("source file must be a string of at most 500 characters.")

    def push_lines(self, journal, lines, source, statements=None):
        self.push_calls += 1
        self.sent.append((lines, source))
        self._check(lines, source)
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


def statement(tmp_path, name, amounts, remittances=None):
    path = tmp_path / name
    remittances = remittances or [f"payment {i}" for i in range(len(amounts))]
    entries = [Entry(Decimal(a), remittances[i], bank_ref=f"{name}-{i}") for i, a in enumerate(amounts)]
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


# -- what Odoo takes: limits, clipping, a refused line alone ------------------------------

def importer_with(tmp_path, limits=None, **config):
    config = Config(odoo=OdooConfig(), state_url=f"sqlite:///{tmp_path / 'state.sqlite'}",
                    **{"batch_size": 500, **config})
    return Importer(config, Store(config.state_url), FakeAddon(limits))


def quarantined(store):
    with store.transaction() as session:
        return {r.payload["amount"]: r.reason for r in session.query(TransactionRecord)
                if r.state == State.QUARANTINED.value}


@pytest.mark.parametrize("names_lines", [True, False], ids=["named", "bisected"])
def test_a_line_odoo_refuses_is_quarantined_alone_and_the_rest_of_its_batch_goes_in(tmp_path, names_lines):
    importer = importer_with(tmp_path, LIMITS)
    importer.sink.names_lines = names_lines
    importer.sink.refuse = lambda line: line["amount"] in ("3.00", "6.00")
    summary = importer.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 9)])])
    assert summary.created_in_odoo == 6
    assert sorted(quarantined(importer.store)) == ["3.00", "6.00"]
    assert all("journal BNK1 keeps USD" in reason for reason in quarantined(importer.store).values())
    assert len(summary.errors) == 2 and all("a.xml" in error for error in summary.errors)
    assert states(importer.store).count(State.UNMATCHED.value) == 6
    if names_lines:  # the line named is taken out: one call more per refused line
        assert importer.sink.push_calls == 3
    else:  # bisected: a few calls, not one per line
        assert importer.sink.push_calls <= 2 * 2 * 3 + 1


def test_a_refusal_of_the_call_itself_quarantines_its_batch(tmp_path):
    importer = importer_with(tmp_path, LIMITS)
    importer.sink.refuse_call = refusal("No bank journal with code BNK9 in your companies.",
                                        "odoo.exceptions.UserError")
    summary = importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00"])])
    assert importer.sink.push_calls == 1  # not bisected: no line of it would go in
    assert sorted(quarantined(importer.store)) == ["1.00", "2.00", "3.00"]
    assert len(summary.errors) == 1


def test_long_text_is_clipped_to_the_servers_limits_and_kept_whole_in_the_raw_record(tmp_path):
    importer = importer_with(tmp_path, LIMITS)
    long = "INV-1 " + "x" * 1494
    summary = importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00"], ["a", long, "c"])])
    assert summary.created_in_odoo == 3 and not summary.errors and importer.sink.push_calls == 1
    [(lines, _source)] = importer.sink.sent
    clipped = lines[1]
    assert len(clipped["payment_ref"]) == 1000 and clipped["payment_ref"].startswith("INV-1 xxx")
    assert clipped["payment_ref"].endswith("… [clipped from 1500 characters]")
    assert clipped["raw"]["remittance"] == long
    assert [line["payment_ref"] for line in (lines[0], lines[2])] == ["a", "c"]
    with importer.store.transaction() as session:  # the store keeps what the bank said
        assert any(r.payload["payment_ref"] == long for r in session.query(TransactionRecord))


def test_a_raw_record_over_its_cap_has_its_long_strings_clipped(tmp_path):
    importer = importer_with(tmp_path, {**LIMITS, "max_raw_chars": 1200})
    long = "y" * 1500
    summary = importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00"], [long, "short"])])
    assert summary.created_in_odoo == 2 and not summary.errors
    [(lines, _source)] = importer.sink.sent
    raw = lines[0]["raw"]
    assert raw_size(raw) <= 1200 and raw["remittance"].endswith("… [clipped from 1500 characters]")
    assert len(raw["remittance"]) > 500  # clipped no more than needed
    assert raw["key"] == lines[0]["key"] and raw["amount"] == "1.00"  # short values untouched
    assert lines[1]["raw"]["remittance"] == "short"


def test_an_older_server_that_states_no_limits_gets_lines_as_they_are(tmp_path):
    importer = importer_with(tmp_path, None)  # it still refuses 1500 characters, naming the line
    summary = importer.run([statement(tmp_path, "a.xml", ["1.00", "2.00", "3.00"], ["a", "z" * 1500, "c"])])
    assert summary.created_in_odoo == 2
    assert list(quarantined(importer.store)) == ["2.00"]
    assert "payment_ref must be a string of at most 1000 characters" in summary.errors[0]
    assert len(importer.sink.sent[0][0][1]["payment_ref"]) == 1500  # nothing clipped: no second copy of the limits


def sent_sizes(sink):
    return [(len(lines), request_size(lines)) for lines, _source in sink.sent]


def test_batches_are_cut_by_bytes_at_the_servers_limit(tmp_path):
    importer = importer_with(tmp_path, {**LIMITS, "max_request_bytes": 6000})
    summary = importer.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 21)], ["r" * 900] * 20)])
    assert summary.created_in_odoo == 20 and not summary.errors
    sizes = sent_sizes(importer.sink)
    assert all(size <= 6000 for _count, size in sizes)
    assert sum(count for count, _size in sizes) == 20 and len(sizes) < 20  # full batches, not a line each


def test_batch_bytes_configured_below_the_server_wins_and_above_it_does_not(tmp_path):
    low = importer_with(tmp_path / "low", {**LIMITS, "max_request_bytes": 50_000}, batch_bytes=4000)
    low.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 21)], ["r" * 900] * 20)])
    assert all(size <= 4000 for _count, size in sent_sizes(low.sink)) and len(low.sink.sent) > 2
    high = importer_with(tmp_path / "high", {**LIMITS, "max_request_bytes": 6000}, batch_bytes=1 << 20)
    high.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 21)], ["r" * 900] * 20)])
    assert all(size <= 6000 for _count, size in sent_sizes(high.sink)) and len(high.sink.sent) > 2


def test_without_a_byte_limit_from_anyone_batches_go_by_lines(tmp_path):
    importer = importer_with(tmp_path, None, batch_size=7)
    importer.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 21)], ["r" * 900] * 20)])
    assert [count for count, _size in sent_sizes(importer.sink)] == [7, 7, 6]


def test_the_servers_max_batch_caps_the_configured_batch_size(tmp_path):
    importer = importer_with(tmp_path, {**LIMITS, "max_batch": 3}, batch_size=500)
    importer.run([statement(tmp_path, "a.xml", [f"{n}.00" for n in range(1, 8)])])
    assert [count for count, _size in sent_sizes(importer.sink)] == [3, 3, 1]


def test_the_source_is_clipped_to_the_servers_limit(tmp_path):
    importer = importer_with(tmp_path, {**LIMITS, "max_source_chars": 20})
    summary = importer.run([statement(tmp_path, "a-very-long-statement-file-name.xml", ["1.00"])])
    assert summary.created_in_odoo == 1 and not summary.errors
    assert all(len(value) <= 20 for value in importer.sink.sent[0][1].values())


@pytest.mark.parametrize(("amount", "sent"), [("1E+2", "100"), ("0E-7", "0.0000000"), ("-12.30", "-12.30")])
def test_amounts_are_sent_in_positional_notation(amount, sent):
    transaction = Transaction(account="DE89370400440532013000", currency="EUR", booking_date=date(2026, 1, 15),
                              amount=Decimal(amount), source=SourceRef("t.xml", "/Document"))
    assert line_payload(transaction)["amount"] == sent
