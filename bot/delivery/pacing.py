"""Pacing of what the bot sends on its own, with the one token bucket of bot.limits.buckets.

Telegram answers a bot that sends too fast with 429 and a wait; pacing below its published limits keeps
deliveries flowing instead of stalling (`Pacer`). People who write faster than a person can are slowed
down (`bot.limits.flood`, keyed by pseudonym). Both keep one bucket per chat or person, so both drop the buckets
that are full again: a full bucket says nothing a fresh one would not, and memory stays flat however many
people ever wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.limits.buckets import TokenBucket, prune_full

PRUNE_EVERY = 60.0  # seconds between two sweeps of the full buckets


@dataclass(eq=False)
class _Turn:
    order: int
    arrival: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def __lt__(self, other: _Turn) -> bool:
        return (self.order, self.arrival) < (other.order, other.arrival)


@dataclass
class Pacer:
    """What the bot sends on its own: `per_second` in all, `per_chat_per_second` per chat with a burst."""

    per_second: float
    per_chat_per_second: float
    per_chat_burst: int
    clock: Callable[[], float] = time.monotonic
    _global: TokenBucket | None = None
    _chats: dict[str, TokenBucket] = field(default_factory=dict)
    _pruned: float = 0.0
    _line: list[_Turn] = field(default_factory=list)  # the sends waiting for the shared limit, a heap
    _arrivals: Iterator[int] = field(default_factory=itertools.count)

    def _buckets(self, chat: str, now: float) -> tuple[TokenBucket, TokenBucket]:
        if self._global is None:
            self._global = TokenBucket.full_at(now, self.per_second, max(1.0, self.per_second))
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = self._chats[chat] = TokenBucket.full_at(now, self.per_chat_per_second, float(self.per_chat_burst))
        return self._global, bucket

    async def acquire(self, chat: str, order: int = 0) -> None:
        """Wait until one more message may go to `chat`, then count it.

        First the chat's own limit; then the shared one, in turn: of the chats waiting for it, the one with the
        lowest `order` (the deliverer passes the row id, so the oldest message) goes first. Left to chance, the
        chats that lost a few seconds (a retry after a dropped connection, a 429) stay behind for good, since a
        chat can never go faster than its own limit, and drain alone at one message a second at the end."""
        while True:  # the chat's own limit: no need to queue for the shared one before it allows a message
            now = self.clock()
            if now - self._pruned >= PRUNE_EVERY:
                self.prune()
            delay = self._buckets(chat, now)[1].wait(now)
            if delay <= 0:
                break
            await asyncio.sleep(delay)
        turn = _Turn(order, next(self._arrivals))
        heapq.heappush(self._line, turn)
        try:
            while True:
                if self._line[0] is turn:
                    now = self.clock()
                    overall, own = self._buckets(chat, now)
                    delay = max(overall.wait(now), own.wait(now))
                    if delay <= 0:
                        overall.take()
                        own.take()
                        return
                    turn.wake.clear()
                    with contextlib.suppress(TimeoutError):  # until the token is there, or someone older came
                        await asyncio.wait_for(turn.wake.wait(), delay)
                else:
                    turn.wake.clear()
                    await turn.wake.wait()  # until the ones before it are through
        finally:
            self._line.remove(turn)
            heapq.heapify(self._line)
            if self._line:
                self._line[0].wake.set()

    def prune(self) -> None:
        """Forget the chats whose bucket is full again (run by acquire() once a minute)."""
        self._pruned = now = self.clock()
        prune_full(self._chats, now)

    def __len__(self) -> int:
        """How many chats have a bucket now."""
        return len(self._chats)
