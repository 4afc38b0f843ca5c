"""Each update is handled once: a repeated update number is recognised and skipped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.telegram.seen import ProcessedUpdates

log = logging.getLogger("hotline.dedup")


class OnceOnly(BaseMiddleware):
    def __init__(self, processed: ProcessedUpdates) -> None:
        self._processed = processed

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        # Claimed before handling: a crash mid-update drops that one update rather than repeating a relay.
        if isinstance(event, Update) and not await self._processed.claim(event.update_id):
            log.info("a repeated update was skipped")
            return None
        return await handler(event, data)
