"""Team mode: each case is a topic in the counsellors' private forum supergroup, deleted when the case ends.

What the group holds: topics named by case code, language and menu topic; copies of what the person wrote
(copyMessage, protected, never forwarded); what members wrote; the pinned status board. What it never holds:
the person's id, name, username or profile. The topic's thread number ↔ case mapping is stored only while the
case lives (a foreign key deletes it with the case); the group's chat id is config, never stored in the clear.

Nothing here knows aiogram: the use cases (engine.py) write the Bot API calls to the outbox, and the
handlers (handlers/team.py) decode what members write.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import TeamSettings
from bot.content.model import ContentSnapshot
from bot.handoff.cases import ACTIVE, WAITING, Case
from bot.handoff.roster import Roster
from bot.i18n import Catalogs
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.menus.screens import Screen
from bot.storage.atomic import insert_missing
from bot.storage.tables import CaseRecord, TeamBoardRecord, TeamTopicRecord

# The relay ledger's "counsellor" for messages in the group: one chat shared by every member, whose message
# ids must never be taken for ids in a member's private chat (clean-up there deletes by id).
TEAM = "team"
TOPIC_NAME_LIMIT = 128  # Telegram's limit for a topic's name, in characters
BOARD_SHOWN = 30  # cases listed per section of the board (the count is in its heading): 4,096 characters


def _p(text: str) -> str:
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Board:
    thread_id: int
    message_id: int


class TeamTopics:
    """The topic of each living case, the board's place, and whether team mode is on."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing, settings: TeamSettings) -> None:
        self._sessions = sessions
        self.enabled = settings.enabled and settings.group_id is not None
        self.note_prefix = settings.note_prefix
        self._group_id = settings.group_id or 0
        self._chat = keys.pseudonym("chat", self._group_id) if self.enabled else ""
        self.last_board = ""  # the board's text as last queued by this process: edit only when it changed
        self.current_board: Board | None = None  # read at start (a use case's transaction holds the connection)

    @property
    def address(self) -> Address:
        """The group, for the one API call about to be made. Raises LookupError when team mode is off."""
        if not self.enabled:
            raise LookupError("team mode is off")
        return Address(self._group_id)

    def is_group(self, chat_id: int) -> bool:
        """Called by the identity boundary only: is this chat the team's group?"""
        return self.enabled and chat_id == self._group_id

    async def thread_of(self, case_id: int) -> int | None:
        async with self._sessions() as s:
            return (await s.execute(select(TeamTopicRecord.thread_id)
                                    .where(TeamTopicRecord.case_id == case_id))).scalar_one_or_none()

    async def case_of(self, thread_id: int) -> int | None:
        async with self._sessions() as s:
            return (await s.execute(select(TeamTopicRecord.case_id)
                                    .where(TeamTopicRecord.thread_id == thread_id))).scalar_one_or_none()

    async def marker_of(self, case_id: int) -> int | None:
        async with self._sessions() as s:
            return (await s.execute(select(TeamTopicRecord.marker_id)
                                    .where(TeamTopicRecord.case_id == case_id))).scalar_one_or_none()

    async def created(self, case_id: int, thread_id: int) -> bool:
        """Note the topic Telegram made for a case. False: the case is gone meanwhile (the topic must go)."""
        async with self._sessions.begin() as s:
            if await s.get(CaseRecord, case_id) is None:
                return False
            await insert_missing(s, TeamTopicRecord, case_id=case_id, thread_id=thread_id)
            return True

    async def marked(self, case_id: int, marker_id: int) -> None:
        async with self._sessions.begin() as s:
            record = await s.get(TeamTopicRecord, case_id)
            if record is not None:
                record.marker_id = marker_id

    async def drop(self, case_ids: Sequence[int], *, session: AsyncSession) -> list[int]:
        """Forget these cases' topics; returns their thread ids, for deleteForumTopic."""
        if not case_ids:
            return []
        threads = list((await session.execute(select(TeamTopicRecord.thread_id)
                                              .where(TeamTopicRecord.case_id.in_(case_ids)))).scalars())
        await session.execute(delete(TeamTopicRecord).where(TeamTopicRecord.case_id.in_(case_ids)))
        return [int(t) for t in threads]

    async def drop_of_person(self, person: str, *, session: AsyncSession) -> list[int]:
        """Forget the topics of every case of the person; returns their thread ids."""
        ids = list((await session.execute(select(CaseRecord.id).where(CaseRecord.person == person))).scalars())
        return await self.drop([int(i) for i in ids], session=session)

    async def board(self) -> Board | None:
        """The board as stored (and kept as `current_board`)."""
        if not self.enabled:
            return None
        async with self._sessions() as s:
            record = await s.get(TeamBoardRecord, self._chat)
            self.current_board = Board(record.thread_id, record.message_id) if record else None
            return self.current_board

    async def set_board(self, thread_id: int, message_id: int) -> None:
        async with self._sessions.begin() as s:
            record = await s.get(TeamBoardRecord, self._chat)
            if record is None:
                s.add(TeamBoardRecord(chat=self._chat, thread_id=thread_id, message_id=message_id))
            else:
                record.thread_id, record.message_id = thread_id, message_id
        self.current_board = Board(thread_id, message_id)


def member_label(roster: Roster, key: str | None) -> str:
    """How the group names a member: their alias, else their place in config.yaml ("#2"). Never their
    Telegram name: the bot does not read it past the identity boundary."""
    if key is None:
        return "—"
    for n, counsellor in enumerate(roster, start=1):
        if counsellor.key == key:
            return counsellor.alias or f"#{n}"
    return "—"


class TeamScreens:
    """What the bot writes in the group, in the team's language (the config's default language)."""

    def __init__(self, catalogs: Catalogs, language: str) -> None:
        self._catalogs = catalogs
        self.language = language

    def _(self, text: str) -> str:
        return self._catalogs[self.language].gettext(text)

    def topic_name(self, content: ContentSnapshot, case: Case) -> str:
        """The topic's name: code, language, menu topic; nothing of the person."""
        if case.topic == content.root:  # asked from the main menu: its title (the bot's name) says nothing
            topic = self._("general question")
        else:
            topic = content.page(case.topic, self.language).text.title if case.topic in content else case.topic
        return f"{case.code} · {case.language} · {topic}"[:TOPIC_NAME_LIMIT]

    def marker(self, prefix: str) -> Screen:
        return Screen(("🔒 <b>" + _p(self._("Internal")) + "</b>\n" + _p(self._(
            "Everything the person writes appears in this topic. /take to answer; then what you write here "
            "goes to the person. Messages that start with {prefix} and replies to this message stay in the "
            "team. The topic is deleted when the case is forgotten, blocked or its time is up.")
            .format(prefix=prefix)),))

    def event(self, key: str, who: str = "") -> Screen:
        texts = {
            "taken": self._("Taken by {who}. What they write here goes to the person."),
            "released": self._("Back in the queue."),
            "closed": self._("Case closed. The person may write again for a while; then this topic is deleted."),
            "ended_by_person": self._("The person ended the conversation. The case is closed."),
            "cancelled": self._("The person cancelled the request."),
            "left": self._("The person left the conversation (they blocked the bot or deleted the chat). "
                           "The case is closed."),
            "reopened": self._("The person wrote again: the case is open again."),
            "note_saved": self._("Note saved."),
        }
        return Screen((_p(texts[key].format(who=who)),))

    def stranger(self) -> Screen:
        """For the admins: someone not in config.yaml wrote in the team's group (nothing of what they wrote)."""
        return Screen((_p(self._("Someone who is not a counsellor in config.yaml wrote in the team group. The bot "
                                 "ignored them and passed nothing on. Check who is in the group.")),))

    def board_title(self) -> str:
        return self._("Queue")

    def board(self, content: ContentSnapshot, roster: Roster, cases: Sequence[Case], now: datetime) -> str:
        """The pinned status message: who waits (longest first) and who holds which case."""
        waiting = [c for c in cases if c.status == WAITING]
        active = [c for c in cases if c.status == ACTIVE]
        lines = ["📋 <b>" + _p(self._("Queue")) + f"</b> ({len(waiting)})"]
        for case in waiting[:BOARD_SHOWN]:
            since = case.queued_at.strftime("%H:%M") if case.queued_at is not None else ""
            lines.append(f"• {self._line(content, case)} · {since} UTC")
        if not waiting:
            lines.append(_p(self._("Nobody is waiting.")))
        lines += ["", "💬 <b>" + _p(self._("In conversation")) + f"</b> ({len(active)})"]
        lines += [f"• {self._line(content, case)} — {_p(member_label(roster, case.counsellor))}"
                  for case in active[:BOARD_SHOWN]]
        return "\n".join(lines)

    def _line(self, content: ContentSnapshot, case: Case) -> str:
        if case.topic == content.root:  # asked from the main menu: its title (the bot's name) says nothing
            topic = self._("general question")
        else:
            topic = content.page(case.topic, self.language).text.title if case.topic in content else case.topic
        return f"<b>{_p(case.code)}</b> · {_p(case.language)} · {_p(topic)}"


def is_note(text: str, prefix: str) -> bool:
    return text.lstrip().startswith(prefix)

