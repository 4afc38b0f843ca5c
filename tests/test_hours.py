"""Working hours: open or not, and when the next shift starts, in the configured time zone."""

from __future__ import annotations

from datetime import datetime, time

from bot.config import WorkingHours
from bot.handoff.hours import Hours

BERLIN_WEEKDAYS = Hours(WorkingHours(timezone="Europe/Berlin", days=["mon", "tue", "wed", "thu", "fri"],
                                     start=time(10), end=time(18)))


def test_open_inside_hours_in_local_time() -> None:
    # Friday 20 Nov 2026, 09:30 UTC = 10:30 in Berlin (winter time).
    assert BERLIN_WEEKDAYS.is_open(datetime(2026, 11, 20, 9, 30))
    assert not BERLIN_WEEKDAYS.is_open(datetime(2026, 11, 20, 8, 30))  # 09:30 Berlin
    assert not BERLIN_WEEKDAYS.is_open(datetime(2026, 11, 20, 17, 0))  # 18:00 Berlin: closed


def test_next_opening_skips_the_weekend() -> None:
    opening = BERLIN_WEEKDAYS.next_opening(datetime(2026, 11, 20, 18, 0))  # Friday evening
    assert opening.isoformat() == "2026-11-23T10:00:00+01:00"  # Monday
    assert BERLIN_WEEKDAYS.next_opening(datetime(2026, 11, 23, 7, 0)).day == 23  # Monday 08:00 Berlin
