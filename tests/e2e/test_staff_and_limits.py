"""Counsellors removed while the bot runs, the content-free audit log, and flood limits."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

from bot.config import Config
from bot.simulator.server import FakeTelegram
from tests.chat import last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, RunningBot, counsellors_yaml

ADMIN = 9_200_000_001


def audit_rows(bot: RunningBot) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        return connection.execute("SELECT event, case_code, counsellor FROM audit ORDER BY id").fetchall()


async def ask_for_counsellor(fake: FakeTelegram, person: object) -> None:
    await say(fake, person, "/start")  # type: ignore[arg-type]
    await tap(fake, person, "💬")  # type: ignore[arg-type]
    await tap(fake, person, "✅")  # type: ignore[arg-type]


async def test_removing_a_counsellor_from_config_takes_effect_on_the_next_update(
        fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    config = make_config(extra_yaml=counsellors_yaml())
    bot = RunningBot(fake, config)
    await bot.start()
    try:
        anna = fake.user(COUNSELLOR_DE, "Anna", language_code="de")
        person = fake.user(6_000_001, language_code="en")
        await ask_for_counsellor(fake, person)
        await say(fake, person, "my question")
        await say(fake, anna, "/take")
        copies = [m for m in visible(fake, anna) if m.raw.get("text") == "my question"]
        assert copies

        text = config.path.read_text(encoding="utf-8")
        config.path.write_text(text.replace(f"  - {{telegram_id: {COUNSELLOR_DE}", "  # removed: "), encoding="utf-8")
        await asyncio.sleep(1.1)  # the config file is looked at once a second at most
        await say(fake, anna, "/queue")

        assert "I don't know that command" in text_of(last(fake, anna)) or "Diesen Befehl" in text_of(last(fake, anna))
        assert all(m.deleted for m in copies), "relayed messages are deleted from the removed counsellor's chat"
        assert "back in the queue" in text_of(last(fake, person))
        assert ("counsellor_removed",) in [(e,) for e, _c, _k in audit_rows(bot)]
    finally:
        await bot.stop()


async def test_admin_revoke_and_audit(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n"))
    await bot.start()
    try:
        admin = fake.user(ADMIN, "Admin", language_code="en")
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        person = fake.user(6_000_002, "Kanareyka", username="canary_q7x", language_code="ru")
        await ask_for_counsellor(fake, person)
        await say(fake, olga, "/take")
        await say(fake, admin, f"/revoke {COUNSELLOR_RU}")
        assert "Removed" in text_of(last(fake, admin))
        await say(fake, olga, "/take")
        assert "Такой команды нет" in text_of(last(fake, olga))

        await say(fake, admin, "/audit")
        log = text_of(last(fake, admin))
        for event in ("case_opened", "taken", "counsellor_removed", "access_denied"):
            assert event in log
        assert "6000002" not in log and "Kanareyka" not in log and str(COUNSELLOR_RU) not in log

        await bot.stop()
        await bot.start()  # a restart with the same config.yaml does not bring the counsellor back
        await say(fake, olga, "/queue")
        assert "Такой команды нет" in text_of(last(fake, olga))
    finally:
        await bot.stop()


async def test_strangers_cannot_use_admin_commands(desk: RunningBot, fake: FakeTelegram) -> None:
    stranger = fake.user(6_000_003, language_code="en")
    await say(fake, stranger, "/audit")
    assert "I don't know that command" in text_of(last(fake, stranger))
    await say(fake, stranger, f"/revoke {COUNSELLOR_RU}")
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    await say(fake, olga, "/queue")
    assert "ждёт" in text_of(last(fake, olga)), "the counsellor was not removed"


def test_audit_table_holds_only_the_allowed_fields() -> None:
    from bot.storage.tables import AuditRecord

    assert {c.name for c in AuditRecord.__table__.columns} == {"id", "event", "case_code", "counsellor", "day"}


async def test_audit_refuses_free_text_events(desk: RunningBot) -> None:
    import pytest

    assert desk.app is not None
    with pytest.raises(TypeError):
        await desk.app.services.audit.log("person 6000002 said hello")  # type: ignore[arg-type]


async def test_a_flood_gets_one_polite_answer(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 5, requests_per_hour: 1, new_cases_per_hour: 100}\n"
    bot = RunningBot(fake, make_config(extra_yaml=limits))
    await bot.start()
    try:
        person = fake.user(6_000_004, language_code="en")
        for n in range(30):
            await fake.send_text(person, f"message {n}")
        await fake.wait_idle(timeout=15)
        answers = [text_of(m) for m in visible(fake, person)]
        slow_down = [a for a in answers if "very fast" in a]
        assert len(slow_down) == 1
        assert len(answers) <= 5 + 1, "at most the allowed messages were answered, plus one notice"
    finally:
        await bot.stop()


async def test_counsellor_requests_are_limited(fake: FakeTelegram, make_config: Callable[..., Config]) -> None:
    limits = "limits: {messages_per_minute: 100, requests_per_hour: 1, new_cases_per_hour: 100}\n"
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + limits))
    await bot.start()
    try:
        person = fake.user(6_000_005, language_code="en")
        await ask_for_counsellor(fake, person)
        await say(fake, person, "/end")
        await ask_for_counsellor(fake, person)
        assert "several times in a short while" in text_of(last(fake, person))
    finally:
        await bot.stop()


async def test_oversized_files_are_refused_in_a_conversation(desk: RunningBot, fake: FakeTelegram) -> None:
    olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    person = fake.user(6_000_006, language_code="en")
    await ask_for_counsellor(fake, person)
    await say(fake, olga, "/take")
    await fake.send_media(person, "document", file_size=300 * 1024 * 1024)
    await fake.wait_idle()
    assert "too large to pass on (the limit is 20 MB)" in text_of(last(fake, person))
