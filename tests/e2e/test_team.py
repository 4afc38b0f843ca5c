"""Team mode end to end (issue 19): two members, three people; cases as topics in the counsellors' forum
group, answered, noted, released, closed, blocked and forgotten; the topic wiped when the case ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.config import Config
from bot.simulator.server import FakeTelegram, FakeUser
from handlers.housekeeping import housekeeping
from hotline.app import StartupError
from tests.chat import last, say, tap, text_of
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, TEAM_GROUP, RunningBot, team_yaml
from tests.e2e.test_handoff import request

SETTLE = 60.0  # seconds: the group takes about one message a second (Telegram's limit, and the fake's)


def olga_of(fake: FakeTelegram) -> FakeUser:
    return fake.user(COUNSELLOR_RU, "Olga", username="olga_counsels", language_code="ru")


def anna_of(fake: FakeTelegram) -> FakeUser:
    return fake.user(COUNSELLOR_DE, "Anna", username="anna_counsels", language_code="de")


def topic_of(fake: FakeTelegram, code: str) -> int | None:
    """The thread of the case's topic, if the group has one."""
    found = [t["message_thread_id"] for t in fake.topics(TEAM_GROUP) if str(t["name"]).startswith(code)]
    assert len(found) <= 1
    return found[0] if found else None


def read(fake: FakeTelegram, code: str) -> list[str]:
    thread = topic_of(fake, code)
    assert thread is not None, f"no topic for {code}"
    return fake.read_topic(TEAM_GROUP, thread)


async def post(fake: FakeTelegram, member: FakeUser, code: str, text: str, reply_to: int | None = None) -> None:
    await fake.post(member, TEAM_GROUP, text, thread=None if reply_to else topic_of(fake, code), reply_to=reply_to)
    await fake.wait_idle(timeout=SETTLE)


async def write(fake: FakeTelegram, person: FakeUser, text: str) -> None:
    await fake.send_text(person, text)
    await fake.wait_idle(timeout=SETTLE)


def said_to(fake: FakeTelegram, person: FakeUser) -> str:
    return "\n".join(text_of(m) for m in fake.chat(person.id) if m.from_bot)


def board(fake: FakeTelegram) -> str:
    pinned = fake.pinned(TEAM_GROUP)
    assert len(pinned) == 1, "one pinned board"
    (message,) = [m for t in fake.topics(TEAM_GROUP) for m in fake.topic_messages(TEAM_GROUP, t["message_thread_id"])
                  if m.message_id == pinned[0]]
    return str(message.raw.get("text"))


async def test_two_members_three_people_take_answer_note_release_close_block_forget(
        team_desk: RunningBot, fake: FakeTelegram) -> None:
    olga, anna = olga_of(fake), anna_of(fake)
    ivan = fake.user(7_100_001, "Ivan", username="ivan_secret", language_code="ru")
    john = fake.user(7_100_002, "John", username="john_secret", language_code="en")
    jana = fake.user(7_100_003, "Jana", username="jana_secret", language_code="de")
    assert "📋" in str(fake.topics(TEAM_GROUP)[0]["name"]), "the status topic is there from the start"
    assert "(0)" in board(fake)

    codes = {}
    for person in (ivan, john, jana):
        codes[person.id] = await request(fake, person)
        await write(fake, person, f"hello from {person.first_name.lower()}")
    await fake.wait_idle(timeout=SETTLE)
    a, b, c = codes[ivan.id], codes[john.id], codes[jana.id]
    names = {str(t["name"]) for t in fake.topics(TEAM_GROUP)}
    assert {n.split(" · ")[0] for n in names} >= {a, b, c}
    assert any(n.startswith(f"{a} · ru · ") for n in names), "named by code, language, menu topic"
    assert f"{a} · ru · общий вопрос" in names, "asked from the main menu: a general question, not the bot's name"
    assert read(fake, a)[-1] == "hello from ivan", "the person's words are in their topic at once"
    assert "hello from ivan" not in read(fake, b), "and only in theirs"
    assert all(code in board(fake) for code in (a, b, c)) and "(3)" in board(fake)

    # Olga takes Ivan's case in its topic and answers; Anna, who does not hold it, cannot write to him.
    await post(fake, olga, a, "/take")
    assert "консультант" in text_of(last(fake, ivan)).lower()
    assert a in board(fake) and "#1" in board(fake), "the board says who holds it"
    await post(fake, olga, a, "Здравствуйте, Иван")
    assert "Здравствуйте, Иван" in text_of(last(fake, ivan)) and "Консультант" in text_of(last(fake, ivan))
    await post(fake, olga, a, "# внутренняя заметка: похоже на повестку")
    marker = next(m for m in fake.topic_messages(TEAM_GROUP, topic_of(fake, a) or 0)
                  if m.from_bot and "🔒" in str(m.raw.get("text")))
    await post(fake, anna, a, "ответ на маркер: только для команды", reply_to=marker.message_id)
    await post(fake, anna, a, "Anna writes into Olga's case")
    assert "заметка" not in said_to(fake, ivan) and "маркер" not in said_to(fake, ivan), "notes stay in the team"
    assert "Anna writes" not in said_to(fake, ivan), "a member who does not hold the case reaches nobody"
    assert any("/take" in line for line in read(fake, a)[-1:]), "Anna is told why, in the topic"
    await write(fake, ivan, "спасибо")
    assert read(fake, a)[-1] == "спасибо"

    # Anna takes John's, releases it; Olga takes it over and closes it.
    await post(fake, anna, b, "/take")
    await post(fake, anna, b, "Hi John, Anna here")
    assert "Hi John, Anna here" in text_of(last(fake, john)) and "Anna" in text_of(last(fake, john))
    await post(fake, anna, b, "/release")
    assert "(2)" in board(fake).split("\n")[0], "two wait again (John, Jana)"
    await post(fake, anna, b, "after release")
    assert "after release" not in said_to(fake, john)
    await post(fake, olga, b, "/take")
    await post(fake, olga, b, "Olga now")
    assert "Olga now" in text_of(last(fake, john))
    await post(fake, olga, b, "/close")
    assert topic_of(fake, b) is not None, "a closed case's topic stays for its retention time"

    # Jana forgets everything: her topic is gone from the group, with every message in it.
    jana_thread = topic_of(fake, c)
    await say(fake, jana, "/forget")
    await tap(fake, jana, "Ja, alles löschen")
    await fake.wait_idle(timeout=SETTLE)
    assert topic_of(fake, c) is None and jana_thread is not None
    assert fake.topic_messages(TEAM_GROUP, jana_thread) == [], "nothing of her case stays on any device"
    assert c not in board(fake)

    # Olga blocks Ivan: his topic goes at once.
    await post(fake, olga, a, "/block")
    assert topic_of(fake, a) is None
    assert a not in board(fake)

    # John's closed case: its topic goes when the retention ends.
    assert team_desk.app is not None
    services = team_desk.app.services
    services.clock.offset = timedelta(days=8)
    report = await housekeeping(team_desk.app.bot, services)
    await fake.wait_idle(timeout=SETTLE)
    assert report.cases_purged >= 1 and topic_of(fake, b) is None
    assert [str(t["name"]) for t in fake.topics(TEAM_GROUP)] == [str(fake.topics(TEAM_GROUP)[0]["name"])], \
        "only the status topic is left"


async def test_replies_to_notes_and_to_the_bots_words_stay_in_the_team(team_desk: RunningBot,
                                                                        fake: FakeTelegram) -> None:
    """Replying to a colleague's note to discuss it is the natural habit: it must not reach the person. Only a
    reply to a message that went between the person and the team is part of the conversation."""
    olga, anna = olga_of(fake), anna_of(fake)
    ivan = fake.user(7_100_011, "Ivan", language_code="ru")
    code = await request(fake, ivan)
    await write(fake, ivan, "у меня повестка")
    await post(fake, olga, code, "/take")
    thread = topic_of(fake, code) or 0
    taken = [m for m in fake.topic_messages(TEAM_GROUP, thread) if m.from_bot and "#1" in str(m.raw.get("text"))]
    await post(fake, anna, code, "# похоже на вызов в военкомат")
    note = [m for m in fake.topic_messages(TEAM_GROUP, thread) if "военкомат" in str(m.raw.get("text"))][-1]
    await post(fake, olga, code, "REPLY-TO-NOTE согласна", reply_to=note.message_id)
    assert taken, "the topic says who took the case"
    await post(fake, olga, code, "REPLY-TO-EVENT", reply_to=taken[-1].message_id)
    assert "REPLY-TO" not in said_to(fake, ivan), "replies to a note or to the bot's own words stay in the team"
    copy = [m for m in fake.topic_messages(TEAM_GROUP, thread) if m.from_bot and "повестка" in str(m.raw.get("text"))]
    await post(fake, olga, code, "Какая дата в повестке?", reply_to=copy[-1].message_id)
    assert "Какая дата в повестке?" in text_of(last(fake, ivan)), "a reply to the person's message reaches them"
    await post(fake, olga, code, "И ещё вопрос")
    assert "И ещё вопрос" in text_of(last(fake, ivan)), "a plain message in the topic reaches them"


async def test_a_stranger_in_the_group_gets_nothing_and_the_admins_are_told(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    admin = fake.user(9_200_000_009, "Admin", language_code="en")
    olga = olga_of(fake)
    fake.forum_group([olga, anna_of(fake)], group_id=TEAM_GROUP)
    bot = RunningBot(fake, make_config(extra_yaml=team_yaml() + f"admins: [{admin.id}]\n"))
    await bot.start()
    try:
        await say(fake, admin, "/start")  # a bot can write only to someone who wrote to it first
        person = fake.user(7_100_011, language_code="ru")
        code = await request(fake, person)
        await fake.wait_idle(timeout=SETTLE)
        stranger = fake.user(7_666_000, "Mallory", username="mallory", language_code="en")
        await fake.join(TEAM_GROUP, stranger)
        await fake.post(stranger, TEAM_GROUP, "/take", thread=topic_of(fake, code))
        await fake.post(stranger, TEAM_GROUP, "STRANGER-TEXT-1c2d", thread=topic_of(fake, code))
        await fake.wait_idle(timeout=SETTLE)
        assert "STRANGER-TEXT-1c2d" not in said_to(fake, person)
        assert (await bot.app.services.cases.by_code(code)).status == "waiting"  # type: ignore[union-attr]
        to_admin = said_to(fake, admin)
        assert "нет среди консультантов" in to_admin and "STRANGER" not in to_admin and "Mallory" not in to_admin
        replies = [m for t in fake.topics(TEAM_GROUP) for m in fake.topic_messages(TEAM_GROUP, t["message_thread_id"])
                   if m.from_bot and m.raw.get("reply_to_message", {}).get("from", {}).get("id") == stranger.id]
        assert replies == [], "the stranger gets nothing from the bot"
    finally:
        await bot.stop()


@pytest.mark.parametrize(("group", "problem"), [
    ({"is_forum": False}, "not a forum"),
    ({"protected": False}, "Restrict saving content"),
    ({"bot_status": "member"}, "not an admin"),
    ({"can_manage_topics": False}, "can_manage_topics"),
    ({"can_delete_messages": False, "can_pin_messages": False}, "can_delete_messages, can_pin_messages"),
])
async def test_the_bot_refuses_to_start_in_a_group_that_is_not_ready(
        fake: FakeTelegram, make_config: Callable[..., Config], group: dict[str, bool], problem: str) -> None:
    fake.forum_group([olga_of(fake)], group_id=TEAM_GROUP, **group)  # type: ignore[arg-type]
    bot = RunningBot(fake, make_config(extra_yaml=team_yaml()))
    with pytest.raises(StartupError) as refused:
        await bot.start()
    assert any(problem in line for line in refused.value.problems), refused.value.problems
    assert fake.topics(TEAM_GROUP) == [] if group.get("is_forum", True) else True


async def test_a_topic_deletion_that_fails_is_retried_until_the_topic_is_gone(
        team_desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_100_021, language_code="en")
    code = await request(fake, person)
    await write(fake, person, "delete me later")
    thread = topic_of(fake, code)
    assert thread is not None and "delete me later" in read(fake, code)
    fake.fail_next("deleteForumTopic", 500, "Internal Server Error: restart", times=2)
    await say(fake, person, "/forget")
    await tap(fake, person, "Yes, delete everything")
    await fake.wait_for(lambda: topic_of(fake, code) is None, timeout=SETTLE)
    assert fake.topic_messages(TEAM_GROUP, thread) == []
    attempts = [c for c in fake.calls if c.method.lower() == "deleteforumtopic"]
    assert len(attempts) == 3, "two failures, then the deletion went through"


async def test_a_restart_keeps_the_topics_and_edits_the_same_pinned_board(
        team_desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(7_100_031, language_code="en")
    code = await request(fake, person)
    await write(fake, person, "before the restart")
    pinned, topics = fake.pinned(TEAM_GROUP), len(fake.topics(TEAM_GROUP))
    await team_desk.stop()
    await team_desk.start()
    await write(fake, person, "after the restart")
    assert read(fake, code)[-2:] == ["before the restart", "after the restart"], "the same topic"
    await post(fake, olga_of(fake), code, "/take")
    assert fake.pinned(TEAM_GROUP) == pinned and len(fake.topics(TEAM_GROUP)) == topics, "no second board"
    assert "#1" in board(fake), "the one board was edited"


async def test_edits_are_mirrored_both_ways_and_a_reopen_returns_to_the_same_member(
        team_desk: RunningBot, fake: FakeTelegram) -> None:
    olga = olga_of(fake)
    person = fake.user(7_100_041, language_code="ru")
    code = await request(fake, person)
    assert "мин" in text_of(last(fake, person)), "the team is there in working hours: a wait estimate"
    sent = await fake.send_text(person, "первая версия")
    await fake.wait_idle(timeout=SETTLE)
    await post(fake, olga, code, "/take")
    await fake.edit(person, sent.message_id, "вторая версия")
    await fake.wait_idle(timeout=SETTLE)
    assert "вторая версия" in read(fake, code) and "первая версия" not in read(fake, code)

    answer = await fake.post(olga, TEAM_GROUP, "ответ с опечаткой", thread=topic_of(fake, code))
    await fake.wait_idle(timeout=SETTLE)
    await fake.edit(olga, answer.message_id, "ответ без опечатки", group_id=TEAM_GROUP)
    await fake.wait_idle(timeout=SETTLE)
    assert "ответ без опечатки" in text_of(last(fake, person))

    await post(fake, olga, code, "/close")
    await write(fake, person, "ещё вопрос")
    assert team_desk.app is not None
    case = await team_desk.app.services.cases.by_code(code)
    assert case is not None and case.status == "active", "reopened to the member who had it"
    assert "ещё вопрос" in read(fake, code), "into the same topic"


async def test_in_team_mode_a_counsellors_private_chat_points_to_the_group(team_desk: RunningBot,
                                                                           fake: FakeTelegram) -> None:
    olga = olga_of(fake)
    person = fake.user(7_100_051, language_code="ru")
    code = await request(fake, person)
    await say(fake, olga, "/take")
    assert "группе" in text_of(last(fake, olga))
    assert team_desk.app is not None
    case = await team_desk.app.services.cases.by_code(code)
    assert case is not None and case.status == "waiting", "nothing is taken from a private chat in team mode"


async def test_housekeeping_says_loudly_when_the_group_stops_restricting_saving(
        team_desk: RunningBot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    assert team_desk.app is not None
    await housekeeping(team_desk.app.bot, team_desk.app.services)
    assert not [r for r in caplog.records if r.name == "hotline.housekeeping" and r.levelname == "ERROR"]
    fake.set_protected(TEAM_GROUP, False)
    await housekeeping(team_desk.app.bot, team_desk.app.services)
    errors = [r.getMessage() for r in caplog.records if r.name == "hotline.housekeeping" and r.levelname == "ERROR"]
    assert any("Restrict saving content" in e for e in errors), errors


async def test_a_members_photo_reaches_the_person_signed_and_a_location_never_does(
        team_desk: RunningBot, fake: FakeTelegram) -> None:
    anna = anna_of(fake)
    person = fake.user(7_100_061, language_code="de")
    code = await request(fake, person)
    await post(fake, anna, code, "/take")
    await fake.post_media(anna, TEAM_GROUP, "photo", thread=topic_of(fake, code), caption="so sieht das Formular aus")
    await fake.wait_idle(timeout=SETTLE)
    photo = last(fake, person)
    assert photo.kind == "photo" and "so sieht das Formular aus" in str(photo.raw.get("caption"))
    assert "Anna" in str(photo.raw.get("caption")), "signed as in private mode (her alias)"
    assert "forward_origin" not in photo.raw and photo.raw.get("has_protected_content") is True
    before = len(fake.chat(person.id))
    await fake.post_media(anna, TEAM_GROUP, "location", thread=topic_of(fake, code))
    await fake.wait_idle(timeout=SETTLE)
    assert len(fake.chat(person.id)) == before, "a place is never passed on"
