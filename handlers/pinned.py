"""Keeps aiogram's parametrised response models alive.

aiogram checks each answer with `Response[<the method's return type>]`. pydantic caches parametrised
generic models only weakly, so between two requests the class can be garbage-collected and is then built
again, at about 10 ms a time: profiling showed it was most of the bot's CPU per update. Holding one strong
reference per return type keeps pydantic's cache warm.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

_PINNED: dict[Any, Any] = {}


class PinResponseModels(BaseRequestMiddleware):
    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
