"""A request the person cancelled before anyone took it does not reopen (`cases.reopenable`).

The person is told "nothing more will be passed on"; their next typed message is a question for the search,
not for the counsellors. Cases closed before this revision keep reopening as they did (the default is true).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("reopenable", sa.Boolean(), nullable=False, server_default=sa.true()))
