"""The inbox every instance receives updates into, and the leadership epoch (docs/multi-instance.md).

Several instances on one PostgreSQL: each takes webhook updates into `inbox` (sealed, keyed by update
number, deleted once handled); one leader handles them, and `leadership.epoch` fences a deposed leader's
writes. `outbox.sending` marks a send that may have reached Telegram, so a new leader does not repeat it.
On SQLite (one instance) the tables exist and stay empty, and `sending` stays false.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )
    leadership = op.create_table(
        "leadership",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=True),
    )
    op.bulk_insert(leadership, [{"id": 1, "epoch": 0, "since": None}])
    # A plain ADD COLUMN: SQLite's batch mode would copy the table anew and lose AUTOINCREMENT, and the sender
    # relies on outbox ids never being reused.
    op.add_column("outbox", sa.Column("sending", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    if op.get_bind().dialect.name == "postgresql":
        # 0003's rule: no statistics samples of sealed values
        op.execute('ALTER TABLE "inbox" ALTER COLUMN "body" SET STATISTICS 0')

