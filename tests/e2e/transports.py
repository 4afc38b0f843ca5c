"""The real bot on either transport against the fake Telegram: long polling, or a webhook the fake pushes to."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Config
from bot.simulator.server import FakeTelegram
from hotline.app import Hotline
from tests.conftest import RunningBot

WEBHOOK_SECRET = "a-webhook-secret-for-the-tests"
TRANSPORTS = ["polling", "webhook"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebhookBot(RunningBot):
    """The real Hotline serving a webhook on a free port of this machine; the fake pushes updates to it."""

    def __init__(self, fake: FakeTelegram, config: Config) -> None:
        settings = config.settings.model_copy(update={"webhook": config.settings.webhook.model_copy(
            update={"host": "127.0.0.1", "port": free_port(), "path": "/telegram"})})
        super().__init__(fake, config.model_copy(update={"settings": settings}))
        self._stop = asyncio.Event()

    async def start(self) -> Hotline:
        self.app = await Hotline.create(self.config, keys=self.keys, token=self.fake.token)
        app = self.app
        self.fake.bot_busy = lambda: app.busy
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(app.run_webhook(WEBHOOK_SECRET, self._stop, handle_signals=False))
        await self.fake.wait_for(lambda: self.fake.is_pushing, timeout=20)
        return app

    async def stop(self) -> None:
        if self.app is None or self._task is None:
            return
        self._stop.set()
        await self._task
        await self.app.close()
        self.app, self._task = None, None

    @property
    def url(self) -> str:
        webhook = self.config.settings.webhook
        return f"http://{webhook.host}:{webhook.port}"


def on_transport(transport: str, fake: FakeTelegram, config: Config) -> RunningBot:
    return WebhookBot(fake, config) if transport == "webhook" else RunningBot(fake, config)


@pytest.fixture(params=TRANSPORTS)
async def either(request: pytest.FixtureRequest, fake: FakeTelegram,
                 make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """The bot with the test content, once polling and once on a webhook."""
    bot = on_transport(str(request.param), fake, make_config())
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
