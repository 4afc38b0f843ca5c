"""Counsellors removed by an admin: remembered so a restart with an old config.yaml does not bring them back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.atomic import insert_missing
from bot.storage.tables import RevokedCounsellorRecord


class Revocations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> set[str]:
        async with self._sessions() as session:
            return set((await session.execute(select(RevokedCounsellorRecord.key))).scalars())

    async def add(self, key: str) -> None:
        async with self._sessions.begin() as session:
            await insert_missing(session, RevokedCounsellorRecord, key=key, revoked_on=date.today())
