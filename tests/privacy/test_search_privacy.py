"""What a person types into the search is used for one ranking and dropped: it never reaches the database
files, the logs or a button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Config
from bot.content.loader import load_content
from bot.search import SearchIndex, stemming
from bot.simulator.server import FakeTelegram
from tests.chat import labels, last, say, tap
from tests.conftest import RunningBot
from tests.privacy.scanner import database_files, needles, scan, scan_files

pytestmark = pytest.mark.both_backends

SHIPPED = Path(__file__).resolve().parents[2] / "content"
CANARY_QUERY = "электронная повестка CANARY77a1"
CANARY_WORDS = ["CANARY77a1", "canary77a1", "77a1"]


async def test_a_search_leaves_no_trace_of_what_was_typed(fake: FakeTelegram, make_config: Callable[..., Config],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bot = RunningBot(fake, make_config(content=SHIPPED))
    await bot.start()
    try:
        user = fake.user(7_013_370_077, language_code="ru")
        await say(fake, user, CANARY_QUERY)
        assert labels(last(fake, user)), "it was searched and answered"
        await tap(fake, user, "повестка")  # choose a result: counted, by node id only
        await say(fake, user, "gjdtcnrf CANARY77a1 " + "x" * 300)  # too long: not searched
        await say(fake, user, "CANARY77a1")  # nothing found
    finally:
        await bot.stop()  # closes the database, checkpointing the WAL into the file

    files = await database_files(bot.config.database_url, bot.config.data_dir)
    assert files
    wanted = needles(strings=[CANARY_QUERY, *CANARY_WORDS, "повестка"])
    assert scan_files(files, wanted) == {}

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert logged, "logging was captured"
    assert any("search answered" in r.getMessage() for r in caplog.records), "the search did log (an event)"
    assert scan(logged.encode(), needles(strings=[*CANARY_WORDS, "повестка"])) == []

    # Nor does it go back to Telegram inside a button: callback data carry node ids only.
    data = [str(button.get("callback_data", "")) for call in fake.calls
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for button in row]
    assert data and not [d for d in data if "77a1" in d.lower() or "canary" in d.lower() or "повест" in d]


def test_the_words_of_a_question_are_not_remembered_after_it_is_answered() -> None:
    # The word functions remember what they work out for the content's words only; what they work out for a
    # question's own words is dropped once it is answered, so the process's memory does not collect what people
    # type (a server seized while running would otherwise hold the words of weeks of questions).
    snapshot = load_content(SHIPPED, languages=["ru", "uk", "en", "de"], fallback_language="en").snapshot
    assert snapshot is not None
    index = SearchIndex(snapshot)
    typed = {"ru": "сыроежкин повестка zzcanary", "uk": "сироїжкін повістка", "en": "canarybird summons",
             "de": "Kanarienvogelzüchter Einberufung"}
    # ... and as a question about this chat or asking where to look, each read twice (bot/search/query.py).
    asking = {"ru": "вы не сдадите меня? сыроежкин zzcanary", "uk": "з чого почати, я з сироїжкіна",
              "en": "canarybird here, is this a trap?", "de": "wo fange ich an, Kanarienvogelzüchter"}
    # ... and with a "не" glued to a word, or Russian small words in Latin letters (index.py: _unglued, is_stop).
    glued = {"ru": "несыроежкин нехочу zzcanary", "uk": "нехочу сироїжкін", "en": "canarybird zachem nikomu",
             "de": "Kanarienvogelzüchter pozhaluysta"}
    for language, question in [*typed.items(), *asking.items(), *glued.items()]:
        index.search(question, language)
        index.words(question, language)
    remembered = {word for function in (stemming.stem, stemming._read, stemming.places)
                  for word, _language in function.memory}
    assert not remembered & {"сыроежкин", "zzcanary", "сироїжкін", "сироїжкіна", "canarybird", "kanarienvogelzuchter",
                             "kanarienvogelzüchter", "несыроежкин", "нехочу", "zachem", "nikomu",
                             "pozhaluysta"}
    assert {"повестка", "summons", "einberufung"} <= remembered, "the content's words are remembered"
    # The numbers the index gives terms, to find a question's words side by side in a page, are the content's terms'
    # only (a word of a question is read as terms the pages have, or as none).
    two_words = {"ru": "сыроежкин штраф за неявку", "uk": "сироїжкін штраф за неявку",
                 "en": "canarybird fine for not reporting", "de": "Kanarienvogel Strafe Einberufung"}
    for language, question in two_words.items():
        index.search(question, language)
    numbered = {language: set(built._term_ids) for language, built in index._built.indexes.items()}
    assert all(numbered.values()), "the words beside each other are looked for side by side"
    assert all(terms <= set(index._built.indexes[language]._postings) for language, terms in numbered.items())
    # Nor does PyStemmer's own cache of recent words keep them: it is off.
    assert all(stemming._snowball(algorithm).maxCacheSize == 0 for algorithm in ("russian", "english", "german"))


def test_a_number_typed_is_not_remembered_after_it_is_answered() -> None:
    # A sum typed without its separator is read in groups where a page writes it so (bot/search/index.py). What is
    # worked out for that is kept per page, never per number typed: a unit's, a phone's or a case's number a person
    # typed would otherwise stay in the running process.
    snapshot = load_content(SHIPPED, languages=["ru", "uk", "en", "de"], fallback_language="en").snapshot
    assert snapshot is not None
    index = SearchIndex(snapshot)
    for language in ("ru", "uk", "en", "de"):
        index.search("штраф 25500, в/ч 17364, 17500", language)
    tables = [value for language in ("ru", "uk", "en", "de") for value in vars(index._built.indexes[language]).values()
              if isinstance(value, dict)]
    keys = {key for table in tables for key in table}
    assert any("'25500'" in repr(table) for table in tables), "what the pages write in groups is kept"
    for typed in ("17364", ("17", "364"), "17500", ("17", "500")):
        assert typed not in keys, typed
    assert not [key for key in keys if isinstance(key, str) and ("17364" in key or "17500" in key)]
