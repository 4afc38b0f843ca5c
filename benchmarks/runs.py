"""Throughput (closed loop), latency (open loop) and memory runs of one bot process against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import (
    PERSON_BASE,
    Abandoned,
    Actions,
    BarePeople,
    HotlinePeople,
    Pacer,
    Record,
    cancel_all,
    is_handoff,
    keep_busy,
    pick_language,
    start_and_tap,
)
from benchmarks.procs import (
    UNTHROTTLED_DELIVERY,
    BotProcess,
    counsellor_ids,
    harness_cpu_seconds,
    machine_cpu_seconds,
)
from benchmarks.wire import Wire, visible
from bot.simulator.server import FakeTelegram


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class LoadResult:
    kind: str
    mode: str
    seconds: float
    answered: int
    offered: float
    """Updates queued per second in the window."""
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bot_cpu: float
    """Share of one core the bot process used in the window."""
    harness_cpu: float
    peak_rss: int
    rss: int
    database_bytes: int
    unanswered: int
    people: int
    handoffs: int
    spawned: int = 0
    """Open loop: visitors started because every simulated person was still waiting for the bot."""
    other_cpu: float = 0.0
    """Share of a core that other processes on the machine used in the window: should be near 0."""
    open_loop: bool = False
    handoffs_started: int = 0
    """Handoffs begun in the window (asked for a counsellor); `handoffs` counts those rated at the end."""
    handoff_steps: int = 0
    """Of `answered`: the actions that were steps of a handoff (the person's taps and answers, the
    counsellor's /on, /take, messages and /close)."""
    handoffs_in_run: int = 0
    """Handoffs finished (rated) from the start of the run to the end of the window, warm-up included: one
    takes a dozen round trips and a counsellor, so under full load few fit in the window itself."""
    abandoned: dict[str, int] = field(default_factory=dict)
    """Why handoffs were given up, with how many (for the ones that were)."""

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    def line(self) -> str:
        counted = "sent at a fixed rate" if self.open_loop else "answered"
        return (f"{self.kind} {self.mode}: {self.rate:,.0f} updates/s {counted} ({self.answered:,} in "
                f"{self.seconds:.0f}s), latency p50 {self.p50_ms:.1f} / p95 {self.p95_ms:.1f} / p99 "
                f"{self.p99_ms:.1f} ms; CPU: bot {self.bot_cpu:.0%}, harness {self.harness_cpu:.0%}, other processes "
                f"{self.other_cpu:.0%} of a core; "
                f"{self.people:,} visits, {self.handoffs_started} handoffs started and {self.handoffs} finished "
                f"(rated) in the window, {self.handoffs_in_run} finished in the whole run; {self.handoff_steps:,} "
                f"handoff steps answered ({self.handoff_share:.0%} of the answers); {self.unanswered} unanswered")

    @property
    def handoff_share(self) -> float:
        return self.handoff_steps / self.answered if self.answered else 0.0


@contextlib.asynccontextmanager
async def running(kind: str, mode: str, workdir: Path, *, counsellors: int = 0,
                  profile: Path | None = None) -> AsyncIterator[
        tuple[FakeTelegram, Wire, BotProcess]]:
    fake = FakeTelegram()
    fake.keep_calls = False
    await fake.start()
    wire = Wire(fake)
    bot = BotProcess(kind, mode, fake, workdir / f"{kind}-{mode}", counsellors=counsellors,
                     delivery=UNTHROTTLED_DELIVERY, profile=profile)
    try:
        await bot.start()
        yield fake, wire, bot
    finally:
        await bot.stop()
        wire.close()
        await fake.stop()


async def load_run(kind: str, mode: str, workdir: Path, *, concurrency: int, warmup: float, seconds: float,
                   rate: float | None = None, handoff_share: float = 0.1, seed: int = 1,
                   profile: Path | None = None) -> LoadResult:
    """Closed loop with ``concurrency`` people at once, or, given ``rate``, open loop at that many updates
    a second (with a pool of ``concurrency`` people to draw the actions from)."""
    counsellors = max(2, concurrency // 8) if kind == "hotline" else 0
    if rate is not None:
        counsellors = max(2, min(counsellors, 10))
    async with running(kind, mode, workdir, counsellors=counsellors, profile=profile) as (fake, wire, bot):
        record = Record()
        tasks: list[asyncio.Task[None]] = []
        stop = asyncio.Event()

        def spawn() -> None:
            async def once() -> None:
                with contextlib.suppress(Abandoned, LookupError, IndexError):
                    await visit()

            tasks.append(asyncio.create_task(once()))

        pacer = Pacer(rate, spawn) if rate is not None else None
        actions = Actions(fake, wire, record, pacer=pacer)
        if kind == "hotline":
            people = HotlinePeople(actions, seed=seed, handoff_share=handoff_share,
                                   counsellors=counsellor_ids(counsellors))
            tasks += [asyncio.create_task(people.counsellor(c)) for c in people.counsellors]
            visit = people.person
        else:
            visit = BarePeople(actions, seed=seed).person
        if pacer is not None:
            tasks.append(asyncio.create_task(pacer.run()))
        tasks += [asyncio.create_task(keep_busy(visit, stop)) for _ in range(concurrency)]
        loop = asyncio.get_running_loop()
        await asyncio.sleep(warmup)
        start, bot_cpu, own_cpu, all_cpu = loop.time(), bot.cpu_seconds(), harness_cpu_seconds(), machine_cpu_seconds()
        spawned = pacer.spawned if pacer else 0
        people_before, handoffs_before = record.people_done, record.handoffs_done
        started_before = record.handoffs_started
        await asyncio.sleep(seconds)
        end, bot_cpu, own_cpu = loop.time(), bot.cpu_seconds() - bot_cpu, harness_cpu_seconds() - own_cpu
        all_cpu = machine_cpu_seconds() - all_cpu
        if rate is not None:  # the answers to the last actions of the window, while the load goes on
            for _ in range(int(min(10.0, seconds) * 10)):
                if all(s.answered is not None for s in record.enqueued_between(start, end)):
                    break
                await asyncio.sleep(0.1)
        waited_until = loop.time()
        handoffs_in_run = record.handoffs_done
        memory = bot.memory()
        database = bot.database_bytes() if kind == "hotline" else 0
        stop.set()
        await cancel_all(tasks)
    window = end - start
    if rate is None:  # throughput: what was answered in the window
        samples = record.answered_between(start, end)
    else:  # latency: what was offered in the window, however long it took
        samples = record.enqueued_between(start, end)
    latencies = [s.latency(waited_until) * 1000 for s in samples]
    unanswered = sum(1 for s in samples if s.answered is None)
    offered = sum(1 for t in record.sent if start <= t < end) / window
    return LoadResult(kind, mode, window, len(samples), offered, percentile(latencies, 0.5),
                      percentile(latencies, 0.95), percentile(latencies, 0.99), bot_cpu / window,
                      own_cpu / window, memory.get("VmHWM", 0), memory.get("VmRSS", 0), database,
                      unanswered if rate is not None else record.unanswered, record.people_done - people_before,
                      record.handoffs_done - handoffs_before, (pacer.spawned - spawned) if pacer else 0,
                      max(0.0, all_cpu - bot_cpu - own_cpu) / window, rate is not None,
                      handoffs_started=record.handoffs_started - started_before,
                      handoff_steps=sum(1 for s in samples if s.answered is not None and is_handoff(s.kind)),
                      handoffs_in_run=handoffs_in_run, abandoned=dict(record.handoffs_abandoned))


@dataclass
class MemoryResult:
    small_people: int
    small_rss: int
    large_people: int
    large_rss: int
    peak_rss: int
    database_bytes: int
    seconds: float
    """Feeding all the people, both phases."""
    unanswered: int
    target_people: int
    checkpoints: list[tuple[int, int]]
    """(people so far, RSS) every few seconds after the first ``small_people``."""

    @property
    def growth(self) -> int:
        return self.large_rss - self.small_rss

    @property
    def growth_per_thousand(self) -> float:
        """Bytes of RSS per 1,000 more people now: the least-squares slope through the later half of the
        checkpoints (RSS moves in steps as the allocator grabs arenas, so two end points alone would say more
        about luck; and what the bot keeps per person is bounded, so the early samples, taken while its caches
        fill, say how fast they fill rather than how fast the bot grows once they are full)."""
        points = self.checkpoints or [(self.small_people, self.small_rss), (self.large_people, self.large_rss)]
        points = points[len(points) // 2:] if len(points) >= 6 else points
        if len(points) < 2:
            return 0.0
        mean_x = sum(x for x, _ in points) / len(points)
        mean_y = sum(y for _, y in points) / len(points)
        spread = sum((x - mean_x) ** 2 for x, _ in points)
        if not spread:
            return 0.0
        return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread * 1000

    @property
    def projected_growth(self) -> float:
        """RSS growth from ``small_people`` to ``target_people``: measured, or measured so far plus the
        present slope extended over the people not reached."""
        if self.large_people >= self.target_people:
            return float(self.growth)
        rest = self.growth_per_thousand * (self.target_people - self.large_people) / 1000
        return float(self.growth) + max(0.0, rest)


async def memory_run(workdir: Path, *, small: int, large: int, concurrency: int, budget: float,
                     seed: int = 3) -> MemoryResult:
    """RSS after ``small`` distinct people did /start and one tap, then after ``large`` in all, or as many
    as fit in ``budget`` seconds (the result says how many that was)."""
    async with running("hotline", "polling", workdir) as (fake, wire, bot):
        record = Record()
        actions = Actions(fake, wire, record)
        rng = random.Random(seed)
        ids = itertools.count(5_000_000_000)
        loop = asyncio.get_running_loop()

        async def visitors(total: int, deadline: float) -> None:
            remaining = itertools.count()

            async def slot() -> None:
                while loop.time() < deadline and next(remaining) < total:
                    user = fake.user(next(ids), "Person", language_code=pick_language(rng))
                    with contextlib.suppress(Abandoned, LookupError, IndexError):
                        await start_and_tap(actions, user)
                    fake.drop_chat(user.id)  # the fake need not remember 100,000 chats

            await asyncio.gather(*(slot() for _ in range(min(concurrency, total))))

        checkpoints: list[tuple[int, int]] = []

        async def watch() -> None:
            while True:
                await asyncio.sleep(5.0)
                checkpoints.append((record.people_done, bot.memory()["VmRSS"]))

        started = loop.time()
        await visitors(small, started + budget)
        await asyncio.sleep(1.0)  # let the last writes settle
        small_rss = bot.memory()["VmRSS"]
        small_done = record.people_done
        checkpoints.append((small_done, small_rss))
        watcher = asyncio.create_task(watch())
        await visitors(large - small, started + budget)
        watcher.cancel()
        await asyncio.sleep(1.0)
        memory = bot.memory()
        checkpoints.append((record.people_done, memory["VmRSS"]))
        seconds = loop.time() - started - 2.0
        database = bot.database_bytes()
    return MemoryResult(small_done, small_rss, record.people_done, memory["VmRSS"], memory["VmHWM"], database,
                        seconds, record.unanswered, large, checkpoints)


async def startup_run(workdir: Path, *, timeout: float = 120.0,  # noqa: ASYNC109
                      restart: bool = False) -> tuple[float, float, float]:
    """Cold start: (seconds from starting `hotline run` to the answer to a /start that was waiting for it,
    of which seconds until the bot polled, and the bot's CPU seconds until the answer). The message is
    queued first, as after a restart with people waiting; the database is new, as on a first start, or
    with ``restart`` the one a first start left (the bot is started, stopped, and that start not timed)."""
    fake = FakeTelegram()
    await fake.start()
    wire = Wire(fake)
    bot = BotProcess("hotline", "polling", fake, workdir / "hotline-startup", counsellors=2)
    try:
        if restart:
            await bot.start(timeout=timeout)
            await bot.stop()
        user = fake.user(PERSON_BASE, "Person", language_code="en")
        since = wire.mark()
        await fake.send_text(user, "/start")
        loop = asyncio.get_running_loop()
        started = loop.time()
        await bot.start(timeout=timeout)
        polling = loop.time() - started
        seen = await wire.wait(user.id, visible, since, timeout)
        if seen is None:
            raise RuntimeError("the bot did not answer the waiting /start:\n" + bot.log_tail())
        return loop.time() - started, polling, bot.cpu_seconds()
    finally:
        await bot.stop()
        wire.close()
        await fake.stop()
