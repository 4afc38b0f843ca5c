"""SQLite's calls are made inline: a read or a whole transaction never hands the event loop to other updates
in the middle, so it never keeps the one connection while they run (bot/storage/inline_sqlite.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from bot.handoff.cases import Cases
from bot.identity.crypto import KeyRing
from bot.storage.behind import PEOPLE
from bot.storage.database import Database
from bot.storage.tables import SequenceRecord


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'hotline.sqlite'}")
    await db.migrate()
    try:
        yield db
    finally:
        await db.close()


class Rounds:
    """Counts the event loop's rounds while it runs (a task that yields once per round)."""

    def __init__(self) -> None:
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Rounds:
        async def tick() -> None:
            while True:
                self.count += 1
                await asyncio.sleep(0)

        self._task = asyncio.create_task(tick())
        await asyncio.sleep(0)  # the ticker is running
        self.count = 0
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self.count, counted = self.count, self.count  # what the block cost, before the ticker stops
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.count = counted


async def test_reads_and_transactions_do_not_give_the_event_loop_away(database: Database) -> None:
    assert database.inline
    async with Rounds() as rounds:
        assert await database.read(select(PEOPLE.c.language).where(PEOPLE.c.pseudonym == "nobody")) == []
        async with database.sessions.begin() as session:
            await session.execute(text("UPDATE sequences SET value = value + 1 WHERE name = 'queue'"))
        async with database.sessions() as session:
            value = (await session.execute(select(SequenceRecord.value)
                                           .where(SequenceRecord.name == "queue"))).scalar_one()
        cases = Cases(database.sessions, KeyRing(b"k" * 32))
        await cases.current("someone")
    assert value >= 1
    assert rounds.count == 0, f"the loop went round {rounds.count} times: a transaction let other updates in"


async def test_a_refused_statement_rolls_back_and_the_connection_goes_on(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            await session.execute(text("UPDATE sequences SET value = 41 WHERE name = 'queue'"))
            await session.execute(text("INSERT INTO sequences (name, value) VALUES ('queue', 0)"))
    async with database.sessions() as session:
        value = (await session.execute(select(SequenceRecord.value)
                                       .where(SequenceRecord.name == "queue"))).scalar_one()
    assert value != 41, "the refused transaction was rolled back whole"


async def test_telling_counsellors_of_a_new_case_costs_the_same_however_large_the_team(
        database: Database) -> None:
    """Once, each on-duty counsellor cost three statements inside the asker's transaction."""
    cases = Cases(database.sessions, KeyRing(b"k" * 32))
    statements: list[str] = []
    event.listen(database.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))

    async def cost(team: list[str]) -> int:
        statements.clear()
        async with database.sessions.begin() as session:
            await cases.held_counts(session=session)
            told = await cases.may_notify_all(team, timedelta(hours=1), session=session)
        assert told == set(team)
        return len(statements)

    assert await cost(["a"]) == await cost([f"c{n}" for n in range(30)])
    assert await cases.may_notify_all([f"c{n}" for n in range(30)], timedelta(hours=1)) == set(), \
        "and within the interval nobody is told again"
