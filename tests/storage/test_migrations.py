"""Alembic migrations: the same revisions on SQLite and PostgreSQL, each tested on a database holding data.

A database from before Alembic (made by the hand-written `create_all`, with a `schema_version` table) is the
first revision's schema: it is stamped, not made again, and moved on from there.
"""

from __future__ import annotations

import asyncio
import importlib
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from bot.handoff.cases import WAITING, AlreadyOpen, Cases
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.storage.database import MIGRATIONS, Database, head_revision, newest_revision
from bot.storage.tables import Base
from tests.backends import rows
from tests.conftest import TEST_KEY

pytestmark = pytest.mark.both_backends
UNSAMPLED = importlib.import_module("bot.storage.migrations.versions.0003_no_statistics_on_identity").UNSAMPLED
UNSAMPLED_0004 = importlib.import_module(
    "bot.storage.migrations.versions.0004_revocations_hold_their_sealed_id").UNSAMPLED


async def _pre_alembic_database(url: str) -> None:
    """What the hand-written migration code left: revision 0001's tables (schema_version among them) with
    its row, no alembic_version, and data."""
    database = Database(url)
    await database.migrate("0001")
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP TABLE alembic_version"))
        await connection.execute(text("INSERT INTO schema_version VALUES (1, 1)"))
        cases = [  # two open cases of one person (a double tap), one of another, one closed; places up to 7
            (1, "AAA-AAA", "p-double", "active", "k1", 3),
            (2, "BBB-BBB", "p-double", "waiting", None, 5),
            (3, "CCC-CCC", "p-single", "waiting", None, 7),
            (4, "DDD-DDD", "p-double", "closed", None, 1),
        ]
        for case_id, code, person, status, counsellor, seq in cases:
            await connection.execute(text(
                "INSERT INTO cases (id, code, person, language, topic, status, counsellor, queue_seq, queued_at, "
                "opened_on, document_warned) VALUES (:id, :code, :person, 'ru', 'start', :status, :counsellor, "
                ":seq, :queued_at, :opened_on, false)"),
                {"id": case_id, "code": code, "person": person, "status": status, "counsellor": counsellor,
                 "seq": seq, "queued_at": datetime(2026, 11, 1, 10, 0), "opened_on": date(2026, 11, 1)})
        await connection.execute(text("INSERT INTO people (pseudonym, language, node, seen_on) "
                                      "VALUES ('p-single', 'ru', 'start', :day)"), {"day": date(2026, 11, 1)})
    await database.close()


def test_start_up_reads_the_newest_revision_as_alembic_does() -> None:
    """A start at the newest revision skips Alembic by reading the file names: each file's revision must be
    its number, each revision must follow the one before, and the highest must be Alembic's head."""
    assert newest_revision() == head_revision()
    files = sorted((MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    previous = None
    for path in files:
        module = importlib.import_module(f"bot.storage.migrations.versions.{path.stem}")
        assert (module.revision, module.down_revision) == (path.name[:4], previous), path.name
        previous = module.revision


async def test_migrations_make_exactly_the_schema_tables_py_describes(database_url: str) -> None:
    database = Database(database_url)
    assert await database.migrate() == head_revision()
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    await database.close()
    assert differences == []


async def test_0001_a_database_from_before_alembic_is_adopted_with_its_data(database_url: str) -> None:
    await _pre_alembic_database(database_url)
    database = Database(database_url)
    assert await database.migrate() == head_revision()
    await database.close()
    assert await rows(database_url, "SELECT pseudonym, language, node FROM people") == [("p-single", "ru", "start")]
    assert [r[0] for r in await rows(database_url, "SELECT code FROM cases ORDER BY id")] == [
        "AAA-AAA", "BBB-BBB", "CCC-CCC", "DDD-DDD"]
    assert await rows(database_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


async def test_0002_queue_numbers_continue_and_a_double_tap_leaves_one_open_case(database_url: str) -> None:
    await _pre_alembic_database(database_url)
    database = Database(database_url)
    await database.migrate("0002")
    tables = await rows(database_url, "SELECT version_num FROM alembic_version")
    assert tables == [("0002",)]
    statuses = await rows(database_url, "SELECT id, status, counsellor, last_counsellor FROM cases ORDER BY id")
    assert statuses == [(1, "active", "k1", None), (2, "closed", None, None), (3, WAITING, None, None),
                        (4, "closed", None, None)], "the person's oldest open case stays open, the duplicate closes"
    assert await rows(database_url, "SELECT value FROM sequences WHERE name = 'queue'") == [(7,)]
    await database.migrate()  # today's code on the schema it is written for: the numbers carry on
    cases = Cases(database.sessions, KeyRing(TEST_KEY))
    fresh = await cases.open("p-new", Address(42), "ru", "start")
    assert await rows(database_url, f"SELECT queue_seq FROM cases WHERE id = {fresh.id}") == [(8,)]
    with pytest.raises(AlreadyOpen):
        await cases.open("p-double", Address(43), "ru", "start")
    await database.close()
    with pytest.raises(Exception, match="schema_version"):
        await rows(database_url, "SELECT * FROM schema_version")


async def test_instances_starting_at_once_on_an_empty_database_all_start(database_url: str) -> None:
    databases = [Database(database_url) for _ in range(3)]
    try:
        revisions = await asyncio.gather(*(database.migrate() for database in databases))
    finally:
        for database in databases:
            await database.close()
    assert revisions == [head_revision()] * 3
    assert await rows(database_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


async def test_0003_postgresql_samples_no_pseudonym_or_sealed_column(backend: str, database_url: str) -> None:
    await _pre_alembic_database(database_url)
    database = Database(database_url)
    await database.migrate("0003")
    await database.close()
    assert await rows(database_url, "SELECT count(*) FROM cases") == [(4,)], "the data is kept"
    if backend == "sqlite":
        return  # SQLite samples nothing unless ANALYZE runs, which the bot never runs
    await rows(database_url, "ANALYZE")
    sampled = await rows(database_url, "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public'")
    unsampled = {(table, column) for table, columns in UNSAMPLED.items() for column in columns}
    assert sampled, "ANALYZE sampled the other columns"
    assert unsampled & set(sampled) == set()


async def _upgrade_holding_a_revocation(database_url: str, start: str, target: str) -> None:
    """A database at ``start`` holding a revocation ('k-old'), upgraded to ``target``."""
    database = Database(database_url)
    await database.migrate(start)
    async with database.engine.begin() as connection:
        await connection.execute(text("INSERT INTO revoked_counsellors (key, revoked_on) VALUES ('k-old', :day)"),
                                 {"day": date(2026, 11, 1)})
    assert await database.migrate(target) == target
    await database.close()


async def test_0004_revocations_gain_a_sealed_id_keeping_the_old_ones_and_sampled_by_no_one(
        backend: str, database_url: str) -> None:
    await _upgrade_holding_a_revocation(database_url, "0003", "0004")
    assert await rows(database_url, "SELECT key, sealed_id FROM revoked_counsellors") == [("k-old", None)]
    await rows(database_url, "INSERT INTO revoked_counsellors (key, revoked_on, sealed_id) VALUES "
                             "('k-new', :day, :sealed)", {"day": date(2026, 11, 2), "sealed": b"sealed"})
    if backend == "sqlite":
        return
    await rows(database_url, "ANALYZE")
    sampled = await rows(database_url, "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public'")
    unsampled = {(table, column) for table, columns in UNSAMPLED_0004.items() for column in columns}
    assert ("revoked_counsellors", "revoked_on") in set(sampled), "ANALYZE sampled the table's other column"
    assert unsampled & set(sampled) == set()


async def test_0005_an_inbox_and_one_leadership_row_beside_the_data_and_the_inbox_unsampled(
        backend: str, database_url: str) -> None:
    await _upgrade_holding_a_revocation(database_url, "0004", "0005")
    assert await rows(database_url, "SELECT key FROM revoked_counsellors") == [("k-old",)]
    assert await rows(database_url, "SELECT id, epoch FROM leadership") == [(1, 0)], "the epoch starts at 0"
    if backend == "sqlite":  # the sender relies on outbox ids never being reused
        schema = await rows(database_url, "SELECT sql FROM sqlite_master WHERE name = 'outbox'")
        assert "AUTOINCREMENT" in schema[0][0]
    assert await rows(database_url, "SELECT count(*) FROM inbox") == [(0,)]
    await rows(database_url, "INSERT INTO inbox (update_id, body) VALUES (7, :body)", {"body": b"sealed"})
    if backend == "sqlite":
        return
    await rows(database_url, "ANALYZE")
    sampled = await rows(database_url, "SELECT tablename, attname FROM pg_stats WHERE schemaname = 'public'")
    assert ("inbox", "update_id") in set(sampled) and ("inbox", "body") not in set(sampled)


async def test_deletion_limits_name_the_postgresql_settings_that_keep_deleted_rows(backend: str,
                                                                                   database_url: str) -> None:
    database = Database(database_url)
    limits = await database.deletion_limits()
    await database.close()
    if backend == "sqlite":
        assert limits == []
        return
    [(recycle,)] = await rows(database_url, "SHOW wal_recycle")
    assert any("wal_recycle" in limit for limit in limits) == (recycle != "off")


async def test_postgresql_scrub_rewrites_after_changes_and_leaves_an_idle_database_alone(backend: str,
                                                                                        database_url: str) -> None:
    if backend == "sqlite":
        pytest.skip("the scrub is PostgreSQL's; SQLite's secure_delete overwrites at once")
    database = Database(database_url)
    await database.migrate()
    cases = Cases(database.sessions, KeyRing(TEST_KEY))

    async def file_node() -> object:
        return (await rows(database_url, "SELECT pg_relation_filenode('cases')"))[0][0]

    await database.checkpoint()
    first = await file_node()
    await database.checkpoint()
    assert await file_node() == first, "nothing changed: nothing rewritten"
    case = await cases.open("someone", Address(5), "ru", "start")
    await cases.close(case.id)
    await database.checkpoint()
    assert await file_node() != first, "an UPDATE left a dead row version: the table was written anew"
    await database.close()


async def test_a_database_error_never_quotes_its_parameters(database_url: str) -> None:
    """A failing statement's text reaches logs through aiogram's and asyncio's own handlers: it must not
    carry the pseudonym or sealed value it was given."""
    from datetime import date

    from sqlalchemy.exc import IntegrityError

    from bot.storage.tables import BlockRecord

    database = Database(database_url)
    await database.migrate()
    try:
        async with database.sessions.begin() as session:
            session.add(BlockRecord(person="pseudonym-CANARY-5e1f", blocked_on=date(2026, 11, 1)))
        with pytest.raises(IntegrityError) as raised:
            async with database.sessions.begin() as session:
                session.add(BlockRecord(person="pseudonym-CANARY-5e1f", blocked_on=date(2026, 11, 1)))
        assert "blocks" in str(raised.value), "the error still names what failed"
        assert "CANARY" not in str(raised.value) and "CANARY" not in repr(raised.value)
    finally:
        await database.close()


async def test_0006_team_topics_arrive_keeping_the_cases_and_leave_with_their_case(database_url: str) -> None:
    await _pre_alembic_database(database_url)
    database = Database(database_url)
    assert await database.migrate("0006") == "0006"
    await database.close()
    assert await rows(database_url, "SELECT count(*) FROM cases") == [(4,)], "the data is kept"
    await rows(database_url, "INSERT INTO team_topics (case_id, thread_id, marker_id) VALUES (1, 77, 78)")
    await rows(database_url, "INSERT INTO team_board (chat, thread_id, message_id) VALUES ('g', 5, 6)")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await rows(database_url, "INSERT INTO team_topics (case_id, thread_id) VALUES (3, 77)")
    database = Database(database_url)
    await database.migrate()  # today's code on the schema it is written for
    cases = Cases(database.sessions, KeyRing(TEST_KEY))
    await cases.forget("p-double")
    await database.close()
    assert await rows(database_url, "SELECT case_id FROM team_topics") == [], "the topic's row went with its case"


async def test_0007_closed_cases_keep_reopening_and_a_cancelled_request_can_be_marked(database_url: str) -> None:
    await _pre_alembic_database(database_url)
    database = Database(database_url)
    assert await database.migrate("0007") == "0007"
    await database.close()
    assert await rows(database_url, "SELECT id, reopenable FROM cases ORDER BY id") == [
        (1, True), (2, True), (3, True), (4, True)], "the data is kept; cases closed before reopen as they did"
    await rows(database_url, "UPDATE cases SET reopenable = :no WHERE id = 4", {"no": False})
    assert await rows(database_url, "SELECT reopenable FROM cases WHERE id = 4") == [(False,)]

