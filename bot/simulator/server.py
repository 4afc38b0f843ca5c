"""A fake Telegram Bot API server for the demo, the browser preview, the tests and the benchmarks.

It speaks the Bot API wire protocol on 127.0.0.1, so the bot runs unchanged
with aiogram's real ``AiohttpSession`` pointed at it, and nothing ever reaches
Telegram. It keeps private chats with increasing message ids, answers with
Telegram's own error texts (so aiogram raises its usual exceptions), checks HTML
like Telegram, and lets a test play the person on the other side. It also keeps
supergroups with their members, the bot's rights and forum topics (groups.py),
and lets a test play the members who post there.

Updates reach the bot by long polling (getUpdates) or, once the bot sets a webhook
on a loopback address, pushed to it like Telegram does. On request it enforces
Telegram-like flood limits (429 with retry_after) and drops connections, for the
delivery tests and benchmarks.

It logs nothing, not even request lines: helpline messages must not end up in
logs, and the request path carries the bot token.
"""

from __future__ import annotations

from aiohttp import web

from bot.simulator.driver import TestDriver
from bot.simulator.state import (
    ADMIN_RIGHTS,
    DEFAULT_TOKEN,
    DROPPED,
    FORUM_TOPIC_COLORS,
    GENERAL_TOPIC_ID,
    IDLE_QUIET_SECONDS,
    LOOPBACK_HOSTS,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    MAX_TOPIC_NAME,
    WEBHOOK_SECRET_HEADER,
    ApiCall,
    FakeUser,
    FloodLimits,
    Params,
    SimMessage,
)
from bot.simulator.transport import serve_on

__all__ = [
    "ADMIN_RIGHTS", "DEFAULT_TOKEN", "DROPPED", "FORUM_TOPIC_COLORS", "GENERAL_TOPIC_ID", "IDLE_QUIET_SECONDS",
    "LOOPBACK_HOSTS", "MAX_CALLBACK_DATA", "MAX_CAPTION", "MAX_TEXT", "MAX_TOPIC_NAME", "WEBHOOK_SECRET_HEADER",
    "ApiCall", "FakeTelegram", "FakeUser", "FloodLimits", "Params", "SimMessage", "serve_on",
]


class FakeTelegram(TestDriver):
    """The fake Bot API plus the people who talk to the bot through it."""

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port``; port 0 picks a free one (see :attr:`base_url`)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: a long poll whose client hung up must not look like a waiting bot.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        self._closing = False
        bound = await serve_on(self._runner, host, port)
        self.base_url = f"http://{host}:{bound}" if ":" not in host else f"http://[{host}]:{bound}"

    async def stop(self) -> None:
        """Answer pending long polls, stop pushing to a webhook and close the server."""
        self._closing = True
        self._wake_poller(True)
        await self._stop_pushing()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

