"""The identity boundary: the only module that reads who sent an update, or to whom the bot writes.

It turns the Telegram user into a keyed pseudonym and the chat into an opaque Address, recognises
counsellors listed in config.yaml, and hands those to the handlers. Nothing past this point sees a user
id, chat id, name or username; a test reads every other module's source to keep it that way.

On the way out, a request middleware notes which messages the bot sent into a person's chat (ids only),
so that the chat can be cleared later; it too is here because it has to map a chat id to a pseudonym.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import CopyMessage, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, MessageId, TelegramObject, Update, User

from bot.identity.address import Address
from bot.identity.person import Person, pick_language
from bot.services import Services
from handlers.staff import ConfigWatcher

_untracked: contextvars.ContextVar[bool] = contextvars.ContextVar("untracked", default=False)


@contextmanager
def untracked() -> Iterator[None]:
    """Messages sent inside this block are not noted for clean-up: used for the last word after /forget,
    which must not leave a new trace behind."""
    token = _untracked.set(True)
    try:
        yield
    finally:
        _untracked.reset(token)


def serial_key(update: Update) -> int | None:
    """The chat an update comes from, for keeping one chat's updates in order in memory (never stored,
    never logged): messages a person sends in a burst are relayed in the order they sent them."""
    event = update.event
    chat = getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)
    if chat is not None:
        return int(chat.id)
    user = getattr(event, "from_user", None)
    return int(user.id) if user is not None else None


class IdentityBoundary(BaseMiddleware):
    """Outer middleware on every update: Telegram identity in, pseudonymous Person out."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._watcher = ConfigWatcher(services)

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
        bot: Bot = data["bot"]
        await self._watcher.check(bot)
        pseudonym = services.keys.pseudonym("user", user.id)
        renamed = await services.people.adopt(pseudonym, services.keys.previous_pseudonyms("user", user.id))
        if renamed is not None:
            await services.cases.rename_person(renamed, pseudonym)
            await services.chats.rename(renamed, pseudonym)
        state = await services.people.get(pseudonym)
        language = pick_language(
            state.language if state else None, user.language_code, services.languages, services.default_language
        )
        counsellor = services.roster.for_telegram_user(user.id)
        address = Address(chat.id) if chat is not None else None
        data["person"] = Person(
            pseudonym=pseudonym,
            language=language,
            node=state.node if state else None,
            chose_language=bool(state and state.language),
        )
        data["address"] = address
        data["counsellor"] = counsellor
        if counsellor is None and address is not None and isinstance(event, Update) and event.message is not None:
            # The person's own message: noted (its id only) so the bot can delete it from their chat later.
            services.chats.record(pseudonym, address, [event.message.message_id])
        return await handler(event, data)


class OutgoingLedger(BaseRequestMiddleware):
    """Notes the id of every message the bot puts into a person's chat, for "Clear this chat", /forget and
    the scheduled clean-up. Counsellors' chats are not noted here: their copies are in the relay ledger."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        # aiogram passes the method's result through the chain (its annotation says Response).
        result: Any = await make_request(bot, method)
        chat_id = getattr(method, "chat_id", None)
        name = method.__api_method__
        creates = isinstance(method, CopyMessage) or (name.startswith("send") and name != "sendChatAction")
        if creates and isinstance(chat_id, int) and chat_id > 0 and not _untracked.get():
            message_id = result.message_id if isinstance(result, Message | MessageId) else None
            if message_id is not None and self._services.roster.for_telegram_user(chat_id) is None:
                person = self._services.keys.pseudonym("user", chat_id)
                self._services.chats.record(person, Address(chat_id), [message_id])
        return cast("Response[TelegramType]", result)
