"""What the bot remembers about a person for navigation: their language and the page they are on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import PersonRecord


@dataclass(frozen=True)
class PersonState:
    language: str | None
    node: str | None


class People:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, pseudonym: str) -> PersonState | None:
        async with self._sessions() as session:
            record = await session.get(PersonRecord, pseudonym)
            return PersonState(record.language, record.node) if record else None

    async def remember(self, pseudonym: str, *, node: str | None = None, language: str | None = None) -> None:
        """Update what is given; keep the rest."""
        async with self._sessions.begin() as session:
            record = await session.get(PersonRecord, pseudonym)
            if record is None:
                record = PersonRecord(pseudonym=pseudonym, language=None, node=None, seen_on=date.today())
                session.add(record)
            if node is not None:
                record.node = node
            if language is not None:
                record.language = language
            record.seen_on = date.today()
