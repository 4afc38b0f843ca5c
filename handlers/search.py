"""Typed text outside a counsellor conversation: search the content and answer with pages.

Registered after the handoff router (whose conversations relay texts instead) and before the fallback
(which answers what this one declines: commands). What the person typed is used for the ranking and
dropped: it is not stored, not logged, and not put into any button. Only anonymous daily counts are
kept: searches, searches that found nothing, and which result was chosen.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.callbacks import NavCallback
from bot.menus.keyboard import keyboard
from bot.menus.screens import GoTo, Screen
from bot.search import QueryKind
from bot.search.screens import SearchScreens
from bot.services import Services
from handlers import menu

log = logging.getLogger(__name__)

SEARCHES = "search"  # key: the person's language
EMPTY = "search_empty"  # key: the person's language
PICKS = "search_pick"  # key: the node chosen from the results


class PickCallback(CallbackData, prefix="sp"):
    """A result button: opens the page like any menu button, and counts which result was chosen."""

    node: str
    v: str


def _markup(screen: Screen, version: str, results: set[str]) -> InlineKeyboardMarkup | None:
    markup = keyboard(screen, version)
    if markup is None:
        return None
    for row, buttons in zip(markup.inline_keyboard, screen.keyboard, strict=True):
        for shown, button in zip(row, buttons, strict=True):
            if isinstance(button.action, GoTo) and button.action.node in results:
                shown.callback_data = PickCallback(node=button.action.node, v=version[:6]).pack()
    return markup


async def typed(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    content = services.content.snapshot
    services.search.follow(content)
    here = services.content.locate(person.node)
    # The page the person is on ranks its section's pages first; it is not kept with the query.
    answer = services.search.search(message.text or "", person.language, here=here)
    screen = SearchScreens(services.catalogs).answer(content, person.language, answer, here)
    if answer.kind is QueryKind.SEARCH:
        services.stats.count(SEARCHES, person.language)
        if not answer.found:
            services.stats.count(EMPTY, person.language)
    log.info("search answered: %s", answer.kind.value if answer.found or answer.kind is not QueryKind.SEARCH
             else "nothing found")
    results = {hit.node for hit in answer.ranking.hits} if answer.found and answer.ranking else set()
    chat_id = address.for_delivery()
    for part in screen.parts[:-1]:
        await bot.send_message(chat_id=chat_id, text=part)
    await bot.send_message(chat_id=chat_id, text=screen.parts[-1],
                           reply_markup=_markup(screen, content.version, results))


async def picked(callback: CallbackQuery, callback_data: PickCallback, bot: Bot, services: Services,
                 person: Person, address: Address) -> None:
    if callback_data.node in services.content.snapshot:
        services.stats.count(PICKS, callback_data.node)
    navigation = NavCallback(node=callback_data.node, v=callback_data.v)
    await menu.navigate(callback, navigation, bot, services, person, address)


def build() -> Router:
    router = Router(name="search")
    router.message.register(typed, F.text, ~F.text.startswith("/"))
    router.callback_query.register(picked, PickCallback.filter())
    return router
