"""The person's side of a handoff: asking for a counsellor, waiting, talking, ending, rating."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, TelegramObject

from bot.address import Address
from bot.audit import Event
from bot.cases import ACTIVE, WAITING, AlreadyOpen, Case
from bot.person import Person
from bot.screens import Screen
from bot.services import Services
from handlers import relay
from handlers.callbacks import (
    CancelRequestCallback,
    ConfirmHandoffCallback,
    CounsellorCallback,
    EndConversationCallback,
    RateCallback,
)
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


async def in_conversation(_event: TelegramObject, person: Person | None = None,
                          services: Services | None = None) -> dict[str, Any] | bool:
    """Filter: the person has a waiting or active case; hands it to the handler as `case`."""
    if person is None or services is None:
        return False
    case = await services.cases.current(person.pseudonym)
    return {"case": case} if case is not None else False


async def reopenable(_event: TelegramObject, person: Person | None = None,
                     services: Services | None = None) -> dict[str, Any] | bool:
    """Filter: the person's last case closed within the reopen window."""
    if person is None or services is None:
        return False
    window = timedelta(hours=services.config.settings.handoff.reopen_window_hours)
    case = await services.cases.reopenable(person.pseudonym, window)
    return {"closed_case": case} if case is not None else False


async def _status(bot: Bot, services: Services, person: Person, address: Address, case: Case,
                  replace: Message | None = None) -> None:
    """Remind someone with an open case where it stands, instead of opening a second one."""
    if case.status == ACTIVE:
        screen = services.handoff.connected(case.language)
    else:
        position = await services.cases.position(case)
        minutes, opens_at = await relay.wait_estimate(services, case.language, position)
        screen = services.handoff.queued(case.language, case.code, position, minutes, opens_at)
    await show(bot, address, screen, services.content.snapshot.version, replace=replace)


async def _answered_already(bot: Bot, services: Services, person: Person, address: Address,
                            replace: Message | None) -> bool:
    """Someone with an open case is reminded of it; a blocked person is refused. True if so."""
    case = await services.cases.current(person.pseudonym)
    if case is not None:
        await _status(bot, services, person, address, case, replace=replace)
        return True
    if await services.cases.is_blocked(person.pseudonym):
        content = services.content.snapshot
        await show(bot, address, services.handoff.refused(person.language, content.root), content.version,
                   replace=replace)
        return True
    return False


async def ask(callback: CallbackQuery, callback_data: CounsellorCallback, bot: Bot, services: Services,
              person: Person, address: Address) -> None:
    await callback.answer()
    message = callback.message if isinstance(callback.message, Message) else None
    if await _answered_already(bot, services, person, address, message):
        return
    content = services.content.snapshot
    node = callback_data.node if callback_data.node in content else content.root
    await show(bot, address, services.handoff.intro(person.language, node, content.root), content.version,
               replace=message)


async def confirm(callback: CallbackQuery, callback_data: ConfirmHandoffCallback, bot: Bot, services: Services,
                  person: Person, address: Address) -> None:
    await callback.answer()
    message = callback.message if isinstance(callback.message, Message) else None
    if await _answered_already(bot, services, person, address, message):
        return
    content = services.content.snapshot
    limits = services.limits
    if not limits.requests.allow(person.pseudonym):
        await show(bot, address, services.privacy.too_many_requests(person.language, content.root),
                   content.version, replace=message)
        return
    if not limits.new_cases.allow("all"):
        await show(bot, address, services.privacy.line_busy(person.language, content.root), content.version,
                   replace=message)
        return
    topic = callback_data.node if callback_data.node in content else content.root
    try:
        case = await services.cases.open(person.pseudonym, address, person.language, topic)
    except AlreadyOpen as already:  # a double tap, or the same tap through another instance
        await _status(bot, services, person, address, already.case, replace=message)
        return
    await services.audit.log(Event.CASE_OPENED, case_code=case.code)
    services.stats.handoff(topic, person.language)
    position = await services.cases.position(case)
    await services.cases.set_told_position(case.id, position)
    await _status(bot, services, person, address, case, replace=message)
    await relay.announce(bot, services, case)


async def _close_by_person(bot: Bot, services: Services, person: Person, address: Address, case: Case,
                           replace: Message | None) -> None:
    closed = await services.cases.close(case.id)
    if closed is None:
        return
    await services.audit.log(Event.CLOSED, case_code=case.code)
    services.stats.closed(case.language)
    content = services.content.snapshot
    counsellor = services.roster.by_key(case.counsellor) if case.counsellor else None
    if case.status == WAITING:
        screen = services.handoff.cancelled(case.language, content.root)
        await relay.tell_positions(bot, services, case.language)
    else:
        reopen = services.config.settings.handoff.reopen_window_hours
        screen = services.handoff.ended(case.language, case.code, content.root, by_person=True, reopen_hours=reopen)
    if counsellor is not None:
        event = "ended_by_person" if case.status == ACTIVE else "cancelled"
        await relay.tell(bot, counsellor.address, services.desk.case_event(counsellor.ui_language, case, event),
                         services)
    await show(bot, address, screen, content.version, replace=replace)


async def cancel_button(callback: CallbackQuery, bot: Bot, services: Services, person: Person,
                        address: Address) -> None:
    await callback.answer()
    case = await services.cases.current(person.pseudonym)
    message = callback.message if isinstance(callback.message, Message) else None
    if case is None:
        content = services.content.snapshot
        await show(bot, address, services.handoff.cancelled(person.language, content.root), content.version,
                   replace=message)
        return
    await _close_by_person(bot, services, person, address, case, message)


async def end_command(message: Message, bot: Bot, services: Services, person: Person, address: Address,
                      case: Case) -> None:
    await _close_by_person(bot, services, person, address, case, None)


async def rate(callback: CallbackQuery, callback_data: RateCallback, bot: Bot, services: Services,
               person: Person, address: Address) -> None:
    await callback.answer()
    case = await services.cases.by_code(callback_data.code)
    if case is not None:
        await services.cases.rate(case.id, person.pseudonym, callback_data.rating)
    content = services.content.snapshot
    message = callback.message if isinstance(callback.message, Message) else None
    await show(bot, address, services.handoff.thanks(person.language, content.root), content.version,
               replace=message)


async def _reply(bot: Bot, services: Services, address: Address, screen: Screen) -> None:
    await show(bot, address, screen, services.content.snapshot.version)


async def message_in_case(message: Message, bot: Bot, services: Services, person: Person, address: Address,
                          case: Case) -> None:
    kind = message.content_type
    if kind in relay.NEVER_RELAYED:
        try:
            await message.delete()
        except TelegramBadRequest:
            pass
        await _reply(bot, services, address, services.handoff.not_relayed_location(case.language))
        return
    if kind not in relay.RELAYED_KINDS:
        await _reply(bot, services, address, services.handoff.not_relayed_kind(case.language))
        return
    limit_mb = services.config.settings.limits.max_file_mb
    if file_size(message) > limit_mb * 1024 * 1024:
        await _reply(bot, services, address, services.privacy.file_too_large(case.language, limit_mb))
        return
    if kind == ContentType.DOCUMENT and await services.cases.warn_document_once(case.id):
        await _reply(bot, services, address, services.handoff.document_warning(case.language))
    await relay.from_person(bot, services, case, address, message)


async def edited_in_case(message: Message, bot: Bot, services: Services, case: Case) -> None:
    link = await services.cases.relay_of_person_message(case.id, message.message_id)
    if link is None or link.counsellor is None or link.counsellor_message_id is None:
        return  # not seen yet: the copy made later will carry the edit
    counsellor = services.roster.by_key(link.counsellor)
    if counsellor is not None:
        await relay.mirror_edit(bot, services, counsellor.address, link.counsellor_message_id, message,
                                relay.case_markup(services, case))


async def reopen(message: Message, bot: Bot, services: Services, person: Person, address: Address,
                 closed_case: Case) -> None:
    if await services.cases.is_blocked(person.pseudonym):
        content = services.content.snapshot
        await _reply(bot, services, address, services.handoff.stopped(person.language, content.root))
        return
    previous = services.roster.by_key(closed_case.last_counsellor) if closed_case.last_counsellor else None
    on_duty = await services.cases.on_duty()
    back_to = None
    if previous is not None and previous.key in on_duty:
        if len(await services.cases.held_by(previous.key)) < previous.max_cases:
            back_to = previous.key
    case = await services.cases.reopen(closed_case.id, back_to)
    await _reply(bot, services, address, services.handoff.reopened(case.language, case.code))
    if previous is not None and back_to is not None:
        await services.cases.set_focus(previous.key, case.id)
        await relay.tell(bot, previous.address, services.desk.case_event(previous.ui_language, case, "reopened"),
                         services)
    await message_in_case(message, bot, services, person, address, case)
    if back_to is None:
        await services.cases.set_told_position(case.id, await services.cases.position(case))
        await relay.announce(bot, services, case)


async def blocked_the_bot(event: ChatMemberUpdated, bot: Bot, services: Services, person: Person) -> None:
    case = await services.cases.current(person.pseudonym)
    if case is not None:
        await relay.person_left(bot, services, case)


def build() -> Router:
    router = Router(name="handoff")
    router.message.filter(F.chat.type == "private")
    router.callback_query.register(ask, CounsellorCallback.filter())
    router.callback_query.register(confirm, ConfirmHandoffCallback.filter())
    router.callback_query.register(cancel_button, CancelRequestCallback.filter())
    router.callback_query.register(cancel_button, EndConversationCallback.filter())
    router.callback_query.register(rate, RateCallback.filter())
    router.message.register(end_command, Command("end", "cancel"), in_conversation)
    router.message.register(message_in_case, in_conversation, ~F.text.startswith("/"))
    router.edited_message.register(edited_in_case, in_conversation)
    router.message.register(reopen, reopenable, ~F.text.startswith("/"),
                            ~F.content_type.in_(relay.NEVER_RELAYED))
    router.my_chat_member.register(blocked_the_bot, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    return router
