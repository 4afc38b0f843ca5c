"""The queue's rules, straight against the database: atomic claims, places, reopening, sealed notes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.handoff.cases import ACTIVE, CLOSED, WAITING, Cases
from bot.identity.address import Address
from bot.identity.crypto import DecryptionError, KeyRing
from bot.storage.database import Database


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 12, 34, 56)

    def __call__(self) -> datetime:
        return self.now


pytestmark = pytest.mark.both_backends


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cases(db: Database, clock: Clock) -> Cases:
    return Cases(db.sessions, KeyRing(b"c" * 32), clock)


async def test_many_counsellors_taking_one_case_at_once_exactly_one_wins(cases: Cases) -> None:
    case = await cases.open("p1", Address(1), "ru", "start")
    results = await asyncio.gather(*(cases.take(case.id, f"counsellor-{n}") for n in range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await cases.get(case.id)).counsellor == winners[0].counsellor  # type: ignore[union-attr]


async def test_take_next_never_hands_out_a_case_twice(cases: Cases) -> None:
    for n in range(10):
        await cases.open(f"p{n}", Address(n), "en", "start")
    taken = await asyncio.gather(*(cases.take_next(f"c{n}", ["en"]) for n in range(14)))
    ids = [t.id for t in taken if t is not None]
    assert len(ids) == 10 and len(set(ids)) == 10


async def test_positions_are_per_language_and_release_keeps_the_place(cases: Cases) -> None:
    a = await cases.open("a", Address(1), "ru", "start")
    b = await cases.open("b", Address(2), "de", "start")
    c = await cases.open("c", Address(3), "ru", "start")
    assert [await cases.position(x) for x in (a, b, c)] == [1, 1, 2]
    await cases.take(a.id, "k")
    assert await cases.position(c) == 1
    released = await cases.release(a.id, "k")
    assert released is not None and released.status == WAITING
    assert await cases.position(released) == 1 and await cases.position(c) == 2


async def test_codes_are_random_and_not_derived_from_the_person(cases: Cases) -> None:
    codes = set()
    for _ in range(200):
        case = await cases.open("same-person", Address(7013370042), "en", "start")
        codes.add(case.code)
        await cases.close(case.id)  # one open case per person
    assert len(codes) == 200
    assert not any("7013370042" in code or "same" in code.lower() for code in codes)


async def test_reopen_window(cases: Cases, clock: Clock) -> None:
    case = await cases.open("p", Address(1), "ru", "start")
    await cases.take(case.id, "k")
    closed = await cases.close(case.id)
    assert closed is not None and closed.status == CLOSED
    assert closed.closed_at == clock.now.replace(minute=0, second=0), "kept to the hour"
    clock.now += timedelta(hours=71)
    assert await cases.reopenable("p", timedelta(hours=72)) is not None
    clock.now += timedelta(hours=3)
    assert await cases.reopenable("p", timedelta(hours=72)) is None
    assert await cases.reopenable("p", timedelta(0)) is None


async def test_reopen_goes_back_to_the_counsellor_or_the_queue(cases: Cases) -> None:
    case = await cases.open("p", Address(1), "ru", "start")
    await cases.take(case.id, "k")
    await cases.close(case.id)
    back = await cases.reopen(case.id, "k")
    assert back.status == ACTIVE and back.counsellor == "k"
    await cases.close(case.id)
    queued = await cases.reopen(case.id, None)
    assert queued.status == WAITING and queued.counsellor is None


async def test_addresses_and_notes_are_sealed_to_their_rows(cases: Cases, db: Database) -> None:
    a = await cases.open("a", Address(111), "ru", "start")
    b = await cases.open("b", Address(222), "ru", "start")
    assert await cases.address_of(a) == Address(111)
    await cases.add_note(a.id, "secret note")
    assert await cases.notes(a.id) == ["secret note"]
    # Copy a's sealed address onto b's row: it must not open there.
    from sqlalchemy import update

    from bot.storage.tables import CaseRecord
    async with db.sessions.begin() as session:
        sealed = (await session.get(CaseRecord, a.id)).address  # type: ignore[union-attr]
        await session.execute(update(CaseRecord).where(CaseRecord.id == b.id).values(address=sealed))
    with pytest.raises(DecryptionError):
        await cases.address_of(b)


async def test_queued_time_is_kept_to_the_minute(cases: Cases, clock: Clock) -> None:
    case = await cases.open("p", Address(1), "ru", "start")
    assert case.queued_at == clock.now.replace(second=0, microsecond=0)


async def test_notifications_are_throttled(cases: Cases, clock: Clock) -> None:
    assert await cases.may_notify_all(["k"], timedelta(seconds=60)) == {"k"}
    assert await cases.may_notify_all(["k"], timedelta(seconds=60)) == set()
    clock.now += timedelta(seconds=61)
    assert await cases.may_notify_all(["k"], timedelta(seconds=60)) == {"k"}


async def test_blocks_and_document_warning_once(cases: Cases) -> None:
    case = await cases.open("p", Address(1), "ru", "start")
    assert await cases.warn_document_once(case.id)
    assert not await cases.warn_document_once(case.id)
    assert not await cases.is_blocked("p")
    await cases.block("p")
    await cases.block("p")
    assert await cases.is_blocked("p")


async def test_a_long_queue_is_shown_in_one_message_with_a_count(cases: Cases) -> None:
    from bot.content.loader import load_content
    from bot.handoff.desk_screens import CounsellorScreens
    from bot.i18n import Catalogs
    from bot.telegram.html import visible_length
    from handlers.counsellor import QUEUE_SHOWN
    from tests.conftest import FIXTURE_CONTENT

    for n in range(40):
        await cases.open(f"p{n}", Address(n + 1), "ru", "summons_what")
    shown = await cases.waiting(["ru"], limit=QUEUE_SHOWN)
    assert [c.person for c in shown] == [f"p{n}" for n in range(QUEUE_SHOWN)], "longest waiting first"
    content = load_content(FIXTURE_CONTENT, languages=["ru", "en", "de"], fallback_language="en").snapshot
    assert content is not None
    screen = CounsellorScreens(Catalogs(["ru", "en", "de"])).queue(
        "en", content, shown, shown[0].queued_at or datetime.now(), await cases.count_waiting(["ru"]))
    assert len(screen.parts) == 1 and visible_length(screen.parts[0]) <= 4096
    assert "40 waiting" in screen.parts[0] and "and 25 more" in screen.parts[0]
    taken = await cases.take_next("k", ["ru"])
    assert taken is not None and taken.person == "p0"
