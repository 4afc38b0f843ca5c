"""The person's control over what is left behind: clear the chat now, or have everything forgotten."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.handoff import engine
from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.callbacks import ClearChatCallback, ForgetCallback
from bot.services import Services
from handlers.identity import untracked
from handlers.render import send, show
from handlers.staff import delete_now

log = logging.getLogger("hotline.privacy")


async def _clear(bot: Bot, services: Services, person: Person) -> int:
    """Delete everything in the person's chat that Telegram still allows; returns how many."""
    chat = await services.chats.of(person.pseudonym)
    if chat is None:
        return 0
    deleted = await delete_now(bot, chat.address, chat.message_ids)
    await services.chats.cleared(person.pseudonym, chat.message_ids)
    return deleted


async def clear_chat(callback: CallbackQuery, bot: Bot, services: Services, person: Person,
                     callback_answer: CallbackAnswer) -> None:
    _ = services.catalogs[person.language].gettext
    callback_answer.text = _("Chat cleared.")  # handlers.answers says it once the chat is cleared
    await _clear(bot, services, person)


async def forget_command(message: Message, bot: Bot, services: Services, person: Person,
                         address: Address) -> None:
    content = services.content.snapshot
    await show(bot, address, services.privacy.forget_confirm(person.language, content.root), content.version)


async def forget_button(callback: CallbackQuery, callback_data: ForgetCallback, bot: Bot, services: Services,
                        person: Person, address: Address) -> None:
    content = services.content.snapshot
    if not callback_data.confirmed:
        replace = callback.message if isinstance(callback.message, Message) else None
        await show(bot, address, services.privacy.forget_confirm(person.language, content.root), content.version,
                   replace=replace)
        return
    await forget(bot, services, person, address)


async def forget(bot: Bot, services: Services, person: Person, address: Address) -> None:
    """Erase the person: cases, ledger, menu state, their case codes in the audit log; clear the chat; tell
    the counsellor nothing but that the request was withdrawn. Limits are kept."""
    await engine.forget(services, person.pseudonym)
    deleted = await _clear(bot, services, person)
    await services.outbox.forget_chat(address)
    await services.chats.forget(person.pseudonym)
    await services.people.forget(person.pseudonym)
    await services.audit.unlink_gone_cases()
    # The person's limits stay (in memory, keyed by the pseudonym, they say nothing): else /forget would
    # reset them, and one account could loop its way through everyone's share of the counsellors.
    with untracked():  # the last word must not leave a new trace in the ledger
        await send(bot, address, services.privacy.forgotten(person.language, deleted))
    await services.database.checkpoint()
    log.info("a person was forgotten")


def build() -> Router:
    router = Router(name="privacy")
    router.message.register(forget_command, Command("forget"))
    router.callback_query.register(clear_chat, ClearChatCallback.filter())
    router.callback_query.register(forget_button, ForgetCallback.filter())
    return router
