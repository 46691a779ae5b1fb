"""When Odoo was last asked to match each transaction, so that open ones are asked again only
every ``[push] rematch_after`` seconds rather than on every pass.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("matched_at")
