"""The state store: what syncd has read, sent and learned, in SQLAlchemy 2.

Only this module (and its alembic migrations, ``syncd/migrations``) imports SQLAlchemy.
SQLite is the embedded default; any SQLAlchemy URL (PostgreSQL included) works. Every write
happens inside :meth:`Store.transaction`. Opening a store migrates it to the newest schema.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import ConfigError, TransientError
from .files import create_private, private_file, private_folder
from .states import State  # here as before; it lives apart so that its users need not import SQLAlchemy


class StoreUnavailable(TransientError):
    """The state store's connection broke (a restart, a network cut, a killed backend): the
    transaction was rolled back; the next pass starts again."""


class StoreConflict(TransientError):
    """Another instance sharing the store wrote the same thing first (a file, a key, a lease)."""


def _now():
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class FileRecord(Base):
    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    format: Mapped[str] = mapped_column(String(40))
    transactions: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: the configured source it came from; none for ``syncd import``
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)


class SourceRecord(Base):
    """A configured source (an inbox folder...) and how its last runs went."""

    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    files_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    files_quarantined: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class QuarantineRecord(Base):
    """A file refused whole, moved aside with the reason; ``syncd retry`` puts it back."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(2000))
    quarantined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class StatementRecord(Base):
    """A statement of a file (pages joined), as Odoo gets it: an ``account.bank.statement`` of
    the journal, with the file's balances, that the statement's new lines join."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    account: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    #: the file's own id of the statement (MT940 :20:/:28C:, CAMT Stmt/Id...)
    name: Mapped[str] = mapped_column(String(255))
    statement_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: balances and sums as decimal strings
    opening: Mapped[str | None] = mapped_column(String(40), nullable=True)
    closing: Mapped[str | None] = mapped_column(String(40), nullable=True)
    total: Mapped[str] = mapped_column(String(40))
    #: closing - opening - total, when the file gives both balances; "0" when they add up
    gap: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: entries the file holds that were not imported, by reason
    left_out: Mapped[dict] = mapped_column(JSON, default=dict)
    #: what else the file says that disagrees (totals, a balance set aside), each a sentence
    notes: Mapped[list] = mapped_column(JSON, default=list)
    #: its balances do not add up, entries were left out, or it has notes: ``syncd status`` lists it
    to_look_at: Mapped[bool] = mapped_column(default=False, index=True)
    odoo_statement_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    @property
    def flagged(self) -> bool:
        """Its balances do not add up."""
        return self.gap is not None and Decimal(self.gap) != 0

    def payload(self) -> dict:
        """What the sync API takes of a statement, beside the lines that join it."""
        from .limits import clean_text

        payload = {"name": clean_text(self.name)[:255].strip() or "/"}
        if self.statement_date:
            payload["date"] = self.statement_date
        if self.opening is not None:
            payload["opening_balance"] = self.opening
        if self.closing is not None:
            payload["closing_balance"] = self.closing
        return payload


class TransactionRecord(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    journal: Mapped[dict] = mapped_column(JSON)
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True, default=State.QUEUED.value)
    odoo_line_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_in_odoo: Mapped[bool | None] = mapped_column(nullable=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    invoice_ids: Mapped[list] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the journal spec as a stable string, what journal leases are taken on
    journal_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    #: when Odoo was last asked to match it
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the batch it was last sent in (``syncd replay BATCH``)
    batch: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    #: the statement it was read in (none for transactions stored before syncd kept statements)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"), nullable=True, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class JournalLease(Base):
    """Who writes to a journal now, and until when: one writer per journal at a time (Odoo
    serialises statement lines on the journal's sequence), taken over once it expires."""

    __tablename__ = "journal_leases"

    journal: Mapped[str] = mapped_column(String(200), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Store:
    def __init__(self, url: str):
        from .config import mask_url

        self.url = url
        self.shown = shown = mask_url(url)
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///"):])
            try:
                _private_sqlite(path)
            except OSError as exc:
                raise ConfigError(f"state url {shown}: cannot create {exc.filename}: {exc.strerror}") from None
        try:
            self.engine = create_engine(url, pool_pre_ping=True)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
            raise ConfigError(f"state url {shown!r}: {str(exc).replace(url, shown)}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            migrate(self.engine)
        except OperationalError as exc:
            raise StoreUnavailable(f"state store {shown}: {exc.orig}") from None

    def revision(self) -> str:
        """The schema revision the store is at."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() or "none"

    @contextmanager
    def transaction(self):
        """A session in one transaction, committed at the end of the block. A unique key taken
        meanwhile by another instance sharing the store is a :class:`StoreConflict`."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError as exc:
            raise StoreConflict(f"the state store refused a write: {exc.orig}") from exc
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(f"the state store {self.shown} failed: {exc.orig}") from exc

    def file_by_sha(self, session, sha256):
        return session.scalar(select(FileRecord).where(FileRecord.sha256 == sha256))

    def known_keys(self, session, keys):
        found = set()
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(session.scalars(select(TransactionRecord.key).where(TransactionRecord.key.in_(chunk))))
        return found

    def statement_by_key(self, session, key):
        return session.scalar(select(StatementRecord).where(StatementRecord.key == key))

    def statements_by_key(self, session, keys):
        return list(session.scalars(select(StatementRecord).where(StatementRecord.key.in_(list(keys)))))

    def statements_by_id(self, session, ids):
        return {s.id: s for s in session.scalars(select(StatementRecord).where(StatementRecord.id.in_(list(ids))))}

    def assign_statement(self, session, file_id: int, statement_id: int, first_id: int):
        """The file's transactions stored since its last statement (ids from ``first_id`` on: a
        range of the primary key, however many statements the file has) belong to this one."""
        session.execute(update(TransactionRecord)
                        .where(TransactionRecord.id >= first_id, TransactionRecord.file_id == file_id,
                               TransactionRecord.statement_id.is_(None))
                        .values(statement_id=statement_id))

    def flagged_statements(self, session, limit: int = 20) -> list[dict]:
        """The statements last read whose balances do not add up, that left entries out or that
        have notes, newest first."""
        query = (select(StatementRecord, FileRecord.path).join(FileRecord)
                 .where(StatementRecord.to_look_at).order_by(StatementRecord.id.desc()).limit(limit))
        return [{"statement": statement.name, "account": statement.account, "date": statement.statement_date,
                 "file": path, "opening": statement.opening, "closing": statement.closing,
                 "total": statement.total, "gap": statement.gap, "balanced": not statement.flagged,
                 "left_out": statement.left_out, "notes": statement.notes,
                 "odoo_statement_id": statement.odoo_statement_id}
                for statement, path in session.execute(query)]

    def statement_row(self, session, key: str, make) -> StatementRecord:
        """The statement stored under ``key``, or a new one from ``make()``. Another instance
        sharing the store may add the same statement (an overlapping file) at the same time:
        the insert then waits for it and fails, and its row is the one."""
        row = self.statement_by_key(session, key)
        if row is not None:
            return row
        try:
            with session.begin_nested():
                row = make()
                session.add(row)
            return row
        except IntegrityError:
            return self.statement_by_key(session, key)

    def transactions_by_id(self, session, ids):
        return list(session.scalars(select(TransactionRecord).where(TransactionRecord.id.in_(list(ids)))))

    def files_by_id(self, session, ids):
        return {f.id: f for f in session.scalars(select(FileRecord).where(FileRecord.id.in_(list(ids))))}

    @property
    def shared(self) -> bool:
        """Whether several instances may share this store (PostgreSQL). An SQLite store is held
        by one instance (:mod:`syncd.lock`), so the leases it finds are a dead owner's."""
        return self.engine.dialect.name != "sqlite"

    def claim_journal(self, journal: str, owner: str, seconds: float) -> bool:
        """Take or renew the lease on ``journal`` for ``seconds``; False if another owner holds
        it and it has not expired (or it is being taken by another right now). On a store that
        is not shared, a lease left by a killed instance is taken over at once."""
        now = _now()
        try:
            with self.transaction() as session:
                lease = session.scalar(select(JournalLease).where(JournalLease.journal == journal)
                                       .with_for_update(skip_locked=True))
                if lease is None:
                    if session.get(JournalLease, journal) is not None:
                        return False  # locked: another instance is taking or renewing it
                    session.add(JournalLease(journal=journal, owner=owner, expires=now + timedelta(seconds=seconds)))
                    session.flush()
                    return True
                expires = lease.expires if lease.expires.tzinfo else lease.expires.replace(tzinfo=timezone.utc)
                if lease.owner != owner and expires > now and self.shared:
                    return False
                lease.owner, lease.expires = owner, now + timedelta(seconds=seconds)
                return True
        except StoreConflict:
            return False  # two took a new journal at once: the other won

    def release_journal(self, journal: str, owner: str):
        with self.transaction() as session:
            lease = session.get(JournalLease, journal)
            if lease is not None and lease.owner == owner:
                session.delete(lease)

    def pending_journals(self, session, *states) -> list[str]:
        return list(session.scalars(
            select(TransactionRecord.journal_key).where(TransactionRecord.state.in_([s.value for s in states]))
            .distinct().order_by(TransactionRecord.journal_key)))

    def in_journal(self, session, journal: str, *states) -> list[TransactionRecord]:
        return list(session.scalars(
            select(TransactionRecord)
            .where(TransactionRecord.journal_key == journal, TransactionRecord.state.in_([s.value for s in states]))
            .order_by(TransactionRecord.id)))

    def to_match(self, session, journal: str, asked_before: datetime) -> list[TransactionRecord]:
        """A journal's transactions to ask Odoo to match: those just confirmed, and those still
        open (suggested, unmatched) that were last asked before ``asked_before``."""
        still_open = TransactionRecord.state.in_([State.SUGGESTED.value, State.UNMATCHED.value]) & (
            TransactionRecord.matched_at.is_(None) | (TransactionRecord.matched_at < asked_before))
        return list(session.scalars(
            select(TransactionRecord)
            .where(TransactionRecord.journal_key == journal,
                   (TransactionRecord.state == State.CONFIRMED.value) | still_open)
            .order_by(TransactionRecord.id)))

    def in_batch(self, session, batch: str) -> list[TransactionRecord]:
        return list(session.scalars(select(TransactionRecord).where(TransactionRecord.batch == batch)))

    def recent_batches(self, session, limit: int = 10) -> list[dict]:
        """The batches last sent, newest first: id, transactions, when."""
        last = func.max(TransactionRecord.updated_at)
        return [
            {"batch": batch, "transactions": count, "last_sent": _iso(when)}
            for batch, count, when in session.execute(
                select(TransactionRecord.batch, func.count(), last)
                .where(TransactionRecord.batch.is_not(None)).group_by(TransactionRecord.batch)
                .order_by(last.desc()).limit(limit))
        ]

    def quarantined(self, session, sources=(), *, sha256: str = "", path: str = "") -> list[QuarantineRecord]:
        query = select(QuarantineRecord).order_by(QuarantineRecord.id)
        if sources:
            query = query.where(QuarantineRecord.source.in_(list(sources)))
        if sha256:
            query = query.where(QuarantineRecord.sha256 == sha256, QuarantineRecord.path == path)
        return list(session.scalars(query))

    def quarantined_transactions(self, session, sources=()) -> list[TransactionRecord]:
        query = select(TransactionRecord).where(TransactionRecord.state == State.QUARANTINED.value)
        if sources:
            query = query.join(FileRecord).where(FileRecord.source.in_(list(sources)))
        return list(session.scalars(query))

    def counts(self):
        with self.transaction() as session:
            rows = session.execute(
                select(TransactionRecord.state, func.count()).group_by(TransactionRecord.state)
            ).all()
            files = session.scalar(select(func.count()).select_from(FileRecord))
            last = session.scalar(select(func.max(FileRecord.imported_at)))
            by_source = {(source, state): count for source, state, count in session.execute(
                select(FileRecord.source, TransactionRecord.state, func.count())
                .join(FileRecord).group_by(FileRecord.source, TransactionRecord.state))}
            sources = {
                record.name: {
                    "kind": record.kind,
                    "last_run": _iso(record.last_run_at),
                    "last_ok": _iso(record.last_ok_at),
                    "last_error": record.last_error,
                    "files_done": record.files_done,
                    "files_quarantined": record.files_quarantined,
                    "states": {state: count for (source, state), count in by_source.items() if source == record.name},
                }
                for record in session.scalars(select(SourceRecord).order_by(SourceRecord.name))
            }
            batches = self.recent_batches(session)
            statements = self.flagged_statements(session)
            unbalanced = session.scalar(select(func.count()).select_from(StatementRecord).where(
                StatementRecord.gap.is_not(None), StatementRecord.gap != "0"))
            quarantine = [
                {"source": q.source, "file": q.path, "reason": q.reason, "at": _iso(q.quarantined_at)}
                for q in self.quarantined(session)
            ]
        return {"files": files, "last_import": last, "states": dict(rows), "sources": sources,
                "quarantine": quarantine, "batches": batches, "flagged_statements": statements,
                "statements_unbalanced": unbalanced}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


#: the revision of a store that syncd created before it had migrations
BASELINE = "0001"


def migrate(engine) -> None:
    """Bring the store's schema to the newest revision (alembic, ``syncd/migrations``). A store
    made before syncd had migrations (its tables but no ``alembic_version``) is first marked as
    the baseline, which it is."""
    from alembic import command
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext

    config = AlembicConfig()
    config.set_main_option("script_location", "syncd:migrations")
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # instances starting together migrate one at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(7214530061)"))
        config.attributes["connection"] = connection
        if MigrationContext.configure(connection).get_current_revision() is None and \
                inspect(connection).has_table("files"):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def _private_sqlite(path: Path):
    """The SQLite file owner-only before SQLite opens it: SQLite gives its journal, WAL and
    shared-memory files the database file's mode."""
    private_folder(path.parent)
    os.close(create_private(path))
    for suffix in ("-wal", "-shm", "-journal"):
        private_file(path.with_name(path.name + suffix))


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()

