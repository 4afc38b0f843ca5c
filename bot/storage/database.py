"""Engine creation and schema migration (Alembic, `migrations/`): the one place that knows which database
is underneath.

SQLite is the embedded default. Its settings here are privacy settings, not tuning: `secure_delete`
overwrites deleted rows instead of leaving them in free pages, and the WAL is where recent writes live
until a checkpoint folds them in. Everything else in storage/ is portable SQLAlchemy and runs on
PostgreSQL (asyncpg) unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from bot.storage import inline_sqlite

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# aiosqlite logs every statement with its parameters at DEBUG, and SQLAlchemy does when echo is on: both
# would print pseudonyms and sealed values. They stay at WARNING whatever level the rest of the program runs at.
for _chatty in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

log = logging.getLogger(__name__)


class Deposed(Exception):
    """This instance no longer leads (another one took over): its transaction was rolled back."""
# Tables that can hold a person's pseudonym or sealed data: what the PostgreSQL scrub rewrites after deletions.
PERSONAL_TABLES = ("people", "cases", "relays", "notes", "case_keys", "chat_messages", "blocks", "outbox",
                   "inbox")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_lock's key for "the schema is being migrated": any constant every instance agrees on.
_MIGRATION_LOCK = 0x686F746C696E65  # "hotline"
_EPOCH_CHECK = text("SELECT epoch FROM leadership WHERE id = 1 FOR SHARE")  # see Database.fence


def _alembic_config(connection: Connection) -> AlembicConfig:
    import alembic.config  # Alembic is imported only when a migration runs

    config = alembic.config.Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in `migrations/versions`, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()  # type: ignore[arg-type]
    assert head is not None
    return head


def newest_revision() -> str:
    """The newest revision without importing Alembic (a tenth of a second of every start): the highest
    number among `migrations/versions/NNNN_*.py`, whose revision is that number (tests/storage/test_migrations.py
    holds both to Alembic's own reading)."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def _upgrade(connection: Connection, target: str) -> str:
    """Runs in the migration lock. Databases made by the hand-written code before Alembic have the first
    revision's schema and a `schema_version` table: they are stamped, not created again."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _alembic_config(connection)
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and "schema_version" in tables:
        command.stamp(config, "0001")
    command.upgrade(config, target)
    connection.commit()
    current = MigrationContext.configure(connection).get_current_revision()
    assert current is not None
    return current


@contextlib.asynccontextmanager
async def _file_lock(database: Path | None) -> AsyncIterator[None]:
    """An exclusive flock on `<database>.migrate-lock`; nothing to lock for an in-memory database. The lock
    file holds nothing and may stay."""
    if database is None:
        yield
        return
    descriptor = os.open(database.with_name(database.name + ".migrate-lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # In a thread: another Database in this very process may hold it, and must be able to finish.
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


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
        self.inline = self.path is not None
        """SQLite on a file: each call is made inline (bot/storage/inline_sqlite.py)."""
        options: dict[str, Any] = {}
        if self.is_sqlite:
            # One connection: SQLite lets one writer in at a time, and several connections contending for
            # the lock wait in its busy handler, which sleeps in steps of up to 100 ms. Queueing for the one
            # connection in asyncio instead costs nothing (measured: 30 → several hundred updates a second).
            options.update(pool_size=1, max_overflow=0)
            # Another process on the same file (a second instance starting, `hotline rotate-keys`) holds the
            # lock for a moment; 30 s of busy waiting instead of sqlite3's 5 s keeps a loaded machine's start
            # from failing with "database is locked".
            if self.inline:
                options["async_creator"] = inline_sqlite.connect(str(self.path), timeout=30.0)
            else:
                options["connect_args"] = {"timeout": 30.0}
        # hide_parameters: a database error's text otherwise quotes the statement's parameters (pseudonyms,
        # sealed blobs), and such a text reaches logs through aiogram's and asyncio's own handlers.
        self.engine: AsyncEngine = create_async_engine(url, echo=False, hide_parameters=True, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_settings)
        else:
            event.listen(self.engine.sync_engine, "after_cursor_execute", self._note_change)
            event.listen(self.engine.sync_engine, "handle_error", self._note_error)
        # Whether rows may have been deleted or replaced since the last PostgreSQL scrub (at start: unknown).
        self._changed = True
        # A class of its own, so that fence() hooks this database's sessions and no one else's.
        self._session_class: type[Session] = type("HotlineSession", (Session,), {})
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=self._session_class,
            class_=inline_sqlite.InlineAsyncSession if self.inline else AsyncSession)
        self.epoch: int | None = None

    async def read(self, statement: Executable) -> Sequence[Row[Any]]:
        """The rows of one read-only statement, outside any transaction of the caller's: the hot path's
        reads (a person not in memory, an old update number). On SQLite it is made inline (see
        bot/storage/inline_sqlite.py): no trip through the event loop."""
        if not self.inline:
            async with self.engine.connect() as connection:
                return (await connection.execute(statement)).all()
        connection = await self.engine.connect()  # closed at once, not in a task: see InlineAsyncSession
        try:
            return (await connection.execute(statement)).all()
        finally:
            await connection.close()

    def fence(self, epoch: int) -> None:
        """From now on, every transaction through :attr:`sessions` commits only while ``leadership.epoch`` is
        ``epoch`` (PostgreSQL, several instances: docs/multi-instance.md). Before each commit the row is read
        FOR SHARE: a new leader's bump of the epoch waits for this transaction, and once bumped this one
        raises :class:`Deposed` and rolls back. Shared locks do not wait for each other, so the leader's own
        transactions run side by side; the cost is one indexed read per transaction."""
        def before_commit(session: Session) -> None:
            if session.execute(_EPOCH_CHECK).scalar_one() != self.epoch:
                raise Deposed("another instance leads now")

        if self.epoch is None:
            event.listen(self._session_class, "before_commit", before_commit)
        self.epoch = epoch

    async def check_leading(self, connection: AsyncConnection) -> None:
        """The fence for writes that bypass :attr:`sessions` (Core statements on a connection of the engine):
        call inside the transaction, before its commit. Raises :class:`Deposed` if another instance took the
        lead; does nothing on an unfenced database (SQLite, one instance)."""
        if self.epoch is not None and (await connection.execute(_EPOCH_CHECK)).scalar_one() != self.epoch:
            raise Deposed("another instance leads now")

    async def migrate(self, target: str = "head") -> str:
        """Bring the schema up to `target` (the newest revision by default) and return the revision it is at.

        Instances starting at once take turns: on PostgreSQL a session advisory lock, on SQLite an exclusive
        lock on a file beside the database. The second one finds the work done. A database already at the
        newest revision is only read, and Alembic is not imported.
        """
        if target == "head" and await self._revision() == newest_revision():
            return newest_revision()
        async with self.engine.connect() as connection:
            if self.is_sqlite:
                async with _file_lock(self.path):
                    return await connection.run_sync(_upgrade, target)
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            await connection.commit()
            try:
                return await connection.run_sync(_upgrade, target)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                await connection.commit()

    async def _revision(self) -> str | None:
        """The revision the schema is at; None for a new database (or one older than Alembic here)."""
        try:
            async with self.engine.connect() as connection:
                return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        except DBAPIError:  # no such table yet
            return None

    async def checkpoint(self) -> None:
        """After deletions: leave no copy of the deleted rows in the database's files.

        SQLite: `secure_delete` overwrote the rows; fold the WAL into the main file and truncate it.
        PostgreSQL: see `_scrub_postgresql`. Failures there are logged (by kind, never with data), not raised:
        the deletion itself has happened, and SECURITY.md says what is left when the scrub cannot run.
        """
        if self.is_sqlite:
            async with self.engine.connect() as connection:
                await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            return
        try:
            await self._scrub_postgresql()
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", "?")
            hint = (": the role lacks pg_checkpoint or EXECUTE on pg_switch_wal() in this database (README)"
                    if state == "42501" else "")  # insufficient_privilege
            log.warning("deleted rows may remain in PostgreSQL's files: the scrub failed (%s, SQLSTATE %s)%s",
                        type(exc.orig).__name__, state, hint)

    async def _scrub_postgresql(self) -> None:
        """Dead tuples, old index entries and WAL keep deleted rows on PostgreSQL; `PRAGMA secure_delete` has
        no counterpart there. So: VACUUM FULL writes the tables that can hold a person's data anew, with live
        rows only (indexes and TOAST too), and drops the old files; CHECKPOINT, a WAL switch and a second
        CHECKPOINT let the server drop every WAL segment written before. Dropped, not kept for reuse, only if
        the server runs with `wal_recycle = off` (see `deletion_limits`). Needs the tables' owner, the
        pg_checkpoint role (or superuser) and EXECUTE on pg_switch_wal(). Takes each table's exclusive lock in
        turn: other instances wait for a moment, per table."""
        if not self._changed:
            return  # an idle bot rewrites nothing (each scrub starts a new 16 MB WAL segment)
        self._changed = False  # before, not after: what changes during the scrub is scrubbed next time
        try:
            async with self.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM (FULL) " + ", ".join(PERSONAL_TABLES)))
                await autocommit.execute(text("CHECKPOINT"))
                await autocommit.execute(text("SELECT pg_switch_wal()"))
                await autocommit.execute(text("CHECKPOINT"))
        except BaseException:
            self._changed = True
            raise

    def _note_change(self, _connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        """What may leave a dead tuple: an UPDATE (the old row version) or DELETE that touched rows, and any
        INSERT (its transaction may yet roll back)."""
        verb = statement[:6]
        if verb == "INSERT" or (verb in ("UPDATE", "DELETE") and cursor.rowcount != 0):
            self._changed = True

    def _note_error(self, _context: Any) -> None:
        self._changed = True  # a failed statement's transaction rolls back, leaving what it wrote dead

    async def deletion_limits(self) -> list[str]:
        """Why deleted data could outlive its deletion on this database, in words for the operator's log;
        empty when nothing is known to stand in the way. Only PostgreSQL's server settings are checked."""
        if self.is_sqlite:
            return []
        problems = []
        async with self.engine.connect() as connection:
            settings = {name: (await connection.execute(text(f"SHOW {name}"))).scalar_one()
                        for name in ("wal_recycle", "archive_mode")}
            replicas = (await connection.execute(text("SELECT count(*) FROM pg_replication_slots"))).scalar_one()
        if settings["wal_recycle"] != "off":
            problems.append("wal_recycle is on: WAL segments are reused, not removed, and keep deleted rows "
                            "until overwritten (ALTER SYSTEM SET wal_recycle = off)")
        if settings["archive_mode"] != "off":
            problems.append("archive_mode is on: archived WAL keeps deleted rows for as long as the archive")
        if replicas:
            problems.append("replication slots exist: replicas and the WAL kept for them hold deleted rows")
        return problems

    async def close(self) -> None:
        await self.checkpoint()
        await self.engine.dispose()
