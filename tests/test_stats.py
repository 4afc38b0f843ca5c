"""Anonymous statistics: what is counted, how it is reported, and that nothing in it is per person."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import Clock
from bot.config import Config
from bot.simulator.server import FakeTelegram
from bot.stats.counters import Counters
from bot.stats.tallies import Stats, StatsReport, render
from bot.storage.database import Database
from bot.storage.tables import DailyCounterRecord
from hotline.cli import main
from tests.chat import last, say, tap, text_of
from tests.conftest import COUNSELLOR_RU, RunningBot, counsellors_yaml

ADMIN = 9_400_000_001


def test_left_here_and_median_wait() -> None:
    report = StatsReport(since=date(2026, 11, 1), until=date(2026, 11, 7))
    day = date(2026, 11, 2)
    report.add(day, "view:ru", "summons", 10)
    report.add(day, "view:de", "summons", 5)
    report.add(day, "continued", "summons", 12)
    for minutes, count in ((3, 2), (10, 1), (60, 2)):
        report.add(day, "wait_minutes", str(minutes), count)
    assert report.views_of("summons") == 15 and report.left_at("summons") == 3
    assert report.median_wait == 10


async def test_counts_are_kept_in_memory_and_flushed_per_day(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 's.sqlite'}")
    await database.migrate()
    clock = Clock()
    stats = Stats(Counters(database.sessions), clock)
    stats.view("start", "ru")
    stats.view("summons", "ru", came_from="start")
    stats.view("summons", "ru", came_from="start")
    clock.offset = timedelta(days=1)
    stats.view("summons", "en")
    assert await stats.flush() == 3 + 1
    report = await stats.report(2)
    assert report.views[("summons", "ru")] == 2 and report.views[("summons", "en")] == 1
    assert report.continued["start"] == 2 and report.left_at("start") == 0
    assert len(report.views_by_day) == 2
    await database.close()


async def test_a_count_without_a_day_lands_on_the_clocks_day(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite'}")
    await database.migrate()
    clock = Clock()
    clock.offset = timedelta(days=400)  # a day no calendar on this machine shows today
    await Counters(database.sessions, clock).add("search", "ru")
    async with database.sessions() as session:
        days = (await session.execute(select(DailyCounterRecord.day))).scalars().all()
    assert days == [clock().date()]
    await database.close()


def test_the_counter_table_has_no_place_for_a_person() -> None:
    assert {c.name for c in DailyCounterRecord.__table__.columns} == {"day", "name", "key", "count"}


async def test_statistics_of_a_real_day(fake: FakeTelegram, make_config: Callable[..., Config], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + f"admins: [{ADMIN}]\n"))
    await bot.start()
    try:
        for n in range(3):
            person = fake.user(9_500_000 + n, language_code="ru" if n else "de")
            await say(fake, person, "/start")
            await tap(fake, person, "Ich habe eine Einberufung" if n == 0 else "Мне пришла повестка")
        asker = fake.user(9_500_010, language_code="ru")
        await say(fake, asker, "/start")
        await tap(fake, asker, "Мне пришла повестка")
        await tap(fake, asker, "💬")
        await tap(fake, asker, "✅")
        olga = fake.user(COUNSELLOR_RU, language_code="ru")
        await say(fake, olga, "/take")
        await say(fake, olga, "/close")

        admin = fake.user(ADMIN, language_code="en")
        await say(fake, admin, "/stats")
        summary = text_of(last(fake, admin))
        assert "Page views: 8" in summary, summary
        assert "requests for a counsellor: 1" in summary and "cases opened 1, closed 1" in summary
        assert "Median wait for a counsellor: 0 min (1 cases taken)" in summary
        assert "I got a summons" in summary
    finally:
        await bot.stop()

    with sqlite3.connect(bot.config.data_dir / "hotline.sqlite") as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM daily_counters")}
    assert names >= {"view:ru", "view:de", "continued", "handoff:ru", "case_opened", "case_closed", "wait_minutes"}

    chart = tmp_path / "chart.png"
    args = ["stats", "--config", str(bot.config.path), "--days", "7", "--chart", str(chart)]
    assert await asyncio.to_thread(main, args) == 0
    out = capsys.readouterr().out
    assert "Page views: 8" in out and f"Chart written to {chart}" in out
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000


def test_render_is_readable_with_no_data() -> None:
    text = render(StatsReport(since=date(2026, 11, 1), until=date(2026, 11, 1)), {})
    assert "Page views: 0" in text and "Median wait for a counsellor: -" in text
