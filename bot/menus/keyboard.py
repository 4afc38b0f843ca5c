"""A screen's buttons as Telegram's inline keyboard: each abstract action packed into its callback data."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.menus.callbacks import (
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
