"""Delivery that loses nothing: retries, Telegram's 429, a person who blocked the bot, a restart, order per
chat, repeated updates, and the webhook's secret check."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import aiohttp
import pytest
import sqlalchemy.exc
from aiohttp import web

from bot.config import Config
from bot.simulator.server import FakeTelegram, FakeUser
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_RU, RunningBot, counsellors_yaml

SECRET = "webhook-secret-for-tests-0123456789"


async def connected(fake: FakeTelegram, person_id: int) -> tuple[FakeUser, FakeUser]:
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    person = fake.user(person_id, language_code="ru")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    await say(fake, olga, "/take")
    return olga, person


def texts_from_counsellor(fake: FakeTelegram, person: FakeUser) -> list[str]:
    return [text_of(m) for m in visible(fake, person) if text_of(m).startswith("💬 Консультант")]


def outbox_rows(bot: RunningBot) -> int:
    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        return int(connection.execute("SELECT count(*) FROM outbox").fetchone()[0])


async def test_retry_after_a_server_error_and_a_429_delivers_once(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, person = await connected(fake, 7_100_001)
    fake.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    await fake.send_text(olga, "first")
    await fake.wait_idle(timeout=20)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await fake.send_text(olga, "second")
    await fake.wait_idle(timeout=20)
    replies = texts_from_counsellor(fake, person)
    assert [r.splitlines()[-1] for r in replies] == ["first", "second"], "each once, in order"
    assert outbox_rows(desk) == 0, "delivered rows leave the outbox"


async def test_order_per_chat_holds_when_the_first_message_must_wait(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, person = await connected(fake, 7_100_002)
    fake.fail_next("sendMessage", 500, "Internal Server Error", times=1)
    for n in range(1, 6):
        await fake.send_text(olga, f"part {n}")
    await fake.wait_idle(timeout=30)
    assert [r.splitlines()[-1] for r in texts_from_counsellor(fake, person)] == [f"part {n}" for n in range(1, 6)]


async def test_a_burst_from_a_person_reaches_the_counsellor_in_order(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, person = await connected(fake, 7_100_008)
    for n in range(1, 8):
        await fake.send_text(person, f"burst {n}")
    await fake.wait_idle(timeout=20)
    copied = [m.raw.get("text") for m in visible(fake, olga) if str(m.raw.get("text", "")).startswith("burst")]
    assert copied == [f"burst {n}" for n in range(1, 8)]


async def test_a_person_who_blocked_the_bot_closes_the_case(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, _person = await connected(fake, 7_100_003)
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await fake.send_text(olga, "are you there?")
    await fake.wait_idle(timeout=10)
    assert "покинул разговор" in text_of(last(fake, olga))
    assert outbox_rows(desk) == 0
    with sqlite3.connect(desk.config.data_dir / "hotline.sqlite") as connection:
        assert connection.execute("SELECT status FROM cases").fetchall() == [("closed",)]


async def test_nothing_is_lost_or_doubled_across_a_restart(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, person = await connected(fake, 7_100_004)
    fake.fail_next("sendMessage", 503, "Service Unavailable", times=1000)  # Telegram is down for a while
    for n in range(1, 4):
        await fake.send_text(olga, f"reply {n}")
    await fake.wait_for(lambda: outbox_rows(desk) == 3, timeout=10)
    await desk.stop()  # graceful: the outbox keeps what is not delivered
    assert outbox_rows(desk) == 3
    fake.fail_next("sendMessage", 503, "", times=0)
    fake._failures.clear()
    await desk.start()
    await fake.wait_idle(timeout=20)
    assert [r.splitlines()[-1] for r in texts_from_counsellor(fake, person)] == ["reply 1", "reply 2", "reply 3"]
    assert outbox_rows(desk) == 0


async def test_every_message_arrives_once_in_order_across_a_restart_under_429s_and_a_busy_database(
        desk: RunningBot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy database (the one SQLite connection taken past its timeout) while the sender writes down a row's
    outcome must delay that chat, not stall it for good: the row stays the chat's head until written down."""
    olga, person = await connected(fake, 7_100_009)

    async def both_write(numbers: range) -> None:
        for n in numbers:
            await fake.send_text(person, f"u{n}")
            await fake.send_text(olga, f"c{n}")

    fake.fail_next("copyMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await both_write(range(1, 4))
    await desk.stop()  # mid-conversation: what is not delivered waits in the outbox
    await both_write(range(4, 7))  # while the bot is down
    app = await desk.start()
    outbox = app.services.outbox
    busy = {"done": 3, "hold_chat": 1}
    for name in busy:
        real = getattr(outbox, name)

        async def flaky(*args: object, _name: str = name, _real: Callable[..., object] = real) -> object:
            if busy[_name]:
                busy[_name] -= 1
                raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 1 overflow 0 reached")
            return await _real(*args)  # type: ignore[misc]

        monkeypatch.setattr(outbox, name, flaky)
    fake.fail_next("copyMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, times=2)
    await both_write(range(7, 10))
    await fake.wait_idle(timeout=40)
    assert busy == {"done": 0, "hold_chat": 0}, "the database refused as the test meant"
    copied = [m.raw.get("text") for m in visible(fake, olga) if str(m.raw.get("text", "")).startswith("u")]
    assert copied == [f"u{n}" for n in range(1, 10)], "the person's messages, each once, in order"
    assert [r.splitlines()[-1] for r in texts_from_counsellor(fake, person)] == [f"c{n}" for n in range(1, 10)]
    assert outbox_rows(desk) == 0


async def test_a_repeated_update_is_handled_once(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, person = await connected(fake, 7_100_005)
    update = {"update_id": 424_242, "message": {"message_id": 900, "date": 0, "chat": olga.chat_json(),
                                                "from": olga.to_json(), "text": "only once"}}
    fake.feed_raw(dict(update))
    await fake.wait_idle()
    fake.feed_raw(dict(update))  # as after a crash before the offset was confirmed
    await fake.wait_idle()
    assert [r.splitlines()[-1] for r in texts_from_counsellor(fake, person)].count("only once") == 1


async def test_delivery_stays_under_the_configured_pace(fake: FakeTelegram,
                                                        make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + "delivery: {per_chat_per_second: 2, "
                                                                       "per_chat_burst: 1}\n"))
    await bot.start()
    try:
        olga, person = await connected(fake, 7_100_006)
        for n in range(6):
            await fake.send_text(olga, f"m{n}")
        await fake.wait_idle(timeout=20)
        # The sends to the person's chat are spaced by the pacer (checked by count, not by timing).
        assert len(texts_from_counsellor(fake, person)) == 6
    finally:
        await bot.stop()


@pytest.mark.parametrize(("header", "expected"), [(None, 401), ("wrong-secret-0000000000000", 401), (SECRET, 200)])
async def test_webhook_checks_the_secret(desk: RunningBot, fake: FakeTelegram, unused_tcp_port: int,
                                         header: str | None, expected: int) -> None:
    assert desk.app is not None
    runner = web.AppRunner(desk.app.webhook_app(SECRET))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    try:
        person = fake.user(7_100_007, language_code="en")
        await say(fake, person, "hello")  # makes the chat exist at the fake
        before = len(visible(fake, person))
        update = {"update_id": 555_001, "message": {"message_id": 77, "date": 0, "chat": person.chat_json(),
                                                    "from": person.to_json(), "text": "/start"}}
        headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{unused_tcp_port}/telegram", json=update,
                                    headers=headers) as response:
                assert response.status == expected
            async with session.get(f"http://127.0.0.1:{unused_tcp_port}/healthz") as response:
                assert (await response.json())["ok"] is True
        await fake.wait_idle()
        answered = len(visible(fake, person)) > before
        assert answered == (expected == 200), "no handler runs without the right secret"
    finally:
        await runner.cleanup()
