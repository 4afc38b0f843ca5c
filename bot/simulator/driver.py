"""The test driver of the fake Telegram: the people who write to the bot, and waiting for the bot."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterable
from typing import Any

from bot.simulator.state import (
    _CAPTIONED,
    _MEDIA_KINDS,
    ADMIN_RIGHTS,
    FORUM_TOPIC_COLORS,
    IDLE_QUIET_SECONDS,
    FakeUser,
    SimMessage,
    _Chat,
    _Group,
    _Topic,
    _utf16_len,
)
from bot.simulator.webhook import WebhookPush

_SERVICE_KINDS = frozenset(
    {"forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened"}
    | {"pinned_message", "new_chat_members", "left_chat_member"}
)


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
        return await self._user_message(user, "text", _text_content(text), text)

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

    async def press(
        self, user: FakeUser, message_id: int, callback_data: str, *, listed: bool = True, group_id: int | None = None
    ) -> str:
        """The person taps an inline button; returns the callback query id.

        With ``listed=False`` the data need not be on any of the message's buttons: that is what a forged or
        outdated client sends, and how the browser preview takes a person straight to any page. With
        ``group_id`` the button is on a bot message in that group, and ``user`` must be a member of it.
        """
        if group_id is None:
            chat = self._chat_of(user)
        else:
            chat = self._chats[self._group(group_id).id]
            if chat.group is not None and user.id not in chat.group.members:
                raise PermissionError(f"user {user.id} is not a member of group {group_id}")
        message = chat.messages.get(message_id)
        if message is None or message.deleted or not message.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat.id} to press a button on")
        if listed and not any(button.get("callback_data") == callback_data for button in message.buttons()):
            raise LookupError(f"message {message_id} has no button with that callback data")
        query_id = str(next(self._ids) * 1_000_003 + user.id)
        self._open_callbacks[query_id] = self._clock()
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": copy.deepcopy(message.raw),
            "chat_instance": str(abs(chat.id) * 7 + self.bot_id),
            "data": callback_data,
        }
        self._enqueue({"callback_query": query})
        await asyncio.sleep(0)
        return query_id

    async def edit(self, user: FakeUser, message_id: int, text: str, *, group_id: int | None = None) -> None:
        """The person edits one of their own text messages: in their chat with the bot, or in ``group_id``
        (where the bot hears of it as it heard of the message; the edit keeps its topic)."""
        chat = self._chat_of(user) if group_id is None else self._chats[self._group(group_id).id]
        message = chat.messages.get(message_id)
        mine = message is not None and not message.from_bot and message.sender_id == user.id
        if message is None or not mine or message.deleted or message.kind != "text":
            raise LookupError(f"no text message {message_id} by user {user.id} to edit")
        message.text, message.edited = text, True
        message.raw.pop("entities", None)  # the edited text's own, if any, as Telegram sends them
        message.raw.update(_text_content(text) | {"edit_date": self._now()})
        if chat.group is None or self._bot_sees(chat.group, message, None):
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

    # --- groups and forum topics ----------------------------------------------------------

    def forum_group(
        self,
        members: Iterable[FakeUser] = (),
        *,
        group_id: int = -1001000000001,
        title: str = "Counsellors",
        admins: Iterable[FakeUser] = (),
        is_forum: bool = True,
        protected: bool = True,
        bot_status: str = "administrator",
        **bot_rights: bool,
    ) -> int:
        """A supergroup that was there before the bot started (no update announces it); returns its id.

        The first member is its owner. The bot is an administrator with every right unless ``bot_status``
        ("administrator", "member", "left", "kicked") or rights such as ``can_manage_topics=False`` say
        otherwise. ``protected`` is the group's "restrict saving content" setting; ``is_forum`` its topics.
        """
        if group_id >= -1_000_000_000_000:
            raise ValueError("a supergroup's id is -100 followed by its own id, e.g. -1001000000001")
        if group_id in self._chats:
            raise ValueError(f"group {group_id} exists already")
        if bot_status not in ("administrator", "member", "left", "kicked"):
            raise ValueError(f"unknown bot_status {bot_status!r}")
        unknown = set(bot_rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ValueError(f"unknown rights {sorted(unknown)}; see ADMIN_RIGHTS")
        people = list(members)
        group = _Group(group_id, title, is_forum, members={person.id: person for person in people},
                       admins={admin.id for admin in admins}, owner=people[0].id if people else None,
                       bot_status=bot_status, protected=protected)
        if not group.admins <= group.members.keys():
            raise ValueError("every admin must be a member too")
        group.bot_rights.update(bot_rights)
        # Message 1 made the group (and, in a forum, is the General topic's): the first topic gets a later id.
        self._chats[group_id] = _Chat(None, last_message_id=1, group=group)
        return group_id

    def set_bot_rights(self, group_id: int, status: str = "administrator", **rights: bool) -> None:
        """The group's owner changes the bot's standing or rights; a my_chat_member update follows."""
        group = self._group(group_id)
        if status not in ("administrator", "member", "left", "kicked") or set(rights) - set(ADMIN_RIGHTS):
            raise ValueError("unknown status or right")
        if group.owner is None:
            raise ValueError("the group has no owner to change the bot's rights; give it members")
        old = self._member_json(group, self.bot_id)
        group.bot_status = status
        group.bot_rights.update(rights)
        update = {
            "chat": group.chat_json(),
            "from": group.members[group.owner].to_json(),
            "date": self._now(),
            "old_chat_member": old,
            "new_chat_member": self._member_json(group, self.bot_id),
        }
        self._enqueue({"my_chat_member": update})

    def set_protected(self, group_id: int, protected: bool) -> None:
        """Switch the group's "restrict saving content" setting (getChat's has_protected_content)."""
        self._group(group_id).protected = protected

    async def join(self, group_id: int, user: FakeUser) -> SimMessage:
        """Someone joins the group (added, or by a link): a "new_chat_members" service message in General,
        which the bot sees, and a chat_member update for a bot that asked for those."""
        group = self._group(group_id)
        if user.id in group.members:
            raise ValueError(f"user {user.id} is a member already")
        group.members[user.id] = user
        self._former_members.pop(user.id, None)
        self._enqueue({"chat_member": self._membership_update(group, user, "left", "member")})
        return await self._group_message(group, user, "new_chat_members", {"new_chat_members": [user.to_json()]},
                                         None, None, None)

    async def leave(self, group_id: int, user: FakeUser) -> SimMessage:
        """A member leaves: a "left_chat_member" service message, and a chat_member update."""
        group = self._group(group_id)
        if user.id not in group.members:
            raise ValueError(f"user {user.id} is not a member")
        message = await self._group_message(group, user, "left_chat_member", {"left_chat_member": user.to_json()},
                                            None, None, None)
        del group.members[user.id]
        group.admins.discard(user.id)
        self._former_members[user.id] = user
        self._enqueue({"chat_member": self._membership_update(group, user, "member", "left")})
        return message

    def _membership_update(self, group: _Group, user: FakeUser, old: str, new: str) -> dict[str, Any]:
        return {
            "chat": group.chat_json(),
            "from": user.to_json(),
            "date": self._now(),
            "old_chat_member": {"status": old, "user": user.to_json()},
            "new_chat_member": {"status": new, "user": user.to_json()},
        }

    async def post(
        self, user: FakeUser, group_id: int, text: str, *, thread: int | None = None, reply_to: int | None = None
    ) -> SimMessage:
        """A member writes in the group: in topic ``thread`` (None: General, or the topic of ``reply_to``),
        as a reply to message ``reply_to`` if given. A leading /command gets its bot_command entity.

        Raises PermissionError for someone not in the group, or in a closed topic without being an
        administrator; LookupError for a topic or message that is not there.
        """
        return await self._group_message(self._group(group_id), user, "text", _text_content(text), text, thread,
                                         reply_to)

    async def post_media(
        self, user: FakeUser, group_id: int, kind: str, *, thread: int | None = None, reply_to: int | None = None,
        **extra: Any,
    ) -> SimMessage:
        """A member sends media into the group (kinds and ``caption`` as :meth:`send_media`)."""
        if kind not in _MEDIA_KINDS - {"pinned_message"}:
            raise ValueError(f"unknown media kind {kind!r}")
        caption = extra.pop("caption", None)
        content = self._media_content(kind, extra)
        if caption is not None and kind in _CAPTIONED:
            content["caption"] = caption
        return await self._group_message(self._group(group_id), user, kind, content, caption, thread, reply_to)

    async def reply(self, user: FakeUser, group_id: int, message_id: int, text: str) -> SimMessage:
        """A member replies to a message of the group; the reply lands in that message's topic."""
        return await self.post(user, group_id, text, reply_to=message_id)

    async def member_topic(self, user: FakeUser, group_id: int, name: str) -> int:
        """A member opens a topic of their own (the bot did not create it); returns its thread id."""
        group = self._group(group_id)
        if not group.is_forum:
            raise ValueError("the group is not a forum")
        chat = self._chats[group_id]
        thread = chat.last_message_id + 1
        group.topics[thread] = _Topic(thread, name[:128], FORUM_TOPIC_COLORS[0], by_bot=False)
        created = {"forum_topic_created": {"name": name[:128], "icon_color": FORUM_TOPIC_COLORS[0]}}
        await self._group_message(group, user, "forum_topic_created", created, None, thread, None)
        return thread

    def read_topic(self, group_id: int, thread_id: int) -> list[str]:
        """What a member scrolling the topic reads: each message's text or caption (``[kind]`` for media
        without one, service messages left out), oldest first; deleted messages are not shown."""
        shown = []
        for message in self.topic_messages(group_id, thread_id):
            if message.deleted or message.kind in _SERVICE_KINDS:
                continue
            shown.append(message.raw.get("text") or message.raw.get("caption") or f"[{message.kind}]")
        return shown

    async def _group_message(
        self, group: _Group, user: FakeUser, kind: str, content: dict[str, Any], text: str | None,
        thread: int | None, reply_to: int | None,
    ) -> SimMessage:
        chat = self._chats[group.id]
        if user.id not in group.members:
            raise PermissionError(f"user {user.id} is not a member of group {group.id}; join() first")
        target = None
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None or target.deleted:
                raise LookupError(f"no message {reply_to} in group {group.id} to reply to")
            if thread is not None and target.thread_id != thread:
                raise ValueError(f"message {reply_to} is not in topic {thread}")
            thread = target.thread_id
        if thread is not None:
            topic = group.topics.get(thread)
            if topic is None:
                raise LookupError(f"no topic {thread} in group {group.id}")
            if topic.closed and user.id != group.owner and user.id not in group.admins:
                raise PermissionError(f"topic {thread} is closed; only administrators can write there")
        opening = kind == "forum_topic_created"
        extra = {"message_thread_id": thread, "is_topic_message": True} if opening else (
            self._placement(chat, thread, target))
        message = self._add_message(chat, False, kind, content, text=text, sender=user, extra=extra)
        if self._bot_sees(group, message, target):
            self._enqueue({"message": copy.deepcopy(message.raw)})
        await asyncio.sleep(0)
        return message

    @staticmethod
    def _bot_sees(group: _Group, message: SimMessage, replied: SimMessage | None) -> bool:
        """An administrator bot gets every message of a group; a member bot in privacy mode (the default) only
        commands, replies to its own messages and service messages; a bot outside gets nothing."""
        if group.bot_status == "administrator":
            return True
        if group.bot_status != "member":
            return False
        text = message.raw.get("text")
        return (
            (isinstance(text, str) and text.startswith("/"))
            or (replied is not None and replied.from_bot)
            or message.kind in _SERVICE_KINDS
        )

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


def _text_content(text: str) -> dict[str, Any]:
    """A person's text message as Telegram delivers it: a leading /command gets its bot_command entity."""
    if not text:
        raise ValueError("Telegram clients cannot send empty messages")
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
    return content
