"""`hotline webhook`: the same lifecycle as polling (reload on SIGHUP, content.watch, drain), and an HTTP side
that refuses what it must: wrong or odd secrets, half-sent requests, and a health check that tells nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.config import Config, new_secret_key
from bot.simulator.server import FakeTelegram
from hotline import webhook
from tests.chat import last, say, text_of
from tests.conftest import FIXTURE_CONTENT, RunningBot
from tests.e2e.test_cli import HOTLINE, _env
from tests.e2e.transports import WEBHOOK_SECRET, WebhookBot, free_port

PATH = "/telegram"


@pytest.fixture
async def served(running: RunningBot) -> AsyncIterator[str]:
    """The webhook app of a running bot on a free port, with a short read deadline; yields its base URL."""
    assert running.app is not None
    runner = webhook.runner(running.app.webhook_app(WEBHOOK_SECRET, read_timeout=0.5), read_timeout=0.5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def raw_request(address: str, head: bytes, body: bytes = b"") -> bytes:
    """Send bytes as they are (a client library would refuse a non-ASCII header); returns the answer."""
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head + body)
        await writer.drain()
        async with asyncio.timeout(30):
            return await reader.read()
    finally:
        writer.close()


def post_head(secret: bytes, length: int) -> bytes:
    return (b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
            b"Content-Length: " + str(length).encode() + b"\r\nConnection: close\r\n\r\n")


async def test_a_non_ascii_secret_is_refused_with_401(served: str) -> None:
    body = json.dumps({"update_id": 1}).encode()
    answer = await raw_request(served, post_head("секрет-не-тот".encode(), len(body)), body)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:40]


async def test_a_half_sent_request_is_dropped_after_the_read_deadline(served: str) -> None:
    answer = await raw_request(served, post_head(WEBHOOK_SECRET.encode(), 1000), b'{"update_id": ')
    assert answer.startswith(b"HTTP/1.1 408"), answer[:40]


async def test_half_sent_headers_are_dropped_after_the_read_deadline(served: str) -> None:
    """A client that opens a connection and sends part of a header line, then nothing, is cut off: it must not
    hold a connection for as long as it likes (aiohttp's own default is an hour)."""
    host, port = served.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Telegram-Bot-Api-Sec")
        await writer.drain()
        async with asyncio.timeout(30):  # far above the 0.5 s deadline; the old code held it for an hour
            assert await reader.read() == b"", "the server closes the connection without an answer"
    finally:
        writer.close()


async def test_an_idle_connection_is_closed_after_the_read_deadline(served: str) -> None:
    host, port = served.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        async with asyncio.timeout(30):
            assert await reader.read() == b""
    finally:
        writer.close()


async def test_a_body_that_is_not_json_is_refused_with_400(served: str) -> None:
    answer = await raw_request(served, post_head(WEBHOOK_SECRET.encode(), 9), b"not json!")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:40]


async def test_healthz_says_only_that_the_bot_is_up(served: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"http://{served}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


async def test_webhook_mode_watches_the_content_and_drains_on_stop(
    fake: FakeTelegram, make_config: Callable[..., Config], tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    config = make_config(content=content)
    settings = config.settings.model_copy(update={"content": config.settings.content.model_copy(
        update={"watch": True})})
    bot = WebhookBot(fake, config.model_copy(update={"settings": settings}))
    app = await bot.start()
    try:
        assert fake.commands(), "startup ran: the command menus were announced"
        person = fake.user(7_500_001, language_code="en")
        edit(content / "en" / "nodes.yml", "EN-ROOT-BODY.", "EN-ROOT-BODY-WATCHED.")
        await fake.wait_for(lambda: "WATCHED" in app.services.content.snapshot.page("start", "en").text.body,
                            timeout=30)
        await say(fake, person, "/start")
        assert "EN-ROOT-BODY-WATCHED" in text_of(last(fake, person))
    finally:
        await bot.stop()
    assert "content reloaded" in caplog.text
    assert "stopped: 0 update(s) unfinished" in caplog.text, "shutdown drained, as in polling"


async def test_hotline_webhook_reloads_the_content_on_sighup(fake: FakeTelegram, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    config = tmp_path / "config.yaml"
    config.write_text(f"languages: [ru, en, de]\ncontent: {{dir: '{content}'}}\nstorage: {{data_dir: '{tmp_path}'}}\n"
                      f"webhook: {{host: 127.0.0.1, port: {free_port()}, path: /tg}}\n")
    process = await asyncio.create_subprocess_exec(
        HOTLINE, "webhook", "--config", str(config),
        env=_env(HOTLINE_BOT_TOKEN=fake.token, HOTLINE_SECRET_KEY=new_secret_key(), HOTLINE_API_SERVER=fake.base_url,
                 HOTLINE_WEBHOOK_SECRET=WEBHOOK_SECRET),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: fake.is_pushing, timeout=120)
        user = fake.user(7_500_002, language_code="en")
        edit(content / "en" / "nodes.yml", "EN-ROOT-BODY.", "EN-ROOT-BODY-SIGHUP.")
        process.send_signal(signal.SIGHUP)
        for _attempt in range(50):
            answered = len([m for m in fake.chat(user.id) if m.from_bot])
            await fake.send_text(user, "/start")
            await fake.wait_for(lambda: len([m for m in fake.chat(user.id) if m.from_bot]) > answered,  # noqa: B023
                                timeout=30)
            if "SIGHUP" in text_of(last(fake, user)):
                break
            await asyncio.sleep(0.1)
        assert "EN-ROOT-BODY-SIGHUP" in text_of(last(fake, user))
        assert process.returncode is None, "SIGHUP did not stop the webhook"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert "content reloaded" in err.decode()
