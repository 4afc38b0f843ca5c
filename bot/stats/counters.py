"""Anonymous daily counts: how many searches today, how many found nothing, which pages were chosen.

A count is (day, name, key) → number. `name` says what is counted ("search", "search_empty",
"search_pick"); `key` narrows it to something public (a node id, a language) or is "". There is no
column for a person and none for text: whatever is counted here cannot lead back to who or what.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import now_utc
from bot.storage.tables import DailyCounterRecord

MAX_NAME = 32
MAX_KEY = 32


class Counters:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = now_utc) -> None:
        self._sessions = sessions
        self._clock = clock  # the bot's clock (bot/clock.py): days are UTC days, and tests can move them

    async def add(self, name: str, key: str = "", *, by: int = 1, day: date | None = None) -> None:
        """Count one more (or `by` more) of `name` for `key` on `day` (default: today by the clock, UTC)."""
        if not name or len(name) > MAX_NAME or len(key) > MAX_KEY:
            raise ValueError("counter names and keys are short, public words")
        day = day or self._clock().date()
        where = (DailyCounterRecord.day == day, DailyCounterRecord.name == name, DailyCounterRecord.key == key)
        for _attempt in range(2):
            async with self._sessions.begin() as session:
                changed = await session.execute(
                    update(DailyCounterRecord).where(*where).values(count=DailyCounterRecord.count + by)
                )
                if changed.rowcount:  # type: ignore[attr-defined]
                    return
            try:
                async with self._sessions.begin() as session:
                    session.add(DailyCounterRecord(day=day, name=name, key=key, count=by))
                return
            except IntegrityError:
                continue  # someone else made the row first: add to it

    async def day(self, day: date, name: str | None = None) -> dict[tuple[str, str], int]:
        """The counts of one day: (name, key) → count."""
        query = select(DailyCounterRecord).where(DailyCounterRecord.day == day)
        if name is not None:
            query = query.where(DailyCounterRecord.name == name)
        async with self._sessions() as session:
            rows = (await session.execute(query)).scalars().all()
        return {(row.name, row.key): row.count for row in rows}

    async def totals(self, name: str, since: date, until: date) -> dict[str, int]:
        """Per key, the sum of `name` over the days from `since` to `until`, both included."""
        query = select(DailyCounterRecord).where(
            DailyCounterRecord.name == name, DailyCounterRecord.day >= since, DailyCounterRecord.day <= until
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).scalars().all()
        totals: dict[str, int] = {}
        for row in rows:
            totals[row.key] = totals.get(row.key, 0) + row.count
        return totals
