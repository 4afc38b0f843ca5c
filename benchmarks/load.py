"""Simulated people and counsellors, and the two ways of driving them: closed loop (each waits for the
answer to its last action before the next, as many at once as asked) and open loop (actions at a fixed
rate, whatever the answers do).

A person's path: /start, two to five menu moves, sometimes a language switch, and sometimes a handoff:
ask for a counsellor, confirm, wait for the counsellor, answer twice, rate the conversation after the
counsellor closes it. Counsellors go on duty, /take the longest-waiting case, write, wait for the answer,
and /close. The bare bot gets the same kind of mix: a /start, button presses and a text.

Every action is one update. Its latency runs from the moment the fake queues it to the first request that
changes what its recipient sees (a message, an edit or a copy): for a tap that is the edited menu, not the
quicker answerCallbackQuery, which changes nothing on screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import random
import re
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from benchmarks.wire import Match, Seen, Wire, has_keyboard, text_of, visible
from bot.simulator.server import ApiCall, FakeTelegram, FakeUser, SimMessage

CODE_RE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}\b")
COUNSELLOR_WORDS = "bench-reply"
LANGUAGES = (("ru", 0.35), ("uk", 0.2), ("en", 0.25), ("de", 0.2))
PERSON_BASE = 1_000_000


class Abandoned(Exception):
    """The bot did not answer in time; the simulated person gives up (and is counted)."""


HANDOFF_TAP = "handoff tap"
HANDOFF_MESSAGE = "handoff message"
"""The kinds of the actions that are part of a handoff (a person's or a counsellor's), so a run can say how
much of its load was handoffs."""


def is_handoff(kind: str) -> bool:
    return kind.startswith("handoff")


@dataclass
class Sample:
    enqueued: float
    answered: float | None
    """None until the first visible answer arrives (and for good, if it never does)."""
    kind: str

    def latency(self, unanswered_until: float) -> float:
        """Seconds to the answer; for one still unanswered, the time it has waited until the given moment."""
        return (self.answered if self.answered is not None else unanswered_until) - self.enqueued


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    unanswered: int = 0
    people_done: int = 0
    handoffs_done: int = 0
    handoffs_started: int = 0
    handoffs_abandoned: Counter[str] = field(default_factory=Counter)  # why, for the ones given up

    def answered_between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if s.answered is not None and start <= s.answered < end]

    def enqueued_between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.enqueued < end]


class Pacer:
    """Open loop: hands out one ticket every 1/rate seconds. An actor waits for a ticket before each action.
    When nobody is waiting for a ticket (every simulated person is still waiting for the bot), ``spawn`` starts
    a new visitor to use it, as new people keep arriving however slow the bot is; those are counted."""

    def __init__(self, rate: float, spawn: Callable[[], None] | None = None) -> None:
        self.rate = rate
        self.spawn = spawn
        self.late = 0
        self.spawned = 0
        self.issued = 0
        self._owed = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        interval = 1.0 / self.rate
        due = loop.time()
        while True:
            now = loop.time()
            while due <= now:
                self.issued += 1
                while self._waiting and self._waiting[0].done():
                    self._waiting.popleft()
                if self._waiting:
                    self._waiting.popleft().set_result(None)
                else:
                    self._owed += 1
                    if self.spawn is not None:
                        self.spawned += 1
                        self.spawn()
                due += interval
            await asyncio.sleep(due - loop.time())

    async def ticket(self) -> None:
        if self._owed:
            self._owed -= 1
            self.late += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        await future


class Actions:
    """Doing one thing as a person or counsellor, and noting how long the bot took to answer it."""

    def __init__(self, fake: FakeTelegram, wire: Wire, record: Record, *, pacer: Pacer | None = None,
                 timeout: float = 30.0) -> None:
        self.fake = fake
        self.wire = wire
        self.record = record
        self.pacer = pacer
        self.timeout = timeout
        self._loop = asyncio.get_running_loop()

    async def act(self, kind: str, do: Callable[[], Awaitable[object]], *, chat: int, first: Match = visible,
                  done: Match | None = None, done_chat: int | None = None) -> Seen:
        """Do ``do`` (which queues one update); wait for the first visible answer in ``chat`` (timed) and,
        if given, for the one that completes the answer (``done``, in ``done_chat``, default ``chat``)."""
        if self.pacer is not None:
            await self.pacer.ticket()
        since = self.wire.mark()
        sample = Sample(self._loop.time(), None, kind)
        await do()  # may refuse (say, no such button): then nothing was sent, and nothing is counted
        self.record.sent.append(sample.enqueued)
        self.record.samples.append(sample)
        seen = await self.wire.wait(chat, first, since, self.timeout)
        if seen is None:
            self.record.unanswered += 1
            raise Abandoned(kind)
        sample.answered = seen.at
        if done is None:
            return seen
        complete = await self.wire.wait(done_chat or chat, done, since, self.timeout)
        if complete is None:
            self.record.unanswered += 1
            raise Abandoned(kind)
        return complete

    def menu(self, user: FakeUser) -> SimMessage:
        """The newest message with buttons that the bot left in the person's chat."""
        for message in reversed(self.fake.chat(user.id)):
            if message.from_bot and not message.deleted and message.buttons():
                return message
        raise Abandoned("no menu to press a button on")

    async def say(self, user: FakeUser, text: str, *, kind: str = "message", **expect: object) -> Seen:
        return await self.act(kind, lambda: self.fake.send_text(user, text), chat=user.id, **expect)  # type: ignore[arg-type]

    async def press(self, user: FakeUser, message: SimMessage, data: str, *, kind: str = "tap",
                    **expect: object) -> Seen:
        return await self.act(kind, lambda: self.fake.press(user, message.message_id, data), chat=user.id,
                              **expect)  # type: ignore[arg-type]


def buttons(message: SimMessage, prefix: str) -> list[str]:
    return [str(b["callback_data"]) for b in message.buttons()
            if str(b.get("callback_data", "")).startswith(prefix)]


def pick_language(rng: random.Random) -> str:
    return rng.choices([code for code, _ in LANGUAGES], [weight for _, weight in LANGUAGES])[0]


@dataclass
class Desk:
    """What the load generator knows about handoffs: whose case a code is, who holds it."""

    waiting: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    owner: dict[str, int] = field(default_factory=dict)
    holder: dict[str, int] = field(default_factory=dict)


def _copied_from(person: int) -> Match:
    return lambda call: call.method.lower() == "copymessage" and call.params.get("from_chat_id") == person


def _rating(call: ApiCall) -> bool:
    return has_keyboard(call) and any(str(b.get("callback_data", "")).startswith("hr:")
                                      for row in call.params["reply_markup"]["inline_keyboard"] for b in row)


def _counsellor_words(call: ApiCall) -> bool:
    return visible(call) and COUNSELLOR_WORDS in text_of(call)


def _desk_answer(call: ApiCall) -> bool:
    """An answer in a counsellor's chat, not the (once an hour) notice of a new request."""
    return visible(call) and "🔔" not in text_of(call)


class HotlinePeople:
    """The people and counsellors of a hotline run."""

    def __init__(self, actions: Actions, *, seed: int, handoff_share: float, counsellors: list[int],
                 wait_for_counsellor: float = 120.0) -> None:
        self.actions = actions
        self.fake = actions.fake
        self.wire = actions.wire
        self.rng = random.Random(seed)
        self.handoff_share = handoff_share
        self.counsellors = counsellors
        self.desk = Desk()
        self.wait_for_counsellor = wait_for_counsellor
        self._ids = itertools.count(PERSON_BASE + seed * 10_000_000)

    def new_user(self) -> FakeUser:
        return self.fake.user(next(self._ids), "Person", language_code=pick_language(self.rng))

    async def person(self) -> None:
        """One person's whole visit."""
        user = self.new_user()
        a = self.actions
        try:
            await a.say(user, "/start", done=has_keyboard)
            for _ in range(self.rng.randint(2, 5)):
                menu = a.menu(user)
                await a.press(user, menu, self.rng.choice(buttons(menu, "n:")), done=has_keyboard)
            if self.rng.random() < 0.3 and buttons(a.menu(user), "ls"):
                await a.press(user, a.menu(user), "ls", done=has_keyboard)
                menu = a.menu(user)
                await a.press(user, menu, self.rng.choice(buttons(menu, "l:")), done=has_keyboard)
            if self.counsellors and self.rng.random() < self.handoff_share:
                await self.handoff(user)
        finally:
            self.wire.forget(user.id)
        a.record.people_done += 1

    async def handoff(self, user: FakeUser) -> None:
        self.actions.record.handoffs_started += 1
        try:
            await self._handoff(user)
        except (Abandoned, LookupError) as exc:
            self.actions.record.handoffs_abandoned[f"{type(exc).__name__}: {exc}"[:60]] += 1
            raise

    async def _handoff(self, user: FakeUser) -> None:
        a = self.actions
        menu = a.menu(user)
        await a.press(user, menu, buttons(menu, "c:")[0], kind=HANDOFF_TAP, done=has_keyboard)
        menu = a.menu(user)
        queued = await a.press(user, menu, buttons(menu, "hc:")[0], kind=HANDOFF_TAP, done=has_keyboard)
        found = CODE_RE.search(text_of(queued.call))
        if found is None:
            raise Abandoned("no case code on the queued screen")
        code = found.group(0)
        self.desk.owner[code] = user.id
        self.desk.waiting.put_nowait(code)
        since = queued.seq
        while True:
            seen = await self.wire.wait(user.id, lambda c: _counsellor_words(c) or _rating(c), since,
                                        self.wait_for_counsellor)
            if seen is None:
                raise Abandoned("no counsellor came")
            since = seen.seq
            if _rating(seen.call):
                menu = a.menu(user)
                await a.press(user, menu, self.rng.choice(buttons(menu, "hr:")), kind=HANDOFF_TAP, done=has_keyboard)
                a.record.handoffs_done += 1
                return
            await self.answer(user, self.desk.holder[code])

    async def answer(self, user: FakeUser, counsellor: int) -> None:
        """The person answers the counsellor; the answer is the copy that reaches the counsellor's chat."""
        sent: list[SimMessage] = []

        async def write() -> None:
            sent.append(await self.fake.send_text(user, "thank you, one more question"))

        def copied(call: ApiCall) -> bool:
            return _copied_from(user.id)(call) and bool(sent) and call.params.get("message_id") == sent[0].message_id

        await self.actions.act(HANDOFF_MESSAGE, write, chat=counsellor, first=copied)

    async def counsellor(self, telegram_id: int) -> None:
        """A counsellor's shift: take waiting cases one after another until cancelled."""
        a = self.actions
        me = self.fake.user(telegram_id, "Counsellor", language_code="en")
        await a.say(me, "/on", kind=HANDOFF_MESSAGE, first=_desk_answer)
        while True:
            await self.desk.waiting.get()
            with contextlib.suppress(Abandoned):
                await self.one_case(me)

    async def one_case(self, me: FakeUser) -> None:
        a = self.actions
        taken = await a.say(me, "/take", kind=HANDOFF_MESSAGE, first=_desk_answer)
        found = CODE_RE.search(text_of(taken.call))
        if found is None or found.group(0) not in self.desk.owner:
            return
        code = found.group(0)
        person = self.desk.owner[code]
        self.desk.holder[code] = me.id
        for round_ in (1, 2):
            since = self.wire.mark()
            text = f"{COUNSELLOR_WORDS} {round_}: how can I help?"
            await a.act(HANDOFF_MESSAGE, functools.partial(self.fake.send_text, me, text), chat=person,
                        first=_counsellor_words)
            if await self.wire.wait(me.id, _copied_from(person), since, self.wait_for_counsellor) is None:
                break
        await a.say(me, "/close", kind=HANDOFF_MESSAGE, first=_desk_answer)
        self.wire.forget(me.id)


class BarePeople:
    """People of a bare-bot run: /start, button presses, a text; each answered with one message."""

    def __init__(self, actions: Actions, *, seed: int) -> None:
        self.actions = actions
        self.fake = actions.fake
        self.rng = random.Random(seed)
        self._ids = itertools.count(PERSON_BASE + seed * 10_000_000)

    async def person(self) -> None:
        a = self.actions
        user = self.fake.user(next(self._ids), "Person", language_code=pick_language(self.rng))
        try:
            await a.say(user, "/start")
            for _ in range(self.rng.randint(3, 7)):
                await a.press(user, a.menu(user), "next")
            await a.say(user, "hello")
        finally:
            a.wire.forget(user.id)
        a.record.people_done += 1


async def start_and_tap(actions: Actions, user: FakeUser) -> None:
    """The smallest visit that makes the bot remember someone: /start and one menu move."""
    try:
        await actions.say(user, "/start", done=has_keyboard)
        menu = actions.menu(user)
        await actions.press(user, menu, buttons(menu, "n:")[0], done=has_keyboard)
    finally:
        actions.wire.forget(user.id)
    actions.record.people_done += 1


async def keep_busy(visit: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    """One slot of the closed loop: a new visitor as soon as the last one is done."""
    while not stop.is_set():
        with contextlib.suppress(Abandoned, LookupError, IndexError):
            await visit()


async def cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the tasks and wait until every one has ended. Cancelled again while any runs on: on Python
    3.11, asyncio.wait_for can swallow a cancellation that arrives as its future completes (CPython
    gh-86296), and a visitor then carries on with its next step; a closed-loop run once hung here for minutes."""
    pending = [task for task in tasks if not task.done()]
    while pending:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=1.0)
        pending = [task for task in pending if not task.done()]
    await asyncio.gather(*tasks, return_exceptions=True)
