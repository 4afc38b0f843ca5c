"""The fake Telegram's state: chats, messages, files, the update queue and what the bot asked for.

The other modules of the fake each add one concern on top of this: the Bot API methods (methods), the HTTP
transport with its fault injection and long polling (transport), pushing updates to a webhook (webhook) and
the test driver that plays the people (driver); server.FakeTelegram puts them together.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.telegram.html import to_plain, validate

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
    | {"cache_time", "message_thread_id", "icon_color", "duration", "width", "height", "length", "user_id"}
    | {"max_connections", "live_period", "heading", "proximity_alert_radius", "video_start_timestamp"}
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_TEXT_FIELDS = frozenset(
    {"text", "caption", "callback_query_id", "url", "title", "address", "first_name", "last_name"}
    | {"phone_number", "description", "short_description", "language_code", "emoji", "performer"}
    | {"action", "parse_mode", "secret_token", "ip_address", "name", "foursquare_id", "icon_custom_emoji_id"}
)
_CAPTIONED = frozenset({"photo", "document", "video", "audio", "voice", "animation"})
_FILE_KINDS = _CAPTIONED | {"sticker", "video_note"}
_MEDIA_KINDS = _FILE_KINDS | {"location", "venue", "contact", "poll", "quiz", "paid_media", "pinned_message"}
# What sendMediaGroup takes; documents and audio only go with their own kind (TDLib's album checks).
_ALBUM_KINDS = frozenset({"photo", "video", "document", "audio"})
_ALBUM_SIZE = (2, 10)
"""Items in one sendMediaGroup, as the Bot API documents it."""
MAX_MESSAGE_IDS = 100
"""At most this many message_ids in copyMessages, forwardMessages and deleteMessages."""
# Message fields that make a service message: Telegram copies none of them.
_SERVICE_FIELDS = frozenset(
    {"pinned_message", "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo"}
    | {"delete_chat_photo", "group_chat_created", "message_auto_delete_timer_changed", "write_access_allowed"}
    | {"users_shared", "chat_shared", "successful_payment", "refunded_payment", "connected_website"}
    | {"proximity_alert_triggered", "chat_background_set", "forum_topic_created", "video_chat_started"}
)
# Kinds Telegram refuses to copy, besides service messages ("Service messages, paid media messages,
# giveaway messages, giveaway winners messages, and invoice messages can't be copied", Bot API, copyMessage).
_UNCOPYABLE_FIELDS = frozenset({"paid_media", "giveaway", "giveaway_winners", "invoice"})
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
    | {"message_thread_id", "is_topic_message"}
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
    | {"sendmessage", "copymessage", "copymessages", "forwardmessage", "forwardmessages", "sendmediagroup"}
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
    """A message as a participant of the chat (private, or a group) sees it."""

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

    @property
    def thread_id(self) -> int | None:
        """The forum topic it is in (its message_thread_id); None in a private chat or the General topic."""
        thread = self.raw.get("message_thread_id")
        return thread if isinstance(thread, int) and self.raw.get("is_topic_message") else None

    @property
    def sender_id(self) -> int:
        """Who wrote it: the bot's id or the person's."""
        return int(self.raw["from"]["id"])

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
    burst), 30 a second in all, and into a group no more than 20 a minute (Bot FAQ, "My bot is hitting
    limits"). They apply to the sending methods (send*, copy*, forward*); a request over a limit is answered
    429 with ``retry_after``, the whole seconds until it would pass."""

    per_chat: float = 1.0
    chat_burst: int = 3
    overall: float = 30.0
    overall_burst: int = 30
    group_per_minute: float = 20.0
    """Messages a minute into one group (a chat whose id is negative), with that many at once."""


@dataclass
class _Bucket:
    tokens: float
    updated: float

    def wait(self, rate: float, burst: int, now: float) -> float:
        """Seconds until one token is there (0: there is one now); refills first."""
        self.tokens = min(float(burst), self.tokens + (now - self.updated) * rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


FORUM_TOPIC_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
"""The icon colours createForumTopic accepts (Bot API, createForumTopic); the first is the default."""
MAX_TOPIC_NAME = 128
"""Characters of a topic name; TDLib cuts a longer one (MAX_FORUM_TOPIC_TITLE_LENGTH, ForumTopicManager)."""
GENERAL_TOPIC_ID = 1
"""The forum's General topic: the Bot API answers "message thread not found" when a bot names it, and messages
sent without message_thread_id land there."""
ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
    "can_delete_stories", "can_send_welcome_messages", "can_pin_messages", "can_manage_topics",
)
"""The rights of a ChatMemberAdministrator in a supergroup, in the Bot API's order."""


@dataclass
class _Topic:
    """A forum topic: its thread id is the id of the service message that opened it, as in Telegram."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    by_bot: bool = True
    """The bot opened it: Telegram lets a topic's creator edit, close and reopen it without can_manage_topics."""

    def to_json(self) -> dict[str, Any]:
        topic: dict[str, Any] = {"message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color}
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class _Group:
    """A supergroup (a forum when ``is_forum``): its members, the bot's standing in it and its topics."""

    id: int
    title: str
    is_forum: bool
    members: dict[int, FakeUser] = field(default_factory=dict)
    admins: set[int] = field(default_factory=set)
    """Members who are administrators (with every right); the first member given is the owner."""
    owner: int | None = None
    bot_status: str = "administrator"
    """"administrator", "member", "left" or "kicked"."""
    bot_rights: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(ADMIN_RIGHTS, True))
    """The bot's administrator rights (see ADMIN_RIGHTS); they count only while bot_status is "administrator"."""
    protected: bool = False
    """The group's "restrict saving content" setting: its messages carry has_protected_content."""
    topics: dict[int, _Topic] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    """Pinned message ids, oldest first (getChat shows the newest)."""

    def bot_can(self, right: str) -> bool:
        return self.bot_status == "administrator" and self.bot_rights.get(right, False)

    def chat_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "supergroup", "title": self.title}
        return chat | ({"is_forum": True} if self.is_forum else {})


@dataclass
class _Chat:
    user: FakeUser | None
    """The person of a private chat (whose chat id is their user id); None for a group."""
    messages: dict[int, SimMessage] = field(default_factory=dict)
    last_message_id: int = 0
    blocked: bool = False
    group: _Group | None = None

    @property
    def id(self) -> int:
        if self.group is not None:
            return self.group.id
        assert self.user is not None
        return self.user.id

    def chat_json(self) -> dict[str, Any]:
        if self.group is not None:
            return self.group.chat_json()
        assert self.user is not None
        return self.user.chat_json()


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


CALLBACK_QUERY_TIMEOUT = 15.0
"""Seconds Telegram lets a bot answer a callback query before answerCallbackQuery fails with "query is too
old". Telegram does not document the figure; bots see it after about 15 seconds."""
DELETE_WINDOW = 48 * 3600
"""Seconds after sending during which a bot may delete a message ("A message can only be deleted if it was
sent less than 48 hours ago", Bot API, deleteMessage)."""


@functools.lru_cache(maxsize=4096)
def _html_to_plain(text: str) -> tuple[str, str | None]:
    """The plain text of Telegram HTML, or why Telegram would refuse it. Cached: a bot sends the same
    menu pages over and over, and checking them would otherwise cost the fake more than the bot."""
    problems = validate(text)
    if problems:
        first = problems[0]
        return text, f"can't parse entities: {first.message} (at offset {first.offset})"
    return to_plain(text), None


def commands_key(p: Params) -> tuple[str, str]:
    """Where setMyCommands keeps a command list: its scope and language."""
    scope = p.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")


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




class FakeState:
    """Everything the fake holds; the concerns built on it only read and change these fields."""

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
        self._group_buckets: dict[int, _Bucket] = {}
        self._overall_bucket: _Bucket | None = None
        self._chats: dict[int, _Chat] = {}
        self._private_pins: dict[int, list[int]] = {}
        """Pinned message ids of private chats, oldest first (a group keeps its own)."""
        self._former_members: dict[int, FakeUser] = {}
        """People who left a group: getChatMember still knows them (status "left")."""
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
        self._open_callbacks: dict[str, float] = {}
        """Callback queries not answered yet, with when they were made (fake time)."""
        self.callback_timeout = CALLBACK_QUERY_TIMEOUT
        """Seconds after a tap during which answerCallbackQuery succeeds; later it fails like Telegram's."""
        self._time_offset = 0.0
        self._ids = itertools.count(1)
        self._files: dict[str, tuple[str, Any]] = {}
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[Params], Any]] = {}
        """Bot API methods by lowercased name; each concern adds its own."""

    # --- time ------------------------------------------------------------------------------

    def _clock(self) -> float:
        """Unix time as the fake sees it: the real clock moved on by :meth:`advance`."""
        return time.time() + self._time_offset

    def _now(self) -> int:
        return int(self._clock())

    def advance(self, seconds: float) -> None:
        """Move the fake's clock on: messages get older (deleting them ends after 48 hours) and open callback
        queries expire, without a test waiting for it."""
        if seconds < 0:
            raise ValueError("the fake's clock only moves forward")
        self._time_offset += seconds

    # --- looking at what happened ----------------------------------------------------------

    def calls_to(self, chat_id: int) -> list[ApiCall]:
        """Requests addressed to one chat (by ``chat_id``), in order."""
        return [call for call in self.calls if call.params.get("chat_id") == chat_id]

    def chat(self, chat_id: int) -> list[SimMessage]:
        """The private chat's history, user and bot messages; deleted ones stay, flagged."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def topics(self, group_id: int) -> list[dict[str, Any]]:
        """The forum's open and closed topics as ForumTopic JSON plus ``is_closed``, oldest first; deleted
        topics are gone."""
        group = self._group(group_id)
        return [topic.to_json() | {"is_closed": topic.closed} for topic in group.topics.values()]

    def topic_messages(self, group_id: int, thread_id: int) -> list[SimMessage]:
        """Every message still held in one topic, its opening service message first; deleted ones stay,
        flagged, until deleteForumTopic removes the topic with everything in it."""
        chat = self._chats.get(group_id)
        if chat is None or chat.group is None:
            raise LookupError(f"no group {group_id}")
        return [message for message in chat.messages.values() if message.thread_id == thread_id]

    def pinned(self, group_id: int) -> list[int]:
        """Ids of the group's pinned messages, oldest first."""
        return list(self._group(group_id).pinned)

    def _known_user(self, user_id: int) -> FakeUser | None:
        """A person the fake has met: in a private chat with the bot, in a group, or once in one."""
        chat = self._chats.get(user_id)
        if chat is not None and chat.user is not None:
            return chat.user
        for other in self._chats.values():
            if other.group is not None and user_id in other.group.members:
                return other.group.members[user_id]
        return self._former_members.get(user_id)

    def _group(self, group_id: int) -> _Group:
        chat = self._chats.get(group_id)
        if chat is None or chat.group is None:
            raise LookupError(f"no group {group_id}; make one with forum_group()")
        return chat.group

    def drop_chat(self, chat_id: int) -> None:
        """Forget a chat's history, as if it had never been: long benchmarks with 100,000 people keep memory
        flat this way. The bot's later requests to that chat fail with "chat not found"."""
        self._chats.pop(chat_id, None)

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        """What setMyCommands stored for that scope and language."""
        return self._commands.get(commands_key({"scope": scope, "language_code": language_code}), [])

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


    def _take(self, limit: int) -> list[dict[str, Any]]:
        """The next updates the bot may see; types it did not ask for are dropped, as Telegram does."""
        self._updates = [update for update in self._updates if self._allowed(update)]
        return self._updates[:limit]

    def _member_update(self, user: FakeUser, old: str, new: str) -> dict[str, Any]:
        """A my_chat_member update as Telegram sends it: a "kicked" member (the person blocked the bot) always
        carries until_date (0: for good), on either side of the change."""
        bot = self._bot_json()

        def member(status: str) -> dict[str, Any]:
            return {"status": status, "user": bot} | ({"until_date": 0} if status == "kicked" else {})

        return {
            "chat": user.chat_json(),
            "from": user.to_json(),
            "date": self._now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
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
        sender: FakeUser | None = None,
    ) -> SimMessage:
        """A new message at the end of ``chat``; ``sender`` is the member who wrote it in a group."""
        chat.last_message_id += 1
        author = sender if sender is not None else chat.user
        if not from_bot and author is None:
            raise ValueError("a message in a group needs its sender")
        raw: dict[str, Any] = {
            "message_id": chat.last_message_id,
            "from": self._bot_json() if from_bot or author is None else author.to_json(),
            "chat": chat.chat_json(),
            "date": self._now(),
            **(extra or {}),
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            raw["reply_markup"] = reply_markup
        if protect_content or (chat.group is not None and chat.group.protected):
            raw["has_protected_content"] = True
        message = SimMessage(
            chat.last_message_id,
            chat.id,
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
        if kind in ("poll", "quiz"):
            options = [{"text": text, "voter_count": 0} for text in ("Yes", "No")]
            poll: dict[str, Any] = {"id": str(next(self._ids)), "question": "Question?", "options": options}
            poll |= {"total_voter_count": 0, "is_closed": False, "is_anonymous": True}
            return {"poll": poll | {"type": "quiz" if kind == "quiz" else "regular"}
                    | {"allows_multiple_answers": False} | extra}
        if kind == "paid_media":
            return {"paid_media": {"star_count": 10, "paid_media": [{"type": "preview"}]} | extra}
        if kind == "pinned_message":  # a service message: the person pinned something
            return {"pinned_message": {"message_id": 1, "chat": {"id": 0, "type": "private"}, "date": 0} | extra}
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

