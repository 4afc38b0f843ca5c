"""A fake Telegram Bot API server for the demo, the browser preview, the tests and the benchmarks.

It speaks the Bot API wire protocol on 127.0.0.1, so the bot runs unchanged
with aiogram's real ``AiohttpSession`` pointed at it, and nothing ever reaches
Telegram. It keeps private chats with increasing message ids, answers with
Telegram's own error texts (so aiogram raises its usual exceptions), checks HTML
like Telegram, and lets a test play the person on the other side.

Updates reach the bot by long polling (getUpdates) or, once the bot sets a webhook
on a loopback address, pushed to it like Telegram does. On request it enforces
Telegram-like flood limits (429 with retry_after) and drops connections, for the
delivery tests and benchmarks.

It logs nothing, not even request lines: helpline messages must not end up in
logs, and the request path carries the bot token.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
import json
import math
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.telegram_html import to_plain, validate

DEFAULT_TOKEN = "123456:TEST-TOKEN-not-real-000000000000000"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
IDLE_QUIET_SECONDS = 0.05
DROPPED = -1
"""ApiCall.status of a request whose connection the fake closed on purpose (see drop_connections)."""
# The fake pushes updates only to this machine: a webhook elsewhere is recorded but never contacted.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_WEBHOOK_RETRY_MAX = 2.0  # seconds between attempts to push an update the bot refused

Params = dict[str, Any]

# aiogram sends every field as a string; these sets say how to read them back.
_JSON_FIELDS = frozenset(
    {"reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope"}
    | {"link_preview_options", "reply_parameters", "message_ids", "media", "menu_button", "results"}
)
_INT_FIELDS = frozenset(
    {"chat_id", "from_chat_id", "message_id", "reply_to_message_id", "offset", "limit", "timeout"}
    | {"cache_time", "message_thread_id", "duration", "width", "height", "length", "user_id"}
    | {"max_connections", "live_period", "heading", "proximity_alert_radius", "video_start_timestamp"}
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_TEXT_FIELDS = frozenset(
    {"text", "caption", "callback_query_id", "url", "title", "address", "first_name", "last_name"}
    | {"phone_number", "description", "short_description", "language_code", "emoji", "performer"}
    | {"action", "parse_mode", "secret_token", "ip_address", "name", "foursquare_id"}
)
_CAPTIONED = frozenset({"photo", "document", "video", "audio", "voice", "animation"})
_FILE_KINDS = _CAPTIONED | {"sticker", "video_note"}
_MEDIA_KINDS = _FILE_KINDS | {"location", "venue", "contact"}
_FILE_PREFIX = {
    "photo": "AgAC",
    "document": "BQAC",
    "sticker": "CAAC",
    "voice": "AwAC",
    "video": "BAAC",
    "audio": "CQAC",
    "video_note": "DQAC",
    "animation": "CgAC",
}
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)
_BUTTON_ACTIONS = frozenset(
    {"url", "callback_data", "web_app", "login_url", "switch_inline_query", "copy_text", "pay"}
    | {"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game"}
)
_ENVELOPE = frozenset(
    {"message_id", "from", "chat", "date", "edit_date", "reply_markup", "reply_to_message"}
    | {"forward_origin", "forward_from", "forward_date", "has_protected_content", "sender_chat"}
)
# Telegram leaves these out unless the bot asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_BLOCKED = "Forbidden: bot was blocked by the user"
# What Telegram's flood limits apply to: every method that puts a message into a chat.
_SENDING = frozenset(
    {f"send{kind.replace('_', '')}" for kind in _FILE_KINDS}
    | {"sendmessage", "copymessage", "copymessages", "forwardmessage", "forwardmessages"}
)


@dataclass
class ApiCall:
    """One request the bot made, so tests can assert on what reached "Telegram"."""

    method: str
    """As sent, e.g. "sendMessage"; compare case-insensitively."""
    params: Params
    """Decoded: JSON fields parsed, booleans and known numeric fields typed."""
    token: str
    status: int
    """HTTP status the fake answered; 0 while in progress, 499 when the bot hung up first, DROPPED (-1)
    when the fake closed the connection on purpose."""
    result: Any = None
    """The ``result`` of a successful answer (the Message as JSON, True, ...); None otherwise."""
    via_webhook_reply: bool = False
    """The bot sent this method as its answer to a pushed update, not as a request of its own."""


@dataclass
class SimMessage:
    """A message as a participant of the private chat sees it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None
    """Text or caption as sent: the HTML source when parse_mode was HTML."""
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    kind: str
    """One of "text", "photo", "document", "sticker", "voice", "location", ..."""
    protect_content: bool
    deleted: bool = False
    edited: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    """The Message JSON the Bot API would return (text already parsed to plain)."""

    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons in reading order (rows left to right, top to bottom)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass(frozen=True)
class FakeUser:
    """A person in a private chat with the bot; as in Telegram, the chat id is the user id."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_json(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        return user | {key: value for key, value in optional.items() if value is not None}

    def chat_json(self) -> dict[str, Any]:
        chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        optional = {"last_name": self.last_name, "username": self.username}
        return chat | {key: value for key, value in optional.items() if value is not None}


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood limits as token buckets: about one message a second into one chat (with a short
    burst) and 30 a second in all. They apply to the sending methods (send*, copy*, forward*); a request
    over a limit is answered 429 with ``retry_after``, the whole seconds until it would pass."""

    per_chat: float = 1.0
    chat_burst: int = 3
    overall: float = 30.0
    overall_burst: int = 30


@dataclass
class _Bucket:
    tokens: float
    updated: float

    def wait(self, rate: float, burst: int, now: float) -> float:
        """Seconds until one token is there (0: there is one now); refills first."""
        self.tokens = min(float(burst), self.tokens + (now - self.updated) * rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


@dataclass
class _Chat:
    user: FakeUser
    messages: dict[int, SimMessage] = field(default_factory=dict)
    last_message_id: int = 0
    blocked: bool = False


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None


class _ApiError(Exception):
    """A Bot API error answer; the texts copy Telegram's so handlers can match on them."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode(name: str, value: str) -> Any:
    """Undo aiogram's form encoding for one field; free text is never reinterpreted."""
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _TEXT_FIELDS:
        return value
    if name in _INT_FIELDS:
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    return {"true": True, "false": False}.get(value, value)


def _now() -> int:
    return int(time.time())


@functools.lru_cache(maxsize=4096)
def _html_to_plain(text: str) -> tuple[str, str | None]:
    """The plain text of Telegram HTML, or why Telegram would refuse it. Cached: a bot sends the same
    menu pages over and over, and checking them would otherwise cost the fake more than the bot."""
    problems = validate(text)
    if problems:
        first = problems[0]
        return text, f"can't parse entities: {first.message} (at offset {first.offset})"
    return to_plain(text), None


def _update_chat(update: dict[str, Any]) -> int | None:
    """The chat (or, without one, the user) an update is about: pushes to one chat go out in order."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = body.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None



async def serve_on(runner: web.AppRunner, host: str, port: int) -> int:
    """Start a set-up runner on host:port (0: any free port); returns the port it got."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
        await web.SockSite(runner, sock).start()
    except BaseException:
        sock.close()
        await runner.cleanup()
        raise
    return int(sock.getsockname()[1])

class FakeTelegram:
    """The fake Bot API plus the people who talk to the bot through it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int | None = None,
        bot_username: str = "hotline_test_bot",
        bot_first_name: str = "Hotline (test)",
    ) -> None:
        self.token = token
        # aiogram derives Bot.id from the token, so the fake must agree with it.
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.errors: list[BaseException] = []
        """Exceptions inside the fake itself (answered as 500); a test should expect none."""
        self.bot_busy: Callable[[], str | None] | None = None
        """Optional word from the bot under test: a reason it is still busy (say, updates in flight),
        which the fake cannot see from the wire. wait_idle waits for it too."""
        self.observers: list[Callable[[ApiCall], None]] = []
        """Called with each request as it is answered (dropped ones too, with status DROPPED), before the
        answer goes out: benchmarks count deliveries and reply latencies this way. Keep them quick."""
        self.keep_calls = True
        """False stops recording ``calls``: a long benchmark would otherwise keep millions of them."""
        self.webhook_deliveries = 0
        """Updates the bot accepted (2xx) at its webhook."""
        self.webhook_failures = 0
        """Pushes the bot refused or did not answer; each is retried, as Telegram does."""
        self.dropped = 0
        """Connections closed on purpose (see drop_connections)."""
        self.flood: FloodLimits | None = None
        """Limits enforced on the sending methods; None (the default) enforces none. See enforce()."""
        self._drop_rate = 0.0
        self._drop_after_share = 0.0
        self._random = random.Random()
        self._chat_buckets: dict[int, _Bucket] = {}
        self._overall_bucket: _Bucket | None = None
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._delivered_upto = 0
        self._allowed_updates: frozenset[str] | None = None
        self._poll_waiter: asyncio.Future[bool] | None = None
        self._poll_since: float | None = None
        self._inflight = 0
        self._last_busy = 0.0
        self._closing = False
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_error: tuple[int, str] | None = None
        self._push_task: asyncio.Task[None] | None = None
        self._push_wakeup = asyncio.Event()
        self._pushing: set[int] = set()
        self._push_attempts: dict[int, int] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._open_callbacks: set[str] = set()
        self._ids = itertools.count(1)
        self._files: dict[str, tuple[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[Params], Any]] = {
            "getme": lambda _p: self._bot_json(),
            "logout": lambda _p: True,
            "close": lambda _p: True,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": lambda p: self._commands.get(self._commands_key(p), []),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendchataction": self._send_chat_action,
            **{f"send{kind.replace('_', '')}": self._media_sender(kind) for kind in _FILE_KINDS},
        }

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host:port``; port 0 picks a free one (see :attr:`base_url`)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: a long poll whose client hung up must not look like a waiting bot.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        self._closing = False
        bound = await serve_on(self._runner, host, port)
        self.base_url = f"http://{host}:{bound}" if ":" not in host else f"http://[{host}]:{bound}"

    async def stop(self) -> None:
        """Answer pending long polls, stop pushing to a webhook and close the server."""
        self._closing = True
        self._wake_poller(True)
        await self._stop_pushing()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    # --- looking at what happened ----------------------------------------------------------

    def calls_to(self, chat_id: int) -> list[ApiCall]:
        """Requests addressed to one chat (by ``chat_id``), in order."""
        return [call for call in self.calls if call.params.get("chat_id") == chat_id]

    def chat(self, chat_id: int) -> list[SimMessage]:
        """The private chat's history, user and bot messages; deleted ones stay, flagged."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def drop_chat(self, chat_id: int) -> None:
        """Forget a chat's history, as if it had never been: long benchmarks with 100,000 people keep memory
        flat this way. The bot's later requests to that chat fail with "chat not found"."""
        self._chats.pop(chat_id, None)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """What setMyCommands stored for that scope and language."""
        return self._commands.get(self._commands_key({"scope": scope, "language_code": language_code}), [])

    @property
    def is_polling(self) -> bool:
        """True while the bot waits in a getUpdates long poll."""
        return self._poll_since is not None

    @property
    def webhook_url(self) -> str:
        """The URL the bot set with setWebhook ("" when none). Updates are pushed to it when it is on
        this machine (127.0.0.1, localhost, ::1); any other URL is recorded but never contacted."""
        return self._webhook_url

    @property
    def is_pushing(self) -> bool:
        """True while a webhook on this machine is set and updates are pushed to it."""
        return self._push_task is not None and not self._push_task.done()

    @property
    def pending_updates(self) -> int:
        """Updates not yet handed over: not fetched (polling) or not accepted by the webhook."""
        return sum(1 for update in self._updates if update["update_id"] > self._delivered_upto)

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
        """The person sends a photo, document, sticker, voice, ... ``caption`` and fields override."""
        if kind not in _MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; one of {sorted(_MEDIA_KINDS)}")
        caption = extra.pop("caption", None)
        content = self._media_content(kind, extra)
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
        self._open_callbacks.add(query_id)
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
        message.raw["text"], message.raw["edit_date"] = text, _now()
        self._enqueue({"edited_message": copy.deepcopy(message.raw)})
        await asyncio.sleep(0)

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

    # --- failure injection -----------------------------------------------------------------

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail, e.g. 429 with retry_after, 500, 403."""
        failure = _Failure(status, description, retry_after)
        self._failures.setdefault(method.lower(), []).extend([failure] * times)

    def enforce(self, limits: FloodLimits | None) -> None:
        """Enforce Telegram-like flood limits on the sending methods from now on (None: stop). Buckets
        start full, as for a bot that has been quiet."""
        self.flood = limits
        self._chat_buckets.clear()
        self._overall_bucket = None

    def drop_connections(self, rate: float, *, after_share: float = 0.0, seed: int | None = None) -> None:
        """Close the connection without an answer on this share of sending requests (0 stops it).

        A dropped request is not carried out, unless it falls in ``after_share`` of the drops: then the
        message is delivered and only the answer is lost, as when a connection breaks on the way back.
        The bot cannot tell the two apart; only the second makes a duplicate unavoidable for a sender that
        retries, since the Bot API has no idempotency key.
        """
        if not 0.0 <= rate <= 1.0 or not 0.0 <= after_share <= 1.0:
            raise ValueError("rate and after_share are shares between 0 and 1")
        self._drop_rate, self._drop_after_share = rate, after_share
        if seed is not None:
            self._random.seed(seed)

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        call = ApiCall(request.match_info["method"], {}, request.match_info["token"], 0)
        if self.keep_calls:
            self.calls.append(call)
        polling = call.method.lower() == "getupdates"
        if not polling:
            self._inflight += 1
        try:
            if self._drop_rate and call.method.lower() in _SENDING and self._random.random() < self._drop_rate:
                return await self._drop(call, request)
            call.status, body = await self._respond(call, request)
        except asyncio.CancelledError:
            call.status = 499
            raise
        finally:
            if not polling:
                self._inflight -= 1
                self._last_busy = asyncio.get_running_loop().time()
        self._observe(call)
        return web.json_response(body, status=call.status)

    async def _drop(self, call: ApiCall, request: web.Request) -> web.Response:
        """Close the connection without answering; carry the request out first for ``after_share``."""
        if self._random.random() < self._drop_after_share:
            await self._respond(call, request)
        self.dropped += 1
        call.status, call.result = DROPPED, None
        if request.transport is not None:
            request.transport.close()
        self._observe(call)
        return web.Response(status=500)  # never reaches the bot: the connection is gone

    def _observe(self, call: ApiCall) -> None:
        for observer in self.observers:
            try:
                observer(call)
            except Exception as error:  # the observer's bug, reported like the fake's own
                self.errors.append(error)

    async def _respond(self, call: ApiCall, request: web.Request) -> tuple[int, dict[str, Any]]:
        try:
            raw = await self._read_params(request)
            call.params, broken = self._decode_params(raw)
            if call.token != self.token:
                raise _ApiError(401, "Unauthorized")
            if broken:
                name = call.method.lower()
                if name != "getupdates" and name not in self._methods:
                    raise _ApiError(404, "Not Found")
                raise _bad(f"can't parse {broken} JSON object")
        except _ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake must show up in the test, not hang it
            self.errors.append(error)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error (fake)"}
        return await self._execute(call)

    async def _execute(self, call: ApiCall) -> tuple[int, dict[str, Any]]:
        """Carry out a call whose params are decoded: a request, or a method in a webhook answer."""
        try:
            name = call.method.lower()
            if name != "getupdates" and name not in self._methods:
                raise _ApiError(404, "Not Found")
            failures = self._failures.get(name)
            if failures:
                failure = failures.pop(0)
                raise _ApiError(failure.status, failure.description, failure.retry_after)
            if self.flood is not None and name in _SENDING:
                self._spend_flood_token(self.flood, call.params.get("chat_id"))
            if name == "getupdates":
                result = await self._get_updates(call.params)
            else:
                result = self._methods[name](call.params)
            call.result = result
            return 200, {"ok": True, "result": result}
        except _ApiError as error:
            return error.status, error.body()
        except Exception as error:  # a bug in the fake must show up in the test, not hang it
            self.errors.append(error)
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error (fake)"}

    def _spend_flood_token(self, limits: FloodLimits, chat_id: Any) -> None:
        now = time.monotonic()
        overall = self._overall_bucket
        if overall is None:
            overall = self._overall_bucket = _Bucket(float(limits.overall_burst), now)
        chat = None
        if isinstance(chat_id, int):
            chat = self._chat_buckets.get(chat_id)
            if chat is None:
                chat = self._chat_buckets[chat_id] = _Bucket(float(limits.chat_burst), now)
        wait = overall.wait(limits.overall, limits.overall_burst, now)
        if chat is not None:
            wait = max(wait, chat.wait(limits.per_chat, limits.chat_burst, now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        overall.tokens -= 1
        if chat is not None:
            chat.tokens -= 1

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Query string plus form or JSON body; uploads become ``{"upload": filename}``."""
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
        elif request.body_exists:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[key] = {"upload": value.filename}
                else:
                    params[key] = value.decode() if isinstance(value, bytes) else value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.pop(value.removeprefix("attach://"), value)
        return params

    @staticmethod
    def _decode_params(raw: dict[str, Any]) -> tuple[Params, str | None]:
        """Typed params plus the name of a field whose JSON did not parse, if any."""
        params: Params = {}
        broken = None
        for key, value in raw.items():
            if not isinstance(value, str):
                params[key] = value
                continue
            try:
                params[key] = _decode(key, value)
            except ValueError:
                params[key], broken = value, key
        return params, broken

    # --- webhook: pushing updates to the bot -----------------------------------------------

    def _restart_pushing(self, url: str) -> None:
        """Stop pushing to the old URL (in flight pushes are abandoned and retried) and push to ``url``."""
        if self._push_task is not None:
            self._push_task.cancel()
            self._push_task = None
        self._pushing.clear()
        self._push_attempts.clear()
        if url:
            self._push_task = asyncio.get_running_loop().create_task(self._push_loop(url))

    async def _stop_pushing(self) -> None:
        task, self._push_task = self._push_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _push_loop(self, url: str) -> None:
        """Push pending updates, oldest first, up to max_connections at once and one at a time per chat
        (so one person's updates arrive in order); an update leaves the queue when the bot answers 2xx."""
        headers = {WEBHOOK_SECRET_HEADER: self._webhook_secret} if self._webhook_secret else {}
        connector = aiohttp.TCPConnector(limit=self._webhook_max_connections)
        tasks: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
            try:
                while True:
                    self._push_wakeup.clear()
                    self._updates = [update for update in self._updates if self._allowed(update)]
                    started: set[int | None] = set()
                    for update in self._updates:
                        if len(self._pushing) >= self._webhook_max_connections:
                            break
                        chat = _update_chat(update)
                        if chat is not None and chat in started:
                            continue  # an earlier update of this chat is on its way or waiting
                        started.add(chat)
                        if update["update_id"] in self._pushing:
                            continue
                        self._pushing.add(update["update_id"])
                        task = asyncio.create_task(self._push_one(http, url, headers, update))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    await self._push_wakeup.wait()
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _push_one(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str],
                        update: dict[str, Any]) -> None:
        update_id = update["update_id"]
        try:
            error = await self._post_update(http, url, headers, update)
            if error is not None:
                self.webhook_failures += 1
                self._webhook_error = (_now(), error)
                attempts = self._push_attempts[update_id] = self._push_attempts.get(update_id, 0) + 1
                await asyncio.sleep(min(_WEBHOOK_RETRY_MAX, 0.05 * 2 ** (attempts - 1)))
        finally:
            self._last_busy = asyncio.get_running_loop().time()
            self._pushing.discard(update_id)
            self._push_wakeup.set()

    async def _post_update(self, http: aiohttp.ClientSession, url: str, headers: dict[str, str],
                           update: dict[str, Any]) -> str | None:
        """One push; None when the bot took the update, else what went wrong (for getWebhookInfo)."""
        try:
            async with http.post(url, json=update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    return f"Wrong response from the webhook: {response.status} {response.reason}"
                if update in self._updates:
                    self._updates.remove(update)
                self._delivered_upto = max(self._delivered_upto, update["update_id"])
                self._push_attempts.pop(update["update_id"], None)
                self.webhook_deliveries += 1
                await self._webhook_answer(response)
                return None
        except (aiohttp.ClientError, OSError) as exc:  # OSError covers timeouts
            return f"Connection failed: {type(exc).__name__}"

    async def _webhook_answer(self, response: aiohttp.ClientResponse) -> None:
        """A bot may answer a pushed update with one method call, as JSON or a form; Telegram carries it out
        and tells the bot nothing, so the outcome is only recorded here."""
        params: dict[str, Any] = {}
        if response.content_type == "multipart/form-data":
            reader = aiohttp.MultipartReader.from_response(response)
            while (part := await reader.next()) is not None:
                if isinstance(part, aiohttp.BodyPartReader) and part.name:
                    params[part.name] = (await part.read(decode=True)).decode()
        elif response.content_type == "application/json":
            body = await response.json()
            params = body if isinstance(body, dict) else {}
        else:
            await response.read()
        method = params.pop("method", None)
        if not isinstance(method, str) or not method:
            return
        call = ApiCall(method, {}, self.token, 0, via_webhook_reply=True)
        if self.keep_calls:
            self.calls.append(call)
        call.params, broken = self._decode_params(params)
        if broken:
            call.status = 400
        else:
            call.status, _body = await self._execute(call)
        self._observe(call)

    # --- updates ---------------------------------------------------------------------------

    def _enqueue(self, update: dict[str, Any]) -> int:
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._wake_poller(True)
        self._push_wakeup.set()
        return int(update["update_id"])

    def _wake_poller(self, result: bool) -> None:
        if self._poll_waiter is not None and not self._poll_waiter.done():
            self._poll_waiter.set_result(result)

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next((key for key in update if key != "update_id"), "")
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset, limit, timeout = p.get("offset"), p.get("limit", 100), p.get("timeout", 0)
        limit = max(1, min(100, limit if isinstance(limit, int) else 100))
        timeout = timeout if isinstance(timeout, int) and timeout > 0 else 0
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        if isinstance(offset, int) and offset > 0:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        self._wake_poller(False)  # like Telegram: a newer getUpdates ends the previous one with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (batch := self._take(limit)) and not self._closing and loop.time() < deadline:
            waiter: asyncio.Future[bool] = loop.create_future()
            self._poll_waiter, self._poll_since = waiter, loop.time()
            try:
                await asyncio.wait({waiter}, timeout=deadline - loop.time())
            finally:
                if self._poll_waiter is waiter:
                    self._poll_waiter = self._poll_since = None
            if waiter.done() and waiter.result() is False:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            self._last_busy = loop.time()
        return copy.deepcopy(batch)

    def _take(self, limit: int) -> list[dict[str, Any]]:
        """The next updates the bot may see; types it did not ask for are dropped, as Telegram does."""
        self._updates = [update for update in self._updates if self._allowed(update)]
        return self._updates[:limit]

    def _member_update(self, user: FakeUser, old: str, new: str) -> dict[str, Any]:
        bot = self._bot_json()
        return {
            "chat": user.chat_json(),
            "from": user.to_json(),
            "date": _now(),
            "old_chat_member": {"status": old, "user": bot},
            "new_chat_member": {"status": new, "user": bot} | ({"until_date": 0} if new == "kicked" else {}),
        }

    # --- chats and messages ----------------------------------------------------------------

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _chat_of(self, user: FakeUser) -> _Chat:
        chat = self._chats.get(user.id)
        if chat is None:
            raise LookupError(f"user {user.id} has not written to the bot yet")
        return chat

    async def _user_message(self, user: FakeUser, kind: str, content: dict[str, Any], text: str | None) -> SimMessage:
        chat = self._chats.setdefault(user.id, _Chat(user))
        if chat.blocked:
            raise RuntimeError("a person who blocked the bot cannot write to it; call unblock() first")
        message = self._add_message(chat, False, kind, content, text=text)
        self._enqueue({"message": copy.deepcopy(message.raw)})
        await asyncio.sleep(0)
        return message

    def _add_message(
        self,
        chat: _Chat,
        from_bot: bool,
        kind: str,
        content: dict[str, Any],
        *,
        text: str | None,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> SimMessage:
        chat.last_message_id += 1
        raw: dict[str, Any] = {
            "message_id": chat.last_message_id,
            "from": self._bot_json() if from_bot else chat.user.to_json(),
            "chat": chat.user.chat_json(),
            "date": _now(),
            **(extra or {}),
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            raw["reply_markup"] = reply_markup
        if protect_content:
            raw["has_protected_content"] = True
        message = SimMessage(
            chat.last_message_id,
            chat.user.id,
            from_bot,
            text,
            parse_mode,
            reply_markup,
            kind,
            protect_content,
        )
        message.raw = raw
        chat.messages[message.message_id] = message
        return message

    def _media_content(self, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Realistic Message fields for a piece of media sent by a person."""
        if kind == "location":
            return {"location": {"latitude": 52.52, "longitude": 13.405} | extra}
        if kind == "venue":
            location = {"latitude": extra.pop("latitude", 52.52), "longitude": extra.pop("longitude", 13.405)}
            venue = {"location": location, "title": "Somewhere", "address": "1 Example Street"} | extra
            return {"venue": venue, "location": location}
        if kind == "contact":
            return {"contact": {"phone_number": "+10000000000", "first_name": "Contact"} | extra}
        return self._file_content(kind, self._new_file(kind, extra))

    def _new_file(self, kind: str, extra: dict[str, Any] | None = None) -> Any:
        n = next(self._ids)
        base = {
            "file_id": f"{_FILE_PREFIX[kind]}-fake-{n}",
            "file_unique_id": f"AQAD{n}",
            "file_size": 1000 + n,
        }
        defaults: dict[str, dict[str, Any]] = {
            "document": {"file_name": "document.pdf", "mime_type": "application/pdf"},
            "sticker": {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
            | {"emoji": "🙂"},
            "voice": {"duration": 3, "mime_type": "audio/ogg"},
            "video": {"width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4"},
            "audio": {"duration": 120, "mime_type": "audio/mpeg", "title": "Audio"},
            "video_note": {"length": 240, "duration": 4},
            "animation": {"width": 320, "height": 240, "duration": 2, "mime_type": "video/mp4"}
            | {"file_name": "animation.gif.mp4"},
        }
        obj: Any
        if kind == "photo":
            small = base | {"file_id": f"{base['file_id']}-s", "width": 90, "height": 67, "file_size": 1000}
            obj = [small, base | {"width": 800, "height": 600} | (extra or {})]
            for size in obj:
                self._files[size["file_id"]] = (kind, obj)
        else:
            obj = base | defaults.get(kind, {}) | (extra or {})
            self._files[obj["file_id"]] = (kind, obj)
        return obj

    @staticmethod
    def _file_content(kind: str, obj: Any) -> dict[str, Any]:
        content = {kind: copy.deepcopy(obj)}
        if kind == "animation":  # Telegram also fills "document" for animations
            content["document"] = copy.deepcopy(obj)
        return content

    # --- checks shared by the sending methods ----------------------------------------------

    def _target(self, p: Params, key: str = "chat_id", *, writing: bool = True) -> _Chat:
        chat_id = p.get(key)
        if chat_id in (None, ""):
            raise _bad(f"{key} is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        if writing and chat.blocked:
            raise _ApiError(403, _BLOCKED)
        return chat

    @staticmethod
    def _existing(chat: _Chat, message_id: Any, missing: str) -> SimMessage:
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None or message.deleted:
            raise _bad(missing)
        return message

    @staticmethod
    def _parsed(text: str, parse_mode: str | None, limit: int, what: str) -> str:
        """The plain text Telegram would store, or the error it would answer."""
        mode = (parse_mode or "").lower()
        if mode not in ("", "html", "markdown", "markdownv2"):
            raise _bad("unsupported parse_mode")
        plain = text
        if mode == "html":
            plain, problem = _html_to_plain(text)
            if problem is not None:
                raise _bad(problem)
        if not plain.strip():
            raise _bad(f"{what} is empty")
        if _utf16_len(plain) > limit:
            raise _bad("message is too long" if what == "message text" else "message caption is too long")
        return plain

    @staticmethod
    def _markup(value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        rows = value.get("inline_keyboard")
        if rows is None:
            return value
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('can\'t parse inline keyboard button: field "inline_keyboard" must be an Array')
        for button in (button for row in rows for button in row):
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                if not 1 <= len(str(button["callback_data"]).encode()) <= MAX_CALLBACK_DATA:
                    raise _bad("BUTTON_DATA_INVALID")
            elif "url" in button:
                if not re.match(r"(https?|tg)://\S", str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")
            elif not _BUTTON_ACTIONS & button.keys():
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return value

    def _reply_target(self, chat: _Chat, p: Params) -> dict[str, Any]:
        reply = p.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        message_id = reply.get("message_id", p.get("reply_to_message_id"))
        if message_id is None:
            return {}
        target = chat.messages.get(message_id)
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply"):
                return {}
            raise _bad("message to be replied not found")
        return {"reply_to_message": {k: v for k, v in target.raw.items() if k != "reply_to_message"}}

    # --- Bot API methods -------------------------------------------------------------------

    def _set_webhook(self, p: Params) -> bool:
        url = str(p.get("url", ""))
        parts = urlsplit(url)
        local = parts.hostname in LOOPBACK_HOSTS
        # Telegram wants HTTPS; plain HTTP is let through on this machine only, where the tests run.
        if url and not (parts.scheme == "https" or (parts.scheme == "http" and local)):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        connections = p.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        self._wake_poller(False)  # a waiting getUpdates ends, as in Telegram
        self._webhook_url, self._webhook_secret = url, str(secret) if secret is not None else None
        self._webhook_max_connections, self._webhook_error = connections, None
        self._restart_pushing(url if url and local else "")
        return True

    def _delete_webhook(self, p: Params) -> bool:
        self._webhook_url = ""
        self._restart_pushing("")
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, _p: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates if not self._webhook_url else len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    @staticmethod
    def _commands_key(p: Params) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _set_my_commands(self, p: Params) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands must be a list of at most 100 BotCommand objects")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("command description is empty or too long")
        self._commands[self._commands_key(p)] = commands
        return True

    def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    def _send_message(self, p: Params) -> dict[str, Any]:
        chat = self._target(p)
        text, parse_mode = str(p.get("text", "")), p.get("parse_mode")
        plain = self._parsed(text, parse_mode, MAX_TEXT, "message text")
        markup = self._markup(p.get("reply_markup"))
        message = self._add_message(
            chat,
            True,
            "text",
            {"text": plain},
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            protect_content=p.get("protect_content") is True,
            extra=self._reply_target(chat, p),
        )
        return message.raw

    def _bot_message_to_edit(self, p: Params) -> SimMessage:
        if "inline_message_id" in p:
            raise _bad("MESSAGE_ID_INVALID")  # the bot has no inline mode
        message = self._existing(self._target(p), p.get("message_id"), "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    def _edit_message_text(self, p: Params) -> dict[str, Any]:
        message = self._bot_message_to_edit(p)
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        text, parse_mode = str(p.get("text", "")), p.get("parse_mode")
        plain = self._parsed(text, parse_mode, MAX_TEXT, "message text")
        markup = self._markup(p.get("reply_markup"))
        # Telegram drops the inline keyboard when an edit does not repeat it.
        same = (text, parse_mode, markup) == (message.text, message.parse_mode, message.reply_markup)
        if same:
            raise _ApiError(400, _NOT_MODIFIED)
        message.text, message.parse_mode, message.edited = text, parse_mode, True
        message.raw["text"] = plain
        self._set_markup(message, markup)
        return message.raw

    def _edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        message = self._bot_message_to_edit(p)
        markup = self._markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        if markup == message.reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        message.edited = True
        self._set_markup(message, markup)
        return message.raw

    @staticmethod
    def _set_markup(message: SimMessage, markup: dict[str, Any] | None) -> None:
        message.reply_markup = markup
        message.raw["edit_date"] = _now()
        if markup:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)

    def _answer_callback_query(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(p.get("text", ""))) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks[query_id] = dict(p)
        return True

    @staticmethod
    def _answer_inline_query(p: Params) -> bool:
        # The bot has no inline mode; accepting the answer lets tests see it tried to reply.
        if not p.get("inline_query_id") or not isinstance(p.get("results"), list):
            raise _bad("inline_query_id and results are required")
        return True

    def _delete_message(self, p: Params) -> bool:
        chat = self._target(p, writing=False)
        self._existing(chat, p.get("message_id"), "message to delete not found").deleted = True
        return True

    def _delete_messages(self, p: Params) -> bool:
        chat = self._target(p, writing=False)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must list 1 to 100 message identifiers")
        for message_id in ids:  # Telegram skips the ones it cannot find
            message = chat.messages.get(message_id)
            if message is not None:
                message.deleted = True
        return True

    def _source(self, p: Params, missing: str) -> SimMessage:
        chat = self._target(p, "from_chat_id", writing=False)
        return self._existing(chat, p.get("message_id"), missing)

    def _copy_message(self, p: Params) -> dict[str, int]:
        target = self._target(p)
        source = self._source(p, "message to copy not found")
        content = {k: copy.deepcopy(v) for k, v in source.raw.items() if k not in _ENVELOPE}
        text, parse_mode = source.text, source.parse_mode
        if source.kind in _CAPTIONED and p.get("remove_caption") is True:
            content.pop("caption", None)
            text = parse_mode = None
        elif source.kind in _CAPTIONED and "caption" in p:
            text, parse_mode = str(p["caption"]), p.get("parse_mode")
            content["caption"] = self._parsed(text, parse_mode, MAX_CAPTION, "message caption")
        copied = self._add_message(
            target,
            True,
            source.kind,
            content,
            text=text,
            parse_mode=parse_mode,
            reply_markup=self._markup(p.get("reply_markup")),
            protect_content=p.get("protect_content") is True,
            extra=self._reply_target(target, p),
        )
        return {"message_id": copied.message_id}

    def _forward_message(self, p: Params) -> dict[str, Any]:
        target = self._target(p)
        source = self._source(p, "message to forward not found")
        if source.protect_content:
            raise _bad("message can't be forwarded")
        content = {k: copy.deepcopy(v) for k, v in source.raw.items() if k not in _ENVELOPE}
        sender, date = source.raw["from"], source.raw["date"]
        origin = {"forward_origin": {"type": "user", "sender_user": sender, "date": date}}
        forwarded = self._add_message(
            target,
            True,
            source.kind,
            content,
            text=source.text,
            parse_mode=source.parse_mode,
            protect_content=p.get("protect_content") is True,
            extra=origin | {"forward_from": sender, "forward_date": date},
        )
        return forwarded.raw

    def _send_chat_action(self, p: Params) -> bool:
        self._target(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _media_sender(self, kind: str) -> Callable[[Params], dict[str, Any]]:
        def send(p: Params) -> dict[str, Any]:
            chat = self._target(p)
            content = self._file_content(kind, self._file_for(kind, p.get(kind)))
            text, parse_mode = p.get("caption"), p.get("parse_mode")
            if kind in _CAPTIONED and text:
                content["caption"] = self._parsed(str(text), parse_mode, MAX_CAPTION, "message caption")
            message = self._add_message(
                chat,
                True,
                kind,
                content,
                text=str(text) if text and kind in _CAPTIONED else None,
                parse_mode=parse_mode if text else None,
                reply_markup=self._markup(p.get("reply_markup")),
                protect_content=p.get("protect_content") is True,
                extra=self._reply_target(chat, p),
            )
            return message.raw

        return send

    def _file_for(self, kind: str, value: Any) -> Any:
        """Accept a known file_id of the same kind, an upload, or an http(s) URL, like Telegram."""
        if value in (None, ""):
            raise _bad(f"there is no {kind} in the request")
        if isinstance(value, dict) and "upload" in value:
            return self._new_file(kind)
        if isinstance(value, str) and re.match(r"https?://", value):
            return self._new_file(kind)
        known = self._files.get(value) if isinstance(value, str) else None
        if known is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if known[0] != kind:
            have, want = (k.replace("_", " ").title().replace(" ", "") for k in (known[0], kind))
            raise _bad(f"can't use file of type {have} as {want}")
        return known[1]
