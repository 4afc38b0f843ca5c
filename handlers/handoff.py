"""The person's side of a handoff, decoded: each handler calls one use case of bot/handoff/engine.py and
shows what it returns. The workflow (queue, relay, reopen, limits) is in the engine, not here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, TelegramObject

from bot.handoff import engine
from bot.handoff.engine import Incoming, Result
from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.callbacks import (
    CancelRequestCallback,
    ConfirmHandoffCallback,
    CounsellorCallback,
    EndConversationCallback,
    RateCallback,
)
from bot.services import Services
from handlers.render import show


def file_size(message: Message) -> int:
    """The size Telegram reports for the message's file, if it has one."""
    for media in (message.document, message.video, message.audio, message.voice, message.animation,
                  message.video_note, message.sticker):
        if media is not None and media.file_size:
            return int(media.file_size)
    if message.photo:
        return int(message.photo[-1].file_size or 0)
    return 0


def incoming(message: Message) -> Incoming:
    """What the lifecycle needs of a message: ids, kind, the text or caption as HTML."""
    has_text = message.text is not None or message.caption is not None
    return Incoming(
        message_id=message.message_id, kind=ContentType(message.content_type).value,
        html_text=message.html_text if has_text else "", has_caption=message.caption is not None,
        file_size=file_size(message),
        reply_to=message.reply_to_message.message_id if message.reply_to_message is not None else None,
        media_group_id=message.media_group_id,
    )


async def in_conversation(_event: TelegramObject, person: Person | None = None,
                          services: Services | None = None) -> dict[str, Any] | bool:
    """Filter: the person has a waiting or active case."""
    if person is None or services is None:
        return False
    return await services.cases.current(person.pseudonym) is not None


async def _show(bot: Bot, services: Services, address: Address, result: Result,
                replace: Message | None = None) -> None:
    for screen in result.screens:
        await show(bot, address, screen, services.content.snapshot.version, replace=replace)
        replace = None


def _menu(callback: CallbackQuery) -> Message | None:
    return callback.message if isinstance(callback.message, Message) else None


async def ask(callback: CallbackQuery, callback_data: CounsellorCallback, bot: Bot, services: Services,
              person: Person, address: Address) -> None:
    result = await engine.ask(services, person.pseudonym, person.language, callback_data.node)
    await _show(bot, services, address, result, _menu(callback))


async def confirm(callback: CallbackQuery, callback_data: ConfirmHandoffCallback, bot: Bot, services: Services,
                  person: Person, address: Address) -> None:
    result = await engine.confirm(services, person.pseudonym, address, person.language, callback_data.node)
    await _show(bot, services, address, result, _menu(callback))


async def cancel_button(callback: CallbackQuery, bot: Bot, services: Services, person: Person,
                        address: Address) -> None:
    result = await engine.cancel(services, person.pseudonym, person.language)
    await _show(bot, services, address, result, _menu(callback))


async def end_command(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    await _show(bot, services, address, await engine.cancel(services, person.pseudonym, person.language))


async def rate(callback: CallbackQuery, callback_data: RateCallback, bot: Bot, services: Services,
               person: Person, address: Address) -> None:
    result = await engine.rate(services, person.pseudonym, person.language, callback_data.code,
                               callback_data.rating)
    await _show(bot, services, address, result, _menu(callback))


async def message_in_case(message: Message, bot: Bot, services: Services, person: Person,
                          address: Address) -> None:
    result = await engine.write(services, person.pseudonym, person.language, incoming(message))
    if message.content_type in engine.NEVER_RELAYED:
        try:
            await message.delete()
        except TelegramBadRequest:
            pass
    await _show(bot, services, address, result)


async def reopen(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    result = await engine.write(services, person.pseudonym, person.language, incoming(message))
    await _show(bot, services, address, result)


async def edited_in_case(message: Message, services: Services, person: Person) -> None:
    await engine.edit(services, person.pseudonym, incoming(message))


async def reopenable(_event: TelegramObject, person: Person | None = None,
                     services: Services | None = None) -> bool:
    """Filter: the person's last case closed within the reopen window."""
    if person is None or services is None:
        return False
    window = timedelta(hours=services.config.settings.handoff.reopen_window_hours)
    return await services.cases.reopenable(person.pseudonym, window) is not None


async def blocked_the_bot(event: ChatMemberUpdated, services: Services, person: Person) -> None:
    await engine.person_left(services, person=person.pseudonym)


def build() -> Router:
    router = Router(name="handoff")
    router.callback_query.register(ask, CounsellorCallback.filter())
    router.callback_query.register(confirm, ConfirmHandoffCallback.filter())
    router.callback_query.register(cancel_button, CancelRequestCallback.filter())
    router.callback_query.register(cancel_button, EndConversationCallback.filter())
    router.callback_query.register(rate, RateCallback.filter())
    router.message.register(end_command, Command("end", "cancel"), in_conversation)
    router.message.register(message_in_case, in_conversation, ~F.text.startswith("/"))
    router.edited_message.register(edited_in_case, in_conversation)
    router.message.register(reopen, reopenable, ~F.text.startswith("/"),
                            ~F.content_type.in_(engine.NEVER_RELAYED))
    router.my_chat_member.register(blocked_the_bot, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    return router
