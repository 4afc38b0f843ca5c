"""The test driver of the fake Telegram: the people who write to the bot, and waiting for the bot."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from bot.simulator.state import (
    _CAPTIONED,
    _MEDIA_KINDS,
    IDLE_QUIET_SECONDS,
    FakeUser,
    SimMessage,
    _Chat,
    _utf16_len,
)
from bot.simulator.webhook import WebhookPush


class TestDriver(WebhookPush):
    """What a person does (write, tap, edit, block) and waiting until the bot has reacted."""

    # --- what a person does ----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A person who can write to the bot; the chat exists once they have written."""
        return FakeUser(user_id, first_name, last_name, username, language_code)

    async def send_text(self, user: FakeUser, text: str) -> SimMessage:
        """The person sends a text; a leading /command gets its bot_command entity like in Telegram."""
        if not text:
            raise ValueError("Telegram clients cannot send empty messages")
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        return await self._user_message(user, "text", content, text)

    async def send_media(self, user: FakeUser, kind: str, **extra: Any) -> SimMessage:
        """The person sends a photo, document, sticker, voice, location, poll, quiz, paid_media or a
        pinned_message (a service message); ``caption`` and fields override."""
        if kind not in _MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; one of {sorted(_MEDIA_KINDS)}")
        caption = extra.pop("caption", None)
        content = self._media_content(kind, extra)
        if kind == "pinned_message":
            content["pinned_message"]["chat"] = user.chat_json()
        if caption is not None and kind in _CAPTIONED:
            content["caption"] = caption
        return await self._user_message(user, kind, content, caption)

    async def press(self, user: FakeUser, message_id: int, callback_data: str, *, listed: bool = True) -> str:
        """The person taps an inline button; returns the callback query id.

        With ``listed=False`` the data need not be on any of the message's buttons: that is what a forged or
        outdated client sends, and how the browser preview takes a person straight to any page.
        """
        message = self._chat_of(user).messages.get(message_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {user.id} to press a button on")
        if listed and not any(button.get("callback_data") == callback_data for button in message.buttons()):
            raise LookupError(f"message {message_id} has no button with that callback data")
        query_id = str(next(self._ids) * 1_000_003 + user.id)
        self._open_callbacks[query_id] = self._clock()
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": copy.deepcopy(message.raw),
            "chat_instance": str(user.id * 7 + self.bot_id),
            "data": callback_data,
        }
        self._enqueue({"callback_query": query})
        await asyncio.sleep(0)
        return query_id

    async def edit(self, user: FakeUser, message_id: int, text: str) -> None:
        """The person edits one of their own text messages."""
        message = self._chat_of(user).messages.get(message_id)
        if message is None or message.deleted or message.from_bot or message.kind != "text":
            raise LookupError(f"no text message {message_id} by user {user.id} to edit")
        message.text, message.edited = text, True
        message.raw["text"], message.raw["edit_date"] = text, self._now()
        self._enqueue({"edited_message": copy.deepcopy(message.raw)})
        await asyncio.sleep(0)

    async def send_undecodable(self, user: FakeUser, text: str) -> SimMessage:
        """The person sends a message that aiogram cannot decode, as Telegram has been seen to send: a forward
        whose ``forward_origin`` is a hidden user without ``sender_user_name``. It carries ``text``, so a test
        can look for it in the logs. Goes out by getUpdates and by webhook alike."""
        message = self.queue_undecodable(user, text)
        await asyncio.sleep(0)
        return message

    def queue_undecodable(self, user: FakeUser, text: str) -> SimMessage:
        """:meth:`send_undecodable` without yielding: queue it and the next updates into one getUpdates batch."""
        origin = {"type": "hidden_user", "date": self._now() - 60}
        chat = self._chats.setdefault(user.id, _Chat(user))
        message = self._add_message(chat, False, "text", {"text": text}, text=text, extra={"forward_origin": origin})
        self._enqueue({"message": copy.deepcopy(message.raw)})
        return message

    def queue_text(self, user: FakeUser, text: str) -> SimMessage:
        """:meth:`send_text` without yielding (see :meth:`queue_undecodable`)."""
        chat = self._chats.setdefault(user.id, _Chat(user))
        message = self._add_message(chat, False, "text", {"text": text}, text=text)
        self._enqueue({"message": copy.deepcopy(message.raw)})
        return message

    def feed_raw(self, update: dict[str, Any]) -> int:
        """Queue any update as is (update_id filled in when missing); returns its update_id."""
        return self._enqueue(dict(update))

    def block(self, user: FakeUser) -> None:
        """The person blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        chat = self._chats.setdefault(user.id, _Chat(user))
        chat.blocked = True
        self._enqueue({"my_chat_member": self._member_update(user, "member", "kicked")})

    def unblock(self, user: FakeUser) -> None:
        """The person restarts the bot after blocking it."""
        chat = self._chat_of(user)
        chat.blocked = False
        self._enqueue({"my_chat_member": self._member_update(user, "kicked", "member")})

    # --- waiting ---------------------------------------------------------------------------

    # A timeout argument rather than asyncio.timeout(): expiry is a test failure with a message.
    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Poll ``predicate`` until true; on timeout fail with what the bot last did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(f"{name} still false after {timeout}s; {self._recent_calls()}")
            await asyncio.sleep(0.01)

    async def wait_idle(self, timeout: float = 5.0, quiet: float = IDLE_QUIET_SECONDS) -> None:  # noqa: ASYNC109
        """Return once every update was fetched and the bot has sat in a long poll for ``quiet`` s.

        That is the signal that the bot finished reacting: it has nothing left to
        fetch, no request in flight, and has made no request for a moment (aiogram
        handles updates in tasks, so being back in getUpdates alone is not enough).
        The fake cannot see inside the bot: a handler that waits longer than
        ``quiet`` between two requests looks finished; raise ``quiet`` or use
        :meth:`wait_for` for those.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (reason := self._busy_reason(loop.time(), quiet)) is not None:
            if loop.time() >= deadline:
                raise AssertionError(f"the bot did not become idle within {timeout}s: {reason}")
            await asyncio.sleep(0.005)

    def _busy_reason(self, now: float, quiet: float) -> str | None:
        if self.bot_busy is not None and (reason := self.bot_busy()):
            return reason
        if self.is_pushing:
            return self._push_busy_reason(now, quiet)
        waiting = sum(1 for update in self._updates if update["update_id"] > self._delivered_upto)
        if waiting:
            return f"{waiting} update(s) not fetched yet (is the bot polling?); {self._recent_calls()}"
        if self._poll_since is None:
            return "the bot is not waiting in getUpdates (still handling an update, or not polling)"
        if self._inflight:
            return f"{self._inflight} API request(s) still in flight"
        if now - max(self._poll_since, self._last_busy) < quiet:
            return f"the bot made a request less than {quiet}s ago"
        return None

    def _push_busy_reason(self, now: float, quiet: float) -> str | None:
        if self._updates:
            return f"{len(self._updates)} update(s) not accepted by the webhook yet; {self._recent_calls()}"
        if self._inflight:
            return f"{self._inflight} API request(s) still in flight"
        if now - self._last_busy < quiet:
            return f"the bot made a request or took an update less than {quiet}s ago"
        return None

    def _recent_calls(self) -> str:
        recent = ", ".join(f"{call.method}->{call.status}" for call in self.calls[-6:])
        return f"last calls: {recent or 'none'}"

