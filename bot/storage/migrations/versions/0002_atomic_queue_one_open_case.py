"""Queue places drawn from a counter row, one open case per person, Alembic's own version table.

`max(queue_seq) + 1` gave concurrent requests the same place on PostgreSQL; a counter row bumped with
`UPDATE … RETURNING` cannot. A double tap opened two cases; a partial unique index now refuses the second.
Cases a double tap already duplicated are closed, keeping each person's oldest open case.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"

_cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("person", sa.String),
                  sa.column("status", sa.String), sa.column("counsellor", sa.String),
                  sa.column("last_counsellor", sa.String), sa.column("queue_seq", sa.Integer),
                  sa.column("queued_at", sa.DateTime), sa.column("told_position", sa.Integer),
                  sa.column("closed_at", sa.DateTime))


def upgrade() -> None:
    sequences = op.create_table(
        "sequences",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    bind = op.get_bind()
    highest = bind.execute(sa.select(sa.func.max(_cases.c.queue_seq))).scalar() or 0
    op.bulk_insert(sequences, [{"name": "queue", "value": highest}])

    still_open = bind.execute(
        sa.select(_cases.c.id, _cases.c.person, _cases.c.counsellor)
        .where(_cases.c.status != "closed").order_by(_cases.c.id)).all()
    seen: set[str] = set()
    hour = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    for case_id, person, counsellor in still_open:
        if person in seen:
            bind.execute(sa.update(_cases).where(_cases.c.id == case_id).values(
                status="closed", counsellor=None, last_counsellor=counsellor, queued_at=None,
                told_position=None, closed_at=hour))
        seen.add(person)
    op.create_index("uq_cases_open_person", "cases", ["person"], unique=True,
                    sqlite_where=sa.text("status != 'closed'"), postgresql_where=sa.text("status != 'closed'"))
    op.drop_table("schema_version")
