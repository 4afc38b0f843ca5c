"""Pacing of what the bot sends on its own, with the one token bucket of bot.limits.buckets.

Telegram answers a bot that sends too fast with 429 and a wait; pacing below its published limits keeps
deliveries flowing instead of stalling (`Pacer`). People who write faster than a person can are slowed
down (`bot.limits.flood`, keyed by pseudonym). Both keep one bucket per chat or person, so both drop the buckets
that are full again: a full bucket says nothing a fresh one would not, and memory stays flat however many
people ever wrote.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.limits.buckets import TokenBucket, prune_full

PRUNE_EVERY = 60.0  # seconds between two sweeps of the full buckets


@dataclass
class Pacer:
    """What the bot sends on its own: `per_second` in all, `per_chat_per_second` per chat with a burst, and
    into a group no more than `per_group_per_minute` (with the same burst)."""

    per_second: float
    per_chat_per_second: float
    per_chat_burst: int
    clock: Callable[[], float] = time.monotonic
    per_group_per_minute: float = 20.0
    _global: TokenBucket | None = None
    _chats: dict[str, TokenBucket] = field(default_factory=dict)
    _pruned: float = 0.0

    def _buckets(self, chat: str, now: float, group: bool) -> tuple[TokenBucket, TokenBucket]:
        if self._global is None:
            self._global = TokenBucket.full_at(now, self.per_second, max(1.0, self.per_second))
        bucket = self._chats.get(chat)
        if bucket is None:
            rate = min(self.per_chat_per_second, self.per_group_per_minute / 60) if group else self.per_chat_per_second
            bucket = self._chats[chat] = TokenBucket.full_at(now, rate, float(self.per_chat_burst))
        return self._global, bucket

    async def acquire(self, chat: str, *, group: bool = False) -> None:
        """Wait until one more message may go to `chat` (a group's: `group`), then count it."""
        while True:
            now = self.clock()
            if now - self._pruned >= PRUNE_EVERY:
                self.prune()
            overall, own = self._buckets(chat, now, group)
            delay = max(overall.wait(now), own.wait(now))
            if delay <= 0:
                overall.take()
                own.take()
                return
            await asyncio.sleep(delay)

    def prune(self) -> None:
        """Forget the chats whose bucket is full again (run by acquire() once a minute)."""
        self._pruned = now = self.clock()
        prune_full(self._chats, now)

    def __len__(self) -> int:
        """How many chats have a bucket now."""
        return len(self._chats)
