"""The fake Telegram's supergroups and forum topics: the Bot API methods a bot uses to work in a staff group.

Error texts are Telegram's own. Where the Bot API server (tdlib/telegram-bot-api, Client.cpp) or TDLib
(td/telegram/ForumTopicManager.cpp, DialogManager.cpp) words them, the comment names the place; texts in
CAPITALS are the server's own error names, which the Bot API passes on as they are (TOPIC_ID_INVALID,
TOPIC_CLOSED, TOPIC_NOT_MODIFIED, CHAT_NOT_MODIFIED), as bots report them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.simulator.methods import BotApiMethods
from bot.simulator.state import (
    ADMIN_RIGHTS,
    FORUM_TOPIC_COLORS,
    MAX_TOPIC_NAME,
    Params,
    SimMessage,
    _bad,
    _Chat,
    _Group,
    _Topic,
)

# What TDLib's clean_name removes from a topic name before checking it is not empty.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")


class GroupMethods(BotApiMethods):
    """createForumTopic and the other topic methods, pinning, and what a bot may learn about a group."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._methods.update({
            "createforumtopic": self._create_forum_topic,
            "editforumtopic": self._edit_forum_topic,
            "closeforumtopic": lambda p: self._close_forum_topic(p, closed=True),
            "reopenforumtopic": lambda p: self._close_forum_topic(p, closed=False),
            "deleteforumtopic": self._delete_forum_topic,
            "unpinallforumtopicmessages": self._unpin_all_forum_topic_messages,
            "pinchatmessage": self._pin_chat_message,
            "unpinchatmessage": self._unpin_chat_message,
            "unpinallchatmessages": self._unpin_all_chat_messages,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "getchatmembercount": self._get_chat_member_count,
        })

    # --- forum topics ----------------------------------------------------------------------

    def _forum(self, p: Params) -> tuple[_Chat, _Group]:
        chat = self._target(p, into_topic=False)
        if chat.group is None or not chat.group.is_forum:
            raise _bad("the chat is not a forum")  # TDLib, ForumTopicManager::is_forum
        return chat, chat.group

    @staticmethod
    def _topic(group: _Group, p: Params) -> _Topic:
        thread = p.get("message_thread_id")
        if not isinstance(thread, int) or thread <= 0:
            # The Bot API reads a missing or negative id as 0 (Client.cpp, get_forum_topic_id); TDLib refuses it
            # (ForumTopicManager::can_be_forum_topic_id).
            raise _bad("invalid forum topic identifier specified")
        topic = group.topics.get(thread)
        if topic is None:
            raise _bad("TOPIC_ID_INVALID")  # the server's answer for a topic that is not there (or was deleted)
        return topic

    @staticmethod
    def _topic_name(value: Any) -> str:
        """A topic name as TDLib stores it: unprintables dropped, trimmed, cut to 128 characters."""
        name = _UNPRINTABLE.sub("", str(value or "")).strip()[:MAX_TOPIC_NAME].strip()
        if not name:
            raise _bad("name must be non-empty")  # TDLib, create_forum_topic / edit_forum_topic
        return name

    def _topic_event(self, chat: _Chat, thread: int, content: dict[str, Any]) -> SimMessage:
        """The service message the bot's change to a topic leaves in it."""
        kind = next(iter(content))
        return self._add_message(chat, True, kind, content, text=None, extra=self._placement(chat, thread, None))

    def _create_forum_topic(self, p: Params) -> dict[str, Any]:
        chat, group = self._forum(p)
        if not group.bot_can("can_manage_topics"):
            raise _bad("not enough rights to create a topic")  # TDLib, create_forum_topic
        name = self._topic_name(p.get("name"))
        color = p.get("icon_color", FORUM_TOPIC_COLORS[0])
        if color not in FORUM_TOPIC_COLORS:
            # TDLib's text for a colour out of range; the fake holds the bot to the six the Bot API documents.
            raise _bad("invalid icon color specified")
        emoji = str(p["icon_custom_emoji_id"]) if p.get("icon_custom_emoji_id") else None
        thread = chat.last_message_id + 1  # a topic's id is the id of the message that opens it
        topic = _Topic(thread, name, int(color), emoji)
        group.topics[thread] = topic
        created: dict[str, Any] = {"name": name, "icon_color": topic.icon_color}
        if emoji:
            created["icon_custom_emoji_id"] = emoji
        self._add_message(chat, True, "forum_topic_created", {"forum_topic_created": created}, text=None,
                          extra={"message_thread_id": thread, "is_topic_message": True})
        return topic.to_json()

    def _edit_forum_topic(self, p: Params) -> bool:
        chat, group = self._forum(p)
        topic = self._topic(group, p)
        if not topic.by_bot and not group.bot_can("can_manage_topics"):
            raise _bad("not enough rights to edit the topic")  # TDLib, edit_forum_topic
        changes: dict[str, Any] = {}
        if p.get("name"):
            changes["name"] = self._topic_name(p["name"])
        if "icon_custom_emoji_id" in p:
            changes["icon_custom_emoji_id"] = str(p["icon_custom_emoji_id"] or "")
        if not changes:
            return True  # TDLib answers without asking the server
        if changes.get("name", topic.name) == topic.name and (
            changes.get("icon_custom_emoji_id", topic.icon_custom_emoji_id or "") == (topic.icon_custom_emoji_id or "")
        ):
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.name = changes.get("name", topic.name)
        topic.icon_custom_emoji_id = changes.get("icon_custom_emoji_id", topic.icon_custom_emoji_id) or None
        self._topic_event(chat, topic.thread_id, {"forum_topic_edited": changes})
        return True

    def _close_forum_topic(self, p: Params, *, closed: bool) -> bool:
        chat, group = self._forum(p)
        topic = self._topic(group, p)
        if not topic.by_bot and not group.bot_can("can_manage_topics"):
            raise _bad("not enough rights to close or open the topic")  # TDLib, toggle_forum_topic_is_closed
        if topic.closed == closed:
            raise _bad("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        self._topic_event(chat, topic.thread_id, {"forum_topic_closed" if closed else "forum_topic_reopened": {}})
        return True

    def _delete_forum_topic(self, p: Params) -> bool:
        """deleteForumTopic: the topic and every message in it leave the fake's state for good, as they leave
        every member's device; the Bot API requires can_delete_messages even for the bot's own topics."""
        chat, group = self._forum(p)
        topic = self._topic(group, p)
        if not group.bot_can("can_delete_messages"):
            raise _bad("not enough rights to delete the topic")  # TDLib, delete_forum_topic
        gone = {message_id for message_id, message in chat.messages.items() if message.thread_id == topic.thread_id}
        for message_id in gone:
            del chat.messages[message_id]
        group.pinned = [message_id for message_id in group.pinned if message_id not in gone]
        del group.topics[topic.thread_id]
        return True

    def _unpin_all_forum_topic_messages(self, p: Params) -> bool:
        chat, group = self._forum(p)
        topic = self._topic(group, p)
        self._check_pin_rights(chat)
        group.pinned = [m for m in group.pinned if chat.messages[m].thread_id != topic.thread_id]
        return True

    # --- pinning ---------------------------------------------------------------------------

    @staticmethod
    def _check_pin_rights(chat: _Chat) -> None:
        if chat.group is not None and not chat.group.bot_can("can_pin_messages"):
            raise _bad("not enough rights to manage pinned messages in the chat")  # TDLib, can_pin_messages

    def _pinned_list(self, chat: _Chat) -> list[int]:
        if chat.group is not None:
            return chat.group.pinned
        return self._private_pins.setdefault(chat.id, [])

    def _pin_chat_message(self, p: Params) -> bool:
        """pinChatMessage: in a group a "pinned_message" service message follows, in the same topic."""
        chat = self._target(p)
        message = self._existing(chat, p.get("message_id"), "message to pin not found")  # Client.cpp
        self._check_pin_rights(chat)
        pinned = self._pinned_list(chat)
        if message.message_id in pinned:
            raise _bad("CHAT_NOT_MODIFIED")  # messages.updatePinnedMessage's error for no change
        pinned.append(message.message_id)
        if chat.group is not None:
            shown = {k: copy.deepcopy(v) for k, v in message.raw.items() if k != "reply_to_message"}
            self._add_message(chat, True, "pinned_message", {"pinned_message": shown}, text=None,
                              extra=self._placement(chat, message.thread_id, None))
        return True

    def _unpin_chat_message(self, p: Params) -> bool:
        """unpinChatMessage: the message named, or else the newest pinned one."""
        chat = self._target(p)
        pinned = self._pinned_list(chat)
        message_id = p.get("message_id")
        if message_id in (None, 0, ""):
            if not pinned:
                raise _bad("message to unpin not found")  # Client.cpp, TdOnGetChatPinnedMessageToUnpinCallback
            message_id = pinned[-1]
        self._existing(chat, message_id, "message to unpin not found")
        self._check_pin_rights(chat)
        if message_id not in pinned:
            raise _bad("CHAT_NOT_MODIFIED")
        pinned.remove(message_id)
        return True

    def _unpin_all_chat_messages(self, p: Params) -> bool:
        chat = self._target(p)
        self._check_pin_rights(chat)
        self._pinned_list(chat).clear()
        return True

    # --- what a bot may learn about a chat -------------------------------------------------

    def _get_chat(self, p: Params) -> dict[str, Any]:
        """getChat as ChatFullInfo: for a group its title, is_forum, has_protected_content (the "restrict
        saving content" setting) and the newest pinned message."""
        chat = self._target(p, writing=False)
        info: dict[str, Any] = chat.chat_json() | {"accent_color_id": 0, "max_reaction_count": 11}
        info["accepted_gift_types"] = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
            False,
        )
        pinned = self._pinned_list(chat)
        live = [message_id for message_id in pinned if not chat.messages[message_id].deleted]
        if live:
            info["pinned_message"] = copy.deepcopy(chat.messages[live[-1]].raw)
        if chat.group is not None and chat.group.protected:
            info["has_protected_content"] = True
        return info

    def _member_json(self, group: _Group, user_id: int) -> dict[str, Any]:
        """A ChatMember: the bot with its rights, the owner, an administrator, a member, or one who left."""
        if user_id == self.bot_id:
            status = group.bot_status
            member: dict[str, Any] = {"status": status, "user": self._bot_json()}
            if status == "administrator":
                member |= {"can_be_edited": False, "is_anonymous": False}
                member |= {right: group.bot_rights.get(right, False) for right in ADMIN_RIGHTS}
            elif status == "kicked":
                member["until_date"] = 0
            return member
        user = group.members.get(user_id) or self._known_user(user_id)
        if user is None:
            raise _bad("user not found")  # TDLib's text for a user it has never seen
        if user_id not in group.members:
            return {"status": "left", "user": user.to_json()}
        if user_id == group.owner:
            return {"status": "creator", "user": user.to_json(), "is_anonymous": False}
        if user_id in group.admins:
            rights = dict.fromkeys(ADMIN_RIGHTS, True) | {"can_be_edited": False, "is_anonymous": False}
            return {"status": "administrator", "user": user.to_json()} | rights
        return {"status": "member", "user": user.to_json()}

    def _group_of(self, p: Params) -> _Group:
        chat = self._target(p, writing=False)
        if chat.group is None:
            raise _bad("there are no administrators in the private chat")  # Client.cpp
        return chat.group

    def _get_chat_member(self, p: Params) -> dict[str, Any]:
        user_id = p.get("user_id")
        if not isinstance(user_id, int) or user_id <= 0:
            raise _bad("invalid user_id specified")  # Client.cpp, get_user_id
        chat = self._target(p, writing=False)
        if chat.group is None:
            if user_id not in (chat.id, self.bot_id):
                raise _bad("user not found")
            user_json = self._bot_json() if user_id == self.bot_id else chat.user.to_json() if chat.user else {}
            return {"status": "member", "user": user_json}
        return self._member_json(chat.group, user_id)

    def _get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        group = self._group_of(p)
        people = [uid for uid in group.members if uid == group.owner or uid in group.admins]
        admins = [self._member_json(group, uid) for uid in people]
        if group.bot_status == "administrator":
            admins.append(self._member_json(group, self.bot_id))
        return admins

    def _get_chat_member_count(self, p: Params) -> int:
        chat = self._target(p, writing=False)
        if chat.group is None:
            return 2
        return len(chat.group.members) + (1 if chat.group.bot_status in ("administrator", "member") else 0)
