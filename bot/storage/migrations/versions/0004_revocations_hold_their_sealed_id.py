"""A revocation holds the revoked Telegram id, sealed and bound to its key (`revoked_counsellors.sealed_id`).

A key rotation renames every pseudonym; a revocation keyed only by the old pseudonym would no longer match
the account, which would be back. With the id sealed beside it, the rotation re-keys the revocation. Rows
made before this revision have no id (NULL): `Revocations.rekey` fills it in for the ids config.yaml lists
and names the others. PostgreSQL keeps no statistics samples of the new column or of the key (0003's rule).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"

# table → columns holding a pseudonym or a sealed value, as in 0003
UNSAMPLED: dict[str, tuple[str, ...]] = {"revoked_counsellors": ("key", "sealed_id")}


def upgrade() -> None:
    with op.batch_alter_table("revoked_counsellors") as table:
        table.add_column(sa.Column("sealed_id", sa.LargeBinary(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in UNSAMPLED.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{name}" ALTER COLUMN "{column}" SET STATISTICS 0')
