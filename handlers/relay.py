"""Carrying messages between a person and a counsellor, and telling each side what happened.

Relaying is by copyMessage or re-sending, never forwardMessage: a forward carries a "Forwarded from" header
that can name the person. What reaches a counsellor is the message and its case code, nothing else.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup, Message

from bot.address import Address
from bot.cases import WAITING, Case, now_utc
from bot.roster import Counsellor
from bot.screens import Screen
from bot.services import Services
from handlers.render import keyboard, send

log = logging.getLogger("hotline.relay")

RELAYED_KINDS = frozenset({
    ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VOICE, ContentType.VIDEO,
    ContentType.AUDIO, ContentType.VIDEO_NOTE, ContentType.STICKER, ContentType.ANIMATION,
})
CAPTIONED_KINDS = frozenset({ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VOICE, ContentType.VIDEO,
                             ContentType.AUDIO, ContentType.ANIMATION})
# Where someone is or who they know: never carried to the other side.
NEVER_RELAYED = frozenset({ContentType.LOCATION, ContentType.VENUE, ContentType.CONTACT})
CAPTION_LIMIT = 1024


def case_markup(services: Services, case: Case) -> InlineKeyboardMarkup | None:
    """The button under every relayed message: which case it is, and a tap switches to it."""
    return keyboard(Screen(("",), ((services.desk.case_button(case),),)), "")


async def tell(bot: Bot, address: Address, screen: Screen, services: Services) -> int | None:
    """Send a screen to someone who did not just write (the other side); failures are logged, not raised."""
    try:
        return await send(bot, address, screen, services.content.snapshot.version)
    except TelegramAPIError as exc:
        log.warning("could not deliver a notice: %s", type(exc).__name__)
        return None


async def copy_to_counsellor(bot: Bot, services: Services, case: Case, counsellor: Counsellor,
                             person: Address, message_id: int) -> int | None:
    try:
        copied = await bot.copy_message(chat_id=counsellor.address.for_delivery(),
                                        from_chat_id=person.for_delivery(), message_id=message_id,
                                        reply_markup=case_markup(services, case))
    except TelegramBadRequest:
        return None  # the person deleted it before anyone saw it: their choice
    except TelegramAPIError as exc:
        log.warning("could not copy a message to a counsellor: %s", type(exc).__name__)
        return None
    return copied.message_id


async def deliver_pending(bot: Bot, services: Services, case: Case, counsellor: Counsellor) -> int:
    """Show a counsellor who just took a case everything the person wrote so far, in order."""
    person = await services.cases.address_of(case)
    count = 0
    for relay in await services.cases.pending(case.id):
        assert relay.person_message_id is not None
        copy_id = await copy_to_counsellor(bot, services, case, counsellor, person, relay.person_message_id)
        await services.cases.delivered(relay.id, counsellor.key, copy_id)
        count += copy_id is not None
    return count


async def from_person(bot: Bot, services: Services, case: Case, person: Address, message: Message) -> None:
    """A person's message: to the counsellor holding the case, or kept (as an id only) until one takes it."""
    counsellor = services.roster.by_key(case.counsellor) if case.counsellor else None
    if counsellor is None:
        await services.cases.record(case.id, from_person=True, person_message_id=message.message_id)
        return
    copy_id = await copy_to_counsellor(bot, services, case, counsellor, person, message.message_id)
    await services.cases.record(case.id, from_person=True, person_message_id=message.message_id,
                                counsellor=counsellor.key, counsellor_message_id=copy_id)


def _signed(signature: str, html_text: str) -> str:
    return f"<b>{signature}</b>\n{html_text}" if html_text else f"<b>{signature}</b>"


async def from_counsellor(bot: Bot, services: Services, case: Case, counsellor: Counsellor,
                          message: Message) -> bool:
    """A counsellor's message to the person, signed only as "Counsellor" (or their alias)."""
    person = await services.cases.address_of(case)
    signature = services.handoff.signature(case.language, counsellor.alias)
    chat_id = person.for_delivery()
    try:
        if message.content_type == ContentType.TEXT:
            sent = await bot.send_message(chat_id=chat_id, text=_signed(signature, message.html_text))
            new_id = sent.message_id
        else:
            caption = None
            if message.content_type in CAPTIONED_KINDS:
                signed = _signed(signature, message.html_text if message.caption else "")
                caption = signed if len(signed) <= CAPTION_LIMIT else None
            copied = await bot.copy_message(chat_id=chat_id, from_chat_id=counsellor.address.for_delivery(),
                                            message_id=message.message_id, caption=caption)
            new_id = copied.message_id
    except TelegramForbiddenError:
        await person_left(bot, services, case)
        return False
    await services.cases.record(case.id, from_person=False, person_message_id=new_id, counsellor=counsellor.key,
                                counsellor_message_id=message.message_id)
    return True


async def mirror_edit(bot: Bot, target: Address, message_id: int, message: Message,
                      markup: InlineKeyboardMarkup | None, signature: str | None = None) -> None:
    """Pass an edit on as an edit, where Telegram allows it (text and captions)."""
    text = message.html_text
    if signature is not None:
        text = _signed(signature, text)
    try:
        if message.content_type == ContentType.TEXT:
            await bot.edit_message_text(chat_id=target.for_delivery(), message_id=message_id, text=text,
                                        reply_markup=markup)
        elif message.caption is not None:
            await bot.edit_message_caption(chat_id=target.for_delivery(), message_id=message_id, caption=text,
                                           reply_markup=markup)
    except TelegramAPIError as exc:
        log.info("an edit could not be passed on: %s", type(exc).__name__)


async def person_left(bot: Bot, services: Services, case: Case) -> None:
    """The person blocked the bot or deleted the chat: close the case and tell the counsellor, no details."""
    closed = await services.cases.close(case.id)
    if closed is None:
        return
    counsellor = services.roster.by_key(case.counsellor) if case.counsellor else None
    if counsellor is not None:
        await tell(bot, counsellor.address, services.desk.case_event(counsellor.ui_language, case, "left"),
                   services)
    if case.status == WAITING:
        await tell_positions(bot, services, case.language)


async def announce(bot: Bot, services: Services, case: Case) -> None:
    """Tell on-duty counsellors who speak the case's language: code, language and topic only; throttled."""
    interval = services.config.settings.handoff.notify_interval_seconds
    on_duty = await services.cases.on_duty()
    content = services.content.snapshot
    for counsellor in services.roster:
        if counsellor.key not in on_duty or case.language not in counsellor.languages:
            continue
        if len(await services.cases.held_by(counsellor.key)) >= counsellor.max_cases:
            continue
        if await services.cases.may_notify(counsellor.key, timedelta(seconds=interval)):
            await tell(bot, counsellor.address, services.desk.new_case(counsellor.ui_language, content, case),
                       services)


async def tell_positions(bot: Bot, services: Services, language: str) -> None:
    """Tell waiting people when their place improved noticeably (into the top three, or by five)."""
    for case in await services.cases.waiting([language]):
        position = await services.cases.position(case)
        told = case.told_position
        if told is None or position >= told or not (position <= 3 or told - position >= 5):
            continue
        address = await services.cases.address_of(case)
        await tell(bot, address, services.handoff.moved_up(case.language, position), services)
        await services.cases.set_told_position(case.id, position)


async def wait_estimate(services: Services, language: str, position: int) -> tuple[int | None, datetime | None]:
    """(minutes, opening time): a rough wait if someone is on duty, else when working hours start."""
    on_duty = await services.cases.on_duty()
    online = [c for c in services.roster if c.key in on_duty and language in c.languages]
    now = now_utc()
    if not online:
        hours = services.hours
        return None, (None if hours.is_open(now) else hours.next_opening(now))
    minutes = services.config.settings.handoff.minutes_per_case
    return math.ceil(position * minutes / len(online)), None

