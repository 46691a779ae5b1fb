"""Sources (inbox folders and the like) with their last run, and quarantined files.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sources",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(2000), nullable=False, server_default=""),
        sa.Column("files_done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("files_quarantined", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(100), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("source", sa.String(100), nullable=True))


def downgrade():
    with op.batch_alter_table("files") as batch:
        batch.drop_column("source")
    op.drop_table("quarantine")
    op.drop_table("sources")
