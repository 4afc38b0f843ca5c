"""Forget, clear, clean up, expire, purge: what is deleted is gone from the chat and from the raw files."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from bot.config import Config
from bot.identity.crypto import KeyRing
from bot.simulator.server import FakeTelegram, FakeUser
from handlers.housekeeping import housekeeping
from tests.backends import rows as stored_rows
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_RU, TEST_KEY, RunningBot
from tests.privacy.canary import (
    CANARY_FIRST_NAME,
    CANARY_ID,
    CANARY_LAST_NAME,
    CANARY_PHONE,
    CANARY_TEXT,
    CANARY_USERNAME,
)
from tests.privacy.modes import MODES, SETTLE, Side, desk_in
from tests.privacy.scanner import database_files, needles, scan_files

CANARY_NOTE = "CANARY-NOTE-51c0"


pytestmark = pytest.mark.both_backends


@pytest.fixture(params=MODES)
async def desk(request: pytest.FixtureRequest, fake: FakeTelegram, make_config: Callable[..., Config],
               backend: str) -> AsyncIterator[RunningBot]:
    """The desk of conftest, in private-chat and in team mode (issue 19), with a master key of its own on
    PostgreSQL: the server's WAL is shared, and another run's rows under the same key would carry the same
    pseudonyms into the scan."""
    keys = KeyRing(secrets.token_bytes(32) if backend == "postgresql" else TEST_KEY)
    async with desk_in(request.param, fake, make_config, keys) as bot:
        yield bot


def canary_needles(keys: KeyRing) -> dict[str, bytes]:
    pseudonym = keys.pseudonym("user", CANARY_ID)
    found = needles([CANARY_ID], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME, "CANARY-TEXT-93f1",
                                  CANARY_NOTE, CANARY_PHONE])
    found["pseudonym"] = pseudonym.encode()
    return found


async def rows(desk: RunningBot, sql: str) -> Sequence[tuple[object, ...]]:
    return await stored_rows(desk.config.database_url, sql)


async def assert_no_bytes_left(desk: RunningBot) -> None:
    """Stop the bot (closing the database as a stop does) and scan every file the database keeps: on
    PostgreSQL its relation files and the server's whole WAL, which needs the server to drop old segments
    rather than recycle them (SECURITY.md)."""
    await desk.stop()
    if make_url(desk.config.database_url).get_backend_name() == "postgresql":
        [(recycle,)] = await stored_rows(desk.config.database_url, "SHOW wal_recycle")
        if recycle != "off":
            reason = "the PostgreSQL server runs with wal_recycle = on: recycled WAL keeps deleted rows"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(reason)
            pytest.skip(reason)
    files = await database_files(desk.config.database_url, desk.config.data_dir)
    assert scan_files(files, canary_needles(desk.keys)) == {}
    assert any(p.stat().st_size for p in files), "the scan read something"


async def canary_in_a_case(fake: FakeTelegram, desk: RunningBot) -> tuple[Side, FakeUser, str]:
    olga = Side(fake, desk, fake.user(COUNSELLOR_RU, "Olga", language_code="ru"))
    person = fake.user(CANARY_ID, CANARY_FIRST_NAME, last_name=CANARY_LAST_NAME, username=CANARY_USERNAME,
                       language_code="ru")
    await olga.on()
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    code = text_of(last(fake, person)).split("Код обращения: ")[1][:7]
    await say(fake, person, CANARY_TEXT)
    await fake.wait_idle(timeout=SETTLE)
    await olga.take(code)
    await olga.note(code, CANARY_NOTE)
    await olga.say(code, "Здравствуйте")
    return olga, person, code


async def test_forget_erases_everything_and_tells_the_counsellor_nothing(desk: RunningBot,
                                                                        fake: FakeTelegram) -> None:
    olga, person, code = await canary_in_a_case(fake, desk)
    assert int(str((await rows(desk, "SELECT count(*) FROM chat_messages"))[0][0])) > 0, "the chat ledger was filled"
    if olga.team:
        assert any(CANARY_TEXT in str(m.get("text")) for m in olga.everything()), "the topic held their words"
    await say(fake, person, "/forget")
    assert "Удалить всё?" in text_of(last(fake, person))
    await tap(fake, person, "Да, удалить всё")
    await fake.wait_idle(timeout=SETTLE)

    final = text_of(last(fake, person))
    assert "больше ничего о вас не хранит" in final and "удалить" in final
    assert [m for m in visible(fake, person)] == [last(fake, person)], "every earlier message was deleted"
    if olga.team:  # the whole topic is gone from the fake's state: from every member's device
        assert not olga.has_topic(code)
        assert not any("CANARY" in json.dumps(m, ensure_ascii=False) for m in olga.everything())
        assert (await rows(desk, "SELECT count(*) FROM team_topics"))[0][0] == 0
    else:
        withdrawn = text_of(last(fake, olga.user))
        assert code in withdrawn and "отозвал" in withdrawn and "CANARY" not in withdrawn

    for table in ("people", "cases", "relays", "notes", "case_keys", "chat_messages", "blocks"):
        assert (await rows(desk, f"SELECT count(*) FROM {table}"))[0][0] == 0, table
    await assert_no_bytes_left(desk)


async def test_clear_this_chat_deletes_the_visible_history_at_once(desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(CANARY_ID, language_code="en")
    await say(fake, person, "/start")
    await tap(fake, person, "I got a summons")
    await say(fake, person, "some text I regret")
    assert len([m for m in fake.chat(person.id) if not m.deleted]) >= 3
    await tap(fake, person, "Clear this chat")
    assert [m for m in fake.chat(person.id) if not m.deleted] == [], "bot's and person's messages are gone"
    assert (await rows(desk, "SELECT count(*) FROM chat_messages"))[0][0] == 0
    assert (await rows(desk, "SELECT address FROM people")) == [(None,)], \
        "no address kept once nothing is left to delete"
    await say(fake, person, "/start")
    assert "EN-ROOT-BODY" in text_of(last(fake, person)), "the bot still works, in the same language"


async def test_scheduled_clean_up_deletes_old_messages_and_survives_a_restart(desk: RunningBot,
                                                                             fake: FakeTelegram) -> None:
    person = fake.user(CANARY_ID, language_code="de")
    await say(fake, person, "/start")
    await say(fake, person, "hallo")
    await desk.stop()
    await desk.start()  # the ledger is in the database: a restart forgets nothing
    assert desk.app is not None
    services = desk.app.services
    report = await housekeeping(desk.app.bot, services)
    assert report.messages_deleted == 0, "nothing is old enough yet"
    services.clock.offset = timedelta(hours=25)
    report = await housekeeping(desk.app.bot, services)
    assert report.messages_deleted >= 3
    await fake.wait_idle(timeout=SETTLE)  # the deletions go out through the outbox
    assert [m for m in fake.chat(person.id) if not m.deleted] == []
    assert (await rows(desk, "SELECT count(*) FROM chat_messages"))[0][0] == 0


async def test_closed_cases_are_purged_and_leave_no_bytes(desk: RunningBot, fake: FakeTelegram) -> None:
    olga, _person, code = await canary_in_a_case(fake, desk)
    await olga.close(code)
    assert desk.app is not None
    services = desk.app.services
    services.clock.offset = timedelta(days=3)
    await housekeeping(desk.app.bot, services)
    assert (await rows(desk, "SELECT count(*) FROM cases"))[0][0] == 1, "kept for the retention period"
    services.clock.offset = timedelta(days=8)
    report = await housekeeping(desk.app.bot, services)
    await fake.wait_idle(timeout=SETTLE)
    assert report.cases_purged == 1 and report.people_purged == 1
    if olga.team:  # the topic went with the case
        assert not olga.has_topic(code) and not any("CANARY" in json.dumps(m, ensure_ascii=False)
                                                    for m in olga.everything())
    for table in ("people", "cases", "relays", "notes", "case_keys", "chat_messages"):
        assert (await rows(desk, f"SELECT count(*) FROM {table}"))[0][0] == 0, table
    # The audit log keeps the events, not the code: the code is printed on the copies in the counsellor's chat.
    assert await rows(desk, f"SELECT count(*) FROM audit WHERE case_code = '{code}'") == [(0,)]
    assert {r[0] for r in await rows(desk, "SELECT event FROM audit WHERE case_code IS NULL")} >= {"case_opened",
                                                                                                  "closed"}
    await assert_no_bytes_left(desk)


async def test_waiting_cases_nobody_took_expire_with_a_message(desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(CANARY_ID, language_code="en")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    assert desk.app is not None
    desk.app.services.clock.offset = timedelta(hours=73)
    report = await housekeeping(desk.app.bot, desk.app.services)
    assert report.cases_expired == 1
    await fake.wait_idle(timeout=SETTLE)  # the message goes out through the outbox
    assert "no counsellor could take your request in time" in text_of(last(fake, person))
    assert (await rows(desk, "SELECT status FROM cases")) == [("closed",)]


def test_secure_delete_and_auto_vacuum_are_on(tmp_path: object) -> None:
    import asyncio
    from pathlib import Path

    from bot.storage.database import Database

    async def pragmas() -> tuple[int, int]:
        database = Database(f"sqlite+aiosqlite:///{Path(str(tmp_path)) / 'p.sqlite'}")
        await database.migrate()
        async with database.engine.connect() as connection:
            from sqlalchemy import text
            secure = (await connection.execute(text("PRAGMA secure_delete"))).scalar_one()
            vacuum = (await connection.execute(text("PRAGMA auto_vacuum"))).scalar_one()
        await database.close()
        return int(secure), int(vacuum)

    assert asyncio.run(pragmas()) == (1, 1)


def test_without_secure_delete_the_scanner_would_find_deleted_rows(tmp_path: object) -> None:
    """The control for the purge tests: plain SQLite keeps deleted bytes, and the scanner sees them."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "plain.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA secure_delete=OFF")
        connection.execute("CREATE TABLE t (x TEXT)")
        connection.execute("INSERT INTO t VALUES (?)", ("CANARY-TEXT-93f1 " * 20,))
        connection.commit()
        connection.execute("DELETE FROM t")
        connection.commit()
    assert scan_files([path], needles(strings=["CANARY-TEXT-93f1"]))
