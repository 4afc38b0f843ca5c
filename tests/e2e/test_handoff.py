"""The anonymous handoff, end to end over HTTP: people ask, counsellors take, they talk through the bot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.config import Config
from bot.handoff import engine
from bot.identity.address import Address
from bot.simulator.server import FakeTelegram, FakeUser
from tests.chat import labels, last, say, tap, text_of, visible
from tests.conftest import ALWAYS_OPEN, COUNSELLOR_DE, COUNSELLOR_RU, RunningBot, counsellors_yaml

pytestmark = pytest.mark.both_backends

CODE = re.compile(r"[A-Z2-9]{3}-[A-Z2-9]{3}")


def counsellor_ru(fake: FakeTelegram) -> FakeUser:
    return fake.user(COUNSELLOR_RU, "Olga", username="olga_counsels", language_code="ru")


def counsellor_de(fake: FakeTelegram) -> FakeUser:
    return fake.user(COUNSELLOR_DE, "Anna", username="anna_counsels", language_code="de")


async def on_duty(fake: FakeTelegram, *counsellors: FakeUser) -> None:
    for counsellor in counsellors:
        await say(fake, counsellor, "/on")


async def request(fake: FakeTelegram, person: FakeUser) -> str:
    """Start, tap "Talk to a counsellor", confirm; returns the case code the person was given."""
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    match = CODE.search(text_of(last(fake, person)))
    assert match, text_of(last(fake, person))
    return match.group(0)


def copy_calls_to(fake: FakeTelegram, chat: FakeUser) -> list[dict[str, object]]:
    return [c.params for c in fake.calls if c.method.lower() == "copymessage" and c.params.get("chat_id") == chat.id]


async def test_request_queue_take_and_talk_both_ways(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    await on_duty(fake, olga)
    person = fake.user(5_550_001, "Ivan", username="ivan_secret", language_code="ru")

    await say(fake, person, "/start")
    await tap(fake, person, "Поговорить с консультантом")
    intro = text_of(last(fake, person))
    assert "не присылайте своё настоящее имя" in intro, "before the first handoff: what not to send"
    await tap(fake, person, "Да, соедините меня")
    queued = text_of(last(fake, person))
    code = CODE.search(queued)
    assert code and "Ваше место в очереди: 1." in queued
    assert "минут" in queued, "an honest, rough wait estimate"
    assert any("Отменить" in b for b in labels(last(fake, person)))

    notice = text_of(last(fake, olga))
    assert code.group(0) in notice and "ru" in notice, "on-duty counsellors are told: code, language, topic"

    first = await say(fake, person, "Мне пришла повестка, что делать?")
    await fake.send_media(person, "photo", caption="фото повестки")
    await fake.wait_idle()
    await say(fake, olga, "/take")
    assert "Вы взяли случай" in "\n".join(text_of(m) for m in visible(fake, olga))
    copies = copy_calls_to(fake, olga)
    assert [c["message_id"] for c in copies] == [first.message_id, first.message_id + 1], \
        "what the person wrote while waiting arrives in order"
    assert "Консультант на связи" in text_of(last(fake, person))

    await say(fake, olga, "Здравствуйте! Расскажите, когда пришла повестка?")
    reply = last(fake, person)
    assert text_of(reply).startswith("💬 Консультант") and "когда пришла повестка" in text_of(reply)
    await fake.send_media(olga, "document", caption="памятка")
    await fake.wait_idle()
    copied = copy_calls_to(fake, person)
    assert copied and "Консультант" in str(copied[-1]["caption"]), "media from a counsellor is signed too"

    await fake.send_media(person, "voice")
    await fake.send_media(person, "sticker")
    await fake.wait_idle()
    assert len(copy_calls_to(fake, olga)) == 4
    assert all(c["reply_markup"] for c in copy_calls_to(fake, olga)), "each relayed message shows its case"
    assert not [c for c in fake.calls if c.method.lower() == "forwardmessage"]


async def test_queue_positions_two_counsellors_and_moving_up(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    await on_duty(fake, olga, anna)
    people = [fake.user(5_550_100 + n, f"P{n}", language_code="en") for n in range(4)]
    codes = [await request(fake, p) for p in people]
    for n, person in enumerate(people):
        assert f"Your place in the queue: {n + 1}." in text_of(last(fake, person))

    await say(fake, olga, "/queue")
    listing = text_of(last(fake, olga))
    assert all(code in listing for code in codes), "both counsellors speak English: all four are listed"
    assert listing.index(codes[0]) < listing.index(codes[3]), "longest waiting first"

    await asyncio.gather(fake.send_text(olga, "/take"), fake.send_text(anna, "/take"))
    await fake.wait_idle()
    taken = {code for code in codes[:2] if any(code in text_of(m) for m in visible(fake, olga) + visible(fake, anna))}
    assert taken == set(codes[:2]), "the two longest-waiting cases went to the two counsellors, one each"
    assert "Your place in the queue is now 2." in text_of(last(fake, people[3]))


async def test_two_counsellors_taking_the_same_case_at_once(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    person = fake.user(5_550_200, language_code="en")
    code = await request(fake, person)
    await asyncio.gather(fake.send_text(olga, f"/take {code}"), fake.send_text(anna, f"/take {code}"))
    await fake.wait_idle()
    winners = [c for c in (olga, anna) if any("You took" in text_of(m) or "Вы взяли" in text_of(m)
                                             or "übernommen" in text_of(m) for m in visible(fake, c))]
    losers = [c for c in (olga, anna) if any("больше не ждёт" in text_of(m) or "wartet nicht mehr" in text_of(m)
                                            for m in visible(fake, c))]
    assert len(winners) == 1 and len(losers) == 1 and winners != losers


async def test_notes_canned_answers_release_and_retake(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    person = fake.user(5_550_300, language_code="en")
    code = await request(fake, person)
    await say(fake, olga, f"/take {code}")
    await say(fake, olga, "/note NOTE-TEXT-77 asks about exit ban")
    assert "Заметка сохранена" in text_of(last(fake, olga))
    assert not any("NOTE-TEXT-77" in text_of(m) for m in visible(fake, person)), "the person never sees notes"

    await say(fake, olga, "/send summons")
    assert "EN-SUMMONS-BODY" in text_of(last(fake, person)), "canned answers in the person's language"
    assert "I got a summons" in text_of(last(fake, olga))
    await say(fake, olga, "/send no_such_page")
    assert "нет" in text_of(last(fake, olga))

    await say(fake, olga, "/release")
    assert "back in the queue (place 1)" in text_of(last(fake, person))
    await say(fake, person, "still there?")
    await say(fake, anna, f"/take {code}")
    taken = "\n".join(text_of(m) for m in visible(fake, anna))
    assert "NOTE-TEXT-77" in taken, "the next counsellor sees the notes"
    assert copy_calls_to(fake, anna), "and what the person wrote meanwhile"
    await say(fake, anna, "Hello, I'm here")
    assert text_of(last(fake, person)).startswith("💬 Anna"), "the display alias from config.yaml"


async def test_close_rate_and_reopen_to_the_same_counsellor(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    await on_duty(fake, olga)
    person = fake.user(5_550_400, language_code="ru")
    code = await request(fake, person)
    await say(fake, olga, "/take")
    await say(fake, olga, "/close")
    ended = text_of(last(fake, person))
    assert "Консультант завершил разговор" in ended and "72 часов" in ended
    await tap(fake, person, "👍")
    assert "Спасибо" in text_of(last(fake, person))
    assert desk.app is not None
    case = await desk.app.services.cases.by_code(code)
    assert case is not None and case.status == "closed" and case.rating == "good"
    services = desk.app.services  # a second rating of the same case (a forged tap) counts nothing
    await engine.rate(services, services.keys.pseudonym("user", person.id), "ru", code, "bad")
    report = await services.stats.report(days=1)
    assert report.ratings == {"good": 1}, "hotline stats reports the rating, once per case"

    await say(fake, person, "У меня ещё вопрос")
    assert "снова открыто" in text_of(visible(fake, person)[-1])
    assert any("снова открыт" in text_of(m) for m in visible(fake, olga))
    assert copy_calls_to(fake, olga)[-1]["message_id"] == fake.chat(person.id)[-2].message_id


async def test_person_ends_and_cancels(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(5_550_500, language_code="ru")
    await request(fake, person)
    await tap(fake, person, "Отменить")
    assert "Обращение отменено" in text_of(last(fake, person))

    await request(fake, person)
    await say(fake, olga, "/take")
    await say(fake, person, "/end")
    assert "Вы завершили разговор" in text_of(last(fake, person))
    assert "Человек завершил разговор" in text_of(last(fake, olga))


async def test_a_request_cancelled_before_anyone_took_it_does_not_reopen(desk: RunningBot,
                                                                         fake: FakeTelegram) -> None:
    """"Nothing more will be passed on": the person's next message is theirs (a search), not the counsellors'.
    A conversation the person ended after a counsellor took it does reopen, as its own text says."""
    olga = counsellor_ru(fake)
    await on_duty(fake, olga)
    person = fake.user(5_550_550, language_code="ru")
    await request(fake, person)
    await tap(fake, person, "Отменить")
    seen_by_olga = len(fake.chat(olga.id))
    await say(fake, person, "а что с повесткой")
    assert "снова открыто" not in text_of(visible(fake, person)[-1])
    assert len(fake.chat(olga.id)) == seen_by_olga, "nothing reached the counsellor"
    assert not copy_calls_to(fake, olga)

    await request(fake, person)
    await say(fake, olga, "/take")
    await say(fake, person, "/end")
    await say(fake, person, "У меня ещё вопрос")
    assert "снова открыто" in text_of(visible(fake, person)[-1])


async def test_block_stops_a_person_without_revealing_them(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(5_550_600, language_code="ru")
    await request(fake, person)
    await say(fake, olga, "/take")
    await say(fake, olga, "/block")
    assert "Этот разговор завершён" in text_of(last(fake, person))
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    assert "не можем принять" in text_of(last(fake, person))


async def test_person_blocking_the_bot_closes_the_case(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(5_550_700, language_code="ru")
    code = await request(fake, person)
    await say(fake, olga, "/take")
    fake.block(person)
    await fake.wait_idle()
    assert "покинул разговор" in text_of(last(fake, olga))
    assert desk.app is not None
    case = await desk.app.services.cases.by_code(code)
    assert case is not None and case.status == "closed"


async def test_restart_in_the_middle_of_a_case_loses_nothing(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    first, second = fake.user(5_550_800, language_code="ru"), fake.user(5_550_801, language_code="ru")
    code_a = await request(fake, first)
    await say(fake, olga, "/take")
    code_b = await request(fake, second)
    waiting_message = await say(fake, second, "сообщение до перезапуска")

    await desk.stop()
    await desk.start()

    await say(fake, olga, "ответ после перезапуска")
    assert "ответ после перезапуска" in text_of(last(fake, first)), "the case and the focus survived"
    await say(fake, olga, "/queue")
    assert code_b in text_of(last(fake, olga)) and code_a not in text_of(last(fake, olga))
    await say(fake, olga, "/take")
    assert copy_calls_to(fake, olga)[-1]["message_id"] == waiting_message.message_id


async def test_replies_go_to_the_case_of_the_message_replied_to(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    a, b = fake.user(5_550_900, language_code="ru"), fake.user(5_550_901, language_code="ru")
    await request(fake, a)
    await request(fake, b)
    await say(fake, a, "вопрос от А")
    await say(fake, olga, "/take")
    await say(fake, olga, "/take")  # now holds both; focus on b's case
    copy_of_a = next(m for m in visible(fake, olga) if m.raw.get("text") == "вопрос от А")
    fake.feed_raw({"message": {
        "message_id": 10_000, "date": 0, "chat": olga.chat_json(), "from": olga.to_json(),
        "text": "ответ для А", "reply_to_message": copy_of_a.raw,
    }})
    await fake.wait_idle()
    assert "ответ для А" in text_of(last(fake, a))
    assert not any("ответ для А" in text_of(m) for m in visible(fake, b))


async def test_location_and_contact_are_never_relayed(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(5_551_000, language_code="de")
    await request(fake, person)
    await say(fake, olga, "/take")
    before = len(copy_calls_to(fake, olga))
    location = await fake.send_media(person, "location")
    await fake.send_media(person, "contact", phone_number="+79990001122")
    await fake.wait_idle()
    assert len(copy_calls_to(fake, olga)) == before
    assert "nie an die Beratung weitergegeben" in text_of(last(fake, person))
    assert next(m for m in fake.chat(person.id) if m.message_id == location.message_id).deleted


async def test_documents_warn_once_and_edits_are_passed_on(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(5_551_100, language_code="en")
    await request(fake, person)
    await say(fake, olga, "/take")
    await fake.send_media(person, "document", file_name="summons.pdf")
    await fake.send_media(person, "document", file_name="id.pdf")
    await fake.wait_idle()
    warnings = [m for m in visible(fake, person) if "hidden details" in text_of(m)]
    assert len(warnings) == 1

    sent = await say(fake, person, "typo here")
    await fake.edit(person, sent.message_id, "fixed text")
    await fake.wait_idle()
    edits = [c.params for c in fake.calls if c.method.lower() == "editmessagetext" and c.params["chat_id"] == olga.id]
    assert edits and edits[-1]["text"] == "fixed text"


async def test_outside_working_hours_says_when(fake: FakeTelegram, make_config: object) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.conftest import counsellors_yaml

    closed_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(datetime.now(UTC) + timedelta(days=2)).weekday()]
    hours = f"""
handoff:
  working_hours: {{timezone: UTC, days: [{closed_day}], start: "10:00", end: "18:00"}}
"""
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml(hours)))  # type: ignore[operator]
    await bot.start()
    try:
        person = fake.user(5_551_200, language_code="en")
        await request(fake, person)
        text = text_of(last(fake, person))
        assert "not working right now" in text and "10:00 (UTC)" in text
    finally:
        await bot.stop()


async def test_counsellor_commands_from_anyone_else_look_unknown(desk: RunningBot, fake: FakeTelegram) -> None:
    stranger = fake.user(5_551_300, language_code="en")
    await say(fake, stranger, "/nonsense")
    unknown = text_of(last(fake, stranger))
    for command in ("/take", "/queue", "/on", "/note hi", "/send start", "/release", "/close", "/block", "/cases"):
        await say(fake, stranger, command)
        assert text_of(last(fake, stranger)) == unknown, command


async def test_a_new_case_costs_the_same_statements_however_many_counsellors_are_on_duty(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    """Telling the on-duty counsellors of a new case runs inside the asker's transaction: it once cost three
    statements per counsellor, holding the database while a large team was looked at one by one."""
    hours = ALWAYS_OPEN.replace("notify_interval_seconds: 0", "notify_interval_seconds: 3600")
    async with RunningBot(fake, make_config(extra_yaml=counsellors_yaml(hours))) as bot:
        assert bot.app is not None
        services = bot.app.services
        keys = [counsellor.key for counsellor in services.roster]
        assert len(keys) == 2
        # Told within the hour already: no notice goes out, so only the looking-at-the-team is counted.
        assert await services.cases.may_notify_all(keys, timedelta(hours=1)) == set(keys)
        statements: list[str] = []
        asking = asyncio.current_task()

        def record(*args: Any) -> None:
            # Only the asker's own statements: the running bot's chores (housekeeping, the outbox, the
            # write-behind) may touch the database at any moment, and made this count one higher now and then.
            if asyncio.current_task() is asking:
                statements.append(args[2])

        event.listen(services.database.engine.sync_engine, "before_cursor_execute", record)
        root = services.content.snapshot.root

        async def cost(person: str, on_duty: list[str]) -> int:
            for key in keys:
                await services.cases.set_duty(key, key in on_duty)
            await engine.ask(services, person, "en", root)
            statements.clear()
            await engine.confirm(services, person, Address(len(on_duty)), "en", root)
            return len(statements)

        one, both = await cost("first", keys[:1]), await cost("second", keys)
        assert one == both and one > 5, (one, both)
