"""Token buckets: the one rate limiter of the bot, for its own pacing (bot.delivery.pacing) and for flood control
(bot.limits.flood). Both keep one bucket per chat or person and drop the buckets that are full again: a full bucket
says nothing a fresh one would not, and memory stays flat however many people ever wrote."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    """`capacity` tokens at most, refilled at `rate` tokens a second; one token per event."""

    rate: float
    capacity: float
    tokens: float
    updated: float
    warned: bool = False  # flood control: the person was told to slow down during this flood

    @classmethod
    def full_at(cls, now: float, rate: float, capacity: float) -> TokenBucket:
        return cls(rate, capacity, capacity, now)

    def wait(self, now: float) -> float:
        """Refill up to `now`; the seconds until one token is there (0.0 when it is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def is_full(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.rate >= self.capacity


def prune_full(buckets: dict[str, TokenBucket], now: float) -> None:
    """Drop the buckets that have refilled completely."""
    for key in [k for k, bucket in buckets.items() if bucket.is_full(now)]:
        del buckets[key]
