"""Every database column is classified by what it holds. A new column fails here until someone decides,
and writes down, why it may exist (modelled on Hush Line's encrypted-field inventory)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import inspect

from bot.config import Config
from bot.simulator.server import FakeTelegram
from bot.storage.database import Database
from bot.storage.tables import Base
from tests.backends import rows
from tests.chat import last, say, tap, text_of
from tests.conftest import COUNSELLOR_RU
from tests.e2e.test_handoff import CODE
from tests.privacy.modes import MODES, SETTLE, Side, desk_in

pytestmark = pytest.mark.both_backends

ENCRYPTED = "sealed with AES-GCM, bound to its row"
KEYED_HASH = "HMAC pseudonym under the secret key"
RANDOM_CODE = "random case code, derived from nothing"
COARSE = "coarse metadata: a language, a status, a menu page, a flag or a count"
DAY = "a date, to the day"
HOUR = "a time, to the hour"
MINUTE = "a time, to the minute (waiting time in the queue)"
INTERNAL = "internal row number or order"
MESSAGE_ID = "a message number within one chat (says nothing without the chat id)"
OPERATIONAL = "operational state: a counsellor's shift, a retry time"
CONFIG = "bookkeeping of the program itself"
UPDATE_NUMBER = "Telegram's running number of updates to this bot (says nothing about who sent one)"
TOPIC_NUMBER = "a topic's number in the team's group (team mode; says nothing of the person)"

INVENTORY: dict[str, str] = {
    "alembic_version.version_num": CONFIG, "sequences.name": CONFIG, "sequences.value": CONFIG,
    "key_check.id": CONFIG, "key_check.sealed": ENCRYPTED,
    "people.pseudonym": KEYED_HASH, "people.language": COARSE, "people.node": COARSE, "people.seen_on": DAY,
    "people.address": ENCRYPTED,
    "cases.id": INTERNAL, "cases.code": RANDOM_CODE, "cases.person": KEYED_HASH, "cases.address": ENCRYPTED,
    "cases.language": COARSE, "cases.topic": COARSE, "cases.status": COARSE, "cases.counsellor": KEYED_HASH,
    "cases.last_counsellor": KEYED_HASH, "cases.queue_seq": INTERNAL, "cases.queued_at": MINUTE,
    "cases.told_position": COARSE, "cases.opened_on": DAY, "cases.closed_at": HOUR, "cases.rating": COARSE,
    "cases.document_warned": COARSE, "cases.reopenable": COARSE,
    "case_keys.case_id": INTERNAL, "case_keys.wrapped": ENCRYPTED,
    "relays.id": INTERNAL, "relays.case_id": INTERNAL, "relays.from_person": COARSE,
    "relays.person_message_id": MESSAGE_ID, "relays.counsellor": KEYED_HASH,
    "relays.counsellor_message_id": MESSAGE_ID, "relays.at": HOUR,
    "notes.id": INTERNAL, "notes.case_id": INTERNAL, "notes.text": ENCRYPTED, "notes.written_on": DAY,
    "blocks.person": KEYED_HASH, "blocks.blocked_on": DAY,
    "counsellors.key": KEYED_HASH, "counsellors.on_duty": OPERATIONAL, "counsellors.focus_case_id": OPERATIONAL,
    "counsellors.notified_at": MINUTE,
    "chat_messages.id": INTERNAL, "chat_messages.person": KEYED_HASH, "chat_messages.message_id": MESSAGE_ID,
    "chat_messages.at": HOUR,
    "audit.id": INTERNAL, "audit.event": COARSE, "audit.case_code": RANDOM_CODE, "audit.counsellor": KEYED_HASH,
    "audit.day": DAY,
    "revoked_counsellors.key": KEYED_HASH, "revoked_counsellors.revoked_on": DAY,
    "revoked_counsellors.sealed_id": ENCRYPTED,
    "daily_counters.day": DAY, "daily_counters.name": COARSE, "daily_counters.key": COARSE,
    "daily_counters.count": COARSE,
    "outbox.id": INTERNAL, "outbox.chat": KEYED_HASH, "outbox.address": ENCRYPTED, "outbox.payload": ENCRYPTED,
    "outbox.attempts": COARSE, "outbox.not_before": OPERATIONAL, "outbox.sending": OPERATIONAL,
    "processed_updates.update_id": UPDATE_NUMBER, "processed_updates.day": DAY,
    "team_topics.case_id": INTERNAL, "team_topics.thread_id": TOPIC_NUMBER, "team_topics.marker_id": MESSAGE_ID,
    "team_board.chat": KEYED_HASH, "team_board.thread_id": TOPIC_NUMBER, "team_board.message_id": MESSAGE_ID,
    "inbox.update_id": UPDATE_NUMBER, "inbox.body": ENCRYPTED,
    "leadership.id": CONFIG, "leadership.epoch": CONFIG, "leadership.since": CONFIG,
}


async def test_every_column_is_classified(database_url: str) -> None:
    """Every column the migrations make, and every column tables.py maps."""
    database = Database(database_url)
    await database.migrate()
    async with database.engine.connect() as connection:
        migrated = await connection.run_sync(lambda sync: {
            f"{table}.{column['name']}" for table in inspect(sync).get_table_names()
            for column in inspect(sync).get_columns(table)})
    await database.close()
    mapped = {f"{table.name}.{column.name}" for table in Base.metadata.sorted_tables for column in table.columns}
    assert mapped <= migrated, "tables.py maps a column no migration makes"
    columns = migrated
    assert sorted(columns - INVENTORY.keys()) == [], "classify the new column(s) in INVENTORY"
    assert sorted(INVENTORY.keys() - columns) == [], "remove columns that no longer exist"


def test_no_column_could_hold_a_raw_telegram_id_by_name() -> None:
    suspicious = [c for c in INVENTORY if any(word in c for word in ("user_id", "chat_id", "telegram", "username",
                                                                     "first_name", "phone"))]
    assert suspicious == []


@pytest.mark.parametrize("mode", MODES)
async def test_stored_times_are_as_coarse_as_the_inventory_says(fake: FakeTelegram, make_config: Callable[..., Config],
                                                               mode: str) -> None:
    async with desk_in(mode, fake, make_config) as desk:
        olga = Side(fake, desk, fake.user(COUNSELLOR_RU, "Olga", language_code="ru"))
        person = fake.user(6_100_001, language_code="ru")
        await olga.on()  # so the new case notifies her: counsellors.notified_at is filled too (private mode)
        await say(fake, person, "/start")
        await tap(fake, person, "💬")
        await tap(fake, person, "✅")
        code = CODE.search(text_of(last(fake, person)))
        assert code is not None
        await say(fake, person, "вопрос")
        await fake.wait_idle(timeout=SETTLE)
        await olga.take(code.group(0))
        await olga.say(code.group(0), "ответ")
        await olga.close(code.group(0))
    # Team mode has no shifts and no notifications: the group shows every case.
    unfilled = {"cases.queued_at"} | ({"counsellors.notified_at"} if mode == "team" else set())
    for column, granularity in INVENTORY.items():
        if granularity not in (HOUR, MINUTE):
            continue
        table, name = column.split(".")
        stored = await rows(desk.config.database_url, f"SELECT {name} FROM {table} WHERE {name} IS NOT NULL")
        assert stored or column in unfilled, f"the scenario should have filled {column}"
        for (value,) in stored:  # SQLite: text "YYYY-MM-DD HH:MM:SS.ffffff"; PostgreSQL: a timestamp
            at = datetime.fromisoformat(value) if isinstance(value, str) else value
            assert (at.second, at.microsecond) == (0, 0), (column, value)
            if granularity == HOUR:
                assert at.minute == 0, (column, value)
