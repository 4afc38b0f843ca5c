"""Alembic's environment: runs the revisions on the connection `Database.migrate` hands over (already
holding the migration lock), so there is exactly one way in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=None,
    # SQLite cannot ALTER most things in place: batch mode copies the table (Alembic's "move and copy").
    render_as_batch=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
