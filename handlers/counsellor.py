"""The counsellors' side, in their private chat with the bot. Anyone not in config.yaml never gets here:
their counsellor commands fall through to the same answer as any unknown command."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command, CommandObject
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, TelegramObject

from bot.handoff import engine
from bot.handoff.engine import Result
from bot.handoff.roster import Counsellor
from bot.menus.callbacks import FocusCallback
from bot.menus.screens import Screen
from bot.services import Services
from handlers.handoff import incoming
from handlers.render import send

# A counsellor's /queue shows the longest-waiting few; a message holds 4,096 characters, and a long list
# helps nobody pick.
QUEUE_SHOWN = 15


def is_counsellor(_event: TelegramObject, counsellor: Counsellor | None = None,
                  services: Services | None = None) -> bool:
    """A counsellor in private-chat mode (in team mode they work in the group: handlers/team.py)."""
    return counsellor is not None and not (services is not None and services.team.enabled)


async def _say(bot: Bot, services: Services, counsellor: Counsellor, screen: Screen) -> None:
    await send(bot, counsellor.address, screen, services.content.snapshot.version)


async def _show(bot: Bot, services: Services, counsellor: Counsellor, result: Result) -> None:
    for screen in result.screens:
        await _say(bot, services, counsellor, screen)


def _reply_to(message: Message) -> int | None:
    return message.reply_to_message.message_id if message.reply_to_message is not None else None


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
    screen = services.desk.queue(counsellor.ui_language, services.content.snapshot, waiting, services.clock(), total)
    await _say(bot, services, counsellor, screen)


async def take(message: Message, command: CommandObject, bot: Bot, services: Services,
               counsellor: Counsellor) -> None:
    await _show(bot, services, counsellor, await engine.take(services, counsellor, (command.args or "").strip()))


async def cases(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    held = await services.cases.held_by(counsellor.key)
    state = await services.cases.state(counsellor.key)
    screen = services.desk.cases(counsellor.ui_language, services.content.snapshot, held, state.focus_case_id)
    await _say(bot, services, counsellor, screen)


async def focus(callback: CallbackQuery, callback_data: FocusCallback, bot: Bot, services: Services,
                counsellor: Counsellor) -> None:
    await _show(bot, services, counsellor, await engine.focus(services, counsellor, callback_data.code))


async def note(message: Message, command: CommandObject, bot: Bot, services: Services,
               counsellor: Counsellor) -> None:
    result = await engine.note(services, counsellor, _reply_to(message), (command.args or "").strip())
    await _show(bot, services, counsellor, result)


async def send_page(message: Message, command: CommandObject, bot: Bot, services: Services,
                    counsellor: Counsellor) -> None:
    result = await engine.send_page(services, counsellor, _reply_to(message), (command.args or "").strip())
    await _show(bot, services, counsellor, result)


async def release(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _show(bot, services, counsellor, await engine.release(services, counsellor, _reply_to(message)))


async def close(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    result = await engine.close(services, counsellor, _reply_to(message), block=False)
    await _show(bot, services, counsellor, result)


async def block(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    result = await engine.close(services, counsellor, _reply_to(message), block=True)
    await _show(bot, services, counsellor, result)


async def message_to_person(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _show(bot, services, counsellor, await engine.reply(services, counsellor, incoming(message)))


async def edited_to_person(message: Message, bot: Bot, services: Services, counsellor: Counsellor) -> None:
    await _show(bot, services, counsellor, await engine.edit_reply(services, counsellor, incoming(message)))


async def blocked_the_bot(event: ChatMemberUpdated, services: Services, counsellor: Counsellor) -> None:
    """The counsellor blocked the bot: nothing can reach them, so their cases go back to the queue."""
    await engine.counsellor_gone(services, counsellor.key, counsellor, reachable=False)


def build() -> Router:
    router = Router(name="counsellor")
    for observer in (router.message, router.edited_message, router.callback_query, router.my_chat_member):
        observer.filter(is_counsellor)
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
    router.my_chat_member.register(blocked_the_bot, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    return router
