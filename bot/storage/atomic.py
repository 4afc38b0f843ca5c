"""Read-modify-write done as one statement, so it holds with many connections and many instances.

PostgreSQL runs transactions side by side (READ COMMITTED): a value read and written back in two statements
can be overwritten by another transaction in between, which SQLite's single connection used to hide. What
must not race is done here in one statement the database serialises itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from bot.storage.tables import SequenceRecord

_Row = TypeVar("_Row", bound=DeclarativeBase)


async def next_number(session: AsyncSession, name: str) -> int:
    """The next number of sequence `name` (a row in `sequences`), distinct for every caller however many
    ask at once. The row stays locked until the caller's transaction ends. Raises LookupError for an
    unknown sequence (they are made by migrations)."""
    value = (await session.execute(
        update(SequenceRecord).where(SequenceRecord.name == name)
        .values(value=SequenceRecord.value + 1).returning(SequenceRecord.value))).scalar_one_or_none()
    if value is None:
        raise LookupError(f"no sequence {name!r}")
    return int(value)


async def insert_missing(session: AsyncSession, record: type[DeclarativeBase], **values: Any) -> None:
    """INSERT … ON CONFLICT DO NOTHING: the row exists afterwards, whoever made it."""
    await insert_all_missing(session, record, [values])


async def insert_all_missing(session: AsyncSession, record: type[DeclarativeBase],
                             rows: list[dict[str, Any]]) -> None:
    """:func:`insert_missing` for several rows in one statement (nothing for an empty list)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert(record) if dialect == "postgresql" else sqlite.insert(record)).values(rows)
    await session.execute(statement.on_conflict_do_nothing())


async def locked_row(session: AsyncSession, record: type[_Row], **values: Any) -> _Row:
    """The row with these values' primary key, made with `values` if missing, and locked until the
    transaction ends (get-or-create without the race in which two transactions both create it).
    `values` must hold the whole primary key."""
    await insert_missing(session, record, **values)
    keys = tuple(values[column.name] for column in record.__mapper__.primary_key)
    row = await session.get(record, keys if len(keys) > 1 else keys[0], with_for_update=True)
    assert row is not None, "inserted or already there"
    return row
