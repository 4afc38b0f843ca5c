"""An audit log without content: which event, which case code, which counsellor (by pseudonym), which day.

Nothing in it says who a person is or what was said. The list of events is fixed, so a careless call
cannot smuggle a field in. A case code stays only while its case exists: it is printed on every copy in the
counsellor's chat, so once a case is forgotten or purged its events keep no code that could link them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import now_utc
from bot.storage.tables import AuditRecord, CaseRecord


class Event(StrEnum):
    CASE_OPENED = "case_opened"
    TAKEN = "taken"
    RELEASED = "released"
    CLOSED = "closed"
    EXPIRED = "expired"
    FORGOTTEN = "forgotten"
    PURGED = "purged"
    ACCESS_DENIED = "access_denied"
    BLOCKED = "blocked"
    COUNSELLOR_ADDED = "counsellor_added"
    COUNSELLOR_REMOVED = "counsellor_removed"
    REVOKED = "revoked"  # an admin revoked an account (every role); counsellor holds the revocation key
    RESTORED = "restored"  # a revocation was lifted, by an admin or by config.yaml


@dataclass(frozen=True)
class AuditEntry:
    event: Event
    case_code: str | None
    counsellor: str | None
    day: date


class Audit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = now_utc) -> None:
        self._sessions = sessions
        self._clock = clock

    async def log(self, event: Event, *, case_code: str | None = None, counsellor: str | None = None) -> None:
        if not isinstance(event, Event):
            raise TypeError("audit events come from the Event list")
        async with self._sessions.begin() as session:
            session.add(AuditRecord(event=event.value, case_code=case_code, counsellor=counsellor,
                                    day=self._clock().date()))

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        async with self._sessions() as session:
            rows = (await session.execute(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit))).scalars()
            return [AuditEntry(Event(r.event), r.case_code, r.counsellor, r.day) for r in rows]

    async def purge(self, older_than: timedelta) -> int:
        """Delete events older than the retention, and the codes of cases that no longer exist."""
        async with self._sessions.begin() as session:
            result = await session.execute(delete(AuditRecord).where(
                AuditRecord.day < self._clock().date() - older_than))
            purged = int(result.rowcount)  # type: ignore[attr-defined]
        await self.unlink_gone_cases()
        return purged

    async def unlink_gone_cases(self) -> int:
        """Erase the case code from events whose case was forgotten or purged; the events stay. Returns how
        many events lost their code."""
        gone = ~exists().where(CaseRecord.code == AuditRecord.case_code)
        async with self._sessions.begin() as session:
            result = await session.execute(update(AuditRecord).where(AuditRecord.case_code.is_not(None), gone)
                                           .values(case_code=None))
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def rename_counsellor(self, old: str, new: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(update(AuditRecord).where(AuditRecord.counsellor == old).values(counsellor=new))
