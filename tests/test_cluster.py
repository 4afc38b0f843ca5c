"""The pieces of several instances (hotline/cluster.py) on PostgreSQL: one leader at a time, a standby taking
over when the leader's session ends, a deposed leader's writes refused, the webhook receiver's answers, and
what a new leader does with a send the old one may have made.
The whole, with real processes and SIGKILL, is tests/e2e/test_instances.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.config import Config
from bot.identity.crypto import KeyRing
from bot.simulator.server import FakeTelegram
from bot.storage.behind import WriteBehind
from bot.storage.database import Database, Deposed
from bot.storage.tables import ProcessedUpdateRecord
from handlers.delivery import Deliverer
from hotline import cluster
from tests.backends import create_database, drop_database, rows
from tests.chat import say, text_of, visible
from tests.conftest import TEST_KEY, RunningBot, counsellors_yaml

SECRET = "a-webhook-secret-of-enough-length"


@pytest.fixture
async def database(postgresql_server: None) -> AsyncIterator[Database]:
    url = await create_database()
    database = Database(url)
    await database.migrate()
    try:
        yield database
    finally:
        await database.engine.dispose()
        await drop_database(url)


def _url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


async def test_one_leader_at_a_time_and_a_standby_takes_over_when_its_session_ends(database: Database) -> None:
    first, second = cluster.Leadership(_url(database)), cluster.Leadership(_url(database))
    assert await first.acquire() == 1
    waiting = asyncio.create_task(second.acquire())
    await asyncio.sleep(cluster.RETRY * 2.5)
    assert not waiting.done(), "the second one waits as a standby"
    watching = asyncio.create_task(first.watch())
    await asyncio.sleep(0.1)
    assert not watching.done(), "the leader still leads"
    await first.release()  # as a SIGKILL would: the session ends
    assert await asyncio.wait_for(waiting, cluster.RETRY * 10) == 2, "the standby leads, with the next epoch"
    await asyncio.wait_for(watching, cluster.RETRY * 10)  # the old one knows it no longer leads
    await second.release()


async def test_a_deposed_leader_commits_nothing_once_another_leads(database: Database) -> None:
    old = cluster.Leadership(_url(database))
    database.fence(await old.acquire())
    async with database.sessions.begin() as session:
        session.add(ProcessedUpdateRecord(update_id=1, day=date(2026, 11, 1)))
    await old.release()
    new = cluster.Leadership(_url(database))
    await new.acquire()
    with pytest.raises(Deposed):
        async with database.sessions.begin() as session:
            session.add(ProcessedUpdateRecord(update_id=2, day=date(2026, 11, 1)))
    behind = WriteBehind(database.engine, fence=database.check_leading)  # the hot path's batches, fenced
    behind.claim(4, date(2026, 11, 1))
    with pytest.raises(Deposed):
        await behind.flush()
    with pytest.raises(Deposed):
        async with database.engine.begin() as connection:  # writes that bypass the sessions ask themselves
            await connection.execute(text("INSERT INTO processed_updates (update_id, day) VALUES (3, '2026-11-01')"))
            await database.check_leading(connection)
    await new.release()
    assert await rows(_url(database), "SELECT update_id FROM processed_updates") == [(1,)], \
        "the write made while leading stays; the one after the takeover was rolled back"


async def test_the_receiver_stores_an_update_once_sealed_and_refuses_what_is_not_one(database: Database) -> None:
    keys = KeyRing(TEST_KEY)
    inbox = cluster.Inbox(database, keys)
    app = web.Application()
    app.router.add_post("/tg", cluster.receiver(inbox, SECRET))
    async with TestClient(TestServer(app)) as client:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        update = {"update_id": 41, "message": {"text": "CANARY-words"}}
        assert (await client.post("/tg", json=update)).status == 401, "no secret"
        assert (await client.post("/tg", json=update, headers={**headers, "X-Telegram-Bot-Api-Secret-Token":
                                                                "wrong-secret-of-enough-length"})).status == 401
        assert (await client.post("/tg", data=b"not json", headers=headers)).status == 400
        assert (await client.post("/tg", json={"message": {}}, headers=headers)).status == 400, "no update_id"
        for _twice in range(2):  # a webhook retry, or the same update through another instance
            assert (await client.post("/tg", json=update, headers=headers)).status == 200
    stored = await rows(_url(database), "SELECT update_id, body FROM inbox")
    assert [number for number, _body in stored] == [41], "stored once"
    assert b"CANARY" not in bytes(stored[0][1]), "sealed"
    assert await inbox.take([]) == [(41, update)]
    assert await inbox.take([41]) == [], "rows in hand are not taken again"
    await inbox.handled([41])
    assert await rows(_url(database), "SELECT count(*) FROM inbox") == [(0,)]


async def test_a_new_leader_sends_no_copy_the_old_one_may_have_sent_and_tells_its_writer(
        fake: FakeTelegram, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy marked `sending` when the leader died is not sent again (no duplicate), and the person who
    wrote it is told it may not have arrived. Deletions so marked are repeated (the same outcome twice)."""
    from tests.e2e.test_handoff import counsellor_ru, on_duty, request

    config = make_config(extra_yaml=counsellors_yaml())
    first = RunningBot(fake, config)
    await first.start()
    olga, person = counsellor_ru(fake), fake.user(5_550_077, language_code="ru")
    await on_duty(fake, olga)
    await request(fake, person)
    await fake.send_text(olga, "/take")
    await fake.wait_idle(timeout=30)
    fake.fail_next("copyMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    await fake.send_text(person, "the copy in flight")
    await fake.wait_for(lambda: any(c.status == 429 for c in fake.calls), timeout=10)
    await first.stop()  # the copy waits in the outbox; mark it as the dying leader would have
    url = config.database_url
    assert await rows(url, "UPDATE outbox SET sending = true, not_before = '2000-01-01' RETURNING id") != []

    monkeypatch.setattr("hotline.app.Deliverer", lambda bot, services, mark_sending: Deliverer(
        bot, services, mark_sending=True))  # as `Hotline.create(leader=True)` does
    copies = len([c for c in fake.calls if c.method.lower() == "copymessage"])
    second = RunningBot(fake, config)
    await second.start()
    try:
        await fake.wait_for(lambda: any("могло не дойти" in text_of(m) for m in visible(fake, person)), timeout=10)
        await fake.wait_idle()
        assert len([c for c in fake.calls if c.method.lower() == "copymessage"]) == copies, "not sent again"
        assert await rows(url, "SELECT count(*) FROM outbox") == [(0,)]
        await say(fake, person, "after the takeover")
        assert any(m.raw.get("text") == "after the takeover" for m in visible(fake, olga)), "relays go on"
    finally:
        await second.stop()


async def test_instances_starting_at_once_on_an_empty_database_agree_on_the_key(database: Database) -> None:
    """Each start checks the key against the database, writing the check the first time: instances starting
    together all wrote it, and all but one died (the first takeover of the multi-instance test showed it)."""
    from bot.identity.keys import WrongKeyError, verify_key

    others = [Database(_url(database)) for _ in range(7)]
    try:
        for _round in range(10):  # warm connections make the reads overlap: each round starts empty again
            await rows(_url(database), "DELETE FROM key_check")
            await asyncio.gather(*(verify_key(d, KeyRing(TEST_KEY)) for d in [database, *others]))
        with pytest.raises(WrongKeyError):
            await verify_key(others[0], KeyRing(b"w" * 32))
    finally:
        for other in others:
            await other.engine.dispose()
