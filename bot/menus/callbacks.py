"""Callback data of the inline buttons. Telegram allows 64 bytes; node ids are at most 32 characters."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class NavCallback(CallbackData, prefix="n"):
    node: str
    v: str  # content version the button was made from: tells a stale button from a forged one


class CounsellorCallback(CallbackData, prefix="c"):
    node: str


class LanguageCallback(CallbackData, prefix="l"):
    language: str


class LanguagesCallback(CallbackData, prefix="ls"):
    pass


class ConfirmHandoffCallback(CallbackData, prefix="hc"):
    node: str


class CancelRequestCallback(CallbackData, prefix="hx"):
    pass


class EndConversationCallback(CallbackData, prefix="he"):
    pass


class RateCallback(CallbackData, prefix="hr"):
    code: str
    rating: str


class FocusCallback(CallbackData, prefix="cf"):
    code: str


class ClearChatCallback(CallbackData, prefix="x"):
    pass


class ForgetCallback(CallbackData, prefix="fg"):
    confirmed: bool = False
