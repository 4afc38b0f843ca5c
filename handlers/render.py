"""Turns core Screens into Telegram messages: inline keyboards, edit-in-place, long texts in parts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import MaybeInaccessibleMessage, Message

from bot.identity.address import Address
from bot.menus.keyboard import keyboard
from bot.menus.screens import Screen

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
