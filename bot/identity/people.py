"""What the bot remembers about a person for navigation: their language and the page they are on.

Read on every update and changed on most, so it is served from memory: a bounded cache of the people seen
lately (least recently seen dropped first), and changes written behind (bot.storage.behind). The cache is
right only while this process is the one handling updates; it starts empty (a restarted process, or a new
leader among several instances, reads from the database) and `reset()` empties it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update

from bot.storage.behind import PEOPLE, WriteBehind
from bot.storage.database import Database
from bot.storage.tables import ChatMessageRecord, PersonRecord

CACHED_PEOPLE = 10_000
"""People whose state is kept in memory: about 2 MB; a person not among them costs one read."""


@dataclass(frozen=True)
class PersonState:
    language: str | None
    node: str | None


class People:
    def __init__(self, database: Database, behind: WriteBehind, clock: Callable[[], datetime],
                 capacity: int = CACHED_PEOPLE) -> None:
        self._database = database
        self._sessions = database.sessions
        self._behind = behind
        self._clock = clock
        self._capacity = capacity
        self._known: OrderedDict[str, PersonState | None] = OrderedDict()  # None: no row

    def _today(self) -> date:
        return self._clock().date()

    def _keep(self, pseudonym: str, state: PersonState | None) -> None:
        self._known[pseudonym] = state
        self._known.move_to_end(pseudonym)
        while len(self._known) > self._capacity:
            self._known.popitem(last=False)

    def reset(self) -> None:
        """Forget everything cached (another process may have changed the rows)."""
        self._known.clear()

    async def get(self, pseudonym: str) -> PersonState | None:
        if pseudonym in self._known:
            self._known.move_to_end(pseudonym)
            return self._known[pseudonym]
        rows = await self._database.read(select(PEOPLE.c.language, PEOPLE.c.node)
                                                .where(PEOPLE.c.pseudonym == pseudonym))
        row = rows[0] if rows else None
        state = PersonState(row.language, row.node) if row is not None else None
        waiting = self._behind.waiting_person(pseudonym)  # evicted from the cache but not yet written
        if waiting is not None and (waiting.language or waiting.node):
            state = PersonState(waiting.language or (state.language if state else None),
                                waiting.node or (state.node if state else None))
        self._keep(pseudonym, state)
        return state

    async def remember(self, pseudonym: str, *, node: str | None = None, language: str | None = None) -> None:
        """Update what is given; keep the rest. In memory at once, in the database with the next batch."""
        known = self._known.get(pseudonym)
        if known is not None or pseudonym in self._known:
            self._keep(pseudonym, PersonState(language or (known.language if known else None),
                                              node or (known.node if known else None)))
        self._behind.person(pseudonym, self._today(), node=node, language=language)

    async def forget(self, pseudonym: str) -> None:
        """Delete the person's row; nothing waiting to be written can bring it back."""
        async with self._behind.discarding(pseudonym), self._sessions.begin() as session:
            await session.execute(delete(PersonRecord).where(PersonRecord.pseudonym == pseudonym))
        self._known.pop(pseudonym, None)

    async def purge_inactive(self, older_than: timedelta, keep: set[str]) -> int:
        """Drop the menu state of people not seen for a while (unless they still have a case or a chat
        to clean, which `keep` lists)."""
        async with self._behind.exclusive(), self._sessions.begin() as session:
            pending = set((await session.execute(select(ChatMessageRecord.person).distinct())).scalars())
            stale = (await session.execute(select(PersonRecord.pseudonym).where(
                PersonRecord.seen_on < self._today() - older_than))).scalars().all()
            doomed = [p for p in stale if p not in keep and p not in pending]
            if doomed:
                await session.execute(delete(PersonRecord).where(PersonRecord.pseudonym.in_(doomed)))
        for pseudonym in doomed:
            self._known.pop(pseudonym, None)
        return len(doomed)

    async def adopt(self, new: str, previous: list[str]) -> str | None:
        """After a key rotation: if the person is known under a previous pseudonym, rename them.
        Returns the old pseudonym that was renamed, if any."""
        if not previous or self._known.get(new) is not None:
            return None
        await self._behind.flush()  # the rename below must see every row waiting to be written
        async with self._sessions.begin() as session:
            if await session.get(PersonRecord, new) is not None:
                return None
            for old in previous:
                record = await session.get(PersonRecord, old)
                if record is not None:
                    # The sealed address is bound to the old pseudonym and cannot follow the rename; the
                    # ledger seals it again with the next message.
                    await session.execute(update(PersonRecord).where(PersonRecord.pseudonym == old)
                                          .values(pseudonym=new, address=None))
                    self._known.pop(old, None)
                    self._known.pop(new, None)
                    return old
        return None
