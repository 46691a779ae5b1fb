"""The state store's schema: alembic migrations, from an empty store and from one made before
syncd had migrations."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from syncd.store import Base, FileRecord, QuarantineRecord, SourceRecord, Store, TransactionRecord


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite'}"
    return request.getfixturevalue("pg_url")


def test_a_new_store_is_at_the_newest_revision_and_matches_the_models(store_url):
    store = Store(store_url)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == _head()
        assert compare_metadata(context, Base.metadata) == []


def _head() -> str:
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", "syncd:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def test_a_store_made_before_migrations_is_upgraded_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    config = AlembicConfig()
    config.set_main_option("script_location", "syncd:migrations")
    with engine.begin() as connection:  # the tables as syncd 0.x made them, with no version table
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text(
            "INSERT INTO files (id, sha256, path, format, transactions, imported_at) "
            "VALUES (1, 'ab', '/in/a.xml', 'camt053', 1, '2026-11-20 10:00:00')"))
        connection.execute(text(
            "INSERT INTO transactions (id, key, file_id, journal, payload, state, reason, invoice_ids, attempts,"
            " updated_at) VALUES (1, 'ref:1', 1, '{}', '{}', 'confirmed', '', '[]', 1, '2026-11-20 10:00:00')"))
    engine.dispose()

    store = Store(f"sqlite:///{path}")
    with store.transaction() as session:
        (record,) = session.query(TransactionRecord).all()
        assert (record.key, record.state, session.get(FileRecord, 1).source) == ("ref:1", "confirmed", None)
        session.add(SourceRecord(name="inbox", kind="inbox"))
        session.add(QuarantineRecord(source="inbox", name="bad.xml", path="/q/bad.xml", sha256="cd", reason="x"))
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchall() == [(_head(),)]
    Store(f"sqlite:///{path}")  # opening it again changes nothing
    with store.transaction() as session:
        assert session.query(SourceRecord).one().files_done == 0


def test_on_postgresql_one_instance_wins_each_journal_lease_race(pg_url):
    stores = [Store(pg_url), Store(pg_url)]
    for round_ in range(20):
        journal = f"J{round_}"
        barrier = threading.Barrier(2)
        won = []

        def claim(store, owner, journal=journal, barrier=barrier, won=won):
            barrier.wait()
            if store.claim_journal(journal, owner, 60):
                won.append(owner)

        threads = [threading.Thread(target=claim, args=(store, f"owner{i}")) for i, store in enumerate(stores)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, (round_, won)
    for store in stores:
        store.engine.dispose()
