"""aiogram routers: thin adapters from Telegram updates to the core in bot/."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, menu


def build_router() -> Router:
    root = Router(name="hotline")
    root.include_routers(errors.build(), menu.build(), fallback.build())
    return root
