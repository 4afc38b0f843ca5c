"""Read-modify-writes under concurrency, straight against the database. SQLite's one connection hid these
races; on PostgreSQL each test runs against three `Database` objects on one database, as three instances
would, with their calls interleaved. On SQLite the three are one (SQLite is one instance's backend)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest

from bot.handoff.cases import ACTIVE, WAITING, AlreadyOpen, AtCapacity, Cases
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.identity.people import People
from bot.stats.counters import Counters
from bot.storage.behind import WriteBehind
from bot.storage.database import Database
from tests.backends import rows
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.both_backends
INSTANCES = 3


@pytest.fixture
async def databases(backend: str, database_url: str) -> AsyncIterator[list[Database]]:
    first = Database(database_url)
    await first.migrate()
    others = [Database(database_url) for _ in range(INSTANCES - 1)] if backend == "postgresql" else []
    try:
        yield [first, *others] if others else [first] * INSTANCES
    finally:
        for database in [first, *others]:
            await database.close()


@pytest.fixture
def instances(databases: list[Database]) -> list[Cases]:
    return [Cases(database.sessions, KeyRing(TEST_KEY)) for database in databases]


async def test_six_people_asking_at_once_get_six_distinct_queue_places(instances: list[Cases],
                                                                       database_url: str) -> None:
    opened = await asyncio.gather(*(instances[n % INSTANCES].open(f"person-{n}", Address(1000 + n), "ru", "start")
                                    for n in range(6)))
    places = await asyncio.gather(*(instances[0].position(case) for case in opened))
    assert sorted(places) == [1, 2, 3, 4, 5, 6]
    numbers = [seq for (seq,) in await rows(database_url, "SELECT queue_seq FROM cases")]
    assert len(set(numbers)) == 6


async def test_a_reopened_case_and_new_requests_at_once_get_distinct_places(instances: list[Cases]) -> None:
    old = await instances[0].open("returning", Address(1), "ru", "start")
    await instances[0].close(old.id)
    results = await asyncio.gather(instances[1].reopen(old.id, None),
                                   *(instances[n % INSTANCES].open(f"new-{n}", Address(10 + n), "ru", "start")
                                     for n in range(4)))
    places = await asyncio.gather(*(instances[0].position(case) for case in results))
    assert sorted(places) == [1, 2, 3, 4, 5]


async def test_a_double_tap_through_two_instances_opens_one_case(instances: list[Cases], database_url: str) -> None:
    outcomes = await asyncio.gather(
        *(instances[n % INSTANCES].open("tapper", Address(77), "ru", "start") for n in range(4)),
        return_exceptions=True)
    opened = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, AlreadyOpen)]
    assert len(opened) == 1 and len(refused) == 3, outcomes
    assert all(o.case.id == opened[0].id for o in refused), "the refusal names the case that is open"
    assert await rows(database_url, "SELECT count(*) FROM cases") == [(1,)]


async def test_the_notification_throttle_lets_exactly_one_through_when_many_ask_at_once(
        instances: list[Cases]) -> None:
    hour = timedelta(seconds=3600)
    for round_ in range(5):
        counsellor = f"counsellor-{round_}"
        await instances[0].set_duty(counsellor, True)  # their row exists: nothing serialises on making it
        told = await asyncio.gather(*(instances[n % INSTANCES].may_notify_all([counsellor], hour) for n in range(12)))
        allowed = [counsellor in once for once in told]
        assert allowed.count(True) == 1, allowed
        assert not await instances[1].may_notify_all([counsellor], hour), "and the next one within the hour waits"


async def test_max_cases_holds_when_one_counsellor_takes_many_cases_at_once(instances: list[Cases]) -> None:
    waiting = [await instances[0].open(f"p{n}", Address(n + 1), "ru", "start") for n in range(6)]
    outcomes = await asyncio.gather(
        *(instances[n % INSTANCES].take(case.id, "counsellor", max_cases=2) for n, case in enumerate(waiting)),
        return_exceptions=True)
    taken = [o for o in outcomes if o is not None and not isinstance(o, BaseException)]
    assert len(taken) == 2 and all(isinstance(o, AtCapacity) for o in outcomes if o not in taken), outcomes
    assert len(await instances[0].held_by("counsellor")) == 2
    left = await instances[0].waiting(["ru"])
    assert len(left) == 4 and all(case.status == WAITING for case in left)


async def test_take_next_by_several_counsellors_at_once_never_exceeds_anyones_limit(instances: list[Cases]) -> None:
    for n in range(8):
        await instances[0].open(f"p{n}", Address(n + 1), "ru", "start")

    async def keep_taking(counsellor: str, instance: Cases) -> None:
        for _ in range(4):
            try:
                await instance.take_next(counsellor, ["ru"], max_cases=3)
            except AtCapacity:
                return

    await asyncio.gather(*(keep_taking(f"c{n}", instances[n % INSTANCES]) for n in range(3)))
    held = [len(await instances[0].held_by(f"c{n}")) for n in range(3)]
    assert held == [3, 3, 2] or sorted(held) == [2, 3, 3], held
    active = [c for c in await instances[0].open_cases() if c.status == ACTIVE]
    assert len(active) == 8 and len({c.id for c in active}) == 8


async def test_closing_while_a_counsellor_takes_leaves_one_consistent_outcome(instances: list[Cases]) -> None:
    for n in range(10):
        case = await instances[0].open(f"p{n}", Address(n + 1), "ru", "start")
        taken, closed = await asyncio.gather(instances[1].take(case.id, "counsellor"), instances[2].close(case.id))
        final = await instances[0].get(case.id)
        assert final is not None and final.status == "closed", "the person's close is never undone"
        assert closed is not None
        if taken is not None:
            assert closed.last_counsellor == "counsellor", "a take that got in first is not lost from the record"


async def test_first_contact_through_two_instances_at_once_makes_one_person(databases: list[Database],
                                                                            database_url: str) -> None:
    behinds = [WriteBehind(database.engine) for database in databases]
    people = [People(database, behind, lambda: datetime(2026, 11, 29))
              for database, behind in zip(databases, behinds, strict=True)]
    for round_ in range(5):
        await asyncio.gather(*(people[n % INSTANCES].remember(f"newcomer-{round_}", node=f"page{n}")
                               for n in range(6)))
        await asyncio.gather(*(behind.flush() for behind in behinds))  # the batches meet in the database
    assert await rows(database_url, "SELECT count(*) FROM people") == [(5,)]


async def test_counters_counted_from_several_instances_at_once_lose_nothing(databases: list[Database]) -> None:
    counters = [Counters(database.sessions) for database in databases]
    await asyncio.gather(*(counters[n % INSTANCES].add("search") for n in range(30)))
    assert sum((await counters[0].day(date.today())).values()) == 30
