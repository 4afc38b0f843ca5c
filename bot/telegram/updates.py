"""Reading Telegram's updates so that one the pinned aiogram cannot decode stops nothing and reaches no log.

Telegram adds update kinds and fields, and sometimes leaves out a field aiogram requires (a forward from a
hidden user without ``sender_user_name`` has been seen). aiogram decodes a getUpdates batch as a whole, so one
such update fails the batch: the offset never moves, nobody gets an answer, and aiogram logs the batch, texts
and ids included, on every retry. Here an update that does not decode becomes an empty Update with the same
update_id, marked :data:`UNDECODABLE`: the polling loop confirms its offset like any other, the webhook answers
it 200, and the dispatcher skips it (see :func:`skip_reason`) with a content-free log line and a counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

UNDECODABLE = "hotline_undecodable"
"""Marks the empty Update that stands in for one that did not decode (an extra field aiogram keeps)."""


def decode_update(raw: Any, bot: Bot) -> Update:
    """The Update aiogram makes of ``raw`` (a JSON object), or, when it cannot make one, an empty Update with
    the same update_id (0 when there is none) marked :data:`UNDECODABLE`. Never raises."""
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError:
        update_id = raw["update_id"] if _has_update_id(raw) else 0
        return Update.model_validate({"update_id": update_id, UNDECODABLE: True})


def skip_reason(update: Update) -> str | None:
    """Why the dispatcher must skip this update: "undecodable" (see :func:`decode_update`), "unknown kind"
    (a kind this aiogram does not know, such as one Telegram added since), or None to handle it."""
    if update.model_extra and update.model_extra.get(UNDECODABLE) is True:
        return "undecodable"
    try:
        update.event_type  # noqa: B018 - the lookup is the check
    except UpdateTypeLookupError:
        return "unknown kind"
    return None


class ContentFreeDecodeError(ClientDecodeError):
    """aiogram's ClientDecodeError without the answer it could not decode: that answer holds what people
    wrote, and aiogram's own message quotes it whole."""

    def __str__(self) -> str:
        return f"{self.message} ({type(self.original).__name__})"


class UpdateTolerantSession(AiohttpSession):
    """aiogram's aiohttp session, except that a getUpdates batch holding updates it cannot decode is read one
    update at a time (see :func:`decode_update`), and a decoding error of any other answer carries no
    content. Only a batch that fails pays for the second reading."""

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError as exc:
            if isinstance(method, GetUpdates):
                salvaged = self._updates_one_by_one(bot, content)
                if salvaged is not None:
                    return cast(Response[TelegramType], salvaged)
            raise ContentFreeDecodeError(exc.message, exc.original, None) from None

    def _updates_one_by_one(self, bot: Bot, content: str) -> Response[list[Update]] | None:
        try:
            body = self.json_loads(content)
        except Exception:  # not JSON at all: nothing to salvage
            return None
        if not isinstance(body, dict) or body.get("ok") is not True or not isinstance(body.get("result"), list):
            return None
        # One without an update_id cannot be confirmed; Telegram never sends one, so it is left out.
        updates = [decode_update(raw, bot) for raw in body["result"] if _has_update_id(raw)]
        return Response[list[Update]](ok=True, result=updates)


def _has_update_id(raw: Any) -> bool:
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    return isinstance(update_id, int) and not isinstance(update_id, bool) and update_id >= 0
