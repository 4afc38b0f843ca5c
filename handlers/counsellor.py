"""The counsellors' side, in their private chat with the bot. Anyone not in config.yaml never gets here:
their counsellor commands fall through to the same answer as any unknown command."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.audit import Event
from bot.cases import ACTIVE, AtCapacity, Case, now_utc
from bot.roster import Counsellor
from bot.screens import Screen
from bot.services import Services
from handlers import relay
from handlers.callbacks import FocusCallback
from handlers.render import send

# A counsellor's /queue shows the longest-waiting few; a message holds 4,096 characters, and a long list
# helps nobody pick.
QUEUE_SHOWN = 15


def is_counsellor(_event: TelegramObject, counsellor: Counsellor | None = None) -> bool:
    return counsellor is not None


async def _say(bot: Bot, services: Services, counsellor: Counsellor, screen: Screen) -> None:
    await send(bot, counsellor.address, screen, services.content.snapshot.version)


async def _current(services: Services, counsellor: Counsellor, message: Message | None = None) -> Case | None:
    """The case a message is for: the one replied to, else the one in focus."""
    if message is not None and message.reply_to_message is not None:
        link = await services.cases.relay_of_counsellor_message(counsellor.key, message.reply_to_message.message_id)
        if link is not None:
            case = await services.cases.get(link.case_id)
            if case is not None and case.status == ACTIVE and case.counsellor == counsellor.key:
                return case
    state = await services.cases.state(counsellor.key)
    if state.focus_case_id is None:
        return None
    case = await services.cases.get(state.focus_case_id)
    return case if case is not None and case.status == ACTIVE and case.counsellor == counsellor.key else None


async def help_(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _say(bot, services, counsellor, services.desk.help(counsellor.ui_language))


async def on_duty(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await services.cases.set_duty(counsellor.key, True)
    languages = ", ".join(counsellor.languages)
    await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "on_duty", languages=languages))


async def off_duty(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await services.cases.set_duty(counsellor.key, False)
    await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "off_duty"))


async def queue(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    waiting = await services.cases.waiting(counsellor.languages, limit=QUEUE_SHOWN)
    total = await services.cases.count_waiting(counsellor.languages)
    screen = services.desk.queue(counsellor.ui_language, services.content.snapshot, waiting, now_utc(), total)
    await _say(bot, services, counsellor, screen)


async def take(message: Message, command: CommandObject, bot: Bot, services: Services,
               counsellor: Counsellor) -> None:
    language = counsellor.ui_language
    held = await services.cases.held_by(counsellor.key)
    if len(held) >= counsellor.max_cases:
        await _say(bot, services, counsellor, services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
        return
    if command.args:
        wanted = await services.cases.by_code(command.args)
        if wanted is None or wanted.language not in counsellor.languages:
            await _say(bot, services, counsellor, services.desk.reply(language, "no_such_case"))
            return
        try:
            case = await services.cases.take(wanted.id, counsellor.key, counsellor.max_cases)
        except AtCapacity:  # another /take of theirs got in first
            await _say(bot, services, counsellor,
                       services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
            return
        if case is None:
            await _say(bot, services, counsellor, services.desk.reply(language, "not_waiting"))
            return
    else:
        try:
            case = await services.cases.take_next(counsellor.key, counsellor.languages, counsellor.max_cases)
        except AtCapacity:
            await _say(bot, services, counsellor,
                       services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
            return
        if case is None:
            await _say(bot, services, counsellor, services.desk.queue(language, services.content.snapshot, [],
                                                                      now_utc()))
            return
    await services.audit.log(Event.TAKEN, case_code=case.code, counsellor=counsellor.key)
    services.stats.waited(case.queued_at)
    content = services.content.snapshot
    notes = await services.cases.notes(case.id)
    held = await services.cases.held_by(counsellor.key)
    await _say(bot, services, counsellor, services.desk.taken(language, content, case, notes, held))
    await relay.deliver_pending(bot, services, case, counsellor)
    person = await services.cases.address_of(case)
    await relay.tell(bot, person, services.handoff.connected(case.language), services, relay.to_person(case))
    await relay.tell_positions(bot, services, case.language)


async def cases(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    held = await services.cases.held_by(counsellor.key)
    state = await services.cases.state(counsellor.key)
    screen = services.desk.cases(counsellor.ui_language, services.content.snapshot, held, state.focus_case_id)
    await _say(bot, services, counsellor, screen)


async def focus(callback: CallbackQuery, callback_data: FocusCallback, bot: Bot, services: Services,
                counsellor: Counsellor) -> None:
    await callback.answer()
    case = await services.cases.by_code(callback_data.code)
    if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "no_focus"))
        return
    await services.cases.set_focus(counsellor.key, case.id)
    await _say(bot, services, counsellor, services.desk.focused(counsellor.ui_language, services.content.snapshot,
                                                                case))


async def note(message: Message, command: CommandObject, bot: Bot, services: Services,
               counsellor: Counsellor) -> None:
    case = await _current(services, counsellor, message)
    if case is None:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "no_focus"))
        return
    if not command.args:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "note_usage"))
        return
    await services.cases.add_note(case.id, command.args)
    await _say(bot, services, counsellor, services.desk.case_event(counsellor.ui_language, case, "note_saved"))


async def send_page(message: Message, command: CommandObject, bot: Bot, services: Services,
                    counsellor: Counsellor) -> None:
    language = counsellor.ui_language
    case = await _current(services, counsellor, message)
    if case is None:
        await _say(bot, services, counsellor, services.desk.reply(language, "no_focus"))
        return
    content = services.content.snapshot
    node = (command.args or "").strip()
    if not node:
        await _say(bot, services, counsellor, services.desk.reply(language, "send_usage"))
        return
    if node not in content:
        await _say(bot, services, counsellor, services.desk.reply(language, "no_such_page"))
        return
    person = await services.cases.address_of(case)
    await relay.tell(bot, person, services.screens.page(content, node, case.language), services,
                     relay.to_person(case))
    title = content.page(node, case.language).text.title
    await _say(bot, services, counsellor, services.desk.reply(language, "page_sent", title=title))


async def release(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    case = await _current(services, counsellor, message)
    if case is None:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "no_focus"))
        return
    released = await services.cases.release(case.id, counsellor.key)
    if released is None:
        return
    await services.audit.log(Event.RELEASED, case_code=case.code, counsellor=counsellor.key)
    await services.cases.set_focus(counsellor.key, None)
    await _say(bot, services, counsellor, services.desk.case_event(counsellor.ui_language, case, "released"))
    await relay.back_in_queue(bot, services, released)


async def close(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _end(message, bot, services, counsellor, block=False)


async def block(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _end(message, bot, services, counsellor, block=True)


async def _end(message: Message, bot: Bot, services: Services, counsellor: Counsellor, *, block: bool) -> None:
    case = await _current(services, counsellor, message)
    if case is None:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "no_focus"))
        return
    await services.cases.close(case.id)
    await services.cases.set_focus(counsellor.key, None)
    await services.audit.log(Event.BLOCKED if block else Event.CLOSED, case_code=case.code,
                             counsellor=counsellor.key)
    services.stats.closed(case.language)
    content = services.content.snapshot
    person = await services.cases.address_of(case)
    if block:
        await services.cases.block(case.person)
        screen = services.handoff.stopped(case.language, content.root)
    else:
        reopen = services.config.settings.handoff.reopen_window_hours
        screen = services.handoff.ended(case.language, case.code, content.root, by_person=False,
                                        reopen_hours=reopen)
    await relay.tell(bot, person, screen, services)
    event = "blocked" if block else "closed"
    await _say(bot, services, counsellor, services.desk.case_event(counsellor.ui_language, case, event))


async def message_to_person(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    if message.content_type in relay.NEVER_RELAYED or message.content_type not in relay.RELAYED_KINDS:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "not_relayed"))
        return
    case = await _current(services, counsellor, message)
    if case is None:
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "no_focus"))
        return
    if not await relay.from_counsellor(bot, services, case, counsellor, message):
        await _say(bot, services, counsellor, services.desk.reply(counsellor.ui_language, "undeliverable"))


async def edited_to_person(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    link = await services.cases.relay_of_counsellor_message(counsellor.key, message.message_id)
    if link is None or link.from_person or link.person_message_id is None:
        return
    case = await services.cases.get(link.case_id)
    if case is None or case.status != ACTIVE:
        return
    person = await services.cases.address_of(case)
    signature = services.handoff.signature(case.language, counsellor.alias)
    await relay.mirror_edit(bot, services, person, link.person_message_id, message, None, signature)


def build() -> Router:
    router = Router(name="counsellor")
    for observer in (router.message, router.edited_message, router.callback_query):
        observer.filter(is_counsellor)
    router.message.filter(F.chat.type == "private")
    router.message.register(help_, Command("help"))
    router.message.register(on_duty, Command("on"))
    router.message.register(off_duty, Command("off"))
    router.message.register(queue, Command("queue"))
    router.message.register(take, Command("take"))
    router.message.register(cases, Command("cases"))
    router.message.register(note, Command("note"))
    router.message.register(send_page, Command("send"))
    router.message.register(release, Command("release"))
    router.message.register(close, Command("close"))
    router.message.register(block, Command("block"))
    router.callback_query.register(focus, FocusCallback.filter())
    router.message.register(message_to_person, ~F.text.startswith("/"))
    router.edited_message.register(edited_to_person)
    return router
