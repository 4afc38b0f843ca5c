"""The identity boundary: the only module that reads who sent an update.

It turns the Telegram user into a keyed pseudonym and the chat into an opaque Address, recognises
counsellors listed in config.yaml, and hands those to the handlers. Nothing past this point sees a user
id, chat id, name or username; a test reads every other module's source to keep it that way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.address import Address
from bot.person import Person, pick_language
from bot.services import Services


class IdentityBoundary(BaseMiddleware):
    """Outer middleware on every update: Telegram identity in, pseudonymous Person out."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or user.is_bot:
            return None  # channel posts, polls and the like: no person to answer
        if chat is not None and chat.type != "private":
            return None  # the hotline works in private chats only; a group would show everyone everything
        services = self._services
        pseudonym = services.keys.pseudonym("user", user.id)
        state = await services.people.get(pseudonym)
        language = pick_language(
            state.language if state else None, user.language_code, services.languages, services.default_language
        )
        data["person"] = Person(
            pseudonym=pseudonym,
            language=language,
            node=state.node if state else None,
            chose_language=bool(state and state.language),
        )
        data["address"] = Address(chat.id) if chat is not None else None
        data["counsellor"] = services.roster.for_telegram_user(user.id)
        return await handler(event, data)
