"""Turns core Screens into Telegram messages: inline keyboards, edit-in-place, long texts in parts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message

from bot.identity.address import Address
from bot.menus.screens import (
    AskCounsellor,
    Button,
    CancelRequest,
    ClearChat,
    ConfirmHandoff,
    EndConversation,
    Focus,
    Forget,
    GoTo,
    Rate,
    Screen,
    SetLanguage,
    ShowLanguages,
)
from handlers.callbacks import (
    CancelRequestCallback,
    ClearChatCallback,
    ConfirmHandoffCallback,
    CounsellorCallback,
    EndConversationCallback,
    FocusCallback,
    ForgetCallback,
    LanguageCallback,
    LanguagesCallback,
    NavCallback,
    RateCallback,
)

T = TypeVar("T")
RETRY_AFTER_WAIT = 5
"""The longest retry_after, in seconds, that showing a page waits out before trying once more; past it the
429 goes up (handlers.answers and handlers.errors tell the person the bot is busy)."""


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``; on a 429 with a short retry_after, wait it out and call once more."""
    try:
        return await call()
    except TelegramRetryAfter as exc:
        if exc.retry_after > RETRY_AFTER_WAIT:
            raise
        await asyncio.sleep(exc.retry_after)
        return await call()


def callback_data(button: Button, version: str) -> str:
    action = button.action
    if isinstance(action, GoTo):
        return NavCallback(node=action.node, v=version[:6]).pack()
    if isinstance(action, AskCounsellor):
        return CounsellorCallback(node=action.node).pack()
    if isinstance(action, SetLanguage):
        return LanguageCallback(language=action.language).pack()
    if isinstance(action, ShowLanguages):
        return LanguagesCallback().pack()
    if isinstance(action, ConfirmHandoff):
        return ConfirmHandoffCallback(node=action.node).pack()
    if isinstance(action, CancelRequest):
        return CancelRequestCallback().pack()
    if isinstance(action, EndConversation):
        return EndConversationCallback().pack()
    if isinstance(action, Rate):
        return RateCallback(code=action.code, rating=action.rating).pack()
    if isinstance(action, Focus):
        return FocusCallback(code=action.code).pack()
    if isinstance(action, ClearChat):
        return ClearChatCallback().pack()
    if isinstance(action, Forget):
        return ForgetCallback(confirmed=action.confirmed).pack()
    raise ValueError(f"button without an action: {type(action).__name__}")


def keyboard(screen: Screen, version: str) -> InlineKeyboardMarkup | None:
    if not screen.keyboard:
        return None
    rows = [
        [
            InlineKeyboardButton(text=b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(text=b.label, callback_data=callback_data(b, version))
            for b in row
        ]
        for row in screen.keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def show(
    bot: Bot,
    address: Address,
    screen: Screen,
    version: str,
    *,
    replace: MaybeInaccessibleMessage | None = None,
) -> None:
    """Show a screen: edit `replace` in place when it fits in one message, else send it anew.

    Editing keeps the chat to one menu message instead of a pile of them, which matters to someone whose
    phone may be searched.
    """
    markup = keyboard(screen, version)
    if isinstance(replace, Message) and len(screen.parts) == 1:
        try:
            await patiently(lambda: replace.edit_text(screen.parts[0], reply_markup=markup))
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
            # Too old or gone: fall through and send a fresh message.
    if isinstance(replace, Message):
        try:
            await replace.delete()
        except TelegramBadRequest:
            pass
    await send(bot, address, screen, version)


async def send(bot: Bot, address: Address, screen: Screen, version: str = "") -> int:
    """Send a screen as new messages; returns the id of the last one (the one with the buttons)."""
    chat_id = address.for_delivery()
    for part in screen.parts[:-1]:
        await patiently(lambda: bot.send_message(chat_id=chat_id, text=part))  # noqa: B023 - awaited at once
    markup = keyboard(screen, version)
    message = await patiently(lambda: bot.send_message(chat_id=chat_id, text=screen.parts[-1], reply_markup=markup))
    return message.message_id
