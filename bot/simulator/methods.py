"""The Bot API methods of the fake Telegram, with Telegram's own checks, limits and error texts."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from bot.simulator.state import (
    _ALBUM_KINDS,
    _ALBUM_SIZE,
    _BLOCKED,
    _BUTTON_ACTIONS,
    _CAPTIONED,
    _CHAT_ACTIONS,
    _ENVELOPE,
    _FILE_KINDS,
    _NOT_MODIFIED,
    _SERVICE_FIELDS,
    _UNCOPYABLE_FIELDS,
    DELETE_WINDOW,
    GENERAL_TOPIC_ID,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_MESSAGE_IDS,
    MAX_TEXT,
    FakeState,
    Params,
    SimMessage,
    _ApiError,
    _bad,
    _Chat,
    _html_to_plain,
    _utf16_len,
    commands_key,
)


class BotApiMethods(FakeState):
    """The methods the bot may call, by lowercased name in ``_methods`` (getUpdates lives in transport)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._methods.update({
            "getme": lambda _p: self._bot_json(),
            "logout": lambda _p: True,
            "close": lambda _p: True,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": lambda p: self._commands.get(commands_key(p), []),
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "copymessage": self._copy_message,
            "copymessages": self._copy_messages,
            "sendmediagroup": self._send_media_group,
            "editmessagecaption": self._edit_message_caption,
            "forwardmessage": self._forward_message,
            "sendchataction": self._send_chat_action,
            **{f"send{kind.replace('_', '')}": self._media_sender(kind) for kind in _FILE_KINDS},
        })

    # --- checks shared by the sending methods ----------------------------------------------

    def _target(self, p: Params, key: str = "chat_id", *, writing: bool = True, into_topic: bool = True) -> _Chat:
        """The chat a request names; a message's message_thread_id (``into_topic``) must name an open topic
        there. The topic methods check their message_thread_id themselves."""
        chat_id = p.get(key)
        if chat_id in (None, ""):
            raise _bad(f"{key} is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        if chat.group is not None:
            # Texts from the Bot API server (Client.cpp, check_chat_access); a private supergroup refuses
            # reading and writing alike to a bot that is not in it.
            if chat.group.bot_status == "kicked":
                raise _ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
            if chat.group.bot_status == "left":
                raise _ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
        elif writing and chat.blocked:
            raise _ApiError(403, _BLOCKED)
        if writing and into_topic and key == "chat_id":
            self._check_thread(chat, p.get("message_thread_id"))
        return chat

    @staticmethod
    def _check_thread(chat: _Chat, thread: Any) -> None:
        """Telegram's checks of message_thread_id (Client.cpp, check_message_topic): ignored when absent, not
        positive, or in a group that is no forum; refused for the General topic, a topic that does not exist
        (or was deleted), and in a private chat; a closed topic takes messages only from a bot that may
        manage topics (TOPIC_CLOSED, the server's error, as bots see it)."""
        if not isinstance(thread, int) or thread <= 0:
            return
        group = chat.group
        if group is not None and not group.is_forum:
            return
        topic = group.topics.get(thread) if group is not None and thread != GENERAL_TOPIC_ID else None
        if group is None or topic is None:
            raise _bad("message thread not found")
        if topic.closed and not group.bot_can("can_manage_topics"):
            raise _bad("TOPIC_CLOSED")

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
        """Where a new message goes: the message it replies to and, in a forum, its topic (the one named, or
        else the replied-to message's). _target has checked message_thread_id already."""
        reply = p.get("reply_parameters")
        reply = reply if isinstance(reply, dict) else {}
        message_id = reply.get("message_id", p.get("reply_to_message_id"))
        target = None
        if message_id is not None:
            target = chat.messages.get(message_id)
            if target is None or target.deleted:
                if not (reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")):
                    raise _bad("message to be replied not found")
                target = None
        thread = p.get("message_thread_id")
        in_forum = chat.group is not None and chat.group.is_forum
        thread = thread if in_forum and isinstance(thread, int) and thread > 0 else None
        if thread is None and target is not None:
            thread = target.thread_id
        return self._placement(chat, thread, target)

    @staticmethod
    def _placement(chat: _Chat, thread: int | None, target: SimMessage | None) -> dict[str, Any]:
        """The Message fields that put a new message in a topic and under what it replies to."""
        fields: dict[str, Any] = {}
        if thread is not None:
            fields = {"message_thread_id": thread, "is_topic_message": True}
            if target is None:
                # The Bot API shows a topic's message that replies to nothing as a reply to the topic's opening
                # service message (Client.cpp, get_implicit_reply_to_message_id).
                target = chat.messages.get(thread)
        if target is not None:
            fields["reply_to_message"] = {k: v for k, v in target.raw.items() if k != "reply_to_message"}
        return fields


    def _set_my_commands(self, p: Params) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands must be a list of at most 100 BotCommand objects")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("command description is empty or too long")
        self._commands[commands_key(p)] = commands
        return True

    def _delete_my_commands(self, p: Params) -> bool:
        self._commands.pop(commands_key(p), None)
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

    def _edit_message_caption(self, p: Params) -> dict[str, Any]:
        """editMessageCaption: an empty or missing caption removes it; the keyboard goes unless repeated."""
        message = self._bot_message_to_edit(p)
        if message.kind not in _CAPTIONED:
            raise _bad("there is no caption in the message to edit")
        caption, parse_mode = p.get("caption"), p.get("parse_mode")
        text = str(caption) if caption else None
        plain = self._parsed(text, parse_mode, MAX_CAPTION, "message caption") if text else None
        markup = self._markup(p.get("reply_markup"))
        same = (text, parse_mode if text else None, markup) == (message.text, message.parse_mode, message.reply_markup)
        if same:
            raise _ApiError(400, _NOT_MODIFIED)
        message.text, message.parse_mode, message.edited = text, parse_mode if text else None, True
        if plain is None:
            message.raw.pop("caption", None)
        else:
            message.raw["caption"] = plain
        self._set_markup(message, markup)
        return message.raw

    def _set_markup(self, message: SimMessage, markup: dict[str, Any] | None) -> None:
        message.reply_markup = markup
        message.raw["edit_date"] = self._now()
        if markup:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)

    def _answer_callback_query(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        made = self._open_callbacks.get(query_id)
        if made is None or self._clock() - made >= self.callback_timeout:
            self._open_callbacks.pop(query_id, None)
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(p.get("text", ""))) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        del self._open_callbacks[query_id]
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
        message = self._existing(chat, p.get("message_id"), "message to delete not found")
        self._check_deletable(message)
        message.deleted = True
        return True

    def _check_deletable(self, message: SimMessage) -> None:
        """A bot deletes its own messages, and in a group others' only with can_delete_messages; either only
        within 48 hours (MESSAGE_DELETE_FORBIDDEN, as the Bot API words it)."""
        group = self._chats[message.chat_id].group
        if group is not None and not message.from_bot and not group.bot_can("can_delete_messages"):
            raise _bad("message can't be deleted")
        if self._now() - int(message.raw["date"]) >= DELETE_WINDOW:
            raise _bad("message can't be deleted")

    def _delete_messages(self, p: Params) -> bool:
        chat = self._target(p, writing=False)
        found = [chat.messages.get(message_id) for message_id in _message_ids(p)]
        messages = [m for m in found if m is not None and not m.deleted]  # Telegram skips the ones it cannot find
        for message in messages:  # and deletes nothing when it may not delete one of them
            self._check_deletable(message)
        for message in messages:
            message.deleted = True
        return True

    def _source(self, p: Params, missing: str) -> SimMessage:
        chat = self._target(p, "from_chat_id", writing=False)
        return self._existing(chat, p.get("message_id"), missing)

    def _copy_message(self, p: Params) -> dict[str, int]:
        target = self._target(p)
        source = self._source(p, "message to copy not found")
        refusal = _copy_refusal(source)
        if refusal is not None:
            raise _bad(refusal)
        return {"message_id": self._copy_into(target, source, p).message_id}

    def _copy_into(self, target: _Chat, source: SimMessage, p: Params, *, album: str | None = None) -> SimMessage:
        content = {k: copy.deepcopy(v) for k, v in source.raw.items() if k not in _ENVELOPE}
        content.pop("media_group_id", None)
        if album is not None:
            content["media_group_id"] = album
        text, parse_mode = source.text, source.parse_mode
        if source.kind in _CAPTIONED and p.get("remove_caption") is True:
            content.pop("caption", None)
            text = parse_mode = None
        elif source.kind in _CAPTIONED and "caption" in p:
            text, parse_mode = str(p["caption"]), p.get("parse_mode")
            content["caption"] = self._parsed(text, parse_mode, MAX_CAPTION, "message caption")
        return self._add_message(
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

    def _copy_messages(self, p: Params) -> list[dict[str, int]]:
        """copyMessages: up to 100 ids; ids it cannot find or may not copy are skipped, as Telegram does, and
        messages of one album are copied into one new album."""
        target = self._target(p)
        source_chat = self._target(p, "from_chat_id", writing=False)
        ids = _message_ids(p)
        copies: list[dict[str, int]] = []
        albums: dict[str, str] = {}
        for message_id in ids:
            source = source_chat.messages.get(message_id)
            if source is None or source.deleted or _copy_refusal(source) is not None:
                continue
            group = source.raw.get("media_group_id")
            album = albums.setdefault(group, str(next(self._ids) * 7919)) if isinstance(group, str) else None
            copied = self._copy_into(target, source, {k: v for k, v in p.items() if k != "caption"}, album=album)
            copies.append({"message_id": copied.message_id})
        return copies

    def _send_media_group(self, p: Params) -> list[dict[str, Any]]:
        """sendMediaGroup: 2 to 10 photos and videos, or only documents, or only audio; no reply_markup."""
        chat = self._target(p)
        media = p.get("media")
        if media is None:
            raise _bad('parameter "media" is required')
        if not isinstance(media, list):
            raise _bad("expected an Array of InputMedia")
        if not media:
            raise _bad("there are no messages to send")
        if len(media) > _ALBUM_SIZE[1]:
            raise _bad("too many messages to send as an album")
        if len(media) < _ALBUM_SIZE[0]:
            # Telegram documents 2-10 items; its servers send a lone item as a plain message. The fake holds the
            # bot to the documented contract, in its own words.
            raise _bad("too few messages to send as an album")
        items: list[tuple[str, Any, str | None, str | None, str]] = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if not isinstance(kind, str) or kind not in _ALBUM_KINDS:
                raise _bad(f'can\'t parse InputMedia: type "{kind}" can\'t be used in sendMediaGroup')
            value = item.get("media")
            if isinstance(value, str) and value.startswith("attach://"):
                value = p.get(value.removeprefix("attach://"))
            if value in (None, ""):
                raise _bad("can't parse InputMedia: media not found")
            caption, parse_mode = item.get("caption"), item.get("parse_mode", p.get("parse_mode"))
            plain = self._parsed(str(caption), parse_mode, MAX_CAPTION, "message caption") if caption else ""
            items.append((kind, value, str(caption) if caption else None, parse_mode if caption else None, plain))
        kinds = {kind for kind, *_ in items}
        for alone in ("document", "audio"):
            if alone in kinds and len(kinds) > 1:
                raise _bad(f"{alone} can't be mixed with other media types")
        files = [self._file_for(kind, value) for kind, value, *_ in items]
        reply = self._reply_target(chat, p)
        album = str(next(self._ids) * 7919)
        sent = []
        for (kind, _value, caption, parse_mode, plain), obj in zip(items, files, strict=True):
            content = self._file_content(kind, obj) | {"media_group_id": album}
            if caption:
                content["caption"] = plain
            message = self._add_message(
                chat,
                True,
                kind,
                content,
                text=caption,
                parse_mode=parse_mode,
                protect_content=p.get("protect_content") is True,
                extra=reply,
            )
            sent.append(message.raw)
        return sent

    def _forward_message(self, p: Params) -> dict[str, Any]:
        target = self._target(p)
        source = self._source(p, "message to forward not found")
        if source.protect_content:
            raise _bad("message can't be forwarded")
        source_group = self._chats[source.chat_id].group
        if source_group is not None and source_group.protected:
            # TDLib (get_forwarded_messages): nothing leaves a chat that restricts saving content, except a
            # bot's copies (copyMessage), which it lets through.
            raise _bad("message has protected content and can't be forwarded")
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
            extra=origin | {"forward_from": sender, "forward_date": date} | self._reply_target(target, p),
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


def _message_ids(p: Params) -> list[int]:
    """The message_ids of copyMessages, forwardMessages and deleteMessages, checked like the Bot API server."""
    ids = p.get("message_ids")
    if ids is None or ids == []:
        raise _bad("message identifiers are not specified")
    if not isinstance(ids, list):
        raise _bad("expected an Array of message identifiers")
    if len(ids) > MAX_MESSAGE_IDS:
        raise _bad("too many message identifiers specified")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise _bad("message identifier must be a Number")
    if any(i <= 0 for i in ids):
        raise _bad("invalid message identifier specified")
    return list(ids)


def _copy_refusal(message: SimMessage) -> str | None:
    """Why Telegram will not copy this message, or None: service messages, paid media, giveaways, invoices,
    and quiz polls whose right answer the bot does not know (Bot API, copyMessage)."""
    raw = message.raw
    if _SERVICE_FIELDS & raw.keys() or _UNCOPYABLE_FIELDS & raw.keys():
        return "message can't be copied"
    poll = raw.get("poll")
    if isinstance(poll, dict) and poll.get("type") == "quiz" and "correct_option_id" not in poll:
        return "message can't be copied"
    return None
