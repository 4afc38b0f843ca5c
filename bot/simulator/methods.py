"""The Bot API methods of the fake Telegram, with Telegram's own checks, limits and error texts."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from bot.simulator.state import (
    _BLOCKED,
    _BUTTON_ACTIONS,
    _CAPTIONED,
    _CHAT_ACTIONS,
    _ENVELOPE,
    _FILE_KINDS,
    _NOT_MODIFIED,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    FakeState,
    Params,
    SimMessage,
    _ApiError,
    _bad,
    _Chat,
    _html_to_plain,
    _now,
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
            "forwardmessage": self._forward_message,
            "sendchataction": self._send_chat_action,
            **{f"send{kind.replace('_', '')}": self._media_sender(kind) for kind in _FILE_KINDS},
        })

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
