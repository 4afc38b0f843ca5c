"""Team mode: what members write in the counsellors' forum group, and the group's check at start.

The topic a member writes in is the case (never a guess): a plain message there goes to the person, signed as
in private mode; one starting with the note prefix, or replying to the bot's "internal" marker, stays in the
team. Only the counsellors in config.yaml get here (the identity boundary reports anyone else to the admins
and drops their update); in the group they get /take, /release, /close, /block, /send, /note and /help.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, TelegramObject

from bot.handoff import engine
from bot.handoff.engine import NEVER_RELAYED, RELAYED_KINDS, Result
from bot.handoff.roster import Counsellor
from bot.handoff.team import TEAM, is_note
from bot.identity.address import Address
from bot.menus.screens import Screen
from bot.services import Services
from handlers.handoff import incoming

log = logging.getLogger("hotline.team")
REPORT_INTERVAL = 600.0  # seconds: at most one "a stranger wrote in the group" notice to the admins per this
_last_report = [0.0]
REQUIRED_RIGHTS = ("can_manage_topics", "can_delete_messages", "can_pin_messages")


def in_team(_event: TelegramObject, in_team_group: bool = False, counsellor: Counsellor | None = None) -> bool:
    """Filter: an update from the team's group, by a member listed in config.yaml."""
    return in_team_group and counsellor is not None


def team_on(_event: TelegramObject, services: Services | None = None, counsellor: Counsellor | None = None) -> bool:
    """Filter: a counsellor in their private chat while the team works in its group."""
    return services is not None and services.team.enabled and counsellor is not None


async def _say(message: Message, screen: Screen) -> None:
    """Answer in the topic the member wrote in. A topic deleted meanwhile (/block) takes no answer."""
    for part in screen.parts:
        try:
            await message.answer(part)  # aiogram keeps the topic (message_thread_id) of `message`
        except TelegramAPIError as exc:
            log.info("team: an answer in the group was not delivered: %s", type(exc).__name__)


async def _show(message: Message, result: Result) -> None:
    for screen in result.screens:
        await _say(message, screen)


async def _case_of(message: Message, services: Services) -> int | None:
    thread = message.message_thread_id if message.is_topic_message else None
    return await services.team.case_of(thread) if thread is not None else None


async def _topic_case(message: Message, services: Services, counsellor: Counsellor) -> int | None:
    """The case of the topic, or None after telling the member that this topic is no case's."""
    case_id = await _case_of(message, services)
    if case_id is None:
        await _say(message, services.desk.reply(counsellor.ui_language, "team_no_case"))
    return case_id


async def help_(message: Message, services: Services, counsellor: Counsellor) -> None:
    await _say(message, services.desk.team_help(counsellor.ui_language, services.team.note_prefix))


async def take(message: Message, command: CommandObject, services: Services, counsellor: Counsellor) -> None:
    """/take in a case's topic takes that case; elsewhere in the group (or /take CODE), as in private mode."""
    code = (command.args or "").strip()
    case_id = await _case_of(message, services)
    if case_id is not None and not code:
        case = await services.cases.get(case_id)
        code = case.code if case is not None else ""
    await _show(message, await engine.take(services, counsellor, code or None))


async def note(message: Message, command: CommandObject, services: Services, counsellor: Counsellor) -> None:
    case_id = await _topic_case(message, services, counsellor)
    if case_id is not None:
        await _show(message, await engine.note(services, counsellor, None, (command.args or "").strip(), case_id))


async def send_page(message: Message, command: CommandObject, services: Services, counsellor: Counsellor) -> None:
    case_id = await _topic_case(message, services, counsellor)
    if case_id is not None:
        result = await engine.send_page(services, counsellor, None, (command.args or "").strip(), case_id)
        await _show(message, result)


async def release(message: Message, services: Services, counsellor: Counsellor) -> None:
    case_id = await _topic_case(message, services, counsellor)
    if case_id is not None:
        await _show(message, await engine.release(services, counsellor, None, case_id))


async def close(message: Message, services: Services, counsellor: Counsellor) -> None:
    case_id = await _topic_case(message, services, counsellor)
    if case_id is not None:
        await _show(message, await engine.close(services, counsellor, None, block=False, topic_case=case_id))


async def block(message: Message, services: Services, counsellor: Counsellor) -> None:
    case_id = await _topic_case(message, services, counsellor)
    if case_id is not None:  # the topic is deleted: the answer goes nowhere, the board shows it
        await engine.close(services, counsellor, None, block=True, topic_case=case_id)


async def written(message: Message, services: Services, counsellor: Counsellor) -> None:
    """A member's message in the group: to the person of the topic's case, unless it is internal."""
    kind = message.content_type
    if kind not in RELAYED_KINDS and kind not in NEVER_RELAYED:
        return  # a service message (a pin, a topic made, someone joined): nothing to pass on
    case_id = await _case_of(message, services)
    if case_id is None:
        return  # the team talking in General or the status topic
    if is_note(message.text or message.caption or "", services.team.note_prefix):
        return  # internal: it stays in the topic
    if await _replies_to_internal(message, services, case_id):
        return  # part of the team's own talk: it stays in the topic
    decoded = replace(incoming(message), reply_to=None)  # the topic, not a reply, picks the case
    await _show(message, await engine.reply(services, counsellor, decoded, topic_case=case_id))


async def _replies_to_internal(message: Message, services: Services, case_id: int) -> bool:
    """Whether a member's message answers something only the team sees: the "internal" marker, a colleague's
    note, or the bot's own words in the topic (the board, "taken by …"). Only a reply to a message that went
    between the person and the team (a copy of theirs, a member's answer) is part of the conversation;
    replying to a note to discuss it is the natural habit, and must not reach the person."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None:
        return False  # not a reply: Telegram marks every topic message as replying to the topic's start
    if replied.message_id == await services.team.marker_of(case_id):
        return True
    if is_note(replied.text or replied.caption or "", services.team.note_prefix):
        return True
    return await services.cases.relay_of_counsellor_message(TEAM, replied.message_id) is None


async def edited(message: Message, services: Services, counsellor: Counsellor) -> None:
    if await _case_of(message, services) is None or is_note(message.text or message.caption or "",
                                                             services.team.note_prefix):
        return
    await _show(message, await engine.edit_reply(services, counsellor, incoming(message), team=True))


async def private_notice(message: Message, services: Services, counsellor: Counsellor) -> None:
    """A counsellor in private chat while the team works in its group: told where to go."""
    await message.answer(services.desk.reply(counsellor.ui_language, "team_mode").parts[0])


async def report_stranger(services: Services) -> None:
    """Someone not in config.yaml wrote in the group: the admins are told (at most every REPORT_INTERVAL),
    with nothing of what they wrote; the stranger gets nothing."""
    now = time.monotonic()
    if now - _last_report[0] < REPORT_INTERVAL and _last_report[0]:
        return
    _last_report[0] = now
    log.warning("team: someone not listed in config.yaml wrote in the team group; ignored, admins told")
    screen = services.team_desk.stranger()
    for admin in services.config.settings.admins:
        if not services.roster.is_revoked(admin):
            await engine.notify(services, Address(admin), screen)


async def check_group(bot: Bot, services: Services) -> list[str]:
    """What is wrong with the team's group, each with what to do; [] when it is ready. At start."""
    group = services.team.address.for_delivery()
    try:
        chat = await bot.get_chat(group)
        me = await bot.get_me()
        member = await bot.get_chat_member(group, me.id)
    except TelegramAPIError as exc:
        return [f"team.group_id: the bot cannot reach the group ({type(exc).__name__}): check the id and add "
                "the bot to the group as an admin"]
    problems = []
    if not chat.is_forum:
        problems.append("team.group_id: the group is not a forum: turn on Topics in the group's settings")
    if not chat.has_protected_content:
        problems.append("team.group_id: the group lets members save and forward messages: turn on "
                        "\"Restrict saving content\" in the group's settings")
    if member.status != "administrator":
        problems.append("team.group_id: the bot is not an admin of the group: make it one with the rights to "
                        "manage topics, delete messages and pin messages")
    else:
        missing = [right for right in REQUIRED_RIGHTS if not getattr(member, right, False)]
        if missing:
            problems.append(f"team.group_id: the bot lacks these admin rights in the group: {', '.join(missing)}")
    return problems


async def set_up_board(bot: Bot, services: Services) -> None:
    """The status topic with its pinned board, made once and kept (its place is stored)."""
    team = services.team
    if await team.board() is not None:
        await engine.refresh_board(services)
        return
    group = team.address.for_delivery()
    desk = services.team_desk
    topic = await bot.create_forum_topic(group, name="📋 " + desk.board_title())
    text = desk.board(services.content.snapshot, services.roster, [], services.clock())
    sent = await bot.send_message(group, text, message_thread_id=topic.message_thread_id)
    await bot.pin_chat_message(group, sent.message_id, disable_notification=True)
    await team.set_board(topic.message_thread_id, sent.message_id)
    team.last_board = text
    await engine.refresh_board(services)  # cases already open (team mode turned on with some waiting)


async def ignore() -> None:
    """Any other command in the group: nothing; the team talks there."""


def build() -> Router:
    """The team's group: only members, only while team mode is on (the boundary lets no other group in)."""
    router = Router(name="team")
    router.message.filter(in_team)
    router.edited_message.filter(in_team)
    router.callback_query.filter(in_team)
    router.message.register(help_, Command("help", "start"))
    router.message.register(take, Command("take"))
    router.message.register(note, Command("note"))
    router.message.register(send_page, Command("send"))
    router.message.register(release, Command("release"))
    router.message.register(close, Command("close"))
    router.message.register(block, Command("block"))
    router.message.register(written, ~F.text.startswith("/"))
    router.message.register(ignore)
    router.edited_message.register(edited)
    return router


def build_private() -> Router:
    """Counsellors' private chats while team mode is on: told to work in the group."""
    router = Router(name="team-private")
    router.message.filter(team_on)
    router.message.register(private_notice)
    return router
