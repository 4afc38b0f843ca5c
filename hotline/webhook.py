"""The webhook's HTTP side: the secret check, a deadline for reading a request, and a health check that says
nothing but that the bot is up."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from aiohttp.typedefs import Middleware

log = logging.getLogger("hotline.webhook")

READ_TIMEOUT = 10.0
"""Seconds a request to the webhook may take to arrive whole; a half-sent one is answered 408 and closed.
Telegram sends an update in one piece, so only a stalled or hostile client waits this long. The same
deadline bounds a connection's headers and its idle time between requests (see `runner`)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_matches(given: str, secret: str) -> bool:
    """Compares bytes: aiohttp hands over header bytes it could not read as UTF-8 as surrogates; those are
    kept, and never match."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode())


class SecretCheckedHandler(SimpleRequestHandler):
    """aiogram's webhook handler with a secret check that compares bytes: aiogram's compares str, which
    raises (an answer of 500) on a header with non-ASCII characters. Such a header is simply wrong: 401. A body
    that is not JSON is answered 400 rather than 500."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        return not self.secret_token or secret_matches(telegram_secret_token, self.secret_token)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            return await super().handle(request)
        except ValueError:  # json.JSONDecodeError and UnicodeDecodeError: not an update at all
            log.warning("webhook: a request that is not JSON was refused")
            return web.Response(status=400, text="Bad Request")

    __call__ = handle


def read_deadline(seconds: float) -> Middleware:
    """aiohttp middleware: the whole body must arrive within ``seconds``, else 408 and the connection closes
    (aiohttp itself waits for a half-sent body as long as the client keeps the connection open)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists:
            try:
                async with asyncio.timeout(seconds):
                    await request.read()  # kept by aiohttp for the handler's request.json()
            except TimeoutError:
                log.warning("webhook: a request did not arrive whole within %g s and was dropped", seconds)
                return web.Response(status=408, text="Request Timeout", headers={"Connection": "close"})
        return await handler(request)

    return middleware


def runner(app: web.Application, *, read_timeout: float = READ_TIMEOUT) -> web.AppRunner:
    """The aiohttp runner for the webhook app. aiohttp has no deadline for a request's headers: a client that
    sends half a header line and stops keeps its connection (and a file descriptor) for an hour. Its keep-alive
    timer is the one clock that runs from the moment a connection opens, so it is set to ``read_timeout``
    seconds: headers must arrive within that, and an idle connection is closed after it. Telegram opens a new
    connection when it needs one; no access log, which would hold addresses."""
    return web.AppRunner(app, access_log=None, keepalive_timeout=read_timeout)


async def health(_request: web.Request) -> web.Response:
    """GET /healthz: that the bot is up, and nothing else (not the outbox, not the content version)."""
    return web.json_response({"ok": True})
