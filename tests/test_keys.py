"""Key rotation, a wrong key, and crypto-shredding of a case."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Config, new_secret_key, parse_secret_key
from bot.handoff.cases import Cases
from bot.identity.address import Address
from bot.identity.crypto import DecryptionError, KeyRing
from bot.identity.keys import WrongKeyError, verify_key
from bot.identity.rotation import rotate_all
from bot.simulator.server import FakeTelegram
from bot.storage.database import Database
from hotline.app import Hotline, StartupError
from hotline.cli import main
from tests.chat import last, say, tap, text_of
from tests.conftest import ROOT, RunningBot

OLD, NEW = b"o" * 32, b"n" * 32


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'keys.sqlite'}")
    await database.migrate()
    return database


async def test_rotation_keeps_data_readable_and_reseals_it(db: Database) -> None:
    old = KeyRing(OLD)
    await verify_key(db, old)
    case = await Cases(db.sessions, old).open("p", Address(4242), "ru", "start")
    await Cases(db.sessions, old).add_note(case.id, "note under the old key")

    ring = KeyRing(NEW, previous=[OLD])
    cases = Cases(db.sessions, ring)
    await verify_key(db, ring)
    assert await cases.address_of(case) == Address(4242), "readable during the rotation"
    report = await rotate_all(db, ring)
    assert report.resealed >= 2, "the case key and the key check"

    only_new = Cases(db.sessions, KeyRing(NEW))
    await verify_key(db, KeyRing(NEW))
    assert await only_new.address_of(case) == Address(4242), "the old key can now be destroyed"
    assert await only_new.notes(case.id) == ["note under the old key"]
    await db.close()


async def test_a_wrong_key_fails_closed(db: Database) -> None:
    await verify_key(db, KeyRing(OLD))
    with pytest.raises(WrongKeyError, match="HOTLINE_PREVIOUS_KEYS"):
        await verify_key(db, KeyRing(NEW))
    await db.close()


async def test_deleting_a_case_key_shreds_the_case(db: Database) -> None:
    keys = KeyRing(OLD)
    cases = Cases(db.sessions, keys)
    case = await cases.open("p", Address(4242), "ru", "start")
    await cases.add_note(case.id, "shred me")
    with sqlite3.connect(db.path) as connection:  # type: ignore[arg-type]
        sealed_address = connection.execute("SELECT address FROM cases").fetchone()[0]
        connection.execute("DELETE FROM case_keys")
    with pytest.raises(LookupError):
        await cases.address_of(case)
    # Even with the master key, the sealed bytes (say, from an old backup) cannot be opened.
    with pytest.raises(DecryptionError):
        keys.open(sealed_address, aad=f"cases.address:{case.id}")
    await db.close()


async def test_the_bot_refuses_to_start_with_the_wrong_key(make_config: Callable[..., Config],
                                                           fake: FakeTelegram) -> None:
    config = make_config().model_copy(update={"api_server": fake.base_url})
    app = await Hotline.create(config, keys=KeyRing(OLD), token=fake.token)
    await app.close()
    with pytest.raises(StartupError, match="not the key this database was written with"):
        await Hotline.create(config, keys=KeyRing(NEW), token=fake.token)


async def test_a_person_keeps_their_state_across_a_rotation(make_config: Callable[..., Config],
                                                            fake: FakeTelegram) -> None:
    config = make_config()
    person = fake.user(777_001, language_code="en")
    before = RunningBot(fake, config, KeyRing(OLD))
    await before.start()
    await say(fake, person, "/language")
    await tap(fake, person, "Deutsch")
    await before.stop()

    after = RunningBot(fake, config, KeyRing(NEW, previous=[OLD]))
    await after.start()
    await say(fake, person, "/start")
    assert "DE-ROOT-BODY" in text_of(last(fake, person)), "the language chosen under the old key survived"
    await after.stop()
    with sqlite3.connect(config.data_dir / "hotline.sqlite") as connection:
        names = [r[0] for r in connection.execute("SELECT pseudonym FROM people")]
    assert names == [KeyRing(NEW).pseudonym("user", 777_001)]


def test_rotate_keys_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    old_key, new_key = new_secret_key(), new_secret_key()
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {{dir: '{ROOT / 'content'}'}}\nstorage: {{data_dir: '{tmp_path}'}}\n")

    async def seed() -> None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'hotline.sqlite'}")
        await database.migrate()
        keys = KeyRing(parse_secret_key(old_key))
        await verify_key(database, keys)
        await Cases(database.sessions, keys).open("p", Address(1), "ru", "start")
        await database.close()

    asyncio.run(seed())
    monkeypatch.setenv("HOTLINE_SECRET_KEY", new_key)
    monkeypatch.setenv("HOTLINE_PREVIOUS_KEYS", old_key)
    assert main(["rotate-keys", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Re-encrypted 2 value(s)" in out, "the case key and the key check"
    assert "Nothing in the database needs the old key any more" in out
    monkeypatch.delenv("HOTLINE_PREVIOUS_KEYS")
    assert main(["rotate-keys", "--config", str(config)]) == 0, "the new key alone now opens everything"
    monkeypatch.setenv("HOTLINE_SECRET_KEY", old_key)
    assert main(["rotate-keys", "--config", str(config)]) == 2
    assert "not the key this database was written with" in capsys.readouterr().err
