"""Engine creation and schema migration. The one place that knows which database is underneath.

SQLite is the embedded default. Its settings here are privacy settings, not tuning: `secure_delete`
overwrites deleted rows instead of leaving them in free pages, and the WAL is where recent writes live
until a checkpoint folds them in. Everything else in storage/ is portable SQLAlchemy and runs on
PostgreSQL (asyncpg) unchanged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

from bot.storage.tables import Base, SchemaVersion

_SCHEMA_VERSION = Base.metadata.tables[SchemaVersion.__tablename__]
# aiosqlite logs every statement with its parameters at DEBUG, and SQLAlchemy does when echo is on: both
# would print pseudonyms and sealed values. They stay at WARNING whatever level the rest of the program runs at.
for _chatty in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

Migration = Callable[[AsyncConnection], Awaitable[None]]


async def _v1_initial(connection: AsyncConnection) -> None:
    await connection.run_sync(Base.metadata.create_all)


# Append only: each step moves the schema one version up and runs once per database. v1 is the schema of
# the first release and may still change until then; after it, every change is a new step.
MIGRATIONS: list[Migration] = [_v1_initial]
SCHEMA_VERSION = len(MIGRATIONS)


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA auto_vacuum=FULL")  # must precede the first table; harmless afterwards
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA trusted_schema=OFF")
    cursor.close()


def _owner_only(path: Path) -> None:
    """The database file, and its WAL and shared-memory files, readable by the bot's user only (0600).
    SQLite creates the WAL and -shm files with the main file's mode, so creating that one 0600 is enough;
    files left readable by an older version are tightened."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(0o600)


class Database:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            self.path: Path | None = Path(parsed.database)
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _owner_only(self.path)
        else:
            self.path = None
        options: dict[str, Any] = {}
        if self.is_sqlite:
            # One connection: SQLite lets one writer in at a time, and several connections contending for
            # the lock wait in its busy handler, which sleeps in steps of up to 100 ms. Queueing for the one
            # connection in asyncio instead costs nothing (measured: 30 → several hundred updates a second).
            options.update(pool_size=1, max_overflow=0)
        self.engine: AsyncEngine = create_async_engine(url, echo=False, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_settings)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> int:
        """Bring the schema up to date; returns the version it is at."""
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all, tables=[_SCHEMA_VERSION])
            row = (await connection.execute(select(SchemaVersion.version))).scalar_one_or_none()
            current = row or 0
            for step in MIGRATIONS[current:]:
                await step(connection)
            if row is None:
                await connection.execute(insert(SchemaVersion).values(id=1, version=SCHEMA_VERSION))
            elif current != SCHEMA_VERSION:
                await connection.execute(update(SchemaVersion).values(version=SCHEMA_VERSION))
        return SCHEMA_VERSION

    async def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it, so deleted data leaves no copy behind."""
        if self.is_sqlite:
            async with self.engine.connect() as connection:
                await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    async def close(self) -> None:
        await self.checkpoint()
        await self.engine.dispose()
