"""The use cases of the case lifecycle: one function per event of bot/handoff/machine.py, one transaction each.

Handlers decode an update into plain values (a pseudonym, an Address, an `Incoming`), call one function here,
and show the `Result` it returns to whoever acted. Everything for the other side (relays, notices, deletions)
is written to the outbox in the same transaction as the state change that causes it, so a crash never leaves
"case taken" without "messages queued for the counsellor", or "reply recorded" without "reply queued".

Routing never guesses: a counsellor's message goes to the case of the message it replies to, or, without a
reply, to the case in their focus; if that case is not theirs and active, the counsellor is told and nothing
is sent. Focus changes only by the counsellor's own /take or /cases button.

A copy for a counsellor carries a guard (its relay, case and counsellor): the sender checks it before sending
and again after, so a copy never reaches a counsellor who no longer holds the case (released, closed, blocked,
revoked), and what they did not receive stays pending for whoever takes the case next.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiogram.enums import ContentType
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handoff.cases import ACTIVE, CLOSED, WAITING, AlreadyOpen, AtCapacity, Case
from bot.handoff.machine import Event, State, step
from bot.handoff.roster import Counsellor
from bot.handoff.team import TEAM, member_label
from bot.identity.address import Address
from bot.limits.flood import Admission
from bot.menus.keyboard import keyboard
from bot.menus.screens import Screen
from bot.privacy.audit import Event as AuditEvent
from bot.privacy.chats import DELETABLE
from bot.telegram import html as telegram_html

log = logging.getLogger("hotline.handoff")

if TYPE_CHECKING:
    from bot.services import Services

RELAYED_KINDS = frozenset({
    ContentType.TEXT, ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VOICE, ContentType.VIDEO,
    ContentType.AUDIO, ContentType.VIDEO_NOTE, ContentType.STICKER, ContentType.ANIMATION,
})
CAPTIONED_KINDS = frozenset({ContentType.PHOTO, ContentType.DOCUMENT, ContentType.VOICE, ContentType.VIDEO,
                             ContentType.AUDIO, ContentType.ANIMATION})
# Where someone is or who they know: never carried to the other side.
NEVER_RELAYED = frozenset({ContentType.LOCATION, ContentType.VENUE, ContentType.CONTACT})
CAPTION_LIMIT = 1024  # Telegram's limit for a caption, in characters after parsing
MESSAGE_LIMIT = 4096  # Telegram's limit for a text message, in characters after parsing
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids
# Telegram sends an album as one update per item, within moments: the copy waits this long for the rest.
ALBUM_WAIT = timedelta(seconds=1)
_albums_started: dict[tuple[int, str], None] = {}  # (case, album) already given a copyMessages row; bounded


@dataclass(frozen=True)
class Incoming:
    """A message as the lifecycle needs it, decoded by the handler: ids and kinds, the text as HTML."""

    message_id: int
    kind: str  # a Bot API content type: "text", "photo", ...
    html_text: str = ""  # the text or caption, as Telegram HTML; "" when there is none
    has_caption: bool = False
    file_size: int = 0  # bytes, as Telegram reports it
    reply_to: int | None = None  # the id of the message it replies to, in the writer's own chat
    media_group_id: str | None = None  # the album it belongs to (Telegram sends an album as one update per item)


@dataclass(frozen=True)
class Result:
    """What the one who acted sees, in order (the other side's messages are in the outbox already)."""

    screens: tuple[Screen, ...] = ()
    done: bool = True  # False: refused, the screens say why


def _refused(*screens: Screen) -> Result:
    return Result(screens, done=False)


@dataclass
class _Tx:
    """A use case's one transaction, and what to do once it is committed (audit, statistics)."""

    services: Services
    session: AsyncSession
    later: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def put(self, address: Address, method: str, params: dict[str, Any],
                  after: dict[str, Any] | None = None) -> None:
        await self.services.outbox.put(address, method, params, after, session=self.session)

    async def tell(self, address: Address, screen: Screen, after: dict[str, Any] | None = None) -> None:
        markup = _markup_json(screen, self.services.content.snapshot.version)
        for part in screen.parts[:-1]:
            await self.put(address, "sendMessage", {"text": part}, after)
        await self.put(address, "sendMessage", {"text": screen.parts[-1], "reply_markup": markup}, after)

    async def tell_counsellor(self, counsellor: Counsellor, screen: Screen, case: Case | None = None,
                              *, record: bool = False) -> None:
        """A notice in a counsellor's chat. `record`: note its ids under the case (it shows notes), so
        /forget and /revoke can delete it. In team mode the notice goes to the case's topic instead (none
        without a case): members may never have opened a private chat with the bot."""
        if self.services.team.enabled:
            if case is not None:
                await self.tell_team(case, screen)
            return
        after: dict[str, Any] = {"counsellor": counsellor.key}
        if record and case is not None:
            after["screen"] = {"case_id": case.id, "counsellor": counsellor.key}
        await self.tell(counsellor.address, screen, after)

    async def tell_team(self, case: Case, screen: Screen) -> None:
        """A line in the case's topic (team mode); the topic is looked up when it is sent (it may still be
        on its way: the group's rows go out in order, its creation first)."""
        for part in screen.parts:
            await self.put(self.services.team.address, "sendMessage", {"text": part}, {"in_topic": case.id})

    async def delete_topics(self, threads: list[int]) -> None:
        """Delete whole topics with every message in them (team mode), through the outbox: retried, never
        lost silently."""
        for thread in threads:
            await self.put(self.services.team.address, "deleteForumTopic", {"message_thread_id": thread},
                           {"topic_deleted": True})

    async def tell_person(self, case: Case, screen: Screen) -> None:
        address = await self.services.cases.address_of(case, session=self.session)
        await self.tell(address, screen, {"case_id": case.id, "to_person": True})

    def audit(self, event: AuditEvent, case: Case | None = None, counsellor: str | None = None) -> None:
        code = case.code if case is not None else None
        self.later.append(lambda: self.services.audit.log(event, case_code=code, counsellor=counsellor))


class _Transaction:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def __aenter__(self) -> _Tx:
        self._context = self._services.cases.transaction()
        session = await self._context.__aenter__()
        self._tx = _Tx(self._services, session)
        return self._tx

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None and self._services.team.enabled:
            try:
                await _refresh_board(self._tx)
            except BaseException as failed:  # the use case's transaction must still end
                await self._context.__aexit__(type(failed), failed, failed.__traceback__)
                raise
        await self._context.__aexit__(*exc)  # type: ignore[arg-type]
        if exc[0] is None:
            for job in self._tx.later:
                await job()


def transaction(services: Services) -> _Transaction:
    return _Transaction(services)


def _markup_json(screen: Screen, version: str) -> dict[str, Any] | None:
    """The screen's inline keyboard as Bot API JSON, for an outbox row."""
    markup = keyboard(screen, version)
    return markup.model_dump(mode="json", exclude_none=True) if markup is not None else None


def _state(case: Case | None) -> State:
    return State.GONE if case is None else State(case.status)


def _signed(signature: str, html_text: str) -> str:
    return f"<b>{signature}</b>\n{html_text}" if html_text else f"<b>{signature}</b>"


def split_screen(screen: Screen) -> Screen:
    """The same screen with any part longer than a message cut into parts that fit."""
    parts = tuple(chunk for part in screen.parts for chunk in (telegram_html.split(part, MESSAGE_LIMIT) or [part]))
    return Screen(parts, screen.keyboard)


# --- the person's side -------------------------------------------------------------------------------

async def status(services: Services, case: Case) -> Screen:
    """Where an open case stands, for someone who asks again."""
    if case.status == ACTIVE:
        return services.handoff.connected(case.language)
    position = await services.cases.position(case)
    minutes, opens_at = await wait_estimate(services, case.language, position)
    return services.handoff.queued(case.language, case.code, position, minutes, opens_at)


async def _open_or_refused(services: Services, person: str, language: str) -> Result | None:
    """Where the person's open case stands, or why they are refused; None if they may ask."""
    case = await services.cases.current(person)
    if case is not None:
        step(_state(case), Event.ASK)
        return Result((await status(services, case),))
    if await services.cases.is_blocked(person):
        return _refused(services.handoff.refused(language, services.content.snapshot.root))
    return None


def _intro(services: Services, person: str, language: str, node: str) -> Result:
    """The ask screen (what happens, what not to send); a confirm counts only after it was shown."""
    content = services.content.snapshot
    node = node if node in content else content.root
    services.limits.asked(person)
    return Result((services.handoff.intro(language, node, content.root),))


async def ask(services: Services, person: str, language: str, node: str) -> Result:
    """The person tapped "talk to a counsellor": the intro, or where their open case stands, or a refusal."""
    return await _open_or_refused(services, person, language) or _intro(services, person, language, node)


async def confirm(services: Services, person: str, address: Address, language: str, node: str) -> Result:
    """The person confirmed: a new case in the queue, counsellors told; refused over the request limits.
    A confirm without the ask screen shown first (a forged or stale "hc:" button) shows the ask screen."""
    existing = await _open_or_refused(services, person, language)
    if existing is not None:
        return existing
    if not services.limits.saw_ask_screen(person):
        return _intro(services, person, language, node)
    content = services.content.snapshot
    admission = services.limits.admit_case(person)
    if admission is Admission.PERSON:
        return _refused(services.privacy.too_many_requests(language, content.root))
    if admission is Admission.LINE:
        return _refused(services.privacy.line_busy(language, content.root))
    topic = node if node in content else content.root
    try:
        async with transaction(services) as tx:
            case = await services.cases.open(person, address, language, topic, session=tx.session)
            position = await services.cases.position(case, session=tx.session)
            await services.cases.set_told_position(case.id, position, session=tx.session)
            if services.team.enabled:
                await _open_topic(tx, case)
            await _announce(tx, case)
            tx.audit(AuditEvent.CASE_OPENED, case)
    except AlreadyOpen as already:  # a double tap, or the same tap through another instance
        return Result((await status(services, already.case),))
    services.stats.handoff(topic, language)
    return Result((await status(services, case),))


async def cancel(services: Services, person: str, language: str) -> Result:
    """/end, /cancel or the button: the person ends their open case."""
    content = services.content.snapshot
    async with transaction(services) as tx:
        case = await services.cases.current(person, session=tx.session)
        if case is None:
            return Result((services.handoff.cancelled(language, content.root),))
        step(_state(case), Event.CANCEL)
        # Cancelled while waiting, the person was told nothing more is passed on: a later message is theirs.
        await services.cases.close(case.id, reopenable=case.status != WAITING, session=tx.session)
        holder = services.roster.by_key(case.counsellor) if case.counsellor else None
        if holder is not None:
            event = "ended_by_person" if case.status == ACTIVE else "cancelled"
            await tx.tell_counsellor(holder, services.desk.case_event(holder.ui_language, case, event))
        if case.status == WAITING:
            await _tell_positions(tx, case.language)
            screen = services.handoff.cancelled(case.language, content.root)
        else:
            reopen = services.config.settings.handoff.reopen_window_hours
            screen = services.handoff.ended(case.language, case.code, content.root, by_person=True,
                                            reopen_hours=reopen)
        tx.audit(AuditEvent.CLOSED, case)
    services.stats.closed(case.language)
    return Result((screen,))


async def rate(services: Services, person: str, language: str, code: str, rating: str) -> Result:
    case = await services.cases.by_code(code)
    if case is not None and not step(_state(case), Event.RATE).refused:
        if await services.cases.rate(case.id, person, rating):  # the first rating of a case counts
            services.stats.rated(rating)
    return Result((services.handoff.thanks(language, services.content.snapshot.root),))


async def write(services: Services, person: str, language: str, message: Incoming) -> Result:
    """A person's message: to their open case, or reopening the case that closed within the window.
    Returns done=False with nothing to show when the person has no case to write to."""
    async with transaction(services) as tx:
        case = await services.cases.current(person, session=tx.session)
        reopened = False
        if case is None:
            window = timedelta(hours=services.config.settings.handoff.reopen_window_hours)
            closed = await services.cases.reopenable(person, window, session=tx.session)
            if closed is None or message.kind in NEVER_RELAYED:
                return Result(done=False)
            if await services.cases.is_blocked(person, session=tx.session):
                return _refused(services.handoff.stopped(language, services.content.snapshot.root))
            case = await _reopen(tx, closed)
            reopened = True
        screens = [services.handoff.reopened(case.language, case.code)] if reopened else []
        refusal = _not_relayable(services, case, message)
        if refusal is not None:
            return Result((*screens, refusal), done=False)
        if message.kind == ContentType.DOCUMENT and await services.cases.warn_document_once(case.id,
                                                                                             session=tx.session):
            screens.append(services.handoff.document_warning(case.language))
        step(_state(case), Event.WRITE)
        if case.status == WAITING:
            held = len(await services.cases.pending(case.id, session=tx.session))
            if held >= services.config.settings.handoff.max_waiting_messages:
                return Result((*screens, services.handoff.waiting_full(case.language)), done=False)
        relay = await services.cases.record(case.id, from_person=True, person_message_id=message.message_id,
                                            session=tx.session)
        if services.team.enabled:  # the whole team sees the case from its first word, in its topic
            await _copy_to_team(tx, case, relay.id, message.message_id)
            return Result(tuple(screens))
        holder = services.roster.by_key(case.counsellor) if case.counsellor else None
        if case.status == ACTIVE and holder is not None:
            if message.media_group_id is None:
                await _copy_to(tx, case, holder, [(relay.id, message.message_id)])
            elif (case.id, message.media_group_id) not in _albums_started:
                await _album_to(tx, case, holder, relay.id)
                if len(_albums_started) > 1000:
                    _albums_started.clear()
                _albums_started[(case.id, message.media_group_id)] = None
    return Result(tuple(screens))


async def _open_topic(tx: _Tx, case: Case) -> None:
    """Team mode: the case's topic, named by code, language and menu topic only, and the "internal"
    marker in it (a reply to the marker stays in the team)."""
    team, desk = tx.services.team, tx.services.team_desk
    await tx.put(team.address, "createForumTopic", {"name": desk.topic_name(tx.services.content.snapshot, case)},
                 {"team_topic": case.id})
    await tx.put(team.address, "sendMessage", {"text": desk.marker(team.note_prefix).parts[0]},
                 {"in_topic": case.id, "marker": case.id})


async def _copy_to_team(tx: _Tx, case: Case, relay_id: int, message_id: int) -> None:
    """Team mode: a copy of the person's message in the case's topic (copyMessage: no trace of the sender)."""
    person = await tx.services.cases.address_of(case, session=tx.session)
    await tx.put(tx.services.team.address, "copyMessage", {
        "from_chat_id": person.for_delivery(), "message_id": message_id,
    }, {"in_topic": case.id, "team_copy": relay_id})


async def _album_to(tx: _Tx, case: Case, counsellor: Counsellor, first_relay: int) -> None:
    """One copyMessages for an album: which items it carries is settled when it is sent (may_send), so the
    items that arrive in the meantime go with it, as one album, marked once."""
    person = await tx.services.cases.address_of(case, session=tx.session)
    await tx.services.outbox.put(counsellor.address, "copyMessages", {
        "from_chat_id": person.for_delivery(), "message_ids": [],
    }, {"album": {"case_id": case.id, "counsellor": counsellor.key, "from_relay": first_relay}},
        session=tx.session, delay=ALBUM_WAIT)


def _not_relayable(services: Services, case: Case, message: Incoming) -> Screen | None:
    if message.kind in NEVER_RELAYED:
        return services.handoff.not_relayed_location(case.language)
    if message.kind not in RELAYED_KINDS:
        return services.handoff.not_relayed_kind(case.language)
    limit_mb = services.config.settings.limits.max_file_mb
    if message.file_size > limit_mb * 1024 * 1024:
        return services.privacy.file_too_large(case.language, limit_mb)
    return None


async def _reopen(tx: _Tx, closed: Case) -> Case:
    """Back to the counsellor who had it, if on duty with room (their focus does not move), else queued."""
    services = tx.services
    step(_state(closed), Event.REOPEN)
    previous = services.roster.by_key(closed.last_counsellor) if closed.last_counsellor else None
    back_to = None
    # Team mode has no shifts: a member is there while they are in the group.
    if previous is not None and (services.team.enabled
                                 or previous.key in await services.cases.on_duty(session=tx.session)):
        if len(await services.cases.held_by(previous.key, session=tx.session)) < previous.max_cases:
            back_to = previous.key
    case = await services.cases.reopen(closed.id, back_to, session=tx.session)
    if previous is not None and back_to is not None:
        screen = services.desk.case_event(previous.ui_language, case, "reopened")
        await tx.tell_counsellor(previous, Screen(screen.parts, ((services.desk.case_button(case),),)))
    else:
        await services.cases.set_told_position(case.id, await services.cases.position(case, session=tx.session),
                                               session=tx.session)
        await _announce(tx, case)
    return case


async def edit(services: Services, person: str, message: Incoming) -> Result:
    """The person edited a message: mirrored on the holder's copy, or copied anew to a holder who has none."""
    async with transaction(services) as tx:
        case = await services.cases.current(person, session=tx.session)
        if case is not None and services.team.enabled:
            links = await services.cases.relays_of_person_message(case.id, message.message_id, session=tx.session)
            copy = next((link for link in links if link.counsellor == TEAM and link.counsellor_message_id), None)
            if copy is not None and copy.counsellor_message_id is not None:
                await _mirror_edit(tx, services.team.address, copy.counsellor_message_id, message, None,
                                   {"case_id": case.id})
            return Result()  # not copied yet: the copy will show the edited text
        if case is None or case.status != ACTIVE or case.counsellor is None:
            return Result()  # waiting: the copy made at take shows the edited text
        holder = services.roster.by_key(case.counsellor)
        if holder is None:
            return Result()
        links = await services.cases.relays_of_person_message(case.id, message.message_id, session=tx.session)
        if not links or any(link.counsellor_message_id is None for link in links):
            return Result()  # not copied yet: the copy will show the edited text
        mine = next((link for link in links if link.counsellor == holder.key), None)
        if mine is None or mine.counsellor_message_id is None:
            relay = await services.cases.record(case.id, from_person=True, person_message_id=message.message_id,
                                                session=tx.session)
            await _copy_to(tx, case, holder, [(relay.id, message.message_id)])
            return Result()
        await _mirror_edit(tx, holder.address, mine.counsellor_message_id, message,
                           _case_markup(services, case), {"counsellor": holder.key})
    return Result()


async def person_left(services: Services, case_id: int | None = None, person: str | None = None) -> None:
    """The person blocked the bot or deleted the chat: close their case, tell the holder, no details."""
    async with transaction(services) as tx:
        case = (await services.cases.get(case_id, session=tx.session) if case_id is not None
                else await services.cases.current(person, session=tx.session) if person is not None else None)
        if case is None or case.status == CLOSED:
            return
        step(_state(case), Event.PERSON_BLOCKED)
        await services.cases.close(case.id, session=tx.session)
        holder = services.roster.by_key(case.counsellor) if case.counsellor else None
        if holder is not None:
            await tx.tell_counsellor(holder, services.desk.case_event(holder.ui_language, case, "left"))
        if case.status == WAITING:
            await _tell_positions(tx, case.language)


async def forget(services: Services, person: str) -> list[Case]:
    """/forget, confirmed: every case of the person erased with its ledger, notes and key; what the
    counsellors' chats still hold of them deleted where Telegram allows (48 hours); holders told only that
    the request was withdrawn. A block stays (it is keyed by pseudonym and expires by itself).
    Returns the cases that were open."""
    async with transaction(services) as tx:
        if services.team.enabled:  # every topic of the person's cases, whole
            await tx.delete_topics(await services.team.drop_of_person(person, session=tx.session))
        chats = await services.cases.counsellor_copies_of_person(person, DELETABLE, session=tx.session)
        for key, message_ids in chats.items():
            counsellor = services.roster.by_key(key)
            if counsellor is not None:
                await _delete(tx, counsellor, message_ids)
        still_open = await services.cases.forget(person, session=tx.session)
        for case in still_open:
            step(_state(case), Event.FORGET)
            holder = services.roster.by_key(case.counsellor) if case.counsellor else None
            if holder is not None and not services.team.enabled:  # team mode: the topic is gone already
                await tx.tell_counsellor(holder, services.desk.case_event(holder.ui_language, case, "withdrawn"))
            if case.status == WAITING:
                await _tell_positions(tx, case.language)
            tx.audit(AuditEvent.FORGOTTEN)  # no code: it would link the event to the chat copies
    return still_open


# --- the counsellors' side ----------------------------------------------------------------------------

async def _target(tx: _Tx, counsellor: Counsellor, reply_to: int | None,
                  topic_case: int | None = None) -> tuple[Case | None, Screen | None]:
    """The case a counsellor's message or command is for, or why there is none. In team mode the topic is
    the case (`topic_case`). Else a reply goes to the replied message's case or nowhere; without a reply,
    to the case in focus. Never a guess."""
    services, language = tx.services, counsellor.ui_language
    if topic_case is not None:
        case = await services.cases.get(topic_case, session=tx.session)
        if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
            step(_state(case), Event.REPLY_OTHER)
            return None, services.desk.reply(language, "team_not_yours")
        return case, None
    if reply_to is not None:
        link = await services.cases.relay_of_counsellor_message(counsellor.key, reply_to, session=tx.session)
        if link is None:
            return None, services.desk.reply(language, "reply_no_case")
        case = await services.cases.get(link.case_id, session=tx.session)
        if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
            step(_state(case), Event.REPLY_OTHER)
            return None, services.desk.reply(language, "not_yours")
        return case, None
    focus = (await services.cases.state(counsellor.key, session=tx.session)).focus_case_id
    case = await services.cases.get(focus, session=tx.session) if focus is not None else None
    if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
        held = await services.cases.held_by(counsellor.key, session=tx.session)
        return None, services.desk.reply(language, "choose_case" if held else "no_focus")
    return case, None


async def take(services: Services, counsellor: Counsellor, code: str | None) -> Result:
    """/take or /take CODE: the case becomes theirs and their focus; the take screen (with notes), then
    everything the person wrote while waiting, in order; the person is told."""
    language = counsellor.ui_language
    async with transaction(services) as tx:
        cases = services.cases
        held = await cases.held_by(counsellor.key, session=tx.session)
        if len(held) >= counsellor.max_cases:
            return _refused(services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
        case: Case | None = None
        if code:
            wanted = await cases.by_code(code, session=tx.session)
            if wanted is None or wanted.language not in counsellor.languages:
                return _refused(services.desk.reply(language, "no_such_case"))
            if step(_state(wanted), Event.TAKE).refused:
                return _refused(services.desk.reply(language, "not_waiting"))
            try:
                case = await cases.take(wanted.id, counsellor.key, counsellor.max_cases, session=tx.session)
            except AtCapacity:  # another /take of theirs got in first
                return _refused(services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
            if case is None:
                return _refused(services.desk.reply(language, "not_waiting"))
        else:
            for candidate in await cases.waiting(counsellor.languages, limit=1, session=tx.session):
                try:
                    case = await cases.take(candidate.id, counsellor.key, counsellor.max_cases, session=tx.session)
                except AtCapacity:
                    return _refused(services.desk.reply(language, "at_capacity", n=counsellor.max_cases))
            if case is None:
                return _refused(services.desk.queue(language, services.content.snapshot, [], services.clock()))
        content = services.content.snapshot
        if services.team.enabled:  # what the person wrote is in the topic already
            who = member_label(services.roster, counsellor.key)
            await tx.tell_team(case, services.team_desk.event("taken", who))
        else:
            notes = await cases.notes(case.id, session=tx.session)
            held = await cases.held_by(counsellor.key, session=tx.session)
            screen = split_screen(services.desk.taken(language, content, case, notes, held))
            await tx.tell_counsellor(counsellor, screen, case, record=True)
            pending = await cases.pending(case.id, session=tx.session)
            await _copy_to(tx, case, counsellor, [(r.id, r.person_message_id) for r in pending
                                                  if r.person_message_id is not None])
        await tx.tell_person(case, services.handoff.connected(case.language))
        await _tell_positions(tx, case.language)
        tx.audit(AuditEvent.TAKEN, case, counsellor.key)
    services.stats.waited(case.queued_at)
    return Result()


async def focus(services: Services, counsellor: Counsellor, code: str) -> Result:
    """A /cases button: the counsellor chooses where their plain messages go."""
    case = await services.cases.by_code(code)
    if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
        return _refused(services.desk.reply(counsellor.ui_language, "not_yours"))
    await services.cases.set_focus(counsellor.key, case.id)
    return Result((services.desk.focused(counsellor.ui_language, services.content.snapshot, case),))


async def reply(services: Services, counsellor: Counsellor, message: Incoming,
                topic_case: int | None = None) -> Result:
    """A counsellor's message to a person, signed only as "Counsellor" (or their alias); split if too long.
    `topic_case`: team mode, written in that case's topic (copied from the group, noted under TEAM)."""
    language = counsellor.ui_language
    if message.kind in NEVER_RELAYED or message.kind not in RELAYED_KINDS:
        return _refused(services.desk.reply(language, "not_relayed"))
    team = topic_case is not None
    async with transaction(services) as tx:
        case, why = await _target(tx, counsellor, message.reply_to, topic_case)
        if case is None:
            return _refused(why) if why else _refused()
        step(_state(case), Event.REPLY)
        person = await services.cases.address_of(case, session=tx.session)
        relay = await services.cases.record(case.id, from_person=False, person_message_id=None,
                                            counsellor=TEAM if team else counsellor.key,
                                            counsellor_message_id=message.message_id, session=tx.session)
        after = {"relay_id": relay.id, "case_id": case.id, "to_person": True, "writer": counsellor.key}
        signature = services.handoff.signature(case.language, counsellor.alias)
        if message.kind == ContentType.TEXT:
            parts = telegram_html.split(_signed(signature, message.html_text), MESSAGE_LIMIT)
            for n, part in enumerate(parts):
                await tx.put(person, "sendMessage", {"text": part},
                             after if n == 0 else {"case_id": case.id, "to_person": True, "writer": counsellor.key})
            return Result()
        source = services.team.address if team else counsellor.address
        params: dict[str, Any] = {"from_chat_id": source.for_delivery(), "message_id": message.message_id}
        if message.kind in CAPTIONED_KINDS:
            signed = _signed(signature, message.html_text if message.has_caption else "")
            if telegram_html.visible_length(signed) <= CAPTION_LIMIT:
                params["caption"] = signed
            else:  # the caption stays as written; the signature goes first, on its own
                await tx.put(person, "sendMessage", {"text": _signed(signature, "")},
                             {"case_id": case.id, "to_person": True, "writer": counsellor.key})
        await tx.put(person, "copyMessage", params, after)
    return Result()


async def edit_reply(services: Services, counsellor: Counsellor, message: Incoming, *, team: bool = False) -> Result:
    """A counsellor edited a message: mirrored in the person's chat while the case is still theirs.
    `team`: the message is in the team's group (its ids are noted under TEAM)."""
    async with transaction(services) as tx:
        link = await services.cases.relay_of_counsellor_message(TEAM if team else counsellor.key,
                                                                message.message_id, session=tx.session)
        if link is None or link.from_person:
            return Result()
        case = await services.cases.get(link.case_id, session=tx.session)
        if case is None or case.status != ACTIVE or case.counsellor != counsellor.key:
            return _refused(services.desk.reply(counsellor.ui_language, "edit_not_yours"))
        if link.person_message_id is None:
            return Result()
        person = await services.cases.address_of(case, session=tx.session)
        signature = services.handoff.signature(case.language, counsellor.alias)
        await _mirror_edit(tx, person, link.person_message_id, message, None,
                           {"case_id": case.id, "to_person": True, "writer": counsellor.key}, signature)
    return Result()


async def note(services: Services, counsellor: Counsellor, reply_to: int | None, text: str,
               topic_case: int | None = None) -> Result:
    language = counsellor.ui_language
    async with transaction(services) as tx:
        case, why = await _target(tx, counsellor, reply_to, topic_case)
        if case is None:
            return _refused(why) if why else _refused()
        if not text:
            return _refused(services.desk.reply(language, "note_usage"))
        step(_state(case), Event.NOTE)
        await services.cases.add_note(case.id, text, session=tx.session)
    return Result((services.desk.case_event(language, case, "note_saved"),))


async def send_page(services: Services, counsellor: Counsellor, reply_to: int | None, node: str,
                    topic_case: int | None = None) -> Result:
    language = counsellor.ui_language
    content = services.content.snapshot
    async with transaction(services) as tx:
        case, why = await _target(tx, counsellor, reply_to, topic_case)
        if case is None:
            return _refused(why) if why else _refused()
        if not node:
            return _refused(services.desk.reply(language, "send_usage"))
        if node not in content:
            return _refused(services.desk.reply(language, "no_such_page"))
        step(_state(case), Event.SEND_PAGE)
        await tx.tell_person(case, services.screens.page(content, node, case.language))
    title = content.page(node, case.language).text.title
    return Result((services.desk.reply(language, "page_sent", title=title),))


async def release(services: Services, counsellor: Counsellor, reply_to: int | None,
                  topic_case: int | None = None) -> Result:
    """/release: back to the queue at its old place; copies not yet sent to this counsellor stay pending."""
    async with transaction(services) as tx:
        case, why = await _target(tx, counsellor, reply_to, topic_case)
        if case is None:
            return _refused(why) if why else _refused()
        step(_state(case), Event.RELEASE)
        released = await services.cases.release(case.id, counsellor.key, session=tx.session)
        if released is None:
            return _refused(services.desk.reply(counsellor.ui_language, "not_yours"))
        await _back_in_queue(tx, released)
        tx.audit(AuditEvent.RELEASED, case, counsellor.key)
    return Result((services.desk.case_event(counsellor.ui_language, case, "released"),))


async def close(services: Services, counsellor: Counsellor, reply_to: int | None, *, block: bool,
                topic_case: int | None = None) -> Result:
    """/close or /block: the case ends; copies not yet sent to the counsellor are dropped by their guard.
    In team mode /block deletes the case's topic at once: nothing of an abuser's case stays with the team."""
    content = services.content.snapshot
    async with transaction(services) as tx:
        case, why = await _target(tx, counsellor, reply_to, topic_case)
        if case is None:
            return _refused(why) if why else _refused()
        step(_state(case), Event.BLOCK if block else Event.CLOSE)
        await services.cases.close(case.id, session=tx.session)
        if block:
            await services.cases.block(case.person, session=tx.session)
            if services.team.enabled:
                await tx.delete_topics(await services.team.drop([case.id], session=tx.session))
            screen = services.handoff.stopped(case.language, content.root)
        else:
            reopen = services.config.settings.handoff.reopen_window_hours
            screen = services.handoff.ended(case.language, case.code, content.root, by_person=False,
                                            reopen_hours=reopen)
        address = await services.cases.address_of(case, session=tx.session)
        await tx.tell(address, screen)
        tx.audit(AuditEvent.BLOCKED if block else AuditEvent.CLOSED, case, counsellor.key)
    services.stats.closed(case.language)
    event = "blocked" if block else "closed"
    return Result((services.desk.case_event(counsellor.ui_language, case, event),))


async def counsellor_gone(services: Services, key: str, counsellor: Counsellor | None, *,
                          reachable: bool) -> list[Case]:
    """Revoked, removed from config.yaml (while running or while down), or unreachable (blocked the bot):
    their cases go back to the queue with whatever they had not received, and, if they can still be
    reached, what their chat holds of the cases is deleted where Telegram allows. Returns the cases."""
    async with transaction(services) as tx:
        released = []
        for case in await services.cases.held_by(key, session=tx.session):
            back = await services.cases.release(case.id, key, session=tx.session)
            if back is not None:
                released.append(back)
                await _back_in_queue(tx, back)
        if counsellor is not None and reachable:
            copies = await services.cases.copies_in_chat_of(key, DELETABLE, session=tx.session)
            await _delete(tx, counsellor, copies)
        if reachable or counsellor is None:  # gone for good: no working state kept for them
            await services.cases.forget_counsellor(key, session=tx.session)
        else:  # still a counsellor: off duty until they unblock the bot and send /on
            await services.cases.set_duty(key, False, session=tx.session)
        if reachable:
            tx.audit(AuditEvent.COUNSELLOR_REMOVED, counsellor=key)
    return released


async def restart(services: Services) -> int:
    """At start: a case held by someone no longer in config.yaml (removed while the bot was down) goes back
    to the queue. Returns how many counsellors were let go."""
    known = {c.key for c in services.roster}
    gone = {case.counsellor for case in await services.cases.open_cases()
            if case.status == ACTIVE and case.counsellor is not None and case.counsellor not in known}
    for key in gone:
        await counsellor_gone(services, key, None, reachable=True)
    return len(gone)


async def notify(services: Services, address: Address, screen: Screen) -> None:
    """A notice the bot sends on its own (an expired request), through the outbox."""
    async with transaction(services) as tx:
        await tx.tell(address, screen)


# --- delivery: guards, what to note once sent, what to do when Telegram refuses --------------------------

async def prepare(services: Services, params: dict[str, Any],
                  after: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    """What to send for an outbox row, or None to skip it: a copy whose counsellor no longer holds the case,
    or that was delivered already, is skipped (it stays pending for the next counsellor); an album takes the
    items still pending from its first one on."""
    after = after or {}
    if "team_topic" in after:  # a topic for a case forgotten before it was made: not made at all
        return (params, after) if await services.cases.get(after["team_topic"]) is not None else None
    if "in_topic" in after:  # team mode: into the case's topic, while it has one
        thread = await services.team.thread_of(after["in_topic"])
        if thread is None:
            log.warning("team: a message for a case that has no topic (not made, or deleted) was not sent")
            return None
        return {**params, "message_thread_id": thread}, after
    guard = after.get("copy")
    if guard is not None:
        wanted = await services.cases.copy_still_wanted(guard["relay_id"], guard["case_id"], guard["counsellor"])
        return (params, after) if wanted else None
    album = after.get("album")
    if album is not None:
        relays = await services.cases.pending_for(album["case_id"], album["counsellor"], album["from_relay"])
        if not relays:
            return None
        ids = [message_id for _relay_id, message_id in relays]
        return ({**params, "message_ids": ids},
                {"album": {**album, "relays": [relay_id for relay_id, _message_id in relays]}})
    return params, after


async def _album_delivered(services: Services, album: dict[str, Any], message_ids: list[int]) -> None:
    relays: list[int] = album["relays"]
    case = await services.cases.get(album["case_id"])
    counsellor = services.roster.by_key(album["counsellor"])
    if len(message_ids) == len(relays):
        for relay_id, copy_id in zip(relays, message_ids, strict=True):
            await services.cases.copy_delivered(relay_id, album["case_id"], album["counsellor"], copy_id)
    else:  # Telegram skipped items the person deleted meanwhile: which copy is which cannot be told
        for relay_id in relays:
            await services.cases.drop_relay(relay_id)
    if case is not None and counsellor is not None:
        async with transaction(services) as tx:  # marked once, under the album: which case it is
            event = services.desk.album_marker(counsellor.ui_language, case)
            await tx.tell_counsellor(counsellor, Screen(event.parts, ((services.desk.case_button(case),),)))


async def delivered(services: Services, after: dict[str, Any] | None, message_id: object) -> bool:
    """Note what was sent. False: the copy arrived after its case left the counsellor; delete it again."""
    after = after or {}
    if "team_topic" in after and isinstance(message_id, int):
        if not await services.team.created(after["team_topic"], message_id):  # forgotten while it was made
            async with transaction(services) as tx:
                await tx.delete_topics([message_id])
        return True
    if "album" in after and isinstance(message_id, list):
        await _album_delivered(services, after["album"], message_id)
        return True
    if not isinstance(message_id, int):
        return True
    if "copy" in after:
        guard = after["copy"]
        return await services.cases.copy_delivered(guard["relay_id"], guard["case_id"], guard["counsellor"],
                                                   message_id)
    if "team_copy" in after:
        await services.cases.delivered(after["team_copy"], TEAM, message_id)
        return True
    if "marker" in after:
        await services.team.marked(after["marker"], message_id)
        return True
    if "relay_id" in after:
        await services.cases.reply_delivered(after["relay_id"], message_id)
    if "screen" in after:
        screen = after["screen"]
        await services.cases.record(screen["case_id"], from_person=True, person_message_id=None,
                                    counsellor=screen["counsellor"], counsellor_message_id=message_id)
    return True


async def refused(services: Services, after: dict[str, Any] | None, kind: str) -> None:
    """Telegram refused a row for good (400): the writer is told in their language, unless the person
    deleted their own message before a counsellor saw it."""
    after = after or {}
    if "copy" in after or "team_copy" in after:
        guard = after.get("copy") or {"relay_id": after["team_copy"], "case_id": after["in_topic"]}
        await services.cases.drop_relay(guard["relay_id"])
        if kind == "message to copy not found":
            return
    elif "topic_deleted" in after:
        log.error("team: Telegram refused to delete a case's topic (%s): delete it by hand", kind)
        return
    elif "team_topic" in after:
        log.error("team: Telegram refused to create a case's topic (%s): check the bot's rights in the group; "
                  "the case waits on the board", kind)
        return
    await _tell_writer(services, after, services.handoff.undeliverable, "refused_by_telegram")


async def maybe_lost(services: Services, after: dict[str, Any] | None) -> None:
    """A copy the last leader may or may not have sent before it died (several instances): it is not sent
    again, so its writer is told it may not have arrived."""
    await _tell_writer(services, after or {}, services.handoff.maybe_lost, "maybe_lost")


async def _tell_writer(services: Services, after: dict[str, Any], to_person: Callable[[str], Screen],
                       to_counsellor: str) -> None:
    """About a row that did not (or may not) arrive: a person's copy (to a counsellor, or into the team's
    topic) tells the person (``to_person`` in their language) while their case is open; a counsellor's
    message tells its writer (a desk reply key)."""
    copy = after.get("copy") or ({"case_id": after["in_topic"]} if "team_copy" in after else None)
    if copy is not None:
        case = await services.cases.get(copy["case_id"])
        if case is not None and case.status != CLOSED:
            async with transaction(services) as tx:
                await tx.tell_person(case, to_person(case.language))
        return
    writer = services.roster.by_key(after["writer"]) if "writer" in after else None
    if writer is not None:
        case = await services.cases.get(after["case_id"]) if "case_id" in after else None
        async with transaction(services) as tx:
            await tx.tell_counsellor(writer, services.desk.reply(writer.ui_language, to_counsellor), case)


async def unreachable(services: Services, rows_after: list[dict[str, Any] | None]) -> None:
    """A 403: the chat blocked the bot. A person's chat: their case closes. A counsellor's chat: their cases
    go back to the queue with every message they did not receive."""
    for after in rows_after:
        after = after or {}
        key = after.get("counsellor") or (after.get("copy") or {}).get("counsellor")
        if key is not None:
            await counsellor_gone(services, key, services.roster.by_key(key), reachable=False)
            return
        if after.get("to_person") and "case_id" in after:
            await person_left(services, case_id=after["case_id"])
            return


# --- shared steps inside a use case's transaction ------------------------------------------------------

def _case_markup(services: Services, case: Case) -> dict[str, Any] | None:
    """The button under every relayed message: which case it is; a tap makes it the focus."""
    return _markup_json(Screen(("",), ((services.desk.case_button(case),),)), "")


async def _copy_to(tx: _Tx, case: Case, counsellor: Counsellor, relays: list[tuple[int, int]]) -> None:
    """Copy the person's messages (relay id, message id) to the holder, each guarded by its relay."""
    if not relays:
        return
    person = await tx.services.cases.address_of(case, session=tx.session)
    markup = _case_markup(tx.services, case)
    for relay_id, message_id in relays:
        await tx.put(counsellor.address, "copyMessage", {
            "from_chat_id": person.for_delivery(), "message_id": message_id, "reply_markup": markup,
        }, {"copy": {"relay_id": relay_id, "case_id": case.id, "counsellor": counsellor.key}})


async def _mirror_edit(tx: _Tx, target: Address, message_id: int, message: Incoming,
                       markup: dict[str, Any] | None, after: dict[str, Any], signature: str | None = None) -> None:
    """Pass an edit on as an edit, where Telegram allows it (text and captions)."""
    text = _signed(signature, message.html_text) if signature is not None else message.html_text
    if message.kind == ContentType.TEXT:
        await tx.put(target, "editMessageText", {"message_id": message_id, "text": text, "reply_markup": markup},
                     after)
    elif message.has_caption:
        await tx.put(target, "editMessageCaption", {"message_id": message_id, "caption": text,
                                                    "reply_markup": markup}, after)


async def _delete(tx: _Tx, counsellor: Counsellor, message_ids: list[int]) -> None:
    for start in range(0, len(message_ids), DELETE_BATCH):
        await tx.put(counsellor.address, "deleteMessages",
                     {"message_ids": message_ids[start:start + DELETE_BATCH]}, {"counsellor": counsellor.key})


async def _back_in_queue(tx: _Tx, case: Case) -> None:
    """A released case: the person is told their place, the counsellors that it waits again."""
    position = await tx.services.cases.position(case, session=tx.session)
    await tx.services.cases.set_told_position(case.id, position, session=tx.session)
    await tx.tell_person(case, tx.services.handoff.released(case.language, position))
    if tx.services.team.enabled:
        await tx.tell_team(case, tx.services.team_desk.event("released"))
    await _announce(tx, case)


async def _announce(tx: _Tx, case: Case) -> None:
    """Tell on-duty counsellors who speak the case's language: code, language and topic only; throttled."""
    services = tx.services
    if services.team.enabled:  # the topic and the board show it to the whole team
        return
    interval = timedelta(seconds=services.config.settings.handoff.notify_interval_seconds)
    # Three statements however many counsellors there are: this runs inside the asking person's transaction.
    on_duty = await services.cases.on_duty(session=tx.session)
    candidates = [c for c in services.roster if c.key in on_duty and case.language in c.languages]
    if not candidates:
        return
    held = await services.cases.held_counts(session=tx.session)
    candidates = [c for c in candidates if held.get(c.key, 0) < c.max_cases]
    told = await services.cases.may_notify_all([c.key for c in candidates], interval, session=tx.session)
    content = services.content.snapshot
    for counsellor in candidates:
        if counsellor.key in told:
            await tx.tell_counsellor(counsellor, services.desk.new_case(counsellor.ui_language, content, case))


async def _tell_positions(tx: _Tx, language: str) -> None:
    """Tell waiting people when their place improved noticeably (into the top three, or by five)."""
    # In queue order for one language, so a case's place is its index: one query, not one per case.
    for position, case in enumerate(await tx.services.cases.waiting([language], session=tx.session), start=1):
        told = case.told_position
        if told is None or position >= told or not (position <= 3 or told - position >= 5):
            continue
        await tx.tell_person(case, tx.services.handoff.moved_up(case.language, position))
        await tx.services.cases.set_told_position(case.id, position, session=tx.session)


async def _refresh_board(tx: _Tx) -> None:
    """Team mode: the pinned board edited (never re-posted) when what it shows changed; in the use case's
    transaction, so the group's rows keep the order of the changes."""
    services = tx.services
    board = services.team.current_board
    if board is None:
        return
    waiting = await services.cases.waiting(services.languages, session=tx.session)
    active = [c for c in await services.cases.open_cases(session=tx.session) if c.status == ACTIVE]
    text = services.team_desk.board(services.content.snapshot, services.roster, [*waiting, *active], services.clock())
    if text == services.team.last_board:
        return
    services.team.last_board = text
    await tx.put(services.team.address, "editMessageText", {"message_id": board.message_id, "text": text},
                 {"board": True})


async def refresh_board(services: Services) -> None:
    """Team mode: bring the board up to date after changes made outside a use case (housekeeping)."""
    if services.team.enabled:
        async with transaction(services):
            pass  # the transaction's end refreshes the board


async def purge(services: Services, older_than: timedelta) -> int:
    """Retention: closed cases older than this deleted with notes, ledger and key; in team mode their
    topics deleted whole, in the same transaction. Returns how many cases."""
    async with transaction(services) as tx:
        if services.team.enabled:
            ids = await services.cases.closed_before(older_than, session=tx.session)
            await tx.delete_topics(await services.team.drop(ids, session=tx.session))
        return await services.cases.purge_closed(older_than, session=tx.session)


async def wait_estimate(services: Services, language: str, position: int) -> tuple[int | None, datetime | None]:
    """(minutes, opening time): a rough wait if someone is on duty, else when working hours start."""
    on_duty = await services.cases.on_duty()
    now = services.clock()
    # Team mode has no shifts: the team is there in working hours.
    team_there = services.team.enabled and services.hours.is_open(now)
    online = [c for c in services.roster if (team_there or c.key in on_duty) and language in c.languages]
    if not online:
        hours = services.hours
        return None, (None if hours.is_open(now) else hours.next_opening(now))
    minutes = services.config.settings.handoff.minutes_per_case
    return math.ceil(position * minutes / len(online)), None
