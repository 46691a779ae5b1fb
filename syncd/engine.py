"""The import pipeline: files -> normalized records -> state store -> Odoo.

Plan, then apply: the store learns a file's transactions in one transaction, committed only
once the whole file has been read and checked (balances included), so a bad file leaves
nothing behind. Large files stream: they are stored as they are read, a chunk at a time.
Pushing and reconciling work from the store, so whatever an earlier run left undone (Odoo
down, a crash) is done by the next.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import islice
from pathlib import Path

from .errors import AccessDeniedError, InputError, PermanentError, RefusedError, SyncdError, UserError
from .limits import Limits, batches, fit_line, fit_source, line_size
from .logs import redact
from .metrics import METRICS
from .progress import NoProgress
from .reading import ParsedFile, open_file, statement_key, statement_notes
from .records import Statement, Transaction, balance_gap, join_pages, statement_total
from .store import FileRecord, State, StatementRecord, TransactionRecord


@dataclass
class ImportSummary:
    files_read: int = 0
    files_already_known: int = 0
    transactions_read: int = 0
    transactions_new: int = 0
    created_in_odoo: int = 0
    already_in_odoo: int = 0
    reconciled: int = 0
    suggested: int = 0
    unmatched: int = 0
    statements_read: int = 0
    unbalanced: int = 0
    #: statements whose balances do not add up and entries left out (not booked...), each a
    #: sentence naming the statement
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def lines(self):
        yield f"files read: {self.files_read} ({self.files_already_known} seen before)"
        yield f"transactions read: {self.transactions_read} ({self.transactions_new} new to the store)"
        if self.statements_read:
            yield f"statements read: {self.statements_read} ({self.unbalanced} whose balances do not add up)"
        yield from self.notes
        yield f"statement lines created in Odoo: {self.created_in_odoo} (already there: {self.already_in_odoo})"
        yield (f"reconciled: {self.reconciled}, suggested to the accountant: {self.suggested}, "
               f"left unmatched: {self.unmatched}")
        for error in self.errors:
            yield f"error: {error}"


def line_payload(transaction) -> dict:
    """The addon's statement-line fields for one transaction (amounts stay strings)."""
    raw = transaction.to_json()
    return {
        "key": transaction.key,
        "date": transaction.booking_date.isoformat(),
        # positional notation: str() writes 1E+2 or 0E-7, which the sync API refuses as no decimal
        "amount": format(transaction.amount, "f"),
        "currency": transaction.currency,
        "payment_ref": transaction.remittance or transaction.structured_ref or transaction.bank_ref or "/",
        "partner_name": transaction.counterparty_name,
        "account_number": transaction.counterparty_account,
        "structured_ref": transaction.structured_ref,
        "bank_ref": transaction.bank_ref,
        "end_to_end_id": transaction.end_to_end_id,
        "raw": raw,
    }


STORE_CHUNK = 1000  # transactions looked up and stored at a time
#: ISO 4217's "no currency": what a parser reads from a format that names none (QIF)
NO_CURRENCY = "XXX"
NO_CURRENCY_REASON = ("the file names no currency: give it with the format, e.g. --format qif:EUR "
                      "(format = \"qif:EUR\" in a source's table)")


class _Pages:
    """The statements of a file being stored: each one's row, found again when the statement
    was read before, and its pages (consecutive statements of one account with the same id)
    joined into one. The transactions stored since the previous statement are its own."""

    def __init__(self, store, session, file_id: int):
        self.store, self.session, self.file_id = store, session, file_id
        #: the file's statements, pages joined
        self.statements: list[Statement] = []
        self.row: StatementRecord | None = None
        #: the id of the first transaction stored since the last statement, if any was
        self.first_pending: int | None = None

    def stored(self, first_id: int | None):
        if self.first_pending is None:
            self.first_pending = first_id

    def add(self, statement: Statement):
        last = self.statements[-1] if self.statements else None
        joined = join_pages([last, statement]) if last is not None else [statement]
        if len(joined) == 1 and last is not None:
            statement = self.statements[-1] = joined[0]
        else:
            self.statements.append(statement)
            key = statement_key(statement)
            self.row = self.store.statement_row(self.session, key, lambda: StatementRecord(
                key=key, file_id=self.file_id, account=statement.account[:100], currency=statement.currency,
                name=statement.statement_id[:255], total="0", left_out={}, notes=[], to_look_at=False))
        row = self.row
        gap = balance_gap(statement)
        row.statement_date = statement.statement_date.isoformat() if statement.statement_date else None
        row.opening = _amount(statement.opening_balance)
        row.closing = _amount(statement.closing_balance)
        row.total = format(statement_total(statement), "f")
        row.gap = None if gap is None else ("0" if gap == 0 else format(gap, "f"))
        row.left_out = dict(statement.left_out)
        row.notes = list(statement.notes)
        row.to_look_at = bool(row.flagged or statement.left_out or statement.notes)
        self.session.flush()
        if self.first_pending is not None:
            self.store.assign_statement(self.session, self.file_id, row.id, self.first_pending)
            self.first_pending = None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class LeaseLost(Exception):
    """Another instance took over a journal whose lease this one let expire."""


def journal_key(journal: dict) -> str:
    """A journal spec as the stable string its lease is taken on."""
    return json.dumps(journal, sort_keys=True)


def instance_name() -> str:
    """Who holds a lease: host, process and a random tag (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


class Importer:
    def __init__(self, config, store, sink=None, echo=None, progress=None):
        self.owner = instance_name()
        self.config = config
        self.store = store
        self.sink = sink
        self.echo = echo or (lambda message: None)
        self.progress = progress or NoProgress()
        #: what the server takes, once :meth:`connect` has asked it
        self.limits = Limits()
        #: whether the server takes statements beside the lines (sync API 1.1)
        self.send_statements = False
        #: asked before each batch: True once the daemon was told to stop (SIGTERM, SIGINT)
        self.stopping = lambda: False

    # -- plan and record -------------------------------------------------

    def record(self, parsed: ParsedFile, summary: ImportSummary, source: str | None = None):
        """Store a file's new transactions and its statements, all or nothing: the file is read
        as it is stored, a chunk at a time, in one store transaction that an error anywhere in
        it rolls back. A statement's balances that do not add up are kept and flagged."""
        read = new = 0
        journals: dict[str, tuple[dict, str]] = {}  # account -> journal spec and its key
        task = self.progress.start(f"reading {Path(parsed.path).name}")
        with self.store.transaction() as session:
            file_record = self.store.file_by_sha(session, parsed.sha256)
            known_file = file_record is not None
            if not known_file:
                file_record = FileRecord(
                    sha256=parsed.sha256,
                    path=os.path.abspath(parsed.path),
                    format=parsed.format,
                    transactions=0,
                    source=source,
                )
                session.add(file_record)
                session.flush()
            pages = _Pages(self.store, session, file_record.id)
            items = iter(parsed.items)
            while chunk := list(islice(items, STORE_CHUNK)):
                transactions = [item for item in chunk if isinstance(item, Transaction)]
                read += len(transactions)
                known = self.store.known_keys(session, [t.key for t in transactions])
                added = []
                for item in chunk:
                    if isinstance(item, Statement):
                        pages.stored(self._store_pending(session, added))
                        new += len(added)
                        added = []
                        pages.add(item)
                        continue
                    if item.currency == NO_CURRENCY:
                        raise InputError(item.source.path, item.source.location, NO_CURRENCY_REASON)
                    if item.key in known:
                        continue
                    known.add(item.key)
                    if item.account not in journals:
                        journal = self.config.journal_for(item.account)
                        journals[item.account] = journal, journal_key(journal)
                    journal, key = journals[item.account]
                    added.append(TransactionRecord(
                        key=item.key,
                        file_id=file_record.id,
                        journal=journal,
                        journal_key=key,
                        payload=line_payload(item),
                        state=State.QUEUED.value,
                    ))
                pages.stored(self._store_pending(session, added))
                new += len(added)
                self.progress.advance(task, len(transactions))
            if not known_file:
                file_record.transactions = read
        self.progress.stop(task)
        summary.files_read += 1
        summary.files_already_known += known_file
        summary.transactions_read += read
        summary.transactions_new += new
        for statement in pages.statements:
            summary.statements_read += 1
            gap = balance_gap(statement)
            summary.unbalanced += gap is not None and gap != 0
            summary.notes += statement_notes(statement, parsed.path)

    @staticmethod
    def _store_pending(session, added) -> int | None:
        """Store new transactions; the id of the first (ids grow as they are stored)."""
        session.add_all(added)
        session.flush()
        for record in added:  # stored: the session need not hold them
            session.expunge(record)
        return added[0].id if added else None

    # -- apply -------------------------------------------------------------

    def connect(self):
        """Ask the server who it is and what it takes (once per run): an API it does not speak
        is a :class:`UserError`; its limits fit every line and batch sent from now on."""
        info = self.sink.api_info()
        self.limits = Limits.from_api_info(info)
        self.send_statements = "statements" in info.get("features", ())

    def settle_in_doubt(self, summary: ImportSummary, journal: str):
        """A journal's transactions left ``SENDING`` (a crash, a timeout, a lost answer: maybe
        created in Odoo): ask Odoo which keys it has; those are confirmed, the others queued again."""
        with self.store.transaction() as session:
            doubtful = self.store.in_journal(session, journal, State.SENDING)
        size = self.max_lines
        for start in range(0, len(doubtful), size):
            chunk = doubtful[start:start + size]
            found = self.sink.lookup_keys(chunk[0].journal, [r.key for r in chunk])
            with self.store.transaction() as session:
                for record in self.store.transactions_by_id(session, [r.id for r in chunk]):
                    if found.get(record.key):
                        record.odoo_line_id = found[record.key]
                        record.state = State.CONFIRMED.value
                        summary.already_in_odoo += 1
                    else:
                        record.state = State.QUEUED.value

    def _journals(self, *states: State) -> list[str]:
        with self.store.transaction() as session:
            return self.store.pending_journals(session, *states)

    def _leased(self, journal: str, work) -> bool:
        """``work()`` while this instance holds the journal's lease (one writer per journal:
        Odoo serialises statement lines on its sequence); False if another instance holds it."""
        if not self.store.claim_journal(journal, self.owner, self.config.lease_seconds):
            self.echo(f"journal {journal}: another syncd is writing to it; left to that one")
            return False
        try:
            work()
        except LeaseLost:
            self.echo(f"journal {journal}: the lease expired (this syncd was paused?); another one goes on")
            return False
        finally:
            self.store.release_journal(journal, self.owner)
        return True

    def _renew(self, journal: str):
        if not self.store.claim_journal(journal, self.owner, self.config.lease_seconds):
            raise LeaseLost(journal)

    def push(self, summary: ImportSummary):
        """Send every queued transaction, journal by journal under its lease: first settle those
        in doubt, then send the queued ones batch by batch, renewing the lease before each. A
        lease lost (this instance was paused past its expiry) leaves the rest to its new owner."""
        for journal in self._journals(State.QUEUED, State.SENDING):
            self._leased(journal, lambda journal=journal: self._push_journal(journal, summary))

    def _push_journal(self, journal: str, summary: ImportSummary):
        self.settle_in_doubt(summary, journal)
        with self.store.transaction() as session:
            pending = self.store.in_journal(session, journal, State.QUEUED)
            files = self.store.files_by_id(session, {t.file_id for t in pending})
        groups: dict[int, list[TransactionRecord]] = {}
        for record in pending:
            groups.setdefault(record.file_id, []).append(record)
        task = self.progress.start("sending to Odoo", total=len(pending)) if pending else None
        for file_id, records in groups.items():
            file_record = files[file_id]
            outgoing = ((record, fit_line(record.payload, self.limits)) for record in records)
            for batch in batches(outgoing, self.max_lines, self.max_bytes, size=lambda item: line_size(item[1])):
                if self.stopping():
                    return  # the rest stays queued for the next run
                self.progress.advance(task, len(batch))
                self._send(journal, batch, file_record, summary)

    @property
    def max_lines(self) -> int:
        """Lines per call: the configured batch size, within what the server takes."""
        return min(self.config.batch_size, self.limits.max_batch or self.config.batch_size)

    @property
    def max_bytes(self) -> int | None:
        """Bytes of lines per call: ``[push] batch_bytes``, within what the server takes (the
        server's figure when none is configured; no cap when neither says)."""
        caps = [cap for cap in (self.config.batch_bytes, self.limits.max_request_bytes) if cap]
        return min(caps) if caps else None

    def _send(self, journal: str, batch, file_record, summary):
        """Push a batch of (record, line); what Odoo refuses for good is quarantined with its
        reason. A refusal that names a line (``lines[3]: ...``) quarantines that line alone and
        the rest is sent again; one that names none is bisected down to the line at fault. A
        refusal of the call itself (its journal, say) quarantines the batch."""
        parts = [batch]
        while parts:
            part = parts.pop(0)
            if self.stopping():
                return  # what is left stays queued
            self._renew(journal)
            try:
                self._push_batch(part, file_record, summary)
            except AccessDeniedError:
                raise
            except RefusedError as exc:
                if len(part) == 1:
                    self._refused(part, file_record, exc, summary)
                elif exc.line is not None and exc.line < len(part):
                    self._refused([part[exc.line]], file_record, exc, summary)
                    parts.insert(0, part[:exc.line] + part[exc.line + 1:])
                else:
                    half = len(part) // 2
                    parts[:0] = [part[:half], part[half:]]
            except PermanentError as exc:
                self._refused(part, file_record, exc, summary)

    def _refused(self, batch, file_record, exc, summary):
        METRICS.errors.labels("permanent").inc()
        reason = redact(str(exc))  # kept in the store: Odoo's answer may echo the request's key
        self._quarantine([record for record, _line in batch], reason)
        summary.errors.append(f"{file_record.path}: {reason}")

    def _quarantine(self, records, reason):
        with self.store.transaction() as session:
            for record in self.store.transactions_by_id(session, [r.id for r in records]):
                record.state = State.QUARANTINED.value
                record.reason = reason[:1000]

    def _push_batch(self, batch, file_record, summary):
        """Send a batch of (record, line), those still queued: a refusal puts them back in the
        queue (Odoo kept nothing of the call) and is raised; in doubt they stay ``SENDING``."""
        records = [record for record, _line in batch]
        batch_id = f"{file_record.sha256[:12]}-{records[0].id}"
        with self.store.transaction() as session:  # the intent, before the call
            # only those still queued: another instance may have sent the rest meanwhile
            fresh = [r for r in self.store.transactions_by_id(session, [r.id for r in records])
                     if r.state == State.QUEUED.value]
            for record in fresh:
                record.state = State.SENDING.value
                record.attempts += 1
                record.batch = batch_id
        if not fresh:
            return
        ids = {r.id for r in fresh}
        batch = [(record, line) for record, line in batch if record.id in ids]
        source = fit_source({
            "feed": file_record.format,
            "file": Path(file_record.path).name,
            "batch": batch_id,
        }, self.limits)
        lines, statements = self._with_statements(batch)
        try:
            with METRICS.push_seconds.time():
                result = self.sink.push_lines(batch[0][0].journal, lines, source, statements)
        except PermanentError as exc:
            if len(fresh) != len(records) and isinstance(exc, RefusedError):
                exc.line = None  # it counts among the lines sent, not those asked: bisect instead
            with self.store.transaction() as session:
                for record in self.store.transactions_by_id(session, ids):
                    record.state = State.QUEUED.value
            raise
        lines = result["lines"]
        with self.store.transaction() as session:
            in_odoo = result.get("statements") or {}
            if in_odoo:
                for statement in self.store.statements_by_key(session, list(in_odoo)):
                    statement.odoo_statement_id = in_odoo[statement.key]
            for record in self.store.transactions_by_id(session, ids):
                outcome = lines[record.key]
                record.odoo_line_id = outcome["id"]
                record.created_in_odoo = outcome["created"]
                record.state = State.CONFIRMED.value
                if outcome["created"]:
                    summary.created_in_odoo += 1
                else:
                    summary.already_in_odoo += 1
        self.echo(f"pushed {len(batch)} line(s) from {source['file']} to journal {records[0].journal}")

    def _with_statements(self, batch) -> tuple[list[dict], dict | None]:
        """The lines of a batch, each naming the statement it joins, and those statements."""
        if not self.send_statements:
            return [line for _record, line in batch], None
        ids = {record.statement_id for record, _line in batch if record.statement_id}
        with self.store.transaction() as session:
            rows = self.store.statements_by_id(session, ids) if ids else {}
        lines = [dict(line, statement=rows[record.statement_id].key) if record.statement_id in rows else line
                 for record, line in batch]
        return lines, {row.key: row.payload() for row in rows.values()}

    def reconcile(self, summary: ImportSummary):
        """Ask Odoo to reconcile what was pushed, and the lines still open from earlier runs
        (new invoices may have arrived since) once ``[push] rematch_after`` has passed since
        they were last asked, journal by journal under its lease."""
        for journal in self._journals(State.CONFIRMED, State.SUGGESTED, State.UNMATCHED):
            self._leased(journal, lambda journal=journal: self._reconcile_journal(journal, summary))

    def _reconcile_journal(self, journal: str, summary: ImportSummary):
        asked_before = datetime.now(timezone.utc) - timedelta(seconds=self.config.rematch_after)
        with self.store.transaction() as session:
            todo = self.store.to_match(session, journal, asked_before)
        size = self.max_lines
        task = self.progress.start("reconciling", total=len(todo)) if todo else None
        for start in range(0, len(todo), size):
            if self.stopping():
                return
            batch = todo[start:start + size]
            self._renew(journal)
            self.progress.advance(task, len(batch))
            outcome = self.sink.reconcile([r.odoo_line_id for r in batch])
            with self.store.transaction() as session:
                for record in self.store.transactions_by_id(session, [r.id for r in batch]):
                    result = outcome[str(record.odoo_line_id)]
                    record.matched_at = datetime.now(timezone.utc)
                    record.state = State(result["state"]).value
                    record.reason = result["reason"][:1000]
                    record.invoice_ids = result["invoice_ids"]
            states = Counter(result["state"] for result in outcome.values())
            summary.reconciled += states["reconciled"]
            summary.suggested += states["suggested"]
            summary.unmatched += states["unmatched"]

    def replay(self, batch: str, summary: ImportSummary) -> int:
        """Send a batch's transactions again (Odoo creates none twice) and reconcile them: the
        number of transactions queued again."""
        with self.store.transaction() as session:
            records = self.store.in_batch(session, batch)
            if not records:
                recent = ", ".join(b["batch"] for b in self.store.recent_batches(session)) or "none yet"
                raise UserError(f"no batch {batch!r} in the state store; recent batches: {recent}")
            for record in records:
                record.state = State.QUEUED.value
                record.reason = ""
        self.connect()
        self.push(summary)
        self.reconcile(summary)
        return len(records)

    def run(self, paths, format_name="auto", encoding=None) -> ImportSummary:
        summary = ImportSummary()
        for path in paths:
            try:
                with open_file(path, format_name, encoding=encoding) as parsed:
                    self.record(parsed, summary)
            except InputError as exc:
                summary.errors.append(str(exc))
        if self.sink is not None:
            self.connect()
            self.push(summary)
            self.reconcile(summary)
        return summary


__all__ = ["ImportSummary", "Importer", "SyncdError", "line_payload"]
