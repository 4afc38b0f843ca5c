"""The handoff's promises, each tried the way a real person, a real counsellor or an attacker broke it
(issue 11, and issue 13's faults that belong to the case lifecycle): every word reaches exactly the case it
was meant for, nothing is lost without someone being told, and every event leaves every case in a defined
state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count

from bot.config import Config
from bot.simulator.server import FakeTelegram, FakeUser, SimMessage
from handlers.housekeeping import housekeeping
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, RunningBot, counsellors_yaml
from tests.e2e.test_handoff import copy_calls_to, counsellor_de, counsellor_ru, request

ADMIN = 9_200_000_001
_reply_ids = count(50_000)


async def reply_to(fake: FakeTelegram, user: FakeUser, target: SimMessage, text: str) -> None:
    """The user answers with Telegram's reply on `target` (a message in their own chat)."""
    fake.feed_raw({"message": {
        "message_id": next(_reply_ids), "date": 0, "chat": user.chat_json(), "from": user.to_json(),
        "text": text, "reply_to_message": target.raw,
        **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
           if text.startswith("/") else {}),
    }})
    await fake.wait_idle()


def copies_of(fake: FakeTelegram, counsellor: FakeUser, text: str) -> list[SimMessage]:
    return [m for m in fake.chat(counsellor.id) if m.from_bot and m.raw.get("text") == text]


def everything_said_to(fake: FakeTelegram, user: FakeUser) -> str:
    return "\n".join(text_of(m) for m in fake.chat(user.id) if m.from_bot)


async def case_status(bot: RunningBot, code: str) -> tuple[str, str | None]:
    assert bot.app is not None
    case = await bot.app.services.cases.by_code(code)
    assert case is not None
    return case.status, case.counsellor


async def test_a_reply_to_a_closed_cases_message_never_reaches_another_case(desk: RunningBot,
                                                                           fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    a, b = fake.user(7_000_001, language_code="ru"), fake.user(7_000_002, language_code="ru")
    await request(fake, a)
    code_b = await request(fake, b)
    await say(fake, a, "вопрос от А")
    await say(fake, olga, "/take")
    await say(fake, olga, "/take")  # holds both; focus on B
    copy_of_a = copies_of(fake, olga, "вопрос от А")[0]
    await say(fake, a, "/end")

    await reply_to(fake, olga, copy_of_a, "ответ, предназначенный А")
    assert "ответ, предназначенный А" not in everything_said_to(fake, b), "a reply never falls back to the focus"
    assert "не ваш" in text_of(last(fake, olga)) or "закрыт" in text_of(last(fake, olga)), \
        "the counsellor is told why it was not delivered"
    await reply_to(fake, olga, copy_of_a, "/note ЗАМЕТКА-ДЛЯ-А")
    assert desk.app is not None
    case_b = await desk.app.services.cases.by_code(code_b)
    assert case_b is not None and await desk.app.services.cases.notes(case_b.id) == []
    await reply_to(fake, olga, copy_of_a, "/block")
    assert await case_status(desk, code_b) == ("active", case_b.counsellor), "B is neither closed nor blocked"
    assert not await desk.app.services.cases.is_blocked(case_b.person)


async def test_a_person_cannot_move_a_counsellors_focus(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    await say(fake, olga, "/on")
    mallory, victim = fake.user(7_000_011, language_code="ru"), fake.user(7_000_012, language_code="ru")
    await request(fake, mallory)
    await say(fake, olga, "/take")
    await say(fake, olga, "/close")
    await request(fake, victim)
    await say(fake, olga, "/take")
    await say(fake, mallory, "hi again")  # reopens Mallory's case to Olga
    assert any("снова открыт" in text_of(m) for m in visible(fake, olga))

    await say(fake, olga, "ответ для жертвы")
    assert "ответ для жертвы" in text_of(last(fake, victim))
    assert "ответ для жертвы" not in everything_said_to(fake, mallory)


async def test_after_a_handover_the_previous_counsellor_is_unwired(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    person = fake.user(7_000_021, language_code="en")
    code = await request(fake, person)
    await say(fake, olga, f"/take {code}")
    sent = await say(fake, person, "first version")
    olgas_reply = await say(fake, olga, "olga's answer")
    await say(fake, olga, "/release")
    await say(fake, anna, f"/take {code}")

    await fake.edit(person, sent.message_id, "second version")
    await fake.wait_idle()
    to_olga = [c for c in fake.calls if c.method.lower().startswith("edit") and c.params.get("chat_id") == olga.id]
    assert to_olga == [], "the person's edit does not go to the counsellor who let the case go"
    assert "second version" in [m.raw.get("text") for m in fake.chat(anna.id)], "it reaches the one who has it"

    before = len(visible(fake, person))
    await fake.edit(olga, olgas_reply.message_id, "olga edits after the handover")
    await fake.wait_idle()
    assert "olga edits after the handover" not in everything_said_to(fake, person)
    assert len(visible(fake, person)) == before
    assert "olga edits after the handover" not in text_of(last(fake, olga)), "told, not echoed"


async def test_a_revoked_counsellor_receives_nothing_more(fake: FakeTelegram,
                                                         make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n"))
    await bot.start()
    try:
        admin = fake.user(ADMIN, "Admin", language_code="en")
        olga, anna = counsellor_ru(fake), counsellor_de(fake)
        person = fake.user(7_000_031, language_code="en")
        code = await request(fake, person)
        await say(fake, olga, f"/take {code}")
        for n in range(10):
            await fake.send_text(person, f"burst {n}")
        await fake.wait_for(lambda: len(copy_calls_to(fake, olga)) >= 1, timeout=10)
        await fake.send_text(admin, f"/revoke {COUNSELLOR_RU}")
        await fake.wait_for(lambda: any("Removed" in text_of(m) for m in visible(fake, admin)), timeout=10)
        copies_at_revoke = len(copy_calls_to(fake, olga))
        await fake.wait_idle(timeout=30)
        assert len(copy_calls_to(fake, olga)) <= copies_at_revoke + 1, "at most the one copy in flight"
        assert not [m for m in fake.chat(olga.id) if m.from_bot and not m.deleted
                    and str(m.raw.get("text", "")).startswith("burst")], "and that one is deleted again"

        await fake.send_text(anna, f"/take {code}")
        await fake.wait_idle(timeout=30)
        to_anna = [str(m.raw.get("text")) for m in fake.chat(anna.id)
                   if m.from_bot and str(m.raw.get("text", "")).startswith("burst")]
        to_olga = {str(m.raw.get("text")) for m in fake.chat(olga.id)
                   if m.from_bot and str(m.raw.get("text", "")).startswith("burst")}
        assert to_anna == [f"burst {n}" for n in range(10 - len(to_anna), 10)], \
            "the next counsellor gets, in order and once, everything Olga did not receive"
        assert to_olga | set(to_anna) == {f"burst {n}" for n in range(10)}, "nothing is lost"
    finally:
        await bot.stop()


async def test_a_counsellor_removed_while_the_bot_was_down_frees_their_cases(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    config = make_config(extra_yaml=counsellors_yaml())
    bot = RunningBot(fake, config)
    await bot.start()
    try:
        olga, anna = counsellor_ru(fake), counsellor_de(fake)
        person = fake.user(7_000_041, language_code="en")
        code = await request(fake, person)
        await say(fake, olga, f"/take {code}")
        await bot.stop()
        text = config.path.read_text(encoding="utf-8")
        config.path.write_text(text.replace(f"  - {{telegram_id: {COUNSELLOR_RU}", "  # removed: "),
                               encoding="utf-8")
        bot.config = bot.config.model_copy(update={"settings": type(bot.config.settings).model_validate(
            {**bot.config.settings.model_dump(), "counsellors": [
                c.model_dump() for c in bot.config.settings.counsellors if c.telegram_id != COUNSELLOR_RU]})})
        await bot.start()
        await fake.wait_idle()
        assert (await case_status(bot, code))[0] == "waiting", "a counsellor who is gone holds no case"
        assert "back in the queue" in text_of(last(fake, person))
        await say(fake, anna, f"/take {code}")
        assert (await case_status(bot, code))[0] == "active"
    finally:
        await bot.stop()


async def test_a_counsellor_who_blocked_the_bot_loses_the_case_not_the_messages(desk: RunningBot,
                                                                               fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    person = fake.user(7_000_051, language_code="en")
    code = await request(fake, person)
    await say(fake, olga, f"/take {code}")
    fake.block(olga)
    await fake.wait_idle()
    await say(fake, person, "are you there?")
    await say(fake, person, "hello?")
    await fake.wait_idle(timeout=15)
    assert (await case_status(desk, code))[0] == "waiting", "the case goes back to the queue"
    assert "back in the queue" in text_of(last(fake, person)), "and the person is told"
    await say(fake, anna, f"/take {code}")
    await fake.wait_idle(timeout=15)
    seen = [m.raw.get("text") for m in fake.chat(anna.id) if m.from_bot]
    assert "are you there?" in seen and "hello?" in seen, "with the messages Olga never got"


async def test_a_question_written_while_waiting_survives_the_chat_clean_up(desk: RunningBot,
                                                                          fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(7_000_061, language_code="en")
    await request(fake, person)
    question = await say(fake, person, "written on Friday night")
    assert desk.app is not None
    desk.app.services.clock.offset = timedelta(hours=30)  # a weekend is longer than the 24-hour clean-up
    try:
        await housekeeping(desk.app.bot, desk.app.services)
        await fake.wait_idle()
        assert not next(m for m in fake.chat(person.id) if m.message_id == question.message_id).deleted
        await say(fake, olga, "/take")
        assert "written on Friday night" in [m.raw.get("text") for m in fake.chat(olga.id) if m.from_bot]
    finally:
        desk.app.services.clock.offset = timedelta(0)


async def test_take_with_long_notes_still_delivers_everything(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = counsellor_ru(fake), counsellor_de(fake)
    person = fake.user(7_000_071, language_code="en")
    code = await request(fake, person)
    await say(fake, olga, f"/take {code}")
    await say(fake, olga, "/note " + "a" * 2100)
    await say(fake, olga, "/note " + "b" * 2100)
    await say(fake, olga, "/release")
    await say(fake, person, "still waiting")
    await say(fake, anna, f"/take {code}")
    said = everything_said_to(fake, anna)
    assert "a" * 2100 in said and "b" * 2100 in said, "the take screen is split, every note shown"
    assert "still waiting" in [m.raw.get("text") for m in fake.chat(anna.id) if m.from_bot]
    assert "A counsellor is here now" in text_of(last(fake, person))


async def test_long_answers_are_split_not_dropped(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(7_000_081, language_code="en")
    await request(fake, person)
    await say(fake, olga, "/take")
    answer = " ".join(["word"] * 819)  # 4,095 characters: the signature makes it longer than Telegram allows
    await say(fake, olga, answer)
    await fake.wait_idle(timeout=10)
    received = "".join(text_of(m) for m in visible(fake, person) if "word" in text_of(m))
    assert received.count("word") == 819


async def test_forget_does_not_lift_a_block(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(7_000_091, language_code="ru")
    await request(fake, person)
    await say(fake, olga, "/take")
    await say(fake, olga, "/block")
    await say(fake, person, "/forget")
    await tap(fake, person, "Да, удалить всё")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    assert "не можем принять" in text_of(last(fake, person))


async def test_a_waiting_case_holds_a_bounded_number_of_messages_and_says_so(desk: RunningBot,
                                                                            fake: FakeTelegram) -> None:
    assert desk.app is not None
    cap = desk.app.services.config.settings.handoff.max_waiting_messages
    olga = counsellor_ru(fake)
    person = fake.user(7_000_101, language_code="en")
    await request(fake, person)
    for n in range(cap + 3):
        await fake.send_text(person, f"queued {n}")
    await fake.wait_idle(timeout=20)
    assert "cannot hold more" in text_of(last(fake, person)), "the person is told, in their language"
    await fake.send_text(olga, "/take")
    await fake.wait_idle(timeout=cap * 2)
    seen = [m.raw.get("text") for m in fake.chat(olga.id) if m.from_bot]
    assert [t for t in seen if str(t).startswith("queued")] == [f"queued {n}" for n in range(cap)]


async def test_block_and_release_drop_what_is_queued_for_the_counsellor(desk: RunningBot,
                                                                       fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(7_000_111, language_code="en")
    await request(fake, person)
    for n in range(20):
        await fake.send_text(person, f"jam {n}")
    await fake.wait_idle(timeout=20)
    await fake.send_text(olga, "/take")
    await fake.wait_for(lambda: len(copy_calls_to(fake, olga)) >= 1, timeout=10)
    await fake.send_text(olga, "/block")
    await fake.wait_for(lambda: "blocked" in text_of(last(fake, olga)) or "заблокирован" in text_of(last(fake, olga)),
                        timeout=10)
    at_block = len(copy_calls_to(fake, olga))
    await fake.wait_idle(timeout=40)
    assert len(copy_calls_to(fake, olga)) <= at_block + 1, "a /block stops what was queued for the counsellor"


async def test_forget_and_revoke_delete_the_case_from_the_counsellors_chat(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n"))
    await bot.start()
    try:
        olga, anna = counsellor_ru(fake), counsellor_de(fake)
        admin = fake.user(ADMIN, "Admin", language_code="en")
        forgetful = fake.user(7_000_121, language_code="ru")
        code = await request(fake, forgetful)
        await say(fake, forgetful, "СЕКРЕТ-1")
        await say(fake, olga, f"/take {code}")
        await say(fake, olga, "/note ЗАМЕТКА-1")
        await say(fake, olga, "/release")
        await say(fake, olga, f"/take {code}")  # the take screen now shows the note
        await say(fake, forgetful, "/forget")
        await tap(fake, forgetful, "Да, удалить всё")
        await fake.wait_idle(timeout=10)
        left = [m for m in fake.chat(olga.id) if m.from_bot and not m.deleted
                and ("СЕКРЕТ-1" in text_of(m) or "ЗАМЕТКА-1" in text_of(m))]
        assert left == [], "after /forget no copy and no note stays in the counsellor's chat"

        person = fake.user(7_000_122, language_code="en")
        code = await request(fake, person)
        await say(fake, person, "SECRET-2")
        await say(fake, anna, f"/take {code}")
        await say(fake, anna, "/note NOTE-2")
        await say(fake, anna, "/release")
        await say(fake, anna, f"/take {code}")
        await say(fake, admin, f"/revoke {COUNSELLOR_DE}")
        await fake.wait_idle(timeout=10)
        left = [m for m in fake.chat(anna.id) if m.from_bot and not m.deleted
                and ("SECRET-2" in text_of(m) or "NOTE-2" in text_of(m))]
        assert left == [], "after /revoke neither copies nor notes stay in the counsellor's chat"
    finally:
        await bot.stop()


async def test_an_album_arrives_as_one_album_marked_once(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = counsellor_ru(fake)
    person = fake.user(7_000_131, language_code="en")
    code = await request(fake, person)
    await say(fake, olga, f"/take {code}")
    for n in range(10):  # as Telegram delivers an album: one message per item, all with one media_group_id
        content = fake._media_content("photo", {}) | {"media_group_id": "album-1"}
        await fake._user_message(person, "photo", content | ({"caption": "ten photos"} if n == 0 else {}),
                                 "ten photos" if n == 0 else None)
    await fake.wait_idle(timeout=20)
    copies = [m for m in fake.chat(olga.id) if m.from_bot and m.kind == "photo"]
    assert len(copies) == 10
    assert len({m.raw.get("media_group_id") for m in copies}) == 1 and copies[0].raw.get("media_group_id"), \
        "one album in the counsellor's chat"
    assert len([c for c in fake.calls if c.method.lower() == "copymessages"]) == 1
    markers = [m for m in fake.chat(olga.id) if m.from_bot and any(code in str(b["text"]) for b in m.buttons())]
    assert len(markers) == 1, "marked once, not ten times"
    reply_to_item = copies[4]
    await reply_to(fake, olga, reply_to_item, "about the fifth photo")
    assert "about the fifth photo" in text_of(last(fake, person)), "a reply to any item reaches the case"
