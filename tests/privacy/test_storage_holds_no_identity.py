"""After a whole conversation, the raw database files hold no Telegram id, name, username or typed text."""

from __future__ import annotations

import sqlite3

from bot.crypto import KeyRing
from bot.simulator.server import FakeTelegram
from tests.chat import say, tap
from tests.conftest import TEST_KEY, RunningBot
from tests.privacy.scanner import needles, scan_files, storage_files

CANARY = {"id": 7013370042, "first_name": "Kanareyka", "last_name": "Ptichkina", "username": "canary_q7x"}
CANARY_TEXT = "CANARY-TEXT-93f1 моя часть 12345"


async def test_raw_database_has_no_identity_after_a_conversation(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(CANARY["id"], CANARY["first_name"], last_name=CANARY["last_name"],
                     username=CANARY["username"], language_code="de")
    await say(fake, user, "/start")
    await tap(fake, user, "Ich habe eine Einberufung")
    await say(fake, user, "/language")
    await tap(fake, user, "Русский")
    await say(fake, user, CANARY_TEXT)
    await fake.send_media(user, "contact", phone_number="+79990001122", first_name=CANARY["first_name"])
    await fake.wait_idle()
    await running.stop()  # closes the database, checkpointing the WAL into the file

    data_dir = running.config.data_dir
    files = storage_files(data_dir)
    assert any(p.suffix == ".sqlite" for p in files)
    with sqlite3.connect(data_dir / "hotline.sqlite") as connection:
        rows = connection.execute("SELECT pseudonym, language, node FROM people").fetchall()
    pseudonym = KeyRing(TEST_KEY).pseudonym("user", CANARY["id"])
    assert rows == [(pseudonym, "ru", "summons")], "the conversation was stored, under the pseudonym only"

    wanted = needles([CANARY["id"]], [CANARY["first_name"], CANARY["last_name"], CANARY["username"],
                                      CANARY_TEXT, "CANARY-TEXT-93f1", "79990001122"])
    assert scan_files(files, wanted) == {}
    # Positive control: the same scan does see what is there.
    assert scan_files(files, {"pseudonym": pseudonym.encode()})
