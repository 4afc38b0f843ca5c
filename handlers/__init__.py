"""aiogram routers: thin adapters from Telegram updates to the core in bot/."""

from __future__ import annotations

from aiogram import Router

from handlers import counsellor, errors, fallback, handoff, menu


def build_router() -> Router:
    root = Router(name="hotline")
    # Order matters: counsellors first (their plain messages go to a case), menus, then a person's
    # conversation, and the fallback last, for whatever nobody took.
    root.include_routers(errors.build(), counsellor.build(), menu.build(), handoff.build(), fallback.build())
    return root
