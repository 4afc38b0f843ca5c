"""Flood control, in memory and keyed by pseudonym: enough to keep a script from drowning the counsellors.

Buckets live only in this process (a restart forgets them, which is fine for a limit) and hold no ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.limits.buckets import TokenBucket, prune_full


@dataclass
class TokenBuckets:
    """One bucket per key: `capacity` events at once, refilled at `capacity` per `period` seconds."""

    capacity: int
    period: float
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def _refilled(self, key: str) -> TokenBucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket.full_at(now, self.capacity / self.period, float(self.capacity))
        bucket.wait(now)
        return bucket

    def available(self, key: str) -> float:
        """How many events `key` may have right now, without counting one."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return float(self.capacity)
        return min(self.capacity, bucket.tokens + (self.clock() - bucket.updated) * self.capacity / self.period)

    def allow(self, key: str) -> bool:
        bucket = self._refilled(key)
        if bucket.tokens >= 1:
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

    def prune(self) -> None:
        """Drop full buckets: they say nothing a fresh one would not."""
        prune_full(self._buckets, self.clock())

    def __len__(self) -> int:
        return len(self._buckets)


class Admission(StrEnum):
    OPEN = "open"  # a new case may be opened
    PERSON = "person"  # this person asked too often
    LINE = "line"  # the line as a whole is full for now


# The ask screen warns what not to send; a confirm is accepted only this long after it was shown.
ASK_VALID = 3600.0


class Limits:
    """Per-person and global limits on the way to a counsellor. They outlive /forget on purpose: they hold
    nothing but a pseudonym and a count, in memory, and a reset would let one account loop
    (/start, ask, /forget) through everyone's share."""

    def __init__(self, messages_per_minute: int, requests_per_hour: int, new_cases_per_hour: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.messages = TokenBuckets(messages_per_minute, 60.0, clock)
        self.requests = TokenBuckets(requests_per_hour, 3600.0, clock)
        self.new_cases = TokenBuckets(new_cases_per_hour, 3600.0, clock)
        self._clock = clock
        self._asked: dict[str, float] = {}  # pseudonym -> when the ask screen was last shown to them

    def asked(self, person: str) -> None:
        """The person was shown the ask screen (what happens, what not to send)."""
        now = self._clock()
        if len(self._asked) > 10_000:  # memory stays flat however many people come by
            self._asked = {k: t for k, t in self._asked.items() if now - t < ASK_VALID}
        self._asked[person] = now

    def saw_ask_screen(self, person: str) -> bool:
        """True once per ask screen shown within ASK_VALID seconds: a forged confirm button skips nothing."""
        shown = self._asked.pop(person, None)
        return shown is not None and self._clock() - shown < ASK_VALID

    def admit_case(self, person: str) -> Admission:
        """May this person open a case now? Counts it if so.

        Fair share: a person's first request in the window may take any of the global cap that is left; a
        repeat request (their bucket is not full) may not take the last half, which is kept for people who
        have not asked yet. So one account cannot use up everyone's share, whatever the settings.
        """
        own = self.requests.available(person)
        if own < 1:
            return Admission.PERSON
        reserve = 0.0 if own >= self.requests.capacity else self.new_cases.capacity / 2
        if self.new_cases.available(_ALL) < 1 + reserve:
            return Admission.LINE
        self.requests.allow(person)
        self.new_cases.allow(_ALL)
        return Admission.OPEN


_ALL = "all"  # the global bucket's key
