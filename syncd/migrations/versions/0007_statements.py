"""Statements: each statement of a file, with its balances, as Odoo gets it, and the
statement each transaction was read in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(128), nullable=False, unique=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False, index=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("statement_date", sa.String(10), nullable=True),
        sa.Column("opening", sa.String(40), nullable=True),
        sa.Column("closing", sa.String(40), nullable=True),
        sa.Column("total", sa.String(40), nullable=False),
        sa.Column("gap", sa.String(40), nullable=True),
        sa.Column("left_out", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("to_look_at", sa.Boolean, nullable=False, index=True),
        sa.Column("odoo_statement_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("statement_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_transactions_statement_id", "statements", ["statement_id"], ["id"])
        batch.create_index("ix_transactions_statement_id", ["statement_id"])


def downgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.drop_index("ix_transactions_statement_id")
        batch.drop_constraint("fk_transactions_statement_id", type_="foreignkey")
        batch.drop_column("statement_id")
    op.drop_table("statements")
