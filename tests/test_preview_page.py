"""The browser preview without a browser: the HTML it lets through, who may drive it, and the command."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config
from bot.simulator.safe_html import message_html
from hotline.preview import COUNSELLOR_ID, TEAM_GROUP_ID, Preview
from tests.conftest import ALWAYS_OPEN, ROOT

HOTLINE = str(Path(sys.executable).parent / "hotline")
ALLOWED = {"b", "i", "u", "s", "code", "pre", "blockquote", "span", "a"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_in(safe: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(safe)
    parser.close()
    return parser.tags


def assert_harmless(safe: str) -> None:
    for tag, attrs in tags_in(safe):
        assert tag in ALLOWED, safe
        assert set(attrs) <= {"href", "target", "rel", "class"}, safe
        href = attrs.get("href")
        assert href is None or href.startswith(("https://", "http://", "mailto:")), safe


def test_telegram_formatting_is_rebuilt_and_text_escaped() -> None:
    assert message_html("<b>bold</b> &amp; <i>it</i>", "HTML") == "<b>bold</b> &amp; <i>it</i>"
    assert message_html("<strong>a</strong><em>b</em><del>c</del>", "HTML") == "<b>a</b><i>b</i><s>c</s>"
    assert message_html("<b onclick=\"alert(1)\">x</b>", "HTML") == "<b>x</b>", "attributes are never copied"
    assert message_html("&lt;img src=x onerror=alert(1)&gt;", "HTML") == "&lt;img src=x onerror=alert(1)&gt;"
    assert message_html('<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">x</a>', "HTML") == (
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;" target="_blank" rel="noopener noreferrer">x</a>')
    assert message_html('<a href="tg://resolve?domain=x">x</a>', "HTML") == '<span class="link">x</span>'
    assert message_html('<span class="tg-spoiler">s</span>', "HTML") == '<span class="spoiler">s</span>'
    quote = message_html("<blockquote expandable>q</blockquote>", "HTML")
    assert quote == '<blockquote class="expandable">q</blockquote>'


def test_what_telegram_would_refuse_is_shown_as_text() -> None:
    assert message_html('<a href="javascript:alert(1)">x</a>', "HTML") == "x"
    assert message_html("<script>alert(1)</script>", "HTML") == "alert(1)"
    assert message_html("<img src=x onerror=alert(1)>", "HTML") == ""
    assert message_html("a < b", "HTML") == "a &lt; b"


def test_plain_messages_are_escaped_whole() -> None:
    assert message_html("<b>typed by a person</b>", None) == "&lt;b&gt;typed by a person&lt;/b&gt;"
    assert message_html('"quotes" & <tags>', "") == "&quot;quotes&quot; &amp; &lt;tags&gt;"
    assert message_html(None, "HTML") == ""


@given(st.text(alphabet=st.sampled_from(list("<>/=\"' &;#abisuhrefjavscriptonl:1x-")), max_size=60))
def test_no_input_gets_markup_past_it(text: str) -> None:
    assert_harmless(message_html(text, "HTML"))
    assert tags_in(message_html(text, None)) == []


@pytest.fixture
async def preview(make_config: Callable[..., Config]) -> AsyncIterator[Preview]:
    running = Preview(make_config(), language="de")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_only_the_page_itself_can_drive_the_preview(preview: Preview) -> None:
    assert preview.page is not None
    url = preview.page.url
    assert url.startswith("http://127.0.0.1:")
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as page:
            assert page.status == 200
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        async with http.get(url, headers={"Host": "attacker.example:80"}) as rebound:
            assert rebound.status == 421
        async with http.post(url + "api/send", data={"side": "person", "text": "hi"}) as form:
            assert form.status == 415, "a plain form post from another site is refused"
        async with http.post(url + "api/jump", json={"node": "nope"}) as unknown:
            assert unknown.status == 400 and "no page 'nope'" in (await unknown.json())["error"]
        async with http.get(url + "api/state") as first:
            state = await first.json()
        async with http.get(url + "api/state", params={"tag": state["tag"]}) as again:
            assert (await again.json()).get("unchanged") is True


async def test_the_preview_has_one_pretend_counsellor_and_keeps_nothing(preview: Preview) -> None:
    assert preview.app is not None
    settings = preview.app.services.config.settings
    assert [c.telegram_id for c in settings.counsellors] == [COUNSELLOR_ID]
    assert settings.counsellors[0].languages[0] == "de", "prompts in the preview's language"
    assert set(settings.counsellors[0].languages) == set(settings.languages)
    scratch = preview.app.services.config.data_dir
    assert scratch != preview.config.data_dir and scratch.exists()
    await preview.stop()
    assert not scratch.exists()


async def test_hotline_preview_prints_its_address_and_stops_on_ctrl_c() -> None:
    process = await asyncio.create_subprocess_exec(
        HOTLINE, "preview", "--config", str(ROOT / "config.yaml"), "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        assert "Preview running: open http://127.0.0.1:" in line
        url = line.split("open ", 1)[1].split()[0]
        async with aiohttp.ClientSession() as http, http.get(url) as page:
            assert page.status == 200 and "What a person sees" in await page.text()
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()


async def _tap(preview: Preview, label: str) -> None:
    """The person taps the newest button whose label holds ``label``."""
    assert preview.page is not None
    person = preview.page.person
    message = next(m for m in reversed(preview.fake.chat(person.id))
                   if m.from_bot and any(label in b["text"] for b in m.buttons()))
    data = next(str(b["callback_data"]) for b in message.buttons() if label in b["text"])
    await preview.fake.press(person, message.message_id, data)
    await preview.fake.wait_idle(timeout=30)


async def test_team_mode_shows_the_counsellors_group_one_topic_at_a_time(make_config: Callable[..., Config]) -> None:
    preview = Preview(make_config(extra_yaml=ALWAYS_OPEN), language="en", team=True)
    await preview.start()
    try:
        page, fake = preview.page, preview.fake
        assert page is not None and preview.app is not None
        assert preview.app.services.config.settings.team.group_id == TEAM_GROUP_ID
        await fake.wait_idle(timeout=30)
        board = page.state()["counsellor"]["team"]
        assert [t["pinned"] for t in board["topics"]] == [True]  # the status topic with its pinned board
        assert board["topic"] == board["topics"][0]["id"]

        await _tap(preview, "💬")
        await _tap(preview, "✅")
        await fake.send_text(page.person, "I got a summons")
        await fake.wait_idle(timeout=30)
        team = page.state()["counsellor"]["team"]
        case = next(t for t in team["topics"] if not t["pinned"])
        assert team["topic"] == case["id"], "a new case's topic is shown as it opens"
        assert " · en · " in case["name"] and team["topic_name"] == case["name"]

        await page._send({"side": "counsellor", "text": "/take"})
        await fake.wait_idle(timeout=30)
        await page._send({"side": "counsellor", "text": "Hello from the team"})
        await page._send({"side": "counsellor", "text": "# looks urgent"})
        await fake.wait_idle(timeout=30)
        shown = page.state()["counsellor"]["messages"]
        assert shown[0]["service"] == f"Topic «{case['name']}» created"
        marker = shown[1]
        assert marker["from_bot"] and marker["internal"], "the bot's internal marker is marked"
        by_text = {m["html"]: m for m in shown if not m["service"]}
        assert by_text["I got a summons"]["from_bot"] and not by_text["I got a summons"]["internal"]
        assert by_text["I got a summons"]["reply_to"] is None, "the implicit reply to the opening is not shown"
        assert not by_text["Hello from the team"]["internal"] and by_text["# looks urgent"]["internal"]
        told = [m.raw.get("text", "") for m in fake.chat(page.person.id)]
        assert any("Hello from the team" in text for text in told)
        assert not any("looks urgent" in text for text in told)

        async with aiohttp.ClientSession() as http:
            async with http.post(page.url + "api/topic", json={"topic": 424242}) as unknown:
                assert unknown.status == 400
            async with http.post(page.url + "api/topic", json={"topic": 0}) as general:
                assert general.status == 200
        assert page.state()["counsellor"]["team"]["topic_name"] == "General"
    finally:
        await preview.stop()


async def test_without_team_mode_the_counsellor_phone_is_a_private_chat(preview: Preview) -> None:
    assert preview.page is not None
    assert "team" not in preview.page.state()["counsellor"]
    async with aiohttp.ClientSession() as http, http.post(preview.page.url + "api/topic", json={"topic": 0}) as refused:
        assert refused.status == 400 and "not in team mode" in (await refused.json())["error"]


def test_hotline_preview_team_flag_defaults_to_the_config() -> None:
    from hotline.cli import _parser

    def team(*flags: str) -> bool | None:
        value: bool | None = _parser().parse_args(["preview", *flags]).team
        return value

    assert team() is None, "without the flag the preview follows config.yaml's team.enabled"
    assert team("--team") is True and team("--no-team") is False
