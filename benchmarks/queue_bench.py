"""A long queue: with 10,000 waiting cases, how long /queue and /take take, in process against SQLite.

/queue is the query plus the rendered screen; /take is what the bot does before it answers the counsellor
(their cases, the take itself, the case's notes, the screen). After each timed take the case is released
again, so every take sees the full queue.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bot.clock import now_utc
from bot.config import load_config
from bot.content.store import load_for
from bot.handoff.cases import Cases
from bot.handoff.desk_screens import CounsellorScreens
from bot.i18n import Catalogs
from bot.identity.address import Address
from bot.identity.crypto import KeyRing
from bot.storage.database import Database
from handlers.counsellor import QUEUE_SHOWN

ROOT = Path(__file__).resolve().parent.parent
MESSAGE_LIMIT = 4096


@dataclass
class QueueResult:
    cases: int
    fill_seconds: float
    queue_ms: list[float]
    take_ms: list[float]
    screen_chars: int

    @staticmethod
    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def measure(directory: Path, cases: int, repeats: int) -> QueueResult:
    config = load_config(ROOT / "config.yaml", environ={})
    content = load_for(config).snapshot
    assert content is not None
    languages = list(config.settings.languages)
    database = Database(f"sqlite+aiosqlite:///{directory / 'queue.sqlite'}")
    await database.migrate()
    keys = KeyRing(b"q" * 32)
    desk = CounsellorScreens(Catalogs(languages))
    book = Cases(database.sessions, keys)
    topics = [node for node in content.nodes if node != content.root]
    try:
        started = time.perf_counter()
        for n in range(cases):
            person = 7_000_000 + n
            await book.open(keys.pseudonym("user", person), Address(person), languages[n % len(languages)],
                            topics[n % len(topics)])
        fill = time.perf_counter() - started
        counsellor = keys.pseudonym("user", 9_000_000_001)
        queue_ms, take_ms, chars = [], [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            # What the /queue handler does: the longest-waiting few, and how many wait in all.
            waiting = await book.waiting(languages, limit=QUEUE_SHOWN)
            screen = desk.queue("en", content, waiting, now_utc(), await book.count_waiting(languages))
            queue_ms.append((time.perf_counter() - started) * 1000)
            chars = max(chars, sum(len(part) for part in screen.parts))
        for _ in range(repeats):
            started = time.perf_counter()
            held = await book.held_by(counsellor)
            case = await book.take_next(counsellor, languages)
            assert case is not None and not held
            notes = await book.notes(case.id)
            desk.taken("en", content, case, notes, await book.held_by(counsellor))
            take_ms.append((time.perf_counter() - started) * 1000)
            await book.release(case.id, counsellor)
        return QueueResult(cases, fill, queue_ms, take_ms, chars)
    finally:
        await database.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def run(directory: Path, cases: int, repeats: int) -> QueueResult:
    return asyncio.run(measure(directory, cases, repeats))
