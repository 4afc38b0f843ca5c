"""The last line: a handler that failed still gets the person an answer, and the log gets no content."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import ErrorEvent

from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.screens import Notice
from bot.services import Services
from bot.telegram.seen import AlreadyHandled
from handlers.render import show

log = logging.getLogger("hotline.handlers")


async def on_error(event: ErrorEvent, bot: Bot, services: Services, person: Person | None = None,
                   address: Address | None = None) -> bool:
    # Only the exception's type: its message may quote what the person wrote.
    try:
        kind = event.update.event_type
    except LookupError:
        kind = "unknown"
    if isinstance(event.exception, AlreadyHandled):
        log.info("a repeated update was skipped")  # its first handling answered the person
        return True
    if isinstance(event.exception, TelegramRetryAfter):
        # Telegram asked the bot to wait longer than a page may: a tap is told so in its answer
        # (handlers.answers); a message gets the word through the outbox, which waits as asked.
        log.warning("Telegram asked the bot to wait %d s while handling a %s update", event.exception.retry_after,
                    kind)
        if person is not None and address is not None and event.update.callback_query is None:
            text = services.screens.notice_text(person.language, Notice.BUSY)
            try:
                await services.outbox.put(address, "sendMessage", {"text": html.escape(text, quote=False)})
            except Exception as exc:
                log.error("could not queue the busy notice: %s", type(exc).__name__)
        return True
    log.error("handler failed: %s while handling a %s update", type(event.exception).__name__, kind)
    if person is not None and address is not None:
        content = services.content.snapshot
        try:
            await show(bot, address, services.screens.notice(content, person.language, Notice.ERROR), content.version)
        except Exception as exc:
            log.error("could not send the error notice: %s", type(exc).__name__)
    return True


def build() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
