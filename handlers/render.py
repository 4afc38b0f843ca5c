"""Turns core Screens into Telegram messages: inline keyboards, edit-in-place, long texts in parts."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Message

from bot.screens import AskCounsellor, Button, GoTo, Screen, SetLanguage, ShowLanguages
from handlers.callbacks import CounsellorCallback, LanguageCallback, LanguagesCallback, NavCallback
from handlers.identity import ChatAddress


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
    address: ChatAddress,
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
            await replace.edit_text(screen.parts[0], reply_markup=markup)
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
    for part in screen.parts[:-1]:
        await address.send_message(bot, part)
    await address.send_message(bot, screen.parts[-1], reply_markup=markup)
