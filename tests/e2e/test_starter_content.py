"""The shipped starter content, walked like a person would: every page in every language renders, and
every button leads somewhere."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import pytest

from bot.config import Config, load_config
from bot.content.store import load_for
from bot.simulator.server import FakeTelegram
from bot.telegram.html import to_plain
from tests.chat import last, say, text_of
from tests.conftest import ROOT, RunningBot

SHIPPED = load_config(ROOT / "config.yaml", environ={})
LANGUAGES = list(SHIPPED.settings.languages)
SNAPSHOT = load_for(SHIPPED).snapshot
assert SNAPSHOT is not None


def test_starter_content_passes_the_strict_check() -> None:
    result = load_for(SHIPPED)
    assert result.snapshot is not None and result.problems == [], [p.render() for p in result.problems]


def test_every_page_has_sources_and_a_checked_date() -> None:
    assert SNAPSHOT is not None
    for node in SNAPSHOT.nodes.values():
        if node.id != SNAPSHOT.root:
            assert node.sources and node.checked, node.id


def test_every_link_is_https_to_a_public_site_without_tracking() -> None:
    assert SNAPSHOT is not None
    hrefs = [url.href for node in SNAPSHOT.nodes.values() for url in node.urls]
    hrefs += [s.url for node in SNAPSHOT.nodes.values() for s in node.sources if s.url]
    for language in LANGUAGES:
        for text in SNAPSHOT.texts[language].values():
            hrefs += re.findall(r'href="([^"]+)"', text.body)
    assert hrefs, "the starter content links to the organisations"
    for href in hrefs:
        parts = urlsplit(href)
        assert parts.scheme == "https" and parts.netloc and not parts.query, href
        assert parts.netloc not in {"bit.ly", "t.co", "tinyurl.com", "goo.gl"}, href


def test_the_content_never_asks_who_someone_is() -> None:
    """The bot must never ask for a name, unit, phone number or location (R23)."""
    assert SNAPSHOT is not None
    asks = re.compile(r"(send|tell|give) us your (name|phone|number|address|unit|location)|"
                      r"(пришлите|сообщите|напишите) (нам )?(ваше |своё )?(имя|телефон|номер части|адрес)|"
                      r"(schick|sende|nenne) (uns )?(deinen|deine) (namen|telefonnummer|einheit|standort)", re.I)
    for language in LANGUAGES:
        for node_id, text in SNAPSHOT.texts[language].items():
            assert not asks.search(to_plain(text.body)), (language, node_id)


@pytest.fixture
async def shipped(fake: FakeTelegram, make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    # The shipped settings, with a test database, and no flood limit: the walk taps faster than any person.
    base = make_config(content=ROOT / "content")
    limits = SHIPPED.settings.limits.model_copy(update={"messages_per_minute": 600})
    settings = SHIPPED.settings.model_copy(update={"storage": base.settings.storage, "limits": limits})
    config = base.model_copy(update={"settings": settings})
    bot = RunningBot(fake, config)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_walk_every_page_in_every_language(shipped: RunningBot, fake: FakeTelegram, language: str) -> None:
    assert SNAPSHOT is not None
    person = fake.user(3_300_000 + LANGUAGES.index(language), language_code=language)
    await say(fake, person, "/start")
    seen: set[str] = set()
    # Breadth-first over the buttons people actually get, from the root.
    queue: list[tuple[str, str | None]] = [(SNAPSHOT.root, None)]
    from bot.menus.callbacks import NavCallback

    while queue:
        node_id, _parent = queue.pop(0)
        if node_id in seen:
            continue
        seen.add(node_id)
        menu = last(fake, person)
        data = NavCallback(node=node_id, v=SNAPSHOT.version[:6]).pack()
        menu.reply_markup = {"inline_keyboard": [[{"text": "go", "callback_data": data}]]}
        await fake.press(person, menu.message_id, data)
        await fake.wait_idle()
        page = last(fake, person)
        text = text_of(page)
        expected = SNAPSHOT.page(node_id, language)
        assert expected.text.title in text, (language, node_id)
        assert "{org_" not in text, "placeholders are filled"
        if node_id != SNAPSHOT.root:
            assert any("💬" in str(b["text"]) for b in page.buttons()), "the counsellor is one tap away"
        for button in page.buttons():
            if "url" in button:
                assert str(button["url"]).startswith("https://")
                continue
            parsed = str(button["callback_data"])
            if parsed.startswith("n:"):
                target = NavCallback.unpack(parsed).node
                assert target in SNAPSHOT, (node_id, target)
                queue.append((target, node_id))
    assert seen == set(SNAPSHOT.nodes), f"pages no button leads to: {set(SNAPSHOT.nodes) - seen}"
