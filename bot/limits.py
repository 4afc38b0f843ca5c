"""Flood control, in memory and keyed by pseudonym: enough to keep a script from drowning the counsellors.

Buckets live only in this process (a restart forgets them, which is fine for a limit) and hold no ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass
class TokenBuckets:
    """`capacity` events at once, refilled at `capacity` per `period` seconds."""

    capacity: int
    period: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.capacity / self.period)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
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
        now = self.clock()
        for key in [k for k, b in self._buckets.items()
                    if b.tokens + (now - b.updated) * self.capacity / self.period >= self.capacity]:
            del self._buckets[key]

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
