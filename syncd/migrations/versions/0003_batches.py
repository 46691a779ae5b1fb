"""Each transaction remembers the batch it was sent in, for ``syncd replay BATCH``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("batch", sa.String(40), nullable=True))
        batch.create_index("ix_transactions_batch", ["batch"])


def downgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.drop_index("ix_transactions_batch")
        batch.drop_column("batch")
