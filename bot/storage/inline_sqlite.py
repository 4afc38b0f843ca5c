"""SQLite under SQLAlchemy's asyncio engine, each call made at once in the event loop instead of in a thread.

SQLAlchemy's aiosqlite dialect keeps its SQL, types and pool; only the connection it is given is this one
(``create_async_engine(..., async_creator=connect(path))``), shaped like aiosqlite's.

Why: aiosqlite runs every call in a thread of its own and hands the result back through the event loop, so
one statement costs about four trips through the loop (cursor, execute, fetch, close), and when the loop is
busy each trip waits a whole round of it. Measured under the benchmark's full load (benchmarks/README.md):
the transaction that opens a case held the one SQLite connection for up to six seconds, and handoffs never
finished. A statement on this schema takes tens of microseconds, far less than one round of a busy loop; made
inline it costs no round at all, and a transaction holds the connection only for the time SQLite works.

The price: the loop waits while SQLite works. That is microseconds for the statements the bot makes, a few
milliseconds for a checkpoint; and if another process holds the write lock (a second program writing to the
same file, which hotline never does while it runs) the busy timeout blocks the loop until the lock is free.
PostgreSQL is unaffected: asyncpg is asynchronous I/O already.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class InlineCursor:
    """aiosqlite's Cursor, made at once."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _Now:
    """What SQLAlchemy's adapter puts on aiosqlite's queue of calls (to set the isolation level): done at
    once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    """aiosqlite's Connection, made at once. ``_connection`` and ``_conn`` are the sqlite3 connection (None
    once closed), as SQLAlchemy's adapter expects of aiosqlite."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection
        self._conn = connection
        self._tx = _Now()

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (aiosqlite's name for it, which SQLAlchemy calls to terminate a connection)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level


def connect(path: str, *, timeout: float) -> Callable[[], Awaitable[InlineConnection]]:
    """The ``async_creator`` for ``create_async_engine``: a new connection to the file at ``path``, waiting
    up to ``timeout`` seconds for another process's write lock."""

    async def creator() -> InlineConnection:
        return InlineConnection(sqlite3.connect(path, timeout=timeout, check_same_thread=False))

    return creator


class InlineAsyncSession(AsyncSession):
    """An AsyncSession that closes at once when its ``async with`` ends, for the inline connection.

    SQLAlchemy 2.1 closes a session in a task of its own and waits for it shielded, so that a cancellation
    cannot cut the close short (``_run_to_completion``): three rounds of the event loop for every session,
    six for ``sessionmaker.begin()``, and the connection stays checked out through all of them. Closing an
    inline connection never waits, so nothing can cut it short; PostgreSQL keeps SQLAlchemy's way."""

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()

    def _maker_context_manager(self) -> Any:  # SQLAlchemy's own type is private; this has its shape
        return _Begun(self)


class _Begun:
    """``async with sessionmaker.begin() as session``: commit (or roll back), then close, without a task."""

    def __init__(self, session: InlineAsyncSession) -> None:
        self.session = session

    async def __aenter__(self) -> InlineAsyncSession:
        self.transaction = self.session.begin()
        await self.transaction.__aenter__()
        return self.session

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            await self.transaction.__aexit__(type_, value, traceback)
        finally:
            await self.session.close()
