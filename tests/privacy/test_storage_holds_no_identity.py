"""After a whole conversation, the raw database files hold no Telegram id, name, username or typed text."""

from __future__ import annotations

import pytest

from bot.identity.crypto import KeyRing
from bot.simulator.server import FakeTelegram
from tests.backends import rows
from tests.chat import say, tap
from tests.conftest import TEST_KEY, RunningBot
from tests.privacy.canary import (
    CANARY_FIRST_NAME,
    CANARY_ID,
    CANARY_LAST_NAME,
    CANARY_PHONE,
    CANARY_TEXT,
    CANARY_USERNAME,
)
from tests.privacy.scanner import database_files, needles, scan_files

pytestmark = pytest.mark.both_backends


async def test_raw_database_has_no_identity_after_a_conversation(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(CANARY_ID, CANARY_FIRST_NAME, last_name=CANARY_LAST_NAME,
                     username=CANARY_USERNAME, language_code="de")
    await say(fake, user, "/start")
    await tap(fake, user, "Ich habe eine Einberufung")
    await say(fake, user, "/language")
    await tap(fake, user, "Русский")
    await say(fake, user, CANARY_TEXT)
    await fake.send_media(user, "contact", phone_number="+79990001122", first_name=CANARY_FIRST_NAME)
    await fake.wait_idle()
    await running.stop()  # closes the database, checkpointing the WAL into the file

    files = await database_files(running.config.database_url, running.config.data_dir)
    people = await rows(running.config.database_url, "SELECT pseudonym, language, node FROM people")
    pseudonym = KeyRing(TEST_KEY).pseudonym("user", CANARY_ID)
    assert people == [(pseudonym, "ru", "summons")], "the conversation was stored, under the pseudonym only"

    wanted = needles([CANARY_ID], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME,
                                      CANARY_TEXT, "CANARY-TEXT-93f1", CANARY_PHONE])
    assert scan_files(files, wanted) == {}
    # Positive control: the same scan does see what is there.
    assert scan_files(files, {"pseudonym": pseudonym.encode()})
