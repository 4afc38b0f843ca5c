"""The bot's rate limiters hold nothing per chat or person for longer than a flood lasts (issue 16: memory
flat in the number of people), and they still pace and limit as before."""

from __future__ import annotations

import asyncio

from bot.delivery.pacing import PRUNE_EVERY, Pacer
from bot.limits.flood import TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pacing_forgets_the_chats_it_no_longer_needs_to_pace() -> None:
    clock = Clock()
    pacer = Pacer(per_second=1000, per_chat_per_second=1, per_chat_burst=3, clock=clock)

    async def send_to_many() -> None:
        for chat in range(5_000):
            await pacer.acquire(f"chat-{chat}")
            clock.now += 0.002

    asyncio.run(send_to_many())
    assert len(pacer) <= 5_000
    clock.now += PRUNE_EVERY + 10  # every bucket has refilled, and a minute has passed
    asyncio.run(pacer.acquire("one-more"))
    assert len(pacer) == 1, "only the chat that was just sent to keeps a bucket"


def test_pacing_still_holds_a_chat_to_its_rate_after_a_burst() -> None:
    clock = Clock()
    pacer = Pacer(per_second=1000, per_chat_per_second=1, per_chat_burst=3, clock=clock)
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        clock.now += delay

    async def five() -> None:
        original = asyncio.sleep
        asyncio.sleep = fake_sleep  # type: ignore[assignment]
        try:
            for _ in range(5):
                await pacer.acquire("chat")
        finally:
            asyncio.sleep = original

    asyncio.run(five())
    assert [round(s, 3) for s in slept] == [1.0, 1.0], "a burst of three, then one a second"


def test_flood_buckets_are_pruned_when_full_and_kept_while_a_flood_lasts() -> None:
    clock = Clock()
    buckets = TokenBuckets(capacity=2, period=60.0, clock=clock)
    assert buckets.allow("calm") and buckets.allow("flood") and buckets.allow("flood")
    assert not buckets.allow("flood") and buckets.first_refusal("flood") and not buckets.first_refusal("flood")
    clock.now += 31  # "calm" is full again (one token back in 30 s); "flood" is not
    buckets.prune()
    assert len(buckets) == 1
    assert buckets.allow("flood"), "one token came back in 30 s"
    clock.now += 60
    buckets.prune()
    assert len(buckets) == 0


def test_the_shared_limit_goes_to_the_oldest_message_first() -> None:
    # A chat that fell behind (a retry, a 429) must catch up: of the sends waiting for the shared limit, the
    # one with the lowest order (the deliverer passes the outbox row id) goes first, whoever came first.
    pacer = Pacer(per_second=50, per_chat_per_second=100, per_chat_burst=100)
    served: list[str] = []

    async def send(chat: str, order: int) -> None:
        await pacer.acquire(chat, order)
        served.append(chat)

    async def scenario() -> None:
        for warm in range(50):  # empty the shared bucket
            await pacer.acquire(f"warm-{warm}", 0)
        newer = asyncio.create_task(send("newer", 500))
        await asyncio.sleep(0)  # it is in line first
        older = asyncio.create_task(send("older", 10))
        oldest = asyncio.create_task(send("oldest", 5))
        await asyncio.gather(newer, older, oldest)

    asyncio.run(scenario())
    assert served == ["oldest", "older", "newer"]


def test_a_send_given_up_while_in_line_does_not_hold_up_the_others() -> None:
    pacer = Pacer(per_second=20, per_chat_per_second=100, per_chat_burst=100)

    async def scenario() -> list[str]:
        for warm in range(20):
            await pacer.acquire(f"warm-{warm}", 0)
        served: list[str] = []

        async def send(chat: str, order: int) -> None:
            await pacer.acquire(chat, order)
            served.append(chat)

        first = asyncio.create_task(send("first", 1))
        rest = [asyncio.create_task(send(f"chat-{n}", 10 + n)) for n in range(5)]
        await asyncio.sleep(0)
        first.cancel()  # e.g. the deliverer stopping
        await asyncio.wait_for(asyncio.gather(*rest), timeout=30)
        return served

    assert asyncio.run(scenario()) == [f"chat-{n}" for n in range(5)]
