"""A seized phone cannot come back, a hostile account cannot lock others out (issue 13): limits that
outlive /forget, a confirm that cannot skip the ask screen, a fair global cap, revocation of every role with
an undo, audit events without the codes of forgotten cases, and an outbox row that does not open."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

import pytest

from bot.config import Config
from bot.delivery.outbox import Outbox
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.identity.keys import verify_key
from bot.simulator.server import FakeTelegram, FakeUser
from bot.storage.database import Database
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, TEST_KEY, RunningBot, counsellors_yaml
from tests.e2e.test_staff_and_limits import ask_for_counsellor

ADMIN = 9_200_000_001
UNKNOWN_COMMAND_RU = "Такой команды нет"


async def forget(fake: FakeTelegram, person: FakeUser) -> None:
    await say(fake, person, "/forget")
    await tap(fake, person, "🗑")


def audit_rows(bot: RunningBot) -> list[tuple[str, str | None]]:
    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        return connection.execute("SELECT event, case_code FROM audit ORDER BY id").fetchall()


def case_count(bot: RunningBot) -> int:
    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])


async def test_limits_outlive_forget(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 100, requests_per_hour: 1, new_cases_per_hour: 100}\n"
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + limits))
    await bot.start()
    try:
        person = fake.user(6_400_001, language_code="en")
        await ask_for_counsellor(fake, person)
        await forget(fake, person)
        await ask_for_counsellor(fake, person)
        assert "several times in a short while" in text_of(last(fake, person))
        assert case_count(bot) == 0
    finally:
        await bot.stop()


async def test_a_forged_confirm_button_does_not_skip_the_ask_screen(desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(6_400_002, language_code="en")
    await say(fake, person, "/start")
    menu = last(fake, person)
    await fake.press(person, menu.message_id, "hc:start", listed=False)
    await fake.wait_idle()
    assert case_count(desk) == 0, "no case without the ask screen"
    assert "Please do not send your real name" in text_of(last(fake, person)), "the ask screen is shown instead"
    await tap(fake, person, "✅")
    assert case_count(desk) == 1, "from the ask screen, the same button works"


async def test_one_person_cannot_use_up_everyones_share_of_new_cases(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 600, requests_per_hour: 20, new_cases_per_hour: 4}\n"
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + limits))
    await bot.start()
    try:
        attacker = fake.user(6_400_003, language_code="en")
        for _attempt in range(6):
            await ask_for_counsellor(fake, attacker)
            await say(fake, attacker, "/cancel")
        assert 1 <= case_count(bot) <= 2, "a repeat requester cannot take the half kept for others"
        innocent = fake.user(6_400_004, language_code="en")
        await ask_for_counsellor(fake, innocent)
        assert "Very many people" not in text_of(last(fake, innocent))
        assert case_count(bot) >= 2 and "Your case" in " ".join(text_of(m) for m in visible(fake, innocent))
    finally:
        await bot.stop()


def _admin_config(make_config: Callable[..., Config], extra: str = "") -> Config:
    # Olga is a counsellor and an admin: a seized phone that holds both roles.
    return make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}, {COUNSELLOR_RU}]\n" + extra)


async def test_revocation_covers_every_role(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, _admin_config(make_config))
    await bot.start()
    try:
        admin = fake.user(ADMIN, "Admin", language_code="en")
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        anna = fake.user(COUNSELLOR_DE, "Anna", language_code="de")
        await say(fake, admin, f"/revoke {COUNSELLOR_RU}")
        await say(fake, olga, "/audit")
        assert UNKNOWN_COMMAND_RU in text_of(last(fake, olga)), "a revoked admin loses /audit"
        await say(fake, olga, f"/revoke {COUNSELLOR_DE}")
        assert UNKNOWN_COMMAND_RU in text_of(last(fake, olga)), "… and /revoke"
        await say(fake, anna, "/queue")
        assert "Keine" in text_of(last(fake, anna)) or "wartet" in text_of(last(fake, anna)) or \
            "Warteschlange" in text_of(last(fake, anna)), "Anna was not revoked by the revoked admin"
        await bot.stop()
        await bot.start()
        await say(fake, olga, "/audit")
        assert UNKNOWN_COMMAND_RU in text_of(last(fake, olga)), "still revoked after a restart"
    finally:
        await bot.stop()


async def test_an_admin_can_restore_a_revoked_counsellor_and_it_is_audited(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, _admin_config(make_config))
    await bot.start()
    try:
        admin = fake.user(ADMIN, "Admin", language_code="en")
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        await say(fake, admin, f"/revoke {COUNSELLOR_RU}")
        await say(fake, admin, f"/restore {COUNSELLOR_RU}")
        assert "Restored" in text_of(last(fake, admin))
        await say(fake, olga, "/queue")
        assert UNKNOWN_COMMAND_RU not in text_of(last(fake, olga))
        await say(fake, olga, "/audit")
        assert "restored" in text_of(last(fake, olga)), "her admin role is back too"
        await bot.stop()
        await bot.start()
        await say(fake, olga, "/queue")
        assert UNKNOWN_COMMAND_RU not in text_of(last(fake, olga)), "the undo outlives a restart"
        events = [event for event, _code in audit_rows(bot)]
        assert "revoked" in events and "restored" in events
    finally:
        await bot.stop()


async def test_config_yaml_restores_a_revocation(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    config = _admin_config(make_config)
    bot = RunningBot(fake, config)
    await bot.start()
    try:
        admin = fake.user(ADMIN, "Admin", language_code="en")
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        await say(fake, olga, f"/revoke {ADMIN}")  # a seized phone revokes the other admin
        assert "больше нет прав администратора" in text_of(last(fake, olga))
        await say(fake, admin, "/audit")
        assert "I don't know that command" in text_of(last(fake, admin))
        config.path.write_text(config.path.read_text(encoding="utf-8") + f"restored: [{ADMIN}]\n", encoding="utf-8")
        await asyncio.sleep(1.1)  # the config file is looked at once a second at most
        await say(fake, admin, "/audit")
        assert "restored" in text_of(last(fake, admin)), "access is back, and the undo is in the audit log"
        await say(fake, olga, f"/revoke {ADMIN}")
        assert "отозвать нельзя" in text_of(last(fake, olga)), "the operator's undo cannot be overridden"
        await say(fake, admin, "/audit")
        assert "I don't know that command" not in text_of(last(fake, admin))
    finally:
        await bot.stop()


async def test_a_forgotten_case_code_leaves_the_audit_log(desk: RunningBot, fake: FakeTelegram) -> None:
    person = fake.user(6_400_005, language_code="en")
    anna = fake.user(COUNSELLOR_DE, "Anna", language_code="de")
    await ask_for_counsellor(fake, person)
    await say(fake, anna, "/take")
    codes = {code for _event, code in audit_rows(desk) if code}
    assert codes, "the case code is in the log while the case exists"
    await forget(fake, person)
    rows = audit_rows(desk)
    assert [code for _event, code in rows if code] == [], "no event keeps the forgotten case's code"
    assert {"case_opened", "taken", "forgotten"} <= {event for event, _code in rows}, "the events stay"
    data = await asyncio.to_thread((desk.config.data_dir / "hotline.sqlite").read_bytes)
    assert all(code.encode() not in data for code in codes)


async def test_an_outbox_row_that_does_not_open_is_reported_and_skipped(
        fake: FakeTelegram, make_config: Callable[..., Config], caplog: pytest.LogCaptureFixture) -> None:
    config = make_config(extra_yaml=counsellors_yaml())
    database = Database(config.database_url)
    await database.migrate()
    await verify_key(database, KeyRing(TEST_KEY))
    # A row sealed under a key that is no longer in the ring (the rotation was not run before removing it).
    await Outbox(database.sessions, KeyRing(b"x" * 32), lambda: __import__("datetime").datetime(2026, 1, 1)).put(
        Address(6_400_006), "sendMessage", {"text": "lost under an old key"})
    await database.close()
    bot = RunningBot(fake, config)
    await bot.start()
    try:
        caplog.set_level(logging.INFO)
        person = fake.user(6_400_007, language_code="en")
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        await ask_for_counsellor(fake, person)
        await say(fake, olga, "/take")
        await fake.wait_idle(timeout=10)
        assert "Вы" in text_of(last(fake, olga)) or visible(fake, olga), "Olga got the case"
        assert any("connected" in text_of(m).lower() or "counsellor" in text_of(m).lower()
                   for m in visible(fake, person)[-2:]), "the outbox still sends: the person is told"
        assert any("could not be opened" in r.getMessage() for r in caplog.records)
        assert all("lost under an old key" not in r.getMessage() for r in caplog.records)
        assert bot.app is not None and await bot.app.services.outbox.count() == 0, "the bad row was dropped"
    finally:
        await bot.stop()
