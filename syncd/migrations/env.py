"""Alembic's environment for the state store: run on the connection syncd hands over."""

from alembic import context

from syncd.store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
