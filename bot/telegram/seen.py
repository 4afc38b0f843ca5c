"""Which update numbers were already handled: Telegram may deliver an update again (after a crash before
the offset was confirmed, or a webhook retry), and a relayed message must not arrive twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import ProcessedUpdateRecord


class ProcessedUpdates:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim(self, update_id: int) -> bool:
        """True the first time an update number is seen; False for a repeat."""
        try:
            async with self._sessions.begin() as session:
                session.add(ProcessedUpdateRecord(update_id=update_id, day=self._clock().date()))
        except IntegrityError:
            return False
        return True

    async def prune(self, older_than: timedelta = timedelta(days=2)) -> None:
        """Telegram keeps undelivered updates for 24 hours; older numbers cannot come back."""
        async with self._sessions.begin() as session:
            await session.execute(delete(ProcessedUpdateRecord).where(
                ProcessedUpdateRecord.day < self._clock().date() - older_than))
