"""aiogram routers: thin adapters from Telegram updates to the core in bot/."""

from __future__ import annotations

from aiogram import F, Router

from handlers import admin, counsellor, errors, fallback, handoff, menu, privacy, search, team


def build_router() -> Router:
    top = Router(name="hotline-top")
    # Team mode's forum group: the identity boundary lets in that one group and only its members.
    top.include_router(team.build())
    root = Router(name="hotline")
    # The hotline works in private chats only: a group would show everyone everything.
    root.message.filter(F.chat.type == "private")
    root.edited_message.filter(F.chat.type == "private")
    # Order matters: counsellors first (their plain messages go to a case), admins, the person's own
    # privacy controls, menus, then a person's conversation, and the fallback last, for whatever nobody took.
    root.include_routers(errors.build(), counsellor.build(), admin.build(), team.build_private(), privacy.build(),
                         menu.build(), handoff.build(), search.build(), fallback.build())
    top.include_router(root)
    return top
