"""A person types instead of tapping: the real bot answers with pages from the shipped content, over the
fake Telegram. Texts in a counsellor conversation are relayed, never searched."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path

import pytest

from bot.config import Config
from bot.content.loader import load_content
from bot.simulator.server import FakeTelegram
from tests.chat import labels, last, say, tap, text_of, visible
from tests.conftest import COUNSELLOR_RU, RunningBot, counsellors_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content"


@pytest.fixture
async def searching(fake: FakeTelegram, make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """The bot on the shipped content, with counsellors."""
    bot = RunningBot(fake, make_config(content=SHIPPED, extra_yaml=counsellors_yaml()))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def counts(bot: RunningBot) -> dict[tuple[str, str], int]:
    """Today's search counts, once the batched statistics are written."""
    assert bot.app is not None
    await bot.app.services.stats.flush()
    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        rows = connection.execute("SELECT name, key, count FROM daily_counters WHERE day = ? AND name LIKE 'search%'",
                                  (date.today().isoformat(),)).fetchall()
    return {(name, key): count for name, key, count in rows}


async def test_a_typed_question_gets_pages_and_a_counsellor(searching: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(90_001, language_code="ru")
    await say(fake, user, "пришла электронная павестка что делать")
    answer = last(fake, user)
    buttons = labels(answer)
    assert "Электронная повестка" in buttons[0]
    assert any("💬" in b for b in buttons) and any("🏠" in b for b in buttons)
    pages = [b for b in buttons if b.startswith("📄")]
    assert 1 <= len(pages) <= 3 and buttons[:len(pages)] == pages, "three pages at most, first"
    assert len(buttons) == len(pages) + 3, "then the counsellor, the main menu and the quick exit"
    await tap(fake, user, "Электронная повестка")
    page = text_of(last(fake, user))
    assert "Россия: электронная повестка" in page
    assert len(visible(fake, user)) == 1, "the results message turned into the page"


async def test_a_question_no_page_answers_offers_the_nearest_section(searching: RunningBot,
                                                                     fake: FakeTelegram) -> None:
    user = fake.user(90_010, language_code="en")
    await say(fake, user, "can the commander read my letters")
    answer = last(fake, user)
    assert text_of(answer).startswith("I found no page")
    buttons = labels(answer)
    assert buttons[0].startswith("📂") and any("💬" in b for b in buttons) and any("🏠" in b for b in buttons)
    await tap(fake, user, "📂")
    assert "Russia" in text_of(last(fake, user)), "the section's menu"


async def test_english_and_german_readers(searching: RunningBot, fake: FakeTelegram) -> None:
    en = fake.user(90_002, language_code="en")
    await say(fake, en, "bamf rejected my asylum what now")
    assert any("Decision and appeal" in b for b in labels(last(fake, en)))
    de = fake.user(90_003, language_code="de")
    await say(fake, de, "Einberufung Russland Asyl")
    assert any("Russland" in b or "Einberufung" in b for b in labels(last(fake, de)))


async def test_layout_and_latin_letters(searching: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(90_004, language_code="ru")
    await say(fake, user, "fkmnthyfnbdyfz cke;,f")  # "альтернативная служба" on a Latin layout
    assert any("альтернативная служба" in b for b in labels(last(fake, user)))
    await say(fake, user, "idite lesom")
    assert any("Идите лесом" in b for b in labels(last(fake, user)))


async def test_words_from_another_language_say_which(searching: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(90_005, language_code="en")
    await say(fake, user, "альтернативная служба")
    answer = last(fake, user)
    assert "another language: Russian" in text_of(answer)
    assert any("alternative" in b.lower() for b in labels(answer)), "buttons in the reader's language"


@pytest.mark.parametrize(("text", "phrase"), [
    ("😭😭", "I can only search words"),
    ("?", "I can only search words"),
    ("ab", "too short"),
    ("hello", "Hello."),
    ("menu", "main menu is one tap away"),
    ("I need to talk to a human", "talk to a person"),
    ("my story " * 40, "too long for a search"),
    ("qwzx vbnm", "I found no page"),
])
async def test_texts_that_are_not_questions_get_a_clear_answer(searching: RunningBot, fake: FakeTelegram,
                                                              text: str, phrase: str) -> None:
    user = fake.user(90_100 + len(text) % 50 + len(phrase), language_code="en")
    await say(fake, user, text)
    answer = last(fake, user)
    assert phrase in text_of(answer)
    assert any("💬" in b for b in labels(answer)) and any("🏠" in b for b in labels(answer))


async def test_commands_are_not_searched(searching: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(90_006, language_code="en")
    await say(fake, user, "/asylum")
    assert "don't know that command" in text_of(last(fake, user))


async def test_only_anonymous_daily_counts_are_kept(searching: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(90_007, language_code="ru")
    await say(fake, user, "электронная повестка")
    await say(fake, user, "qwzx vbnm")
    await say(fake, user, "привет")  # not a search
    await say(fake, user, "электронная повестка")
    await tap(fake, user, "Электронная повестка")
    assert await counts(searching) == {("search", "ru"): 3, ("search_empty", "ru"): 1,
                                 ("search_pick", "ru_e_summons"): 1}
    with sqlite3.connect(searching.config.data_dir / "hotline.sqlite") as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(daily_counters)")]
    assert columns == ["day", "name", "key", "count"], "no column for a person or a text"


async def test_texts_in_a_conversation_are_relayed_not_searched(searching: RunningBot, fake: FakeTelegram) -> None:
    counsellor = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
    person = fake.user(90_008, language_code="ru")
    await say(fake, counsellor, "/on")
    await say(fake, person, "/start")
    await tap(fake, person, "💬")
    await tap(fake, person, "✅")
    await say(fake, counsellor, "/take")
    await say(fake, person, "электронная повестка")
    assert not any("Электронная повестка" in b for b in labels(last(fake, person)))
    assert ("search", "ru") not in await counts(searching)


async def test_the_search_follows_a_content_reload(searching: RunningBot, fake: FakeTelegram,
                                                   tmp_path: Path) -> None:
    changed = tmp_path / "content"
    _copy(SHIPPED, changed)
    texts = changed / "en" / "06_contacts.yml"
    # The page's keywords become one word no page had (the line replaced if the page has keywords already).
    texts.write_text(re.sub(r'(get_lost:\n  title: "Get Lost \(Idite Lesom\)"\n)(  keywords: .*\n)?',
                            r'\1  keywords: ["zqxebra"]\n', texts.read_text(encoding="utf-8")), encoding="utf-8")
    user = fake.user(90_009, language_code="en")
    await say(fake, user, "zqxebra")
    assert "I found no page" in text_of(last(fake, user))
    result = load_content(changed, languages=["ru", "en", "de"], fallback_language="en")
    assert result.snapshot is not None and searching.app is not None
    searching.app.services.content.replace(result.snapshot)  # what a reload does
    await say(fake, user, "zqxebra")
    assert any("Get Lost" in b for b in labels(last(fake, user)))


def _copy(source: Path, target: Path) -> None:
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
