"""A person walks the menus over real HTTP: the hotline's polling loop against the fake Bot API."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.simulator.server import FakeTelegram
from bot.telegram.html import visible_length
from tests.chat import labels, last, say, tap, text_of, visible
from tests.conftest import RunningBot

BACK = {"en": "Back", "ru": "Назад", "de": "Zurück"}
MAIN = {"en": "Main menu", "ru": "Главное меню", "de": "Hauptmenü"}
SUMMONS = {"en": "I got a summons", "ru": "Мне пришла повестка", "de": "Ich habe eine Einberufung"}
WHAT = {"en": "What it means", "ru": "Что это значит", "de": "Was sie bedeutet"}


@pytest.mark.parametrize("language", ["ru", "en", "de"])
async def test_start_shows_the_root_in_the_telegram_language(running: RunningBot, fake: FakeTelegram,
                                                             language: str) -> None:
    user = fake.user(500 + len(language), language_code=language)
    await say(fake, user, "/start")
    menu = last(fake, user)
    assert f"{language.upper()}-ROOT-BODY" in text_of(menu)
    assert "Test Hotline" in text_of(menu), "the {org_name} placeholder is filled from config.yaml"
    assert SUMMONS[language] in labels(menu)
    assert menu.protect_content


async def test_unsupported_telegram_language_gets_the_configured_default(running: RunningBot,
                                                                        fake: FakeTelegram) -> None:
    user = fake.user(601, language_code="pt-BR")
    await say(fake, user, "/start")
    assert "RU-ROOT-BODY" in text_of(last(fake, user))


@pytest.mark.parametrize("language", ["ru", "en", "de"])
async def test_moving_between_pages_edits_one_message_in_place(running: RunningBot, fake: FakeTelegram,
                                                              language: str) -> None:
    user = fake.user(700 + len(language) * 3 + ord(language[0]), language_code=language)
    await say(fake, user, "/start")
    menu_id = last(fake, user).message_id

    await tap(fake, user, SUMMONS[language])
    assert f"{language.upper()}-SUMMONS-BODY" in text_of(last(fake, user))
    await tap(fake, user, WHAT[language])
    assert f"{language.upper()}-WHAT-BODY" in text_of(last(fake, user))
    await tap(fake, user, BACK[language])
    assert f"{language.upper()}-SUMMONS-BODY" in text_of(last(fake, user))
    await tap(fake, user, MAIN[language])
    assert f"{language.upper()}-ROOT-BODY" in text_of(last(fake, user))

    assert [m.message_id for m in visible(fake, user)] == [menu_id], "one menu message, edited in place"
    assert sum(1 for c in fake.calls if c.method.lower() == "editmessagetext") == 4
    assert len(running.fake.answered_callbacks) >= 4, "every button press is answered (no spinning clock)"


async def test_every_page_has_back_main_and_counsellor(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(801, language_code="en")
    await say(fake, user, "/start")
    await tap(fake, user, "I got a summons")
    page = labels(last(fake, user))
    assert any("Back" in b for b in page) and any("Main menu" in b for b in page)
    assert any("Talk to a counsellor" in b for b in page)
    assert any(b.startswith("↗") and "Organisations" in b for b in page), "links are shown as buttons"

    await tap(fake, user, "What it means")
    buttons = last(fake, user).buttons()
    url_buttons = [b for b in buttons if "url" in b]
    assert url_buttons == [{"text": "🔗 Read the guide", "url": "https://example.org/guide"}]
    assert "Facts checked: October 15, 2026" in text_of(last(fake, user))
    assert "Information, not legal advice." in text_of(last(fake, user))


async def test_prominent_counsellor_button_comes_first(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(802, language_code="en")
    await say(fake, user, "/start")
    await tap(fake, user, "Asylum")
    assert "Talk to a counsellor" in labels(last(fake, user))[0]


async def test_counsellor_button_explains_before_anything_happens(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(803, language_code="de")
    await say(fake, user, "/start")
    await tap(fake, user, "Ich habe eine Einberufung")
    await tap(fake, user, "Beratung")
    message = last(fake, user)
    assert "Bitte schick nicht deinen echten Namen" in text_of(message)
    assert "Telegram selbst kann diesen Chat sehen" in text_of(message)
    await tap(fake, user, "Zurück")
    assert "DE-SUMMONS-BODY" in text_of(last(fake, user)), "Back returns to the page the request came from"


async def test_missing_translation_falls_back_with_a_visible_line(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(804, language_code="de")
    await say(fake, user, "/start")
    await tap(fake, user, "Asylum")  # no German text: the English title and body stand in
    text = text_of(last(fake, user))
    assert "EN-ASYLUM-BODY" in text
    assert "noch nicht auf Deutsch übersetzt" in text


async def test_long_body_is_split_into_valid_parts(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(805, language_code="en")
    await say(fake, user, "/start")
    await tap(fake, user, "I got a summons")
    await tap(fake, user, "A very long page")
    messages = visible(fake, user)
    assert len(messages) >= 2, "a body over 4096 characters arrives in several messages"
    assert all(visible_length(m.text or "") <= 4096 for m in messages)
    assert "EN-LONG-BODY-START" in text_of(messages[0]) and "EN-LONG-BODY-END" in text_of(messages[-1])
    assert messages[-1].buttons(), "the buttons come under the last part"
    await tap(fake, user, "Back")
    assert "EN-SUMMONS-BODY" in text_of(last(fake, user))


@pytest.mark.parametrize(("start", "target", "word"), [("en", "de", "Zurück"), ("de", "ru", "Назад"),
                                                       ("ru", "en", "Back")])
async def test_language_switch_keeps_the_person_on_the_same_page(running: RunningBot, fake: FakeTelegram,
                                                                 start: str, target: str, word: str) -> None:
    user = fake.user(900 + ord(start[0]) + ord(target[0]), language_code=start)
    await say(fake, user, "/start")
    await tap(fake, user, SUMMONS[start])
    await say(fake, user, "/language")
    names = labels(last(fake, user))
    assert names == ["Русский" if start != "ru" else "✅ Русский",
                     "English" if start != "en" else "✅ English",
                     "Deutsch" if start != "de" else "✅ Deutsch"]
    await tap(fake, user, {"ru": "Русский", "en": "English", "de": "Deutsch"}[target])
    assert f"{target.upper()}-SUMMONS-BODY" in text_of(last(fake, user))
    assert any(word in b for b in labels(last(fake, user)))

    await say(fake, user, "/start")
    assert f"{target.upper()}-ROOT-BODY" in text_of(last(fake, user)), "the choice is remembered"


async def test_help_in_each_language(running: RunningBot, fake: FakeTelegram) -> None:
    for number, (language, phrase) in enumerate([("en", "How this bot works"), ("ru", "Как работает"),
                                                 ("de", "So funktioniert")]):
        user = fake.user(950 + number, language_code=language)
        await say(fake, user, "/help")
        assert phrase in text_of(last(fake, user))


async def test_commands_are_announced_in_every_language(running: RunningBot, fake: FakeTelegram) -> None:
    assert [c["command"] for c in fake.commands()] == ["start", "language", "help"]
    assert fake.commands(language_code="ru")[0]["description"] == "Главное меню"
    assert fake.commands(language_code="de")[0]["description"] == "Hauptmenü"


async def test_menu_taps_of_a_known_person_make_no_database_round_trip(running: RunningBot,
                                                                       fake: FakeTelegram) -> None:
    """The hot path: once the person is in memory, taps and a command are answered with no statement on the
    database while the update is handled; their claims, page, ledger rows and counts follow in a batch."""
    app = running.app
    assert app is not None
    user = fake.user(7_301, language_code="en")
    await say(fake, user, "/start")  # the first contact may read the person's row
    handled: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if asyncio.current_task() not in app._chores:  # the batch writer, the outbox sender, housekeeping
            handled.append(statement.split()[0])

    engine = app.services.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    written = app.services.behind.batches_written
    try:
        await tap(fake, user, SUMMONS["en"])
        await tap(fake, user, WHAT["en"])
        await tap(fake, user, BACK["en"])
        await say(fake, user, "/help")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert handled == [], "no statement while handling the updates"
    assert app.services.behind.batches_written > written and app.services.behind.pending == 0
    async with app.services.database.engine.connect() as connection:
        claims = (await connection.execute(text("SELECT count(*) FROM processed_updates"))).scalar_one()
        node = (await connection.execute(text("SELECT node FROM people"))).scalar_one()
        ledger = (await connection.execute(text("SELECT count(*) FROM chat_messages"))).scalar_one()
    assert claims == 5 and node == "summons"
    assert ledger >= 4, "/start and /help with their answers are noted for clean-up"
