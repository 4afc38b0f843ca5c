"""Key rotation covers every table: after `hotline rotate-keys` and removal of the old key, everything still
works, a revoked counsellor stays revoked, messages left in the outbox go out, and the raw database holds
no pseudonym or sealed value under the old key."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Config, new_secret_key, parse_secret_key
from bot.handoff.cases import Cases
from bot.identity.address import Address
from bot.identity.crypto import DecryptionError, KeyRing
from bot.identity.keys import verify_key
from bot.identity.rotation import COVERED, RotationRefused, rotate_all
from bot.simulator.server import FakeTelegram
from bot.storage.database import Database
from hotline.cli import main
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, RunningBot, counsellors_yaml
from tests.e2e.test_staff_and_limits import ask_for_counsellor
from tests.privacy.test_inventory import ENCRYPTED, INVENTORY, KEYED_HASH

ADMIN = 9_200_000_001
LANGUAGE_PERSON, WAITING_PERSON, TALKING_PERSON, BLOCKED_PERSON = 6_300_001, 6_300_002, 6_300_003, 6_300_004


def test_rotation_covers_every_column_with_a_pseudonym_or_a_sealed_value() -> None:
    keyed = {column for column, kind in INVENTORY.items() if kind in (KEYED_HASH, ENCRYPTED)}
    assert sorted(keyed - COVERED.keys()) == [], "decide in bot/identity/rotation.py how a rotation moves it"
    assert sorted(COVERED.keys() - keyed) == []


def old_values(old: KeyRing, ids: list[int]) -> set[str]:
    return {old.pseudonym(kind, telegram_id) for kind in ("user", "counsellor", "chat") for telegram_id in ids}


OLD_KEY = KeyRing(b"o" * 32)


async def database_under_old_key(path: Path) -> Database:
    """A migrated SQLite database at ``path`` whose data is written under OLD_KEY."""
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.migrate()
    await verify_key(database, OLD_KEY)
    return database


def raw_values(path: Path) -> tuple[list[str], list[bytes]]:
    """Every text and every blob in every table of the database file."""
    texts: list[str] = []
    blobs: list[bytes] = []
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f"SELECT * FROM {table}"):  # names from sqlite_master
                texts += [v for v in row if isinstance(v, str)]
                blobs += [v for v in row if isinstance(v, bytes)]
    return texts, blobs


async def test_after_rotation_and_removal_of_the_old_key_everything_works_and_nothing_is_under_the_old_key(
        fake: FakeTelegram, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    old_secret, new_secret = new_secret_key(), new_secret_key()
    old, new = KeyRing(parse_secret_key(old_secret)), KeyRing(parse_secret_key(new_secret))
    config = make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n")
    admin = fake.user(ADMIN, "Admin", language_code="en")
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    anna = fake.user(COUNSELLOR_DE, "Anna", language_code="de")
    chooser = fake.user(LANGUAGE_PERSON, language_code="en")
    waiting = fake.user(WAITING_PERSON, language_code="en")
    talking = fake.user(TALKING_PERSON, language_code="en")
    blocked = fake.user(BLOCKED_PERSON, language_code="en")

    before = RunningBot(fake, config, KeyRing(parse_secret_key(old_secret)))
    await before.start()
    await say(fake, chooser, "/language")
    await tap(fake, chooser, "Deutsch")
    await say(fake, anna, "/on")
    await ask_for_counsellor(fake, talking)
    await say(fake, anna, "/take")
    await say(fake, talking, "hello anna")
    await say(fake, anna, "/note note under the old key")
    await ask_for_counsellor(fake, blocked)
    await say(fake, anna, "/take")
    await say(fake, anna, "/block")
    await ask_for_counsellor(fake, waiting)
    await say(fake, waiting, "waiting words")
    await say(fake, admin, f"/revoke {COUNSELLOR_RU}")
    await say(fake, anna, "/cases")
    await tap(fake, anna, "")  # focus back on the one case Anna still holds
    # Telegram says 429 at stop time: Anna's reply stays in the outbox, sealed under the old key.
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await fake.send_text(anna, "queued reply")
    await fake.wait_for(lambda: any(c.status == 429 for c in fake.calls_to(TALKING_PERSON)), timeout=10)
    assert before.app is not None
    assert before.app.services.outbox.pending == 1
    await before.stop()

    monkeypatch.setenv("HOTLINE_SECRET_KEY", new_secret)
    monkeypatch.setenv("HOTLINE_PREVIOUS_KEYS", old_secret)
    assert await asyncio.to_thread(main, ["rotate-keys", "--config", str(config.path)]) == 0
    assert "Nothing in the database needs the old key any more" in capsys.readouterr().out

    texts, blobs = raw_values(config.data_dir / "hotline.sqlite")
    ids = [ADMIN, COUNSELLOR_RU, COUNSELLOR_DE, LANGUAGE_PERSON, WAITING_PERSON, TALKING_PERSON, BLOCKED_PERSON]
    assert old_values(old, ids) & set(texts) == set(), "no pseudonym under the old key is left"
    assert new.pseudonym("user", TALKING_PERSON) in texts and new.pseudonym("counsellor", COUNSELLOR_DE) in texts
    assert [b for b in blobs if b[1:5] == old.key_id] == [], "no value sealed under the old key is left"

    monkeypatch.delenv("HOTLINE_PREVIOUS_KEYS")
    after = RunningBot(fake, config, KeyRing(parse_secret_key(new_secret)))  # the old key is destroyed
    await after.start()
    try:
        await fake.wait_for(lambda: any(text_of(m).endswith("queued reply") for m in visible(fake, talking)),
                            timeout=10)
        await say(fake, olga, "/queue")
        assert "Такой команды нет" in text_of(last(fake, olga)), "the revoked counsellor stays revoked"
        await say(fake, chooser, "/start")
        assert "DE-ROOT-BODY" in text_of(last(fake, chooser)), "the chosen language moved to the new key"
        await tap(fake, chooser, "🧹")
        assert all(m.deleted for m in fake.chat(LANGUAGE_PERSON)), "the chat ledger moved: clearing still works"
        await say(fake, talking, "after the rotation")
        assert any(m.raw.get("text") == "after the rotation" for m in visible(fake, anna))
        await say(fake, anna, "/take")
        assert any(m.raw.get("text") == "waiting words" for m in visible(fake, anna)), "the waiting case is whole"
        await say(fake, blocked, "/start")
        await tap(fake, blocked, "💬")
        assert "cannot take a request from you" in text_of(last(fake, blocked)), "the block moved too"
        assert after.app is not None
        services = after.app.services
        case = await services.cases.current(new.pseudonym("user", TALKING_PERSON))
        assert case is not None and await services.cases.notes(case.id) == ["note under the old key"]
        await say(fake, admin, "/audit")
        audit = text_of(last(fake, admin))
        assert "taken" in audit, "the admin is still an admin under the new key"
        assert f"c:{new.pseudonym('counsellor', COUNSELLOR_DE)[:8]}" in audit, "audit events moved to the new key"
    finally:
        await after.stop()


async def test_rotation_refuses_to_lose_a_block_it_cannot_move(tmp_path: Path) -> None:
    database, old = await database_under_old_key(tmp_path / "r.sqlite"), OLD_KEY
    cases = Cases(database.sessions, old)
    await cases.open(old.pseudonym("user", 42), Address(42), "ru", "start")
    await cases.block(old.pseudonym("user", 42))
    await cases.block(old.pseudonym("user", 43))  # their case is purged: nothing says who they are
    ring = KeyRing(b"n" * 32, previous=[b"o" * 32])
    with pytest.raises(RotationRefused, match="--drop-blocks"):
        await rotate_all(database, ring)
    assert await Cases(database.sessions, ring).is_blocked(old.pseudonym("user", 43)), "nothing was changed"
    report = await rotate_all(database, ring, drop_blocks=True)
    assert report.dropped_blocks == 1
    only_new = KeyRing(b"n" * 32)
    assert await Cases(database.sessions, only_new).is_blocked(ring.pseudonym("user", 42))
    await Cases(database.sessions, only_new).block(only_new.pseudonym("user", 44))  # no case either
    again = await rotate_all(database, only_new)
    assert again.dropped_blocks == 0 and await Cases(database.sessions, only_new).is_blocked(
        only_new.pseudonym("user", 44)), "with no previous key, a rotation keeps what is under the current one"
    await database.close()


async def test_a_revoked_counsellor_stays_revoked_when_the_bot_starts_with_a_new_key_before_rotating(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    config = make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n")
    admin = fake.user(ADMIN, "Admin", language_code="en")
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    bot = RunningBot(fake, config, KeyRing(b"o" * 32))
    await bot.start()
    await say(fake, admin, f"/revoke {COUNSELLOR_RU}")
    await bot.stop()
    bot = RunningBot(fake, config, KeyRing(b"n" * 32, previous=[b"o" * 32]))
    await bot.start()
    try:
        await say(fake, olga, "/queue")
        assert "Такой команды нет" in text_of(last(fake, olga))
    finally:
        await bot.stop()
    with sqlite3.connect(config.data_dir / "hotline.sqlite") as connection:
        keys = [r[0] for r in connection.execute("SELECT key FROM revoked_counsellors")]
    assert keys == [KeyRing(b"n" * 32).pseudonym("counsellor", COUNSELLOR_RU)], "moved to the new key at start"


async def test_database_files_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    import os

    old_umask = os.umask(0o022)  # the usual default, under which files come out 0644
    try:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hotline.sqlite'}")
        await database.migrate()
        await verify_key(database, KeyRing(b"o" * 32))
        files = sorted((tmp_path / "data").iterdir())
        assert {f.name for f in files} >= {"hotline.sqlite", "hotline.sqlite-wal"}
        for path in files:
            assert path.stat().st_mode & 0o777 == 0o600, path.name
        await database.close()
        (tmp_path / "data" / "hotline.sqlite").chmod(0o644)  # left so by an older version
        await Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hotline.sqlite'}").close()
        assert (tmp_path / "data" / "hotline.sqlite").stat().st_mode & 0o777 == 0o600, "tightened at start"
    finally:
        os.umask(old_umask)


async def test_a_copy_taken_before_forget_opens_only_until_the_key_is_rotated(tmp_path: Path) -> None:
    """What SECURITY.md says about crypto-shredding, exactly: deleting a case key makes its sealed data
    unreadable in the file and in copies made afterwards; a copy made before still opens with the master
    key of that time, until the key is rotated and the old one destroyed."""
    import shutil

    database, old = await database_under_old_key(tmp_path / "live.sqlite"), OLD_KEY
    cases = Cases(database.sessions, old)
    case = await cases.open(old.pseudonym("user", 42), Address(42), "ru", "start")
    await cases.add_note(case.id, "said before forget")
    await database.checkpoint()
    shutil.copy(tmp_path / "live.sqlite", tmp_path / "copy.sqlite")
    await cases.forget(old.pseudonym("user", 42))
    await rotate_all(database, KeyRing(b"n" * 32, previous=[b"o" * 32]))
    await database.close()

    copy = Database(f"sqlite+aiosqlite:///{tmp_path / 'copy.sqlite'}")
    try:
        assert await Cases(copy.sessions, old).notes(case.id) == ["said before forget"], \
            "with the key of its time, an old copy still opens: SECURITY.md says so"
        with pytest.raises(DecryptionError):
            await Cases(copy.sessions, KeyRing(b"n" * 32)).notes(case.id)
    finally:
        await copy.close()


async def test_rotation_refuses_to_lose_a_revocation_it_cannot_read_until_it_is_made_again(tmp_path: Path) -> None:
    from bot.identity.revocations import Revocations

    database, old = await database_under_old_key(tmp_path / "r.sqlite"), OLD_KEY
    await database.close()
    with sqlite3.connect(tmp_path / "r.sqlite") as raw:  # written before revocations held their id
        raw.execute("INSERT INTO revoked_counsellors VALUES (?, '2026-01-01', NULL)",
                    (old.pseudonym("counsellor", 555),))
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'r.sqlite'}")
    ring = KeyRing(b"n" * 32, previous=[b"o" * 32])
    with pytest.raises(RotationRefused, match="/revoke those ids again"):
        await rotate_all(database, ring)
    await Revocations(database.sessions, ring).add(555)
    await rotate_all(database, ring)
    assert await Revocations(database.sessions, KeyRing(b"n" * 32)).all() == {ring.pseudonym("counsellor", 555)}
    await database.close()


async def test_updates_waiting_in_the_inbox_are_resealed_and_open_with_the_new_key_alone(tmp_path: Path) -> None:
    """Several instances on PostgreSQL keep received updates in the inbox, sealed: a rotation while some
    wait (the bot stopped before handling them) moves them to the new key, or the next leader could not
    open them."""
    from bot.storage.tables import InboxRecord
    from hotline.cluster import Inbox

    old, new = b"o" * 32, b"n" * 32
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'live.sqlite'}")
    await database.migrate()
    await verify_key(database, KeyRing(old))
    update = b'{"update_id": 5, "message": {"text": "waiting"}}'
    async with database.sessions.begin() as session:
        session.add(InboxRecord(update_id=5, body=KeyRing(old).seal(update, aad="inbox:5")))
    await rotate_all(database, KeyRing(new, previous=[old]))
    try:
        assert await Inbox(database, KeyRing(new)).take([]) == [(5, {"update_id": 5, "message": {"text": "waiting"}})]
    finally:
        await database.close()


async def test_the_team_boards_row_is_renamed_for_the_configured_group_and_any_other_is_forgotten(
        tmp_path: Path) -> None:
    from sqlalchemy import text

    old, team, other = OLD_KEY, -100_123, -100_456
    database = await database_under_old_key(tmp_path / "board.sqlite")
    async with database.engine.begin() as connection:
        for group, thread in ((team, 5), (other, 9)):
            await connection.execute(text("INSERT INTO team_board (chat, thread_id, message_id) VALUES (:c, :t, 1)"),
                                     {"c": old.pseudonym("chat", group), "t": thread})
    ring = KeyRing(b"n" * 32, previous=[b"o" * 32])
    await rotate_all(database, ring, team_group=team)
    async with database.engine.connect() as connection:
        board = (await connection.execute(text("SELECT chat, thread_id FROM team_board"))).all()
    await database.close()
    assert [tuple(row) for row in board] == [(ring.pseudonym("chat", team), 5)], \
        "the configured group's board keeps its place under the new key; the other group's is forgotten"
