"""Publishing content without a restart: good content replaces the old, bad content is refused with the
reasons, and people in the middle of the menus stay where they were, or on the nearest surviving parent."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.content.loader import LoadResult
from bot.content.model import ContentSnapshot
from bot.search import SearchIndex
from bot.simulator.server import FakeTelegram
from hotline.app import Hotline
from tests.chat import last, say, tap, text_of
from tests.conftest import FIXTURE_CONTENT, RunningBot

ADMIN = 9_300_000_001


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "live-content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
async def live(fake: FakeTelegram, make_config: Callable[..., Config], content: Path) -> AsyncIterator[RunningBot]:
    bot = RunningBot(fake, make_config(content=content, extra_yaml=f"admins: [{ADMIN}]\n"))
    await bot.start()
    yield bot
    await bot.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_reload_publishes_new_text_without_a_restart(live: RunningBot, fake: FakeTelegram,
                                                           content: Path) -> None:
    admin = fake.user(ADMIN, language_code="en")
    person = fake.user(8_000_001, language_code="en")
    await say(fake, person, "/start")
    await tap(fake, person, "I got a summons")
    edit(content / "en" / "nodes.yml", "EN-SUMMONS-BODY.", "EN-SUMMONS-BODY-V2.")
    await say(fake, admin, "/reload")
    assert "content reloaded" in text_of(last(fake, admin))
    await tap(fake, person, "What it means")
    await tap(fake, person, "Back")
    assert "EN-SUMMONS-BODY-V2" in text_of(last(fake, person)), "same menu message, new content"


async def test_a_reload_builds_the_search_index_while_the_bot_answers_others(
        live: RunningBot, fake: FakeTelegram, content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing content rebuilds the search index: most of a second for the shipped content, seconds for a large
    tree. It was built on the event loop, so every person's update waited for it. Now it is built in a thread and
    put in place in the same step as the new content: a question typed meanwhile is answered at once, from the old
    content with the old index, and the index is built once, for the new content."""
    assert live.app is not None
    services = live.app.services
    real_build = SearchIndex._build
    building = asyncio.Event()
    loop = asyncio.get_running_loop()
    builds: list[str] = []

    def slow_build(snapshot: ContentSnapshot) -> object:
        builds.append(snapshot.version)
        loop.call_soon_threadsafe(building.set)
        time.sleep(1.0)  # a large tree
        return real_build(snapshot)

    monkeypatch.setattr(SearchIndex, "_build", staticmethod(slow_build))
    old_version = services.content.snapshot.version
    edit(content / "en" / "nodes.yml", "EN-SUMMONS-BODY.", "EN-SUMMONS-BODY-V2.")
    reload = asyncio.create_task(live.app.reload_content())
    await asyncio.wait_for(building.wait(), timeout=10)
    person = fake.user(8_000_009, language_code="en")
    started = loop.time()
    await say(fake, person, "what happens if I ignore a summons")
    assert loop.time() - started < 0.9, "the question waited for the index to be built"
    assert services.content.snapshot.version == old_version and services.search.version == old_version
    result = await reload
    assert result.snapshot is not None and not reload.cancelled()
    new_version = services.content.snapshot.version
    assert new_version != old_version and services.search.version == new_version
    await say(fake, person, "what happens if I ignore a summons")
    assert builds == [new_version], "one build, of the new content"


async def test_reloads_asked_at_once_publish_the_newest_files(
        live: RunningBot, fake: FakeTelegram, content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher, /reload and SIGHUP may ask at once. A reload whose build took longer published after a later
    one that had read newer files: the bot served the older content, and the watcher, holding the newer files'
    fingerprint, never loaded them again. Reloads now run one after the other."""
    assert live.app is not None
    services = live.app.services
    real_build = SearchIndex._build
    first = asyncio.Event()
    loop = asyncio.get_running_loop()

    def build(snapshot: ContentSnapshot) -> object:
        if not first.is_set():
            loop.call_soon_threadsafe(first.set)
            time.sleep(1.0)
        return real_build(snapshot)

    monkeypatch.setattr(SearchIndex, "_build", staticmethod(build))
    edit(content / "en" / "nodes.yml", "EN-SUMMONS-BODY.", "EN-SUMMONS-BODY-V2.")
    older = asyncio.create_task(live.app.reload_content())
    await asyncio.wait_for(first.wait(), timeout=10)
    edit(content / "en" / "nodes.yml", "EN-SUMMONS-BODY-V2.", "EN-SUMMONS-BODY-V3.")
    newer = asyncio.create_task(live.app.reload_content())
    await asyncio.gather(older, newer)
    assert "EN-SUMMONS-BODY-V3" in services.content.snapshot.page("summons", "en").text.body
    assert services.search.version == services.content.snapshot.version


async def test_broken_content_is_refused_and_the_old_keeps_serving(live: RunningBot, fake: FakeTelegram,
                                                                   content: Path) -> None:
    admin = fake.user(ADMIN, language_code="en")
    person = fake.user(8_000_002, language_code="en")
    await say(fake, person, "/start")
    await tap(fake, person, "I got a summons")
    edit(content / "en" / "nodes.yml", "EN-SUMMONS-BODY.", "EN-SUMMONS-BODY-BROKEN <div>")
    edit(content / "tree.yml", "links: [contacts]", "links: [contact]")
    await say(fake, admin, "/reload")
    answer = text_of(last(fake, admin))
    assert "NOT reloaded" in answer and "old content keeps serving" in answer
    assert "tree.yml:8: error: node 'summons' links to 'contact', which does not exist" in answer
    assert "nodes.yml:" in answer and "div" in answer
    await tap(fake, person, "What it means")
    await tap(fake, person, "Back")
    assert "EN-SUMMONS-BODY." in text_of(last(fake, person))
    assert "BROKEN" not in text_of(last(fake, person))


async def test_people_on_removed_pages_land_on_the_nearest_surviving_parent(live: RunningBot, fake: FakeTelegram,
                                                                           content: Path) -> None:
    on_parent = fake.user(8_000_003, language_code="en")
    on_removed = fake.user(8_000_004, language_code="en")
    await say(fake, on_parent, "/start")
    await tap(fake, on_parent, "I got a summons")
    await say(fake, on_removed, "/start")
    await tap(fake, on_removed, "I got a summons")
    await tap(fake, on_removed, "What it means")

    edit(content / "tree.yml", "children: [summons_what, summons_long]", "children: [summons_long]")
    for language in ("en", "ru", "de"):
        path = content / language / "nodes.yml"
        text = path.read_text(encoding="utf-8")
        start = text.index("summons_what:")
        end = text.index("summons_long:")
        path.write_text(text[:start] + text[end:], encoding="utf-8")
    edit(content / "tree.yml", "  summons_what:\n    urls:\n      - {id: guide, href: \"https://example.org/guide\"}\n"
         "    sources:\n      - {title: \"Test source\"}\n    checked: 2026-10-15\n", "")
    assert live.app is not None
    result = await live.app.reload_content()
    assert result.snapshot is not None, [p.render() for p in result.errors]

    await tap(fake, on_parent, "What it means")  # a button to a page that is gone
    answer = text_of(last(fake, on_parent))
    assert "has been updated" in answer and "EN-SUMMONS-BODY" in answer

    await say(fake, on_removed, "/language")
    await tap(fake, on_removed, "Deutsch")
    assert "DE-SUMMONS-BODY" in text_of(last(fake, on_removed)), "their page is gone: the parent, in German"


async def test_watching_the_content_folder(fake: FakeTelegram, make_config: Callable[..., Config],
                                           content: Path) -> None:
    bot = RunningBot(fake, make_config(content=content, extra_yaml="").model_copy())
    settings = bot.config.settings.model_copy(update={"content": bot.config.settings.content.model_copy(
        update={"watch": True})})
    bot.config = bot.config.model_copy(update={"settings": settings})
    await bot.start()
    try:
        person = fake.user(8_000_005, language_code="en")
        edit(content / "en" / "nodes.yml", "EN-ROOT-BODY.", "EN-ROOT-BODY-WATCHED.")
        assert bot.app is not None
        await fake.wait_for(lambda: "WATCHED" in bot.app.services.content.snapshot.page(  # type: ignore[union-attr]
            "start", "en").text.body, timeout=10)
        await say(fake, person, "/start")
        assert "EN-ROOT-BODY-WATCHED" in text_of(last(fake, person))
    finally:
        await bot.stop()


async def test_an_edit_saved_while_the_bot_starts_is_loaded(fake: FakeTelegram, make_config: Callable[..., Config],
                                                            content: Path) -> None:
    """The watcher once took its first look at the folder only once it was running: a file saved between
    the start-up load and that look was taken for what was loaded, and never served (CI saw it)."""
    config = make_config(content=content, extra_yaml="")
    settings = config.settings.model_copy(update={"content": config.settings.content.model_copy(
        update={"watch": True})})
    bot = RunningBot(fake, config.model_copy(update={"settings": settings}))
    real_create = Hotline.create

    async def create_then_edit(*args: Any, **kwargs: Any) -> Hotline:
        app = await real_create(*args, **kwargs)
        edit(content / "en" / "nodes.yml", "EN-ROOT-BODY.", "EN-ROOT-BODY-WATCHED.")
        return app

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Hotline, "create", create_then_edit)
        await bot.start()
    try:
        assert bot.app is not None
        app = bot.app
        await fake.wait_for(lambda: "WATCHED" in app.services.content.snapshot.page("start", "en").text.body,
                            timeout=10)
    finally:
        await bot.stop()


async def test_a_file_that_crashed_the_checker_is_refused_and_the_watcher_keeps_watching(
        fake: FakeTelegram, make_config: Callable[..., Config], content: Path) -> None:
    """`checked: 2026-02-30` once ended the checker in a traceback: /reload said "something went wrong" and the
    watcher died for good. Now /reload names the line, the old content keeps serving, and the watcher loads
    the next correct edit."""
    config = make_config(content=content, extra_yaml=f"admins: [{ADMIN}]\n")
    settings = config.settings.model_copy(update={"content": config.settings.content.model_copy(
        update={"watch": True})})
    bot = RunningBot(fake, config.model_copy(update={"settings": settings}))
    await bot.start()
    try:
        assert bot.app is not None
        services = bot.app.services
        reloads: list[bool] = []
        real_reload = services.content.reload

        async def counted(config: Config) -> LoadResult:
            reloads.append(True)
            return await real_reload(config)

        services.content.reload = counted  # type: ignore[method-assign]
        admin = fake.user(ADMIN, language_code="en")
        person = fake.user(8_000_007, language_code="en")
        tree = content / "tree.yml"
        edit(tree, "checked: 2026-10-15", "checked: 2026-02-30")
        edit(content / "en" / "nodes.yml", "EN-ROOT-BODY.", "EN-ROOT-BODY-BAD-DATE.")
        await fake.wait_for(lambda: len(reloads) >= 1, timeout=10)  # the watcher saw the broken edit

        await say(fake, admin, "/reload")
        answer = text_of(last(fake, admin))
        assert "NOT reloaded" in answer and "old content keeps serving" in answer
        assert "tree.yml:17: error: 'nodes.summons_what.checked' is not a real date: '2026-02-30'" in answer
        await say(fake, person, "/start")
        assert "EN-ROOT-BODY." in text_of(last(fake, person)) and "BAD-DATE" not in text_of(last(fake, person))

        edit(tree, "checked: 2026-02-30", "checked: 2026-10-15")
        await fake.wait_for(lambda: "BAD-DATE" in services.content.snapshot.page("start", "en").text.body,
                            timeout=10)
        await say(fake, person, "/start")
        assert "EN-ROOT-BODY-BAD-DATE" in text_of(last(fake, person))
    finally:
        await bot.stop()


async def test_non_admins_cannot_reload(live: RunningBot, fake: FakeTelegram) -> None:
    stranger = fake.user(8_000_006, language_code="en")
    await say(fake, stranger, "/reload")
    assert "I don't know that command" in text_of(last(fake, stranger))
    await asyncio.sleep(0)
