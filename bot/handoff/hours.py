"""Counsellors' working hours, so a person asking at night is told honestly when someone will be there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import WorkingHours

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Hours:
    def __init__(self, settings: WorkingHours) -> None:
        self._settings = settings
        self.zone = ZoneInfo(settings.timezone)

    def _local(self, at_utc: datetime) -> datetime:
        return at_utc.replace(tzinfo=UTC).astimezone(self.zone)

    def is_open(self, at_utc: datetime) -> bool:
        local = self._local(at_utc)
        return (_DAYS[local.weekday()] in self._settings.days
                and self._settings.start <= local.time() < self._settings.end)

    def next_opening(self, at_utc: datetime) -> datetime:
        """The next start of working hours after `at_utc`, in the working hours' own time zone."""
        local = self._local(at_utc)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            opening = datetime.combine(day, self._settings.start, tzinfo=self.zone)
            if _DAYS[day.weekday()] in self._settings.days and opening > local:
                return opening
        raise ValueError("no working day configured")  # unreachable: settings require at least one day
