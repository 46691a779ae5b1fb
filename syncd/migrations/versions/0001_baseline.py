"""The store as syncd 0.x created it before migrations: files and transactions.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("transactions", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("file_id", sa.Integer(), sa.ForeignKey("files.id"), nullable=False),
        sa.Column("journal", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("odoo_line_id", sa.Integer(), nullable=True),
        sa.Column("created_in_odoo", sa.Boolean(), nullable=True),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("invoice_ids", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_transactions_file_id", "transactions", ["file_id"])
    op.create_index("ix_transactions_state", "transactions", ["state"])


def downgrade():
    op.drop_table("transactions")
    op.drop_table("files")
