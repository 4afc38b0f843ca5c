"""A terminal chat client for the offline demo: be the person writing to the bot.

It shows the private chat held by :class:`~bot.simulator.server.FakeTelegram`
as a person would see it in Telegram (HTML rendered to plain text, inline
buttons numbered), and turns what is typed into messages and button presses.
Input and output are injectable so tests can script a whole conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any, Protocol

from bot.simulator.server import FakeTelegram, FakeUser, SimMessage
from bot.telegram.html import to_plain

_BOLD, _ITALIC, _RESET = "\x1b[1m", "\x1b[3m", "\x1b[0m"
_INDENT = "      "
# Messages can also arrive while the person is idle (a counsellor answering later).
_REFRESH_SECONDS = 0.1


class Writer(Protocol):
    """Where the chat is printed; sys.stdout and io.StringIO both fit."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, read in a daemon thread so the event loop never blocks.

    A daemon thread rather than the loop's executor: a read still pending after
    /quit must not keep the process alive until Enter is pressed.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        line: str | None = "start"
        while line:
            try:
                line = sys.stdin.readline() or None
            except (OSError, ValueError):  # stdin closed underneath us
                line = None
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening
                loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=pump, name="terminal-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


class TerminalChat:
    """One person's private chat with the bot, in a terminal."""

    def __init__(
        self,
        fake: FakeTelegram,
        user: FakeUser,
        lines: AsyncIterator[str] | None = None,
        output: Writer | None = None,
        *,
        reply_timeout: float = 10.0,
    ) -> None:
        self.fake = fake
        self.user = user
        self._lines = lines
        self._out: Writer = output if output is not None else sys.stdout
        isatty = getattr(self._out, "isatty", None)
        self._tty = bool(isatty()) if callable(isatty) else False
        self._reply_timeout = reply_timeout
        self._shown: dict[int, tuple[str | None, str, bool]] = {}

    async def run(self) -> None:
        """Chat until /quit or the end of input."""
        usage = "Type a message (/start, /language, /help), a button number to press it, or /quit to leave."
        self._say(self._style(_ITALIC, usage))
        lines = self._lines if self._lines is not None else stdin_lines()
        await self._settle()  # show an answer to anything sent before the chat opened
        watcher = asyncio.create_task(self._watch())
        try:
            async for raw in lines:
                line = raw.strip()
                if line == "/quit":
                    break
                if line:
                    await self._act(line)
        finally:
            aclose = getattr(lines, "aclose", None)
            if aclose is not None:  # finish a generator left mid-way by /quit
                await aclose()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self.render()

    def render(self) -> None:
        """Print what changed in the chat since the last call: new, edited and deleted bot messages."""
        for message in self.fake.chat(self.user.id):
            state = (message.text, json.dumps(message.reply_markup, sort_keys=True), message.deleted)
            before = self._shown.get(message.message_id)
            if state == before:
                continue
            self._shown[message.message_id] = state
            if not message.from_bot:
                continue  # the person typed it; echoing would only repeat it
            if message.deleted:
                if before is not None:
                    self._say(self._style(_ITALIC, "✗ (a message was deleted)"))
                continue
            self._show(message, edited=before is not None)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(_REFRESH_SECONDS)
            self.render()

    async def _act(self, line: str) -> None:
        query_id = None
        if line.isdecimal():  # "²" is a digit to isdigit(), not to int()
            query_id = await self._press(int(line))
            if query_id is None:
                return
        else:
            await self.fake.send_text(self.user, line)
        await self._settle()
        if query_id is not None:
            self._show_answer(query_id)

    async def _settle(self) -> None:
        """Wait until the bot has reacted, then show it: answers appear before the next prompt."""
        try:
            await self.fake.wait_idle(self._reply_timeout)
        except AssertionError:
            self._say(self._style(_ITALIC, "(the bot has not finished answering yet)"))
        self.render()

    async def _press(self, number: int) -> str | None:
        """Press button ``number`` of the newest message with buttons; the query id if it was one."""
        message = next(
            (m for m in reversed(self.fake.chat(self.user.id)) if m.from_bot and not m.deleted and m.buttons()),
            None,
        )
        buttons = message.buttons() if message else []
        if message is None or not 1 <= number <= len(buttons):
            self._say(self._style(_ITALIC, f"(there is no button [{number}] to press)"))
            return None
        button = buttons[number - 1]
        if "callback_data" in button:
            return await self.fake.press(self.user, message.message_id, str(button["callback_data"]))
        if "url" in button:
            self._say(self._style(_ITALIC, f"(this button opens {button['url']})"))
        else:
            self._say(self._style(_ITALIC, "(this kind of button is not simulated)"))
        return None

    def _show_answer(self, query_id: str) -> None:
        answer: dict[str, Any] | None = self.fake.answered_callbacks.get(query_id)
        if answer is None:
            self._say(self._style(_ITALIC, "(the bot did not answer the button press; Telegram shows a spinner)"))
        elif answer.get("text"):
            mark = "⚠" if answer.get("show_alert") else "ⓘ"
            self._say(self._style(_ITALIC, f"{mark} {answer['text']}"))

    def _show(self, message: SimMessage, *, edited: bool) -> None:
        text = message.text or ""
        if (message.parse_mode or "").lower() == "html":
            text = to_plain(text)
        if message.kind != "text":
            text = f"[{message.kind}] {text}".rstrip()
        label = self._style(_BOLD, "bot ▸ ") + (self._style(_ITALIC, "✎ (edited) ") if edited else "")
        lines = text.split("\n") or [""]
        self._say(label + lines[0] + "".join(f"\n{_INDENT}{line}" for line in lines[1:]))
        for number, button in enumerate(message.buttons(), start=1):
            target = f" → {button['url']}" if "url" in button else ""
            self._say(f"{_INDENT}[{number}] {button.get('text', '')}{target}")

    def _style(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self._tty else text

    def _say(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()
