"""Carrying messages between a person and a counsellor, and telling each side what happened.

Relaying is by copyMessage or re-sending, never forwardMessage: a forward carries a "Forwarded from" header
that can name the person. What reaches a counsellor is the message and its case code, nothing else.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.enums import ContentType
from aiogram.types import InlineKeyboardMarkup, Message

from bot.address import Address
from bot.handoff.cases import WAITING, Case, now_utc
from bot.roster import Counsellor
from bot.screens import Screen
from bot.services import Services
from handlers.render import keyboard

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


def to_person(case: Case) -> dict[str, Any]:
    """Marks an outgoing message as going to the person of a case: a 403 then closes the case."""
    return {"case_id": case.id, "to_person": True}


def _markup_json(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return markup.model_dump(mode="json", exclude_none=True) if markup is not None else None


async def tell(bot: Bot, address: Address, screen: Screen, services: Services,
               after: dict[str, Any] | None = None) -> None:
    """Send a screen to someone who did not just write (the other side), through the outbox."""
    markup = _markup_json(keyboard(screen, services.content.snapshot.version))
    for part in screen.parts[:-1]:
        await services.outbox.put(address, "sendMessage", {"text": part}, after)
    await services.outbox.put(address, "sendMessage", {"text": screen.parts[-1], "reply_markup": markup}, after)


async def copy_to_counsellor(services: Services, case: Case, counsellor: Counsellor, person: Address,
                             message_id: int, after: dict[str, Any]) -> None:
    await services.outbox.put(counsellor.address, "copyMessage", {
        "from_chat_id": person.for_delivery(), "message_id": message_id,
        "reply_markup": _markup_json(case_markup(services, case)),
    }, after)


async def deliver_pending(bot: Bot, services: Services, case: Case, counsellor: Counsellor) -> int:
    """Show a counsellor who just took a case everything the person wrote so far, in order."""
    person = await services.cases.address_of(case)
    pending = await services.cases.pending(case.id)
    for relay in pending:
        assert relay.person_message_id is not None
        await copy_to_counsellor(services, case, counsellor, person, relay.person_message_id,
                                 {"delivered": {"relay_id": relay.id, "counsellor": counsellor.key}})
    return len(pending)


async def from_person(bot: Bot, services: Services, case: Case, person: Address, message: Message) -> None:
    """A person's message: to the counsellor holding the case, or kept (as an id only) until one takes it."""
    counsellor = services.roster.by_key(case.counsellor) if case.counsellor else None
    if counsellor is None:
        await services.cases.record(case.id, from_person=True, person_message_id=message.message_id)
        return
    await copy_to_counsellor(services, case, counsellor, person, message.message_id, {"relay": {
        "case_id": case.id, "from_person": True, "person_message_id": message.message_id,
        "counsellor": counsellor.key}})


def _signed(signature: str, html_text: str) -> str:
    return f"<b>{signature}</b>\n{html_text}" if html_text else f"<b>{signature}</b>"


async def from_counsellor(bot: Bot, services: Services, case: Case, counsellor: Counsellor,
                          message: Message) -> bool:
    """A counsellor's message to the person, signed only as "Counsellor" (or their alias)."""
    person = await services.cases.address_of(case)
    signature = services.handoff.signature(case.language, counsellor.alias)
    after = {"relay": {"case_id": case.id, "from_person": False, "counsellor": counsellor.key,
                       "counsellor_message_id": message.message_id}, "case_id": case.id, "to_person": True}
    if message.content_type == ContentType.TEXT:
        await services.outbox.put(person, "sendMessage", {"text": _signed(signature, message.html_text)}, after)
        return True
    params: dict[str, Any] = {"from_chat_id": counsellor.address.for_delivery(), "message_id": message.message_id}
    if message.content_type in CAPTIONED_KINDS:
        signed = _signed(signature, message.html_text if message.caption else "")
        if len(signed) <= CAPTION_LIMIT:
            params["caption"] = signed
    await services.outbox.put(person, "copyMessage", params, after)
    return True


async def mirror_edit(bot: Bot, services: Services, target: Address, message_id: int, message: Message,
                      markup: InlineKeyboardMarkup | None, signature: str | None = None) -> None:
    """Pass an edit on as an edit, where Telegram allows it (text and captions)."""
    text = message.html_text
    if signature is not None:
        text = _signed(signature, text)
    if message.content_type == ContentType.TEXT:
        await services.outbox.put(target, "editMessageText", {"message_id": message_id, "text": text,
                                                              "reply_markup": _markup_json(markup)})
    elif message.caption is not None:
        await services.outbox.put(target, "editMessageCaption", {"message_id": message_id, "caption": text,
                                                                 "reply_markup": _markup_json(markup)})


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


async def back_in_queue(bot: Bot, services: Services, case: Case) -> None:
    """A released case: tell the person their place, and the counsellors that it waits again."""
    position = await services.cases.position(case)
    await services.cases.set_told_position(case.id, position)
    person = await services.cases.address_of(case)
    await tell(bot, person, services.handoff.released(case.language, position), services, to_person(case))
    await announce(bot, services, case)


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
    # The list is in queue order for one language, so a case's place is its index: one query, not one per case.
    for position, case in enumerate(await services.cases.waiting([language]), start=1):
        told = case.told_position
        if told is None or position >= told or not (position <= 3 or told - position >= 5):
            continue
        address = await services.cases.address_of(case)
        await tell(bot, address, services.handoff.moved_up(case.language, position), services, to_person(case))
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

