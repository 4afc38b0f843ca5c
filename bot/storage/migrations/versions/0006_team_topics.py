"""Team mode: a case's topic in the counsellors' forum group (`team_topics`, deleted with its case) and the
status topic with its pinned message (`team_board`). Both hold only numbers Telegram gave the bot and a keyed
pseudonym of the group; PostgreSQL keeps no statistics samples of that pseudonym (0003's rule).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"

UNSAMPLED: dict[str, tuple[str, ...]] = {"team_board": ("chat",)}


def upgrade() -> None:
    op.create_table(
        "team_topics",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("thread_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("marker_id", sa.Integer(), nullable=True),
    )
    op.create_table(
        "team_board",
        sa.Column("chat", sa.String(64), primary_key=True),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in UNSAMPLED.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{name}" ALTER COLUMN "{column}" SET STATISTICS 0')
