"""Leases: one writer per journal at a time, for several syncd instances on one PostgreSQL store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "journal_leases",
        sa.Column("journal", sa.String(200), primary_key=True),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("journal_key", sa.String(200), nullable=True))
        batch.create_index("ix_transactions_journal_key", ["journal_key"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, journal FROM transactions")).all()
    for row_id, journal in rows:
        spec = json.loads(journal) if isinstance(journal, str) else journal
        connection.execute(sa.text("UPDATE transactions SET journal_key = :key WHERE id = :id"),
                           {"key": json.dumps(spec, sort_keys=True), "id": row_id})


def downgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.drop_index("ix_transactions_journal_key")
        batch.drop_column("journal_key")
    op.drop_table("journal_leases")
