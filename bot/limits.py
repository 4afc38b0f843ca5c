"""Flood control, in memory and keyed by pseudonym: enough to keep a script from drowning the counsellors.

Buckets live only in this process (a restart forgets them, which is fine for a limit) and hold no ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.ratelimit import TokenBucket, prune_full


@dataclass
class TokenBuckets:
    """One bucket per key: `capacity` events at once, refilled at `capacity` per `period` seconds."""

    capacity: int
    period: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket.full_at(now, self.capacity / self.period, float(self.capacity))
        if bucket.wait(now) == 0.0:
            bucket.take()
            bucket.warned = False
            return True
        return False

    def first_refusal(self, key: str) -> bool:
        """True once per flood: the person is told to slow down once, not on every message."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)

    def prune(self) -> None:
        """Drop full buckets: they say nothing a fresh one would not."""
        prune_full(self._buckets, self.clock())

    def __len__(self) -> int:
        return len(self._buckets)


class Limits:
    def __init__(self, messages_per_minute: int, requests_per_hour: int, new_cases_per_hour: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.messages = TokenBuckets(messages_per_minute, 60.0, clock)
        self.requests = TokenBuckets(requests_per_hour, 3600.0, clock)
        self.new_cases = TokenBuckets(new_cases_per_hour, 3600.0, clock)

    def forget(self, person: str) -> None:
        self.messages.forget(person)
        self.requests.forget(person)
