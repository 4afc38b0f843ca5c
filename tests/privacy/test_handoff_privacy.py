"""A canary person talks to a counsellor; afterwards we look for them everywhere they must not be."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Config
from bot.simulator.server import FakeTelegram
from tests.backends import rows
from tests.chat import last, say, tap, text_of
from tests.conftest import COUNSELLOR_RU, TEAM_GROUP, RunningBot
from tests.e2e.test_handoff import CODE
from tests.privacy.canary import (
    CANARY_FIRST_NAME,
    CANARY_ID,
    CANARY_LAST_NAME,
    CANARY_PHONE,
    CANARY_TEXT,
    CANARY_USERNAME,
)
from tests.privacy.modes import MODES, SETTLE, Side, desk_in
from tests.privacy.scanner import database_files, needles, scan, scan_files

pytestmark = pytest.mark.both_backends

NOTE_TEXT = "CANARY-NOTE-51c0 person mentions their town"
# Methods that send something a person or counsellor will see, and so must carry protect_content.
SENDING = {"sendmessage", "copymessage", "sendphoto", "senddocument", "sendvoice", "sendvideo", "sendaudio",
           "sendvideonote", "sendsticker", "sendanimation", "sendmediagroup", "copymessages"}


@pytest.fixture(params=MODES)
async def desk(request: pytest.FixtureRequest, fake: FakeTelegram,
               make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """Every test here runs with counsellors in private chats and again in team mode (issue 19)."""
    async with desk_in(request.param, fake, make_config) as bot:
        yield bot


async def canary_conversation(fake: FakeTelegram, desk: RunningBot) -> Side:
    counsellor = Side(fake, desk, fake.user(COUNSELLOR_RU, "Olga", language_code="ru"))
    person = fake.user(CANARY_ID, CANARY_FIRST_NAME, last_name=CANARY_LAST_NAME,
                       username=CANARY_USERNAME, language_code="ru")
    await counsellor.on()
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    code = CODE.search(text_of(last(fake, person)))
    assert code is not None
    await say(fake, person, CANARY_TEXT)
    await fake.send_media(person, "photo", caption=CANARY_TEXT)
    await fake.wait_idle(timeout=SETTLE)
    await counsellor.take(code.group(0))
    await fake.send_media(person, "document", file_name="povestka.pdf")
    await fake.send_media(person, "contact", phone_number="+79990001122", first_name=CANARY_FIRST_NAME)
    await fake.wait_idle(timeout=SETTLE)
    await counsellor.say(code.group(0), "Здравствуйте")
    await counsellor.note(code.group(0), NOTE_TEXT)
    await counsellor.command(code.group(0), "/send summons")
    await counsellor.close(code.group(0))
    await say(fake, person, CANARY_TEXT + " снова")  # reopens
    await fake.wait_idle(timeout=SETTLE)
    return counsellor


async def test_counsellor_never_sees_who_the_person_is(desk: RunningBot, fake: FakeTelegram) -> None:
    counsellor = await canary_conversation(fake, desk)
    to_counsellor = counsellor.calls()
    assert len(to_counsellor) > 8, "the scenario did talk to the counsellor"
    identity = needles([CANARY_ID], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME])
    for call in to_counsellor:
        request = json.dumps({k: v for k, v in call.params.items() if k != "from_chat_id"}, ensure_ascii=False)
        assert scan(request.encode(), identity) == [], (call.method, request)
        assert "tg://user" not in request and "text_mention" not in request
    # What arrived where counsellors read (their chat, or every topic of the group): copies without any trace
    # of the sender, and nothing that names the person.
    arrived = counsellor.messages()
    assert any(CANARY_TEXT in str(m.raw.get("text")) for m in arrived), "the person's words did arrive"
    for message in arrived:
        raw = json.dumps(message.raw, ensure_ascii=False)
        assert "forward_origin" not in raw and "forward_from" not in raw
        assert scan(raw.encode(), identity) == [], raw
    if counsellor.team:
        names = json.dumps(fake.topics(TEAM_GROUP), ensure_ascii=False)
        assert scan(names.encode(), identity) == [], "topic names carry only code, language and menu topic"


async def test_nothing_is_forwarded_and_everything_is_protected(desk: RunningBot, fake: FakeTelegram) -> None:
    await canary_conversation(fake, desk)
    methods = {c.method.lower() for c in fake.calls}
    assert "forwardmessage" not in methods and "forwardmessages" not in methods
    sends = [c for c in fake.calls if c.method.lower() in SENDING]
    assert {c.method.lower() for c in sends} >= {"sendmessage", "copymessage"}
    unprotected = [c.method for c in sends if c.params.get("protect_content") is not True]
    assert unprotected == []


async def test_raw_database_holds_no_identity_or_content_after_a_handoff(desk: RunningBot,
                                                                        fake: FakeTelegram) -> None:
    await canary_conversation(fake, desk)
    await desk.stop()
    files = await database_files(desk.config.database_url, desk.config.data_dir)
    wanted = needles([CANARY_ID], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME,
                                      "CANARY-TEXT-93f1", "CANARY-NOTE-51c0", CANARY_PHONE])
    assert scan_files(files, wanted) == {}
    # Positive control: the case and its sealed note are there, as ciphertext.
    notes = await rows(desk.config.database_url, "SELECT text FROM notes")
    addresses = await rows(desk.config.database_url, "SELECT address FROM cases")
    assert len(notes) == 1 and notes[0][0] and len(addresses) == 1 and addresses[0][0]
    assert scan(bytes(addresses[0][0]), needles([CANARY_ID])) == []
    if desk.config.settings.team.enabled:  # the group's id is config, kept only sealed or keyed in the database
        assert scan_files(files, needles(strings=[str(TEAM_GROUP)])) == {}
        assert len(await rows(desk.config.database_url, "SELECT thread_id FROM team_topics")) == 1, \
            "positive control: the case's topic is noted while the case lives"
