"""Transactions Odoo refused for good are "quarantined" (they were "failed"), like refused files.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE transactions SET state = 'quarantined' WHERE state = 'failed'")


def downgrade():
    op.execute("UPDATE transactions SET state = 'failed' WHERE state = 'quarantined'")
