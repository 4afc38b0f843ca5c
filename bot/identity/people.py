"""What the bot remembers about a person for navigation: their language and the page they are on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.atomic import locked_row
from bot.storage.tables import ChatMessageRecord, PersonRecord


@dataclass(frozen=True)
class PersonState:
    language: str | None
    node: str | None


class People:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    def _today(self) -> date:
        return self._clock().date()

    async def get(self, pseudonym: str) -> PersonState | None:
        async with self._sessions() as session:
            record = await session.get(PersonRecord, pseudonym)
            return PersonState(record.language, record.node) if record else None

    async def remember(self, pseudonym: str, *, node: str | None = None, language: str | None = None) -> None:
        """Update what is given; keep the rest."""
        async with self._sessions.begin() as session:
            record = await locked_row(session, PersonRecord, pseudonym=pseudonym, seen_on=self._today())
            if node is not None:
                record.node = node
            if language is not None:
                record.language = language
            record.seen_on = self._today()

    async def forget(self, pseudonym: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(delete(PersonRecord).where(PersonRecord.pseudonym == pseudonym))

    async def purge_inactive(self, older_than: timedelta, keep: set[str]) -> int:
        """Drop the menu state of people not seen for a while (unless they still have a case or a chat
        to clean, which `keep` lists)."""
        async with self._sessions.begin() as session:
            pending = set((await session.execute(select(ChatMessageRecord.person).distinct())).scalars())
            stale = (await session.execute(select(PersonRecord.pseudonym).where(
                PersonRecord.seen_on < self._today() - older_than))).scalars().all()
            doomed = [p for p in stale if p not in keep and p not in pending]
            if doomed:
                await session.execute(delete(PersonRecord).where(PersonRecord.pseudonym.in_(doomed)))
            return len(doomed)

    async def adopt(self, new: str, previous: list[str]) -> str | None:
        """After a key rotation: if the person is known under a previous pseudonym, rename them.
        Returns the old pseudonym that was renamed, if any."""
        if not previous:
            return None
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
                    return old
        return None
