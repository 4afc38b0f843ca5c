"""The audit log keeps events, never the code of a case that is gone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.handoff.cases import Cases
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.privacy.audit import Audit, Event
from bot.storage.database import Database


async def test_purged_cases_leave_their_events_without_a_code(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite'}")
    await database.migrate()
    now = [datetime(2026, 1, 1, 12)]
    cases = Cases(database.sessions, KeyRing(b"k" * 32), lambda: now[0])
    audit = Audit(database.sessions, lambda: now[0])
    kept = await cases.open("p" * 64, Address(1), "ru", "start")
    purged = await cases.open("q" * 64, Address(2), "ru", "start")
    for case in (kept, purged):
        await audit.log(Event.CASE_OPENED, case_code=case.code)
    await cases.close(purged.id)
    now[0] += timedelta(days=8)
    assert await cases.purge_closed(timedelta(days=7)) == 1
    await audit.purge(timedelta(days=30))
    entries = await audit.recent()
    assert sorted((e.event, e.case_code or "") for e in entries) == [(Event.CASE_OPENED, ""),
                                                                       (Event.CASE_OPENED, kept.code)]
    await database.close()
