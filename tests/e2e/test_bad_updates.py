"""An update the pinned aiogram cannot decode stops nothing and reaches no log, in either transport."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.simulator.server import FakeTelegram, FakeUser
from tests.chat import last, say, text_of, visible
from tests.conftest import RunningBot
from tests.e2e.transports import WEBHOOK_SECRET, WebhookBot, either  # noqa: F401 - the fixture

SECRET_TEXT = "Моя тайна: повестка пришла 4242"
ROOT_PHRASE = "EN-ROOT-BODY"


def assert_no_trace(caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder, *people: FakeUser) -> None:
    """Nothing from the update in any log record (any level, exceptions included) or warning."""
    logged = caplog.text + "\n".join(str(w.message) for w in recwarn)
    assert SECRET_TEXT not in logged
    assert "4242" not in logged
    for person in people:
        assert str(person.id) not in logged
        assert person.first_name not in logged


async def test_an_undecodable_update_is_skipped_and_the_rest_of_its_batch_handled(
    either: RunningBot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder,  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    person = fake.user(7_300_001, "Olesya", language_code="en")
    other = fake.user(7_300_002, "Taras", language_code="en")
    await say(fake, other, "/start")
    before = len(visible(fake, other))
    # One batch: a good update, the undecodable one, another good one.
    fake.queue_text(other, "/start")
    fake.queue_undecodable(person, SECRET_TEXT)
    fake.queue_text(other, "/help")
    await fake.wait_idle(timeout=20)
    assert len(visible(fake, other)) >= before + 2, "both updates around the undecodable one were answered"
    assert fake.pending_updates == 0, "the undecodable update's offset was confirmed"
    if isinstance(either, RunningBot) and type(either) is RunningBot:  # polling: all three in one getUpdates
        (batch,) = [c.result for c in fake.calls if c.method.lower() == "getupdates" and c.status == 200
                    and any(u.get("message", {}).get("text") == SECRET_TEXT for u in c.result)]
        assert len(batch) == 3
    assert either.app is not None and getattr(either.app.dispatcher, "skipped", None) == 1
    await either.app.services.stats.flush()
    assert (await either.app.services.stats.report(1)).skipped == {"undecodable": 1}, "counted for hotline stats"
    await say(fake, person, "/start")  # the person who sent it is answered next time
    assert ROOT_PHRASE in text_of(last(fake, person))
    assert "update skipped: undecodable" in caplog.text
    assert_no_trace(caplog, recwarn, person, other)


async def test_updates_of_unknown_kinds_are_skipped_without_a_trace(
    either: RunningBot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder,  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    person = fake.user(7_300_003, "Olesya", language_code="en")
    await say(fake, person, "/start")
    # A kind Telegram may add tomorrow (aiogram would warn with the whole update). Telegram sends only the kinds
    # the bot asked for, so the fake drops it; a webhook can still be sent one, so it is posted there directly.
    future = {"message_of_the_future": {"chat": person.chat_json(), "from": person.to_json(), "text": SECRET_TEXT}}
    fake.feed_raw(dict(future))
    if isinstance(either, WebhookBot):
        async with aiohttp.ClientSession() as http, http.post(
            f"{either.url}/telegram", json={"update_id": 990_001, **future},
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        ) as response:
            assert response.status == 200
        await fake.wait_for(lambda: "update skipped: unknown kind" in caplog.text)
    before = len(visible(fake, person))
    await say(fake, person, "/start")
    assert len(visible(fake, person)) > before, "the next update is answered"
    assert fake.pending_updates == 0
    assert_no_trace(caplog, recwarn, person)
