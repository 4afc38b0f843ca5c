"""Pacing of what the bot sends on its own: a global rate and a per-chat rate with a short burst.

Telegram answers a bot that sends too fast with 429 and a wait; pacing below its published limits keeps
deliveries flowing instead of stalling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Pacer:
    per_second: float
    per_chat_per_second: float
    per_chat_burst: int
    clock: Callable[[], float] = time.monotonic
    _global: _Bucket | None = None
    _chats: dict[str, _Bucket] = field(default_factory=dict)

    def _buckets(self, chat: str) -> tuple[_Bucket, _Bucket]:
        now = self.clock()
        if self._global is None:
            self._global = _Bucket(self.per_second, max(1.0, self.per_second), max(1.0, self.per_second), now)
        bucket = self._chats.get(chat)
        if bucket is None:
            burst = float(self.per_chat_burst)
            bucket = self._chats[chat] = _Bucket(self.per_chat_per_second, burst, burst, now)
        return self._global, bucket

    async def acquire(self, chat: str) -> None:
        """Wait until one more message may go to `chat`, then count it."""
        while True:
            overall, own = self._buckets(chat)
            now = self.clock()
            delay = max(overall.wait(now), own.wait(now))
            if delay <= 0:
                overall.take()
                own.take()
                return
            await asyncio.sleep(delay)

    def prune(self) -> None:
        now = self.clock()
        for chat in [c for c, b in self._chats.items() if b.tokens + (now - b.updated) * b.rate >= b.capacity]:
            del self._chats[chat]
