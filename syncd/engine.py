"""The import pipeline: files -> normalized records -> state store -> Odoo.

Plan, then apply: the store learns a file's transactions in one transaction, committed only
once the whole file has been read and checked (balances included), so a bad file leaves
nothing behind. Large files stream: they are stored as they are read, a chunk at a time.
Pushing and reconciling work from the store, so whatever an earlier run left undone (Odoo
down, a crash) is done by the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

from .errors import AccessDeniedError, InputError, PermanentError, RefusedError, SyncdError, UserError
from .identity import assign_keys, iter_keys
from .limits import Limits, batches, fit_line, fit_source, line_size
from .logs import redact
from .metrics import METRICS
from .parsers import detect_format, get_parser, open_input, parse_bytes
from .parsers.archive import is_zip, iter_members
from .progress import NoProgress
from .records import Transaction
from .safexml import DEFAULT_MAX_BYTES, STREAM_MAX_BYTES
from .store import FileRecord, State, TransactionRecord


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
    errors: list = field(default_factory=list)

    def lines(self):
        yield f"files read: {self.files_read} ({self.files_already_known} seen before)"
        yield f"transactions read: {self.transactions_read} ({self.transactions_new} new to the store)"
        yield f"statement lines created in Odoo: {self.created_in_odoo} (already there: {self.already_in_odoo})"
        yield (f"reconciled: {self.reconciled}, suggested to the accountant: {self.suggested}, "
               f"left unmatched: {self.unmatched}")
        for error in self.errors:
            yield f"error: {error}"


@dataclass(frozen=True)
class ParsedFile:
    path: str
    sha256: str
    format: str
    #: keyed transactions; from :func:`open_file` a stream, read once, that may raise
    #: :class:`InputError` at any point
    transactions: Iterable[Transaction]


DETECT_BYTES = 64 * 1024  # what format detection reads of a file
STORE_CHUNK = 1000  # transactions looked up and stored at a time


@contextmanager
def open_file(path, format_name="auto", max_bytes=None, encoding=None, regular_only=False) -> Iterator[ParsedFile]:
    """A statement file with its format known; its transactions are read as they are iterated.

    Formats that stream (CAMT, MT940) are read one entry at a time, up to
    :data:`STREAM_MAX_BYTES`; the others, and zip archives, are read whole first, up to
    :data:`DEFAULT_MAX_BYTES` (``max_bytes`` replaces both caps). The size is checked before
    anything is read. ``regular_only``: a file found in an inbox, see :func:`open_input`.
    """
    path = str(path)
    if format_name != "auto":
        get_parser(format_name)  # an unknown name is an error before any reading
    with open_input(path, regular_only=regular_only) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(min(size, DETECT_BYTES)) if size <= (max_bytes or STREAM_MAX_BYTES) else b""
        parser = None
        if head and not is_zip(head):
            parser = detect_format(head, path) if format_name == "auto" else get_parser(format_name)
        stream = getattr(parser, "stream", None)
        cap = max_bytes or (STREAM_MAX_BYTES if stream else DEFAULT_MAX_BYTES)
        if size > cap:
            raise InputError(path, "", f"file is {size} bytes, more than the limit of {cap} bytes")
        if parser is None or stream is None:
            handle.seek(0)
            yield _whole(handle.read(cap + 1), path, format_name, cap, encoding)
            return
        sha256 = _sha256(handle)
        items = stream(handle, path, max_bytes=cap, encoding=encoding)
        yield ParsedFile(path, sha256, parser.name,
                         iter_keys(item for item in items if isinstance(item, Transaction)))


def _sha256(handle) -> str:
    """The digest of an open file, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def file_sha256(path) -> str:
    with open(path, "rb") as handle:
        return _sha256(handle)


def _whole(data: bytes, path: str, format_name: str, max_bytes: int, encoding) -> ParsedFile:
    """A file read whole: parsed at once, or a zip archive whose every file is parsed; one bad
    member refuses the archive."""
    sha256 = hashlib.sha256(data).hexdigest()
    if is_zip(data):
        formats, transactions = [], []
        for label, content in iter_members(data, path):
            parser, statements = parse_bytes(content, label, format_name, max_bytes, encoding)
            formats.append(parser.name)
            transactions += assign_keys(t for statement in statements for t in statement.transactions)
        if not formats:
            raise InputError(path, "", "the archive holds no file")
        return ParsedFile(path, sha256, ",".join(dict.fromkeys(formats)), transactions)
    parser, statements = parse_bytes(data, path, format_name, max_bytes, encoding)
    transactions = assign_keys(t for statement in statements for t in statement.transactions)
    return ParsedFile(path, sha256, parser.name, transactions)


def read_file(path, format_name="auto", max_bytes=None, encoding=None) -> ParsedFile:
    """Read and parse one file completely, or raise :class:`InputError`."""
    with open_file(path, format_name, max_bytes, encoding) as parsed:
        return replace(parsed, transactions=list(parsed.transactions))


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
        #: asked before each batch: True once the daemon was told to stop (SIGTERM, SIGINT)
        self.stopping = lambda: False

    # -- plan and record -------------------------------------------------

    def record(self, parsed: ParsedFile, summary: ImportSummary, source: str | None = None):
        """Store a file's new transactions, all or nothing: the file is read as it is stored,
        a chunk at a time, in one store transaction that an error anywhere in it rolls back."""
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
            transactions = iter(parsed.transactions)
            while chunk := list(islice(transactions, STORE_CHUNK)):
                read += len(chunk)
                known = self.store.known_keys(session, [t.key for t in chunk])
                added = []
                for transaction in chunk:
                    if transaction.key in known:
                        continue
                    known.add(transaction.key)
                    if transaction.account not in journals:
                        journal = self.config.journal_for(transaction.account)
                        journals[transaction.account] = journal, journal_key(journal)
                    journal, key = journals[transaction.account]
                    added.append(TransactionRecord(
                        key=transaction.key,
                        file_id=file_record.id,
                        journal=journal,
                        journal_key=key,
                        payload=line_payload(transaction),
                        state=State.QUEUED.value,
                    ))
                session.add_all(added)
                session.flush()
                for record in added:  # stored: the session need not hold them
                    session.expunge(record)
                new += len(added)
                self.progress.advance(task, len(chunk))
            if not known_file:
                file_record.transactions = read
        self.progress.stop(task)
        summary.files_read += 1
        summary.files_already_known += known_file
        summary.transactions_read += read
        summary.transactions_new += new

    # -- apply -------------------------------------------------------------

    def connect(self):
        """Ask the server who it is and what it takes (once per run): an API it does not speak
        is a :class:`UserError`; its limits fit every line and batch sent from now on."""
        self.limits = Limits.from_api_info(self.sink.api_info())

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
        try:
            with METRICS.push_seconds.time():
                result = self.sink.push_lines(batch[0][0].journal, [line for _record, line in batch], source)
        except PermanentError as exc:
            if len(fresh) != len(records) and isinstance(exc, RefusedError):
                exc.line = None  # it counts among the lines sent, not those asked: bisect instead
            with self.store.transaction() as session:
                for record in self.store.transactions_by_id(session, ids):
                    record.state = State.QUEUED.value
            raise
        lines = result["lines"]
        with self.store.transaction() as session:
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


__all__ = ["ImportSummary", "Importer", "SyncdError", "line_payload", "open_file", "read_file"]
