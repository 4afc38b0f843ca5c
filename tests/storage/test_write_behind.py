"""The hot path's bookkeeping written behind (bot.storage.behind): one transaction per batch, claims with their
effects, deletions that a batch cannot undo, and memory bounded whatever the number of people."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.identity.people import People, PersonState
from bot.privacy.chats import ChatLedger
from bot.stats.counters import Counters
from bot.stats.tallies import Stats
from bot.storage.behind import WriteBehind
from bot.storage.database import Database
from bot.storage.tables import BlockRecord
from bot.telegram.seen import AlreadyHandled, ProcessedUpdates
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.both_backends
CHAT_ID = 7_654_321_987


def now() -> datetime:
    return datetime(2026, 11, 30, 12, 30)


class Process:
    """What one bot process holds for the hot path, on a shared database."""

    def __init__(self, database: Database, **sizes: int) -> None:
        self.behind = WriteBehind(database.engine)
        keys = KeyRing(TEST_KEY)
        self.people = People(database, self.behind, now, capacity=sizes.get("capacity", 10_000))
        self.chats = ChatLedger(database.sessions, self.behind, keys, now)
        self.updates = ProcessedUpdates(database, self.behind, now, window=sizes.get("window", 20_000))
        self.stats = Stats(Counters(database.sessions), now, self.behind)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


async def query(database: Database, sql: str) -> list[tuple[Any, ...]]:
    async with database.engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def navigate(process: Process, person: str, update_id: int, node: str, message_ids: list[int]) -> None:
    """One update as the middlewares and the menu handler see it."""
    assert not await process.updates.seen(update_id)
    with process.updates.handling(update_id):
        await process.people.get(person)
        process.chats.record(person, Address(CHAT_ID), message_ids)
        await process.people.remember(person, node=node)
        process.stats.view(node, "ru")


async def test_an_update_is_written_in_one_batch_with_its_claim(database: Database) -> None:
    process = Process(database)
    await navigate(process, "p1", 101, "summons", [11, 12])
    assert await query(database, "SELECT count(*) FROM people") == [(0,)], "nothing written on the hot path"
    assert await query(database, "SELECT count(*) FROM processed_updates") == [(0,)]
    assert await process.behind.flush() > 0
    assert process.behind.batches_written == 1
    assert await query(database, "SELECT update_id FROM processed_updates") == [(101,)]
    assert await query(database, "SELECT pseudonym, node FROM people") == [("p1", "summons")]
    assert await query(database, "SELECT message_id FROM chat_messages ORDER BY message_id") == [(11,), (12,)]
    assert await query(database, "SELECT count FROM daily_counters WHERE key = 'summons'") == [(1,)]
    [(sealed,)] = await query(database, "SELECT address FROM people")
    assert str(CHAT_ID).encode() not in bytes(sealed), "the chat id is written sealed only"
    assert await process.behind.flush() == 0
    assert process.behind.batches_written == 1


async def test_a_replay_after_a_crash_is_skipped_or_handled_again_whole(database: Database) -> None:
    crashed = Process(database)
    await navigate(crashed, "p1", 201, "summons", [21])
    # The process dies before its batch is written: the next one must handle the update again, all of it.
    restarted = Process(database)
    await restarted.updates.load()
    assert not await restarted.updates.seen(201)
    assert await restarted.people.get("p1") is None
    await navigate(restarted, "p1", 201, "summons", [21])
    await restarted.behind.flush()
    # Written: a third process skips the update, and finds its effects.
    third = Process(database)
    await third.updates.load()
    assert await third.updates.seen(201)
    assert await third.people.get("p1") == PersonState(None, "summons")
    assert await query(database, "SELECT message_id FROM chat_messages") == [(21,)]


async def test_a_claim_travels_in_the_first_transaction_that_writes(database: Database) -> None:
    first, second = Process(database), Process(database)
    with first.updates.handling(301):
        async with database.sessions() as session:  # reads only: no claim
            await session.execute(text("SELECT 1"))
        assert await query(database, "SELECT count(*) FROM processed_updates") == [(0,)]
        async with database.sessions.begin() as session:
            session.add(BlockRecord(person="p1", blocked_on=now().date()))
        assert await query(database, "SELECT update_id FROM processed_updates") == [(301,)]
    assert first.behind.pending == 0, "claimed with its effects, not written behind a second time"
    # Another process that has not seen the number (it started before it was written) tries the same update:
    # its transaction fails whole.
    with pytest.raises(AlreadyHandled), second.updates.handling(301):
        async with database.sessions.begin() as session:
            session.add(BlockRecord(person="p2", blocked_on=now().date()))
    assert await query(database, "SELECT person FROM blocks") == [("p1",)]


async def test_forget_is_not_undone_by_a_batch_being_written(database: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    process = Process(database)
    await navigate(process, "p1", 401, "summons", [41, 42])
    writing, release = asyncio.Event(), asyncio.Event()
    real_write = process.behind._write

    async def slow_write(*args: Any) -> None:
        writing.set()
        await release.wait()
        await real_write(*args)

    monkeypatch.setattr(process.behind, "_write", slow_write)
    flushing = asyncio.create_task(process.behind.flush())
    await writing.wait()  # the batch with p1's page and ledger rows is on its way to the database

    async def forget() -> None:
        await process.chats.forget("p1")
        await process.people.forget("p1")

    forgetting = asyncio.create_task(forget())
    await asyncio.sleep(0)
    await navigate(process, "p1", 402, "asylum", [43])  # and more of p1's state waits for the next batch
    assert not forgetting.done(), "the deletion waits for the batch being written"
    release.set()
    await asyncio.gather(flushing, forgetting)
    await process.behind.flush()
    assert await query(database, "SELECT count(*) FROM people WHERE pseudonym = 'p1'") == [(0,)]
    assert await query(database, "SELECT count(*) FROM chat_messages WHERE person = 'p1'") == [(0,)]
    assert await process.people.get("p1") is None


async def test_forget_drops_what_waits_to_be_written(database: Database) -> None:
    process = Process(database)
    await navigate(process, "p1", 501, "summons", [51])
    await navigate(process, "p2", 502, "summons", [52])
    await process.chats.forget("p1")
    await process.people.forget("p1")
    await process.behind.flush()
    assert await query(database, "SELECT pseudonym FROM people") == [("p2",)]
    assert await query(database, "SELECT person, message_id FROM chat_messages") == [("p2", 52)]
    assert sorted(await query(database, "SELECT update_id FROM processed_updates")) == [(501,), (502,)]


async def test_a_cleared_chat_is_not_filled_again_by_a_batch(database: Database) -> None:
    process = Process(database)
    await navigate(process, "p1", 601, "summons", [61, 62])
    chat = await process.chats.of("p1")  # sees the ids still waiting to be written
    assert chat is not None and chat.message_ids == [61, 62] and chat.address == Address(CHAT_ID)
    await process.chats.cleared("p1", chat.message_ids)
    await process.behind.flush()
    assert await query(database, "SELECT count(*) FROM chat_messages") == [(0,)]
    assert await query(database, "SELECT address FROM people") == [(None,)], "no address kept for an empty chat"
    await navigate(process, "p1", 602, "summons", [63])  # a new message seals the address again
    await process.behind.flush()
    chat = await process.chats.of("p1")
    assert chat is not None and chat.message_ids == [63] and chat.address == Address(CHAT_ID)


async def test_a_failed_batch_is_kept_for_the_next_attempt(database: Database,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    process = Process(database)
    await navigate(process, "p1", 701, "summons", [71])
    real_write = process.behind._write

    async def failing(*_args: Any) -> None:
        raise ConnectionError

    monkeypatch.setattr(process.behind, "_write", failing)
    with pytest.raises(ConnectionError):
        await process.behind.flush()
    await navigate(process, "p1", 702, "asylum", [72])
    monkeypatch.setattr(process.behind, "_write", real_write)
    await process.behind.flush()
    assert await query(database, "SELECT pseudonym, node FROM people") == [("p1", "asylum")], "the newer page"
    assert sorted(await query(database, "SELECT message_id FROM chat_messages")) == [(71,), (72,)]
    assert sorted(await query(database, "SELECT update_id FROM processed_updates")) == [(701,), (702,)]


async def test_memory_is_bounded_whatever_the_number_of_people(database: Database) -> None:
    process = Process(database, capacity=50, window=100)
    for n in range(400):
        await navigate(process, f"p{n}", 1_000 + n, "summons", [n])
        if n % 100 == 99:
            await process.behind.flush()
    assert len(process.people._known) <= 50
    assert len(process.updates._recent) <= 100
    assert process.behind.pending == 0
    # What fell out of memory is still known, at the cost of a read.
    assert await process.people.get("p0") == PersonState(None, "summons")
    assert await process.updates.seen(1_000)
    assert not await process.updates.seen(999)


async def test_an_evicted_person_is_read_with_their_unwritten_change(database: Database) -> None:
    process = Process(database, capacity=2)
    await process.people.get("p1")
    await process.people.remember("p1", node="summons", language="de")
    for other in ("p2", "p3"):
        await process.people.get(other)
    assert "p1" not in process.people._known
    assert await process.people.get("p1") == PersonState("de", "summons")
