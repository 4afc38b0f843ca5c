"""Delivery under Telegram's limits: nothing lost, nothing doubled, order kept, the limit used well.

People in active cases and their counsellors write numbered messages ("p3 u17": pair 3, the person's
17th; "p3 c17": the counsellor's) at a steady rate. The fake Telegram enforces about one message a second
per chat and 30 a second in all (429 with retry_after above that) and drops a share of the sending
requests' connections without answering. Halfway through, the bot is stopped with SIGTERM and started
again on the same database and key. After the writers stop, the run waits for the bot to drain.

Counted at the fake, per destination chat, from the messages it accepted: delivered (distinct numbered
messages that arrived where they should), duplicated (a numbered message arriving again), lost (sent by
one side, never arrived at the other), order violations (a message arriving after a later one of the same
sender), and goodput: distinct messages delivered per second over the whole run, as a share of the
enforced overall limit.
"""

from __future__ import annotations

import asyncio
import re
import signal
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load import CODE_RE, Abandoned, Actions, Record, buttons
from benchmarks.procs import BotProcess, counsellor_ids
from benchmarks.wire import Wire, has_keyboard, text_of, visible
from bot.simulator.server import ApiCall, FakeTelegram, FloodLimits

NUMBERED = re.compile(r"\bp(\d+) ([uc])(\d+)\b")
PERSON_BASE = 3_000_000


@dataclass
class DeliveryResult:
    pairs: int
    sent: int
    delivered: int
    duplicated: int
    lost: int
    order_violations: int
    seconds: float
    limit: float
    restart_seconds: float
    """From the stop signal until the new process took updates again."""
    stop_seconds: float
    """Of which: until the old process had exited (its graceful drain)."""
    drained: bool
    rejected_429: int
    dropped: int
    other_errors: int
    notes: list[str] = field(default_factory=list)
    bot_cpu: float = 0.0
    """Share of a core the bot used while it ran during the run: near 100% means the bot, not Telegram's
    limits, set the pace."""
    drain_seconds: float = 0.0
    """From the last message written to the last one delivered."""
    drained_after: int = 0
    """Messages delivered in that time."""

    @property
    def tail_seconds(self) -> float:
        """Of the drain, the seconds beyond what its deliveries would take at the full limit: the cost of the
        last chats draining one message a second each (and of updates the bot had not handled yet)."""
        return max(0.0, self.drain_seconds - self.drained_after / self.limit) if self.limit else 0.0

    @property
    def lost_seconds(self) -> float:
        """The whole run beyond what its deliveries would take at the full limit (1 - goodput, in seconds)."""
        return max(0.0, self.seconds - self.delivered / self.limit) if self.limit else 0.0

    @property
    def goodput(self) -> float:
        return self.delivered / (self.limit * self.seconds) if self.seconds else 0.0


class Ledger:
    """Every numbered message the fake accepted, by destination chat, in arrival order."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.arrivals: dict[int, list[tuple[int, str, int, float]]] = defaultdict(list)
        self.first_arrival: float | None = None
        self.last_arrival = 0.0
        self.rejected = 0
        self.other_errors = 0
        self._loop = asyncio.get_running_loop()
        fake.observers.append(self._seen)

    def _seen(self, call: ApiCall) -> None:
        name = call.method.lower()
        if name not in ("sendmessage", "copymessage"):
            return
        if call.status == 429:
            self.rejected += 1
        elif call.status not in (200, -1):
            self.other_errors += 1
        if call.status != 200:
            return
        chat = call.params.get("chat_id")
        if not isinstance(chat, int):
            return
        text = text_of(call)
        if name == "copymessage":
            copied = self.fake.chat(chat)
            text = (copied[-1].text or "") if copied else ""
        found = NUMBERED.search(text)
        if found is None:
            return
        now = self._loop.time()
        self.first_arrival = self.first_arrival or now
        self.last_arrival = now
        self.arrivals[chat].append((int(found.group(1)), found.group(2), int(found.group(3)), now))

    def count(self) -> int:
        return sum(len(v) for v in self.arrivals.values())


async def _pair_up(fake: FakeTelegram, actions: Actions, person: int, counsellor: int) -> None:
    user = fake.user(person, "Person", language_code="en")
    await actions.say(user, "/start", done=has_keyboard)
    menu = actions.menu(user)
    await actions.press(user, menu, buttons(menu, "c:")[0], done=has_keyboard)
    menu = actions.menu(user)
    queued = await actions.press(user, menu, buttons(menu, "hc:")[0], done=has_keyboard)
    if CODE_RE.search(text_of(queued.call)) is None:
        raise Abandoned("no case code")
    desk = fake.user(counsellor, "Counsellor", language_code="en")
    taken = await actions.say(desk, "/take", first=lambda c: visible(c) and "🔔" not in text_of(c))
    if CODE_RE.search(text_of(taken.call)) is None:
        raise Abandoned("the counsellor did not get the case")


async def run(workdir: Path, *, pairs: int, per_second: float, seconds: float, drop_rate: float,
              drain_timeout: float, restart: bool = True, kill_signal: int = signal.SIGTERM) -> DeliveryResult:
    fake = FakeTelegram()
    fake.keep_calls = False
    await fake.start()
    wire = Wire(fake)
    bot = BotProcess("hotline", "polling", fake, workdir / "delivery", counsellors=pairs)
    notes: list[str] = []
    try:
        await bot.start()
        actions = Actions(fake, wire, Record(), timeout=30.0)
        people = [PERSON_BASE + n for n in range(pairs)]
        desks = counsellor_ids(pairs)
        for desk in desks:
            await actions.say(fake.user(desk, "Counsellor", language_code="en"), "/on")
        for person, desk in zip(people, desks, strict=True):
            await _pair_up(fake, actions, person, desk)
        await fake.wait_for(lambda: fake.pending_updates == 0, timeout=30)
        await asyncio.sleep(2.0)  # notices of the setup go out before the limits start

        limits = FloodLimits()
        fake.enforce(limits)
        fake.drop_connections(drop_rate, seed=8)
        ledger = Ledger(fake)
        loop = asyncio.get_running_loop()
        count = max(1, int(seconds * per_second))
        sent = 0

        async def writer(sender: int, pair: int, side: str) -> None:
            nonlocal sent
            user = fake.user(sender, "Writer", language_code="en")
            start = loop.time()
            for seq in range(1, count + 1):
                await asyncio.sleep(max(0.0, start + seq / per_second - loop.time()))
                await fake.send_text(user, f"p{pair} {side}{seq}")
                sent += 1

        began = loop.time()
        cpu_used, cpu_mark, up_since = 0.0, bot.cpu_seconds(), began
        writers = [asyncio.create_task(writer(person, n, "u")) for n, person in enumerate(people)]
        writers += [asyncio.create_task(writer(desk, n, "c")) for n, desk in enumerate(desks)]
        restart_seconds = stop_seconds = up_time = 0.0
        stopped = 0.0
        if restart:
            await asyncio.sleep(seconds / 2)
            stopped = loop.time()
            cpu_used, up_time = bot.cpu_seconds() - cpu_mark, stopped - began
            stop_seconds = await bot.stop(kill_signal, grace=30.0)
            await bot.start()
            restart_seconds = loop.time() - stopped
            cpu_mark, up_since = bot.cpu_seconds(), loop.time()
        await asyncio.gather(*writers)
        written = loop.time()
        expected = 2 * pairs * count
        deadline = loop.time() + drain_timeout
        last_count, last_change = -1, loop.time()
        while loop.time() < deadline:
            now_count = ledger.count()
            if now_count != last_count:
                last_count, last_change = now_count, loop.time()
            distinct = len({a[:3] for v in ledger.arrivals.values() for a in v})
            if distinct >= expected or loop.time() - last_change > 20.0:
                break
            await asyncio.sleep(0.25)
        cpu_used += bot.cpu_seconds() - cpu_mark
        up_time = (up_time if restart else 0.0) + loop.time() - up_since
        fake.enforce(None)
        fake.drop_connections(0.0)
    finally:
        await bot.stop()
        wire.close()
        await fake.stop()
    result = _score(ledger, pairs, count, sent, began, limits, (restart_seconds, stop_seconds), expected,
                    fake.dropped, notes, stopped)
    result.bot_cpu = cpu_used / up_time if up_time else 0.0
    if ledger.first_arrival is not None:
        result.drain_seconds = max(0.0, ledger.last_arrival - written)
        result.drained_after = len({a[:3] for v in ledger.arrivals.values() for a in v if a[3] > written})
    return result


def _score(ledger: Ledger, pairs: int, count: int, sent: int, began: float, limits: FloodLimits,
           restart: tuple[float, float], expected: int, dropped: int, notes: list[str],
           stopped: float) -> DeliveryResult:
    """Numbered messages as they arrived; one that reached the wrong chat counts as not delivered."""
    people, desks = [PERSON_BASE + n for n in range(pairs)], counsellor_ids(pairs)
    delivered = duplicated = violations = misrouted = 0
    seen: dict[tuple[int, str, int], float] = {}
    doubled_at: list[float] = []
    gaps: list[float] = []
    for chat, arrivals in ledger.arrivals.items():
        highest: dict[tuple[int, str], int] = {}
        for pair, side, seq, at in arrivals:
            if pair >= pairs or chat != (desks[pair] if side == "u" else people[pair]):
                misrouted += 1
                continue
            if (pair, side, seq) in seen:
                duplicated += 1
                doubled_at.append(at)
                gaps.append(at - seen[(pair, side, seq)])
                continue
            seen[(pair, side, seq)] = at
            delivered += 1
            if seq < highest.get((pair, side), 0):
                violations += 1
            highest[(pair, side)] = max(highest.get((pair, side), 0), seq)
    if misrouted:
        notes.append(f"{misrouted} numbered message(s) reached a chat they were not meant for")
    if doubled_at:
        when = f" at {', '.join(sorted(f'{at - stopped:+.1f}s' for at in doubled_at))} from the stop signal,"
        notes.append(f"duplicates arrived{when if stopped else ''} "
                     f"{', '.join(f'{gap:.2f}s' for gap in sorted(gaps))} after the first copy")
    lost = 2 * pairs * count - delivered
    window = (ledger.last_arrival - began) if ledger.first_arrival is not None else 0.0
    return DeliveryResult(pairs, sent, delivered, duplicated, lost, violations, window, limits.overall,
                          *restart, delivered >= expected, ledger.rejected, dropped, ledger.other_errors, notes)


def describe(result: DeliveryResult) -> str:
    return (f"{result.pairs} pairs, {result.sent} messages sent, {result.delivered} delivered, "
            f"{result.duplicated} duplicated, {result.lost} lost, {result.order_violations} out of order; "
            f"{result.seconds:.0f}s to deliver (bot down {result.restart_seconds:.1f}s for the restart, "
            f"{result.stop_seconds:.1f}s of it stopping); "
            f"{result.rejected_429} answered 429, {result.dropped} connections dropped; the bot used "
            f"{result.bot_cpu:.0%} of a core; of the {result.lost_seconds:.1f}s beyond what the deliveries take at "
            f"the full limit: {result.restart_seconds:.1f}s the restart, {result.tail_seconds:.1f}s the tail "
            f"({result.drained_after} delivered in the {result.drain_seconds:.1f}s after the last was written), "
            f"{max(0.0, result.lost_seconds - result.restart_seconds - result.tail_seconds):.1f}s the rest")

