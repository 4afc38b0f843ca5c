"""What the bot sent, as the fake Telegram sees it, for simulated people to wait on.

Every answered request is noted per chat with a sequence number and the time it arrived, so a person can
ask "the first message to me after my action" even if it came before they started waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.simulator.server import ApiCall, FakeTelegram

VISIBLE = frozenset({"sendmessage", "editmessagetext", "editmessagereplymarkup", "editmessagecaption",
                     "copymessage", "sendphoto", "senddocument", "sendvoice", "sendsticker", "sendvideo",
                     "sendaudio", "sendanimation", "sendvideonote"})
"""Requests that change what a person sees in the chat: the reply, as far as a person is concerned."""
HISTORY = 64

Match = Callable[[ApiCall], bool]


def visible(call: ApiCall) -> bool:
    return call.method.lower() in VISIBLE


def has_keyboard(call: ApiCall) -> bool:
    markup = call.params.get("reply_markup")
    return visible(call) and isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


def text_of(call: ApiCall) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


@dataclass
class Seen:
    seq: int
    at: float
    call: ApiCall


@dataclass
class _Waiter:
    since: int
    match: Match
    future: asyncio.Future[Seen]


class Wire:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.seq = 0
        self._history: dict[int, deque[Seen]] = {}
        self._waiters: dict[int, list[_Waiter]] = {}
        self._loop = asyncio.get_running_loop()
        fake.observers.append(self._on_call)

    def close(self) -> None:
        if self._on_call in self.fake.observers:
            self.fake.observers.remove(self._on_call)

    def _on_call(self, call: ApiCall) -> None:
        if call.status != 200:
            return
        chat = call.params.get("chat_id")
        if not isinstance(chat, int):
            return
        self.seq += 1
        seen = Seen(self.seq, self._loop.time(), call)
        history = self._history.get(chat)
        if history is None:
            history = self._history[chat] = deque(maxlen=HISTORY)
        history.append(seen)
        waiters = self._waiters.get(chat)
        if waiters:
            for waiter in list(waiters):
                if not waiter.future.done() and waiter.match(call):
                    waiter.future.set_result(seen)
                    waiters.remove(waiter)

    def mark(self) -> int:
        """The sequence number now: what arrives later is "after" this."""
        return self.seq

    async def wait(self, chat: int, match: Match, since: int, timeout: float) -> Seen | None:  # noqa: ASYNC109
        """The first request into ``chat`` after ``since`` that matches; None after ``timeout`` seconds."""
        for seen in self._history.get(chat, ()):
            if seen.seq > since and seen.call.status == 200 and match(seen.call):
                return seen
        waiter = _Waiter(since, match, self._loop.create_future())
        self._waiters.setdefault(chat, []).append(waiter)
        try:
            return await asyncio.wait_for(waiter.future, timeout)
        except TimeoutError:
            return None
        finally:
            waiters = self._waiters.get(chat)
            if waiters is not None:
                if waiter in waiters:
                    waiters.remove(waiter)
                if not waiters:
                    del self._waiters[chat]

    def forget(self, chat: int) -> None:
        """A person who is done: their history is no longer needed (keeps 100,000 people cheap)."""
        self._history.pop(chat, None)
