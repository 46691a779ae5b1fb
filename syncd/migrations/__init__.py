"""Alembic migrations of syncd's state store; :func:`syncd.store.migrate` runs them."""
