"""The storage backends the suite runs on: SQLite always, PostgreSQL when a server is reachable.

Tests marked `both_backends` (or modules with `pytestmark = pytest.mark.both_backends`) run once per backend.
On PostgreSQL each test gets its own database, `hotline_test_<pid>_<random>`, created from scratch and
dropped afterwards: other people's tests share the server. The server is `HOTLINE_TEST_DATABASE_URL`
(any database on it; ours are created beside it), else PostgreSQL on 127.0.0.1:5432 as user postgres.
Without a server those runs are skipped with the reason; with CI=true a missing server fails them.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

BACKENDS = ("sqlite", "postgresql")
DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def server_url() -> URL:
    url = make_url(os.environ.get("HOTLINE_TEST_DATABASE_URL") or DEFAULT_SERVER)
    return url.set(drivername="postgresql+asyncpg")


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@functools.cache
def unreachable_reason() -> str | None:
    """None if the server answers; else why not (asked once per test run)."""
    url = server_url()

    async def probe() -> None:
        connection = await asyncpg.connect(_dsn(url), timeout=3)
        await connection.close()

    try:
        # In a thread of its own: asked from inside a running event loop, asyncio.run would refuse, and
        # that refusal must not pass for an unreachable server.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, probe()).result()
    except Exception as exc:  # any failure to connect is a reason to skip
        return f"PostgreSQL not reachable at {url.render_as_string()}: {type(exc).__name__}: {exc}"
    return None


def require_postgresql() -> None:
    reason = unreachable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL runs are required)")
    pytest.skip(reason)


def drop_recycled_wal() -> None:
    """Make the server remove old WAL segments rather than recycle them (`wal_recycle = off`), which the
    deletion tests need: a recycled segment keeps deleted rows until it is overwritten (SECURITY.md). Set
    with ALTER SYSTEM by the test user (a superuser on a test machine), so a fresh CI server passes as this
    one does; a user that may not leaves the setting to the deletion tests, which then say why they skip."""

    async def switch_off() -> None:
        connection = await asyncpg.connect(_dsn(server_url()), timeout=3)
        try:
            if await connection.fetchval("SHOW wal_recycle") == "off":
                return
            await connection.execute("ALTER SYSTEM SET wal_recycle = off")
            await connection.execute("SELECT pg_reload_conf()")
            for _ in range(100):  # the reload reaches the server's processes a moment later
                if await connection.fetchval("SHOW wal_recycle") == "off":
                    return
                await asyncio.sleep(0.05)
        except asyncpg.InsufficientPrivilegeError:
            return
        finally:
            await connection.close()

    with ThreadPoolExecutor(1) as thread:  # see unreachable_reason
        thread.submit(asyncio.run, switch_off()).result()


async def create_database() -> str:
    """A new, empty database on the server; returns its SQLAlchemy URL."""
    name = f"hotline_test_{os.getpid()}_{secrets.token_hex(4)}"
    connection = await asyncpg.connect(_dsn(server_url()))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server_url().set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    connection = await asyncpg.connect(_dsn(server_url()))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def rows(url: str, sql: str, params: dict[str, Any] | None = None) -> Sequence[tuple[Any, ...]]:
    """Run one statement on the test's database, whichever backend it is, and return its rows (if any)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params or {})
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()
