"""Taps that come too late, Telegram asking the bot to wait, and edits sent faster than anyone types."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from bot.simulator.server import FakeTelegram, FakeUser
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_RU, RunningBot, counsellors_yaml

CODE = re.compile(r"[A-Z2-9]{3}-[A-Z2-9]{3}")
WENT_WRONG = "something went wrong"


def answers_of(fake: FakeTelegram, person: FakeUser) -> list[str]:
    return [text_of(m) for m in visible(fake, person)]


async def test_a_stale_tap_still_opens_the_page(running: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_400_001, language_code="en")
    await say(fake, person, "/start")
    fake.callback_timeout = 0  # every tap is "too old" to answer by the time the bot answers it
    await tap(fake, person, "I got a summons")
    assert "EN-SUMMONS-BODY" in text_of(last(fake, person))
    assert not any(WENT_WRONG in text for text in answers_of(fake, person))
    refused = [c for c in fake.calls if c.method.lower() == "answercallbackquery"]
    assert refused and all(c.status == 400 for c in refused), "the answer was tried, and refused as too old"


async def test_a_stale_tap_on_yes_connect_me_still_opens_a_request(desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_400_002, language_code="en")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    fake.callback_timeout = 0
    await tap(fake, person, "✅")
    assert CODE.search(text_of(last(fake, person))), "the request was opened and its code shown"
    assert not any(WENT_WRONG in text for text in answers_of(fake, person))
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    await say(fake, olga, "/queue")
    assert CODE.search(text_of(last(fake, olga))), "the counsellor sees it waiting"


async def test_a_short_429_on_a_menu_edit_is_waited_out(running: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_400_003, language_code="en")
    await say(fake, person, "/start")
    fake.fail_next("editMessageText", 429, "Too Many Requests: retry after 1", retry_after=1)
    menu = await tap(fake, person, "I got a summons")
    assert "EN-SUMMONS-BODY" in text_of(last(fake, person))
    assert last(fake, person).message_id == menu.message_id, "the page is the menu, edited in place"
    assert not any(WENT_WRONG in text for text in answers_of(fake, person))
    edits = [c.status for c in fake.calls if c.method.lower() == "editmessagetext"]
    assert edits == [429, 200]


async def test_a_long_429_on_a_tap_says_the_bot_is_busy(running: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_400_004, language_code="en")
    await say(fake, person, "/start")
    before = answers_of(fake, person)
    fake.fail_next("editMessageText", 429, "Too Many Requests: retry after 30", retry_after=30)
    await tap(fake, person, "I got a summons")
    (answer,) = fake.answered_callbacks.values()
    assert "very busy" in str(answer.get("text")) and answer.get("show_alert") is True
    assert answers_of(fake, person) == before, "no error message; Telegram asked for quiet"


async def test_edits_outside_a_case_go_through_flood_control(fake: FakeTelegram,
                                                            make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 5, requests_per_hour: 1, new_cases_per_hour: 100}\n"
    bot = RunningBot(fake, make_config(extra_yaml=limits))
    await bot.start()
    try:
        person = fake.user(7_400_005, language_code="en")
        sent = await fake.send_text(person, "hello")
        for n in range(30):
            await fake.edit(person, sent.message_id, f"hello {n}")
        await fake.wait_idle(timeout=20)
        answers = answers_of(fake, person)
        assert len([a for a in answers if "very fast" in a]) == 1
        assert len(answers) <= 5 + 1, "at most the allowed updates were answered, plus one notice"
    finally:
        await bot.stop()


async def test_edits_inside_a_case_go_through_flood_control(fake: FakeTelegram,
                                                           make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 5, requests_per_hour: 10, new_cases_per_hour: 100}\n"
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + limits))
    await bot.start()
    try:
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        person = fake.user(7_400_006, language_code="ru")
        await say(fake, person, "/start")
        await tap(fake, person, "💬")
        await tap(fake, person, "✅")
        await say(fake, olga, "/take")
        sent = await say(fake, person, "первое")
        for n in range(30):
            await fake.edit(person, sent.message_id, f"первое {n}")
        await fake.wait_idle(timeout=20)
        mirrored = [c for c in fake.calls_to(olga.id) if c.method.lower() == "editmessagetext" and c.status == 200]
        assert 1 <= len(mirrored) <= 5, f"{len(mirrored)} edits reached the counsellor"
    finally:
        await bot.stop()


async def test_messages_in_groups_get_no_answer(running: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_400_007, language_code="en")
    group = {"id": -100_777, "type": "supergroup", "title": "Somewhere"}
    for text in ("/start", "/help", "hello", "/forget"):
        fake.feed_raw({"message": {"message_id": 1, "date": 0, "chat": group, "from": person.to_json(),
                                   "text": text}})
    await say(fake, person, "/start")  # in private: answered
    assert visible(fake, person)
    assert not [c for c in fake.calls if c.params.get("chat_id") == group["id"]], "nothing went to the group"


def test_the_private_chat_filter_is_on_the_root_router_only() -> None:
    handlers = Path(__file__).resolve().parents[2] / "handlers"
    private = re.compile(r"chat\.type\s*==\s*[\"']private[\"']")
    holders = sorted(p.name for p in handlers.glob("*.py") if private.search(p.read_text(encoding="utf-8")))
    assert holders == ["__init__.py"]
