"""What `hotline run` defers while it starts comes back once the bot is up: collections, the search index."""

from __future__ import annotations

import gc

import pytest

from bot.config import Config
from bot.search import SearchIndex
from bot.simulator.server import FakeTelegram
from tests.chat import last, say, text_of
from tests.conftest import RunningBot


async def test_collections_are_on_again_and_the_search_index_is_built_once_the_bot_is_up(
        fake: FakeTelegram, config: Config) -> None:
    gc.disable()  # as `hotline run` does while it starts
    bot = RunningBot(fake, config, search_built=False)
    try:
        app = await bot.start()
        assert gc.isenabled(), "the startup hook turns collections back on"
        assert not app.services.search.ready or app.services.search.version == app.services.content.snapshot.version
        await fake.wait_for(lambda: app.services.search.ready, timeout=30)  # built in a thread, unasked
    finally:
        gc.enable()
        await bot.stop()


async def test_a_search_before_the_background_build_builds_the_index_itself(
        fake: FakeTelegram, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SearchIndex, "prepare", lambda self: None)  # the background build never comes
    bot = RunningBot(fake, config, search_built=False)
    try:
        app = await bot.start()
        user = fake.user(5_000_001, "Reader", language_code="en")
        await say(fake, user, "/start")
        assert not app.services.search.ready
        await say(fake, user, "asylum")
        assert app.services.search.ready
        assert text_of(last(fake, user)), "the search answered"
    finally:
        await bot.stop()
