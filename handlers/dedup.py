"""Each update is handled once: a repeated update number is recognised and skipped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.telegram.seen import AlreadyHandled, ProcessedUpdates

log = logging.getLogger("hotline.dedup")


class OnceOnly(BaseMiddleware):
    """Skips an update whose number was handled already (in memory, no database round trip for recent
    numbers); the claim is made durable with the update's effects (see bot.telegram.seen)."""

    def __init__(self, processed: ProcessedUpdates) -> None:
        self._processed = processed

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        if await self._processed.seen(event.update_id):
            log.info("a repeated update was skipped")
            return None
        with self._processed.handling(event.update_id):
            try:
                return await handler(event, data)
            except AlreadyHandled:
                # Another process wrote this number down with its effects: this one's transaction changed nothing.
                log.info("a repeated update was skipped")
                return None
