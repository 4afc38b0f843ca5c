"""Everything the menus cannot use gets a clear answer in the person's language, never silence.

Included last, so it only sees what no other router took.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineQuery, Message

from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.screens import Notice
from bot.privacy.audit import Event
from bot.services import Services
from handlers.render import show

# Messages that say where someone is or who they know: never kept, never relayed.
WHERE_AND_WHO = {ContentType.LOCATION, ContentType.VENUE, ContentType.CONTACT}


async def _notice(bot: Bot, services: Services, person: Person, address: Address, notice: Notice,
                  replace: Message | None = None) -> None:
    content = services.content.snapshot
    node = services.content.locate(person.node)
    screen = services.screens.notice(content, person.language, notice, node)
    await show(bot, address, screen, content.version, replace=replace)


async def location_or_contact(message: Message, bot: Bot, services: Services, person: Person,
                              address: Address) -> None:
    # It must not linger in a chat that may be read at a border.
    try:
        await message.delete()
    except TelegramBadRequest:
        pass
    await _notice(bot, services, person, address, Notice.LOCATION)


# Commands that exist for counsellors and admins only: from anyone else they look unknown, and are audited.
STAFF_COMMANDS = frozenset({"on", "off", "queue", "take", "cases", "note", "send", "release", "close", "block",
                            "audit", "revoke", "reload", "stats"})


async def unknown_command(message: Message, bot: Bot, services: Services, person: Person,
                          address: Address) -> None:
    word = (message.text or "/").split(maxsplit=1)[0][1:].split("@")[0].lower()
    if word in STAFF_COMMANDS:
        await services.audit.log(Event.ACCESS_DENIED)
    await _notice(bot, services, person, address, Notice.UNKNOWN_COMMAND)


async def media(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    await _notice(bot, services, person, address, Notice.MEDIA)


async def edited(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    await _notice(bot, services, person, address, Notice.EDITED)


async def unknown_button(callback: CallbackQuery, bot: Bot, services: Services, person: Person,
                         address: Address) -> None:
    content = services.content.snapshot
    screen = services.screens.notice(content, person.language, Notice.UNKNOWN_BUTTON, content.root)
    await show(bot, address, screen, content.version, replace=callback.message)


async def inline_query(query: InlineQuery) -> None:
    # The bot is not meant for inline use (it would show in other chats); answer with nothing.
    await query.answer([], cache_time=3600, is_personal=True)


def build() -> Router:
    router = Router(name="fallback")
    router.message.register(location_or_contact, F.content_type.in_(WHERE_AND_WHO))
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(media)
    router.edited_message.register(edited)
    router.callback_query.register(unknown_button)
    router.inline_query.register(inline_query)
    return router
