"""Flood control: a person sending faster than any human gets one polite answer, then silence until they
slow down. Counsellors are not limited here (their volume is their work)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject

from bot.identity.address import Address
from bot.identity.person import Person
from bot.services import Services
from handlers.render import send

log = logging.getLogger("hotline.flood")


class FloodControl(BaseMiddleware):
    def __init__(self, services: Services) -> None:
        self._services = services
        self._pruned = time.monotonic()

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        person: Person | None = data.get("person")
        if person is None or data.get("counsellor") is not None:
            return await handler(event, data)
        buckets = self._services.limits.messages
        if time.monotonic() - self._pruned > 60:  # full buckets say nothing: drop them, memory stays flat
            self._pruned = time.monotonic()
            buckets.prune()
            self._services.limits.requests.prune()
        if buckets.allow(person.pseudonym):
            return await handler(event, data)
        address: Address | None = data.get("address")
        bot: Bot = data["bot"]
        if buckets.first_refusal(person.pseudonym) and address is not None:
            log.info("flood: a person was asked to slow down")
            await send(bot, address, self._services.privacy.rate_limited(person.language))
        return None
