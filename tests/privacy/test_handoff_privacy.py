"""A canary person talks to a counsellor; afterwards we look for them everywhere they must not be."""

from __future__ import annotations

import json

import pytest

from bot.simulator.server import FakeTelegram
from tests.backends import rows
from tests.chat import say, tap
from tests.conftest import COUNSELLOR_RU, RunningBot
from tests.privacy.canary import (
    CANARY_FIRST_NAME,
    CANARY_ID,
    CANARY_LAST_NAME,
    CANARY_PHONE,
    CANARY_TEXT,
    CANARY_USERNAME,
)
from tests.privacy.scanner import database_files, needles, scan, scan_files

pytestmark = pytest.mark.both_backends

NOTE_TEXT = "CANARY-NOTE-51c0 person mentions their town"
# Methods that send something a person or counsellor will see, and so must carry protect_content.
SENDING = {"sendmessage", "copymessage", "sendphoto", "senddocument", "sendvoice", "sendvideo", "sendaudio",
           "sendvideonote", "sendsticker", "sendanimation", "sendmediagroup", "copymessages"}


async def canary_conversation(fake: FakeTelegram) -> None:
    counsellor = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    person = fake.user(CANARY_ID, CANARY_FIRST_NAME, last_name=CANARY_LAST_NAME,
                       username=CANARY_USERNAME, language_code="ru")
    await say(fake, counsellor, "/on")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    await say(fake, person, CANARY_TEXT)
    await fake.send_media(person, "photo", caption=CANARY_TEXT)
    await say(fake, counsellor, "/take")
    await fake.send_media(person, "document", file_name="povestka.pdf")
    await fake.send_media(person, "contact", phone_number="+79990001122", first_name=CANARY_FIRST_NAME)
    await say(fake, counsellor, "Здравствуйте")
    await say(fake, counsellor, f"/note {NOTE_TEXT}")
    await say(fake, counsellor, "/send summons")
    await say(fake, counsellor, "/close")
    await say(fake, person, CANARY_TEXT + " снова")  # reopens


async def test_counsellor_never_sees_who_the_person_is(desk: RunningBot, fake: FakeTelegram) -> None:
    await canary_conversation(fake)
    to_counsellor = [c for c in fake.calls if c.params.get("chat_id") == COUNSELLOR_RU]
    assert len(to_counsellor) > 8, "the scenario did talk to the counsellor"
    identity = needles([CANARY_ID], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME])
    for call in to_counsellor:
        request = json.dumps({k: v for k, v in call.params.items() if k != "from_chat_id"}, ensure_ascii=False)
        assert scan(request.encode(), identity) == [], (call.method, request)
        assert "tg://user" not in request and "text_mention" not in request
    # What arrived in the counsellor's chat: copies without any trace of the sender.
    for message in fake.chat(COUNSELLOR_RU):
        if message.from_bot:
            raw = json.dumps(message.raw, ensure_ascii=False)
            assert "forward_origin" not in raw and "forward_from" not in raw
            assert scan(raw.encode(), identity) == [], raw


async def test_nothing_is_forwarded_and_everything_is_protected(desk: RunningBot, fake: FakeTelegram) -> None:
    await canary_conversation(fake)
    methods = {c.method.lower() for c in fake.calls}
    assert "forwardmessage" not in methods and "forwardmessages" not in methods
    sends = [c for c in fake.calls if c.method.lower() in SENDING]
    assert {c.method.lower() for c in sends} >= {"sendmessage", "copymessage"}
    unprotected = [c.method for c in sends if c.params.get("protect_content") is not True]
    assert unprotected == []


async def test_raw_database_holds_no_identity_or_content_after_a_handoff(desk: RunningBot,
                                                                        fake: FakeTelegram) -> None:
    await canary_conversation(fake)
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
