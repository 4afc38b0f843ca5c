"""The bot's one notion of "now" (naive UTC). Tests move it forward to see retention and clean-up happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def now_utc() -> datetime:
    """Naive UTC now, without the test offset: for what is not a matter of retention."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Clock:
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None) + self.offset
