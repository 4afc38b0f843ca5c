"""PostgreSQL keeps no statistics samples of pseudonyms or sealed values.

ANALYZE (run by autovacuum on its own) copies sample values of each column into `pg_statistic` (most common
values, histogram bounds): a forgotten person's pseudonym, or a case key beside the address it opens, would
live on there after their rows are gone. A statistics target of 0 stops it for these columns; the planner
does not need them (they are looked up by equality on a unique or indexed key). Samples taken before this
revision stay in `pg_statistic` (ANALYZE skips a column with target 0 rather than clearing it): SECURITY.md
says how a superuser clears them. SQLite keeps no samples
unless ANALYZE is run, which the bot never does: nothing to do there.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision: str | None = "0002"

# table → columns holding a person's pseudonym or a sealed value
UNSAMPLED: dict[str, tuple[str, ...]] = {
    "people": ("pseudonym", "address"),
    "cases": ("person", "address"),
    "case_keys": ("wrapped",),
    "notes": ("text",),
    "chat_messages": ("person",),
    "blocks": ("person",),
    "outbox": ("chat", "address", "payload"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in UNSAMPLED.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET STATISTICS 0')
