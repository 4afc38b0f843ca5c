"""Every tap is answered once, by aiogram's CallbackAnswerMiddleware, and answering is a courtesy.

A callback query must be answered to stop the spinner on the person's button. A tap made while the bot was
down or slow may be too old to answer ("query is too old and response timeout expired"); the page it asked
for, or the request it confirmed, must happen all the same. So the answer is sent after the handler (which may
set ``callback_answer.text``), and a failure to answer is told to the log by its type only. When Telegram
made the handler wait longer than a tap should (a 429 that showing a page did not wait out), the answer says
the bot is busy, as an alert: answers do not count against the chat's message limits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from bot.menus.screens import Notice
from bot.services import Services

log = logging.getLogger("hotline.answers")


class CourtesyAnswers(CallbackAnswerMiddleware):
    """aiogram's middleware, except that answering never fails the tap, logs no query id, and a 429 that
    reached the tap is answered with "the bot is busy" in the person's language."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        async def telling_busy(event: TelegramObject, data: dict[str, Any]) -> Any:
            try:
                return await handler(event, data)
            except TelegramRetryAfter:
                answer: CallbackAnswer | None = data.get("callback_answer")
                if answer is not None:
                    language = getattr(data.get("person"), "language", None) or self._services.default_language
                    answer.text = self._services.screens.notice_text(language, Notice.BUSY)
                    answer.show_alert = True
                raise

        return await super().__call__(telling_busy, event, data)

    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:  # type: ignore[override]
        # aiogram only awaits what answer() returns; its own version also logs the query id, which is not ours
        # to keep.
        try:
            await event.answer(text=callback_answer.text, show_alert=callback_answer.show_alert,
                               url=callback_answer.url, cache_time=callback_answer.cache_time)
        except TelegramAPIError as exc:  # network errors too
            log.info("a tap could not be answered (%s); its action was carried out", type(exc).__name__)
