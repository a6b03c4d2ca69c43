"""Alembic environment: runs on the connection that `bot.storage.migrate` hands in."""

from __future__ import annotations

from alembic import context

from bot.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python -m bot migrate`, which supplies the database connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
