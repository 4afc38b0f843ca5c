"""Menu navigation: /start, /help, /language, and the buttons that move between pages."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.identity.address import Address
from bot.identity.person import Person
from bot.menus.callbacks import LanguageCallback, LanguagesCallback, NavCallback
from bot.menus.screens import Notice
from bot.services import Services
from handlers.render import show


async def start(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    content = services.content.snapshot
    await services.people.remember(person.pseudonym, node=content.root)
    services.stats.view(content.root, person.language)
    await show(bot, address, services.screens.page(content, content.root, person.language), content.version)


async def help_(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    content = services.content.snapshot
    await show(bot, address, services.screens.help(content, person.language), content.version)


async def language_menu(message: Message, bot: Bot, services: Services, person: Person,
                        address: Address) -> None:
    await show(bot, address, services.screens.languages(person.language), services.content.snapshot.version)


async def language_menu_button(callback: CallbackQuery, bot: Bot, services: Services, person: Person,
                               address: Address) -> None:
    screen = services.screens.languages(person.language)
    await show(bot, address, screen, services.content.snapshot.version, replace=callback.message)


async def choose_language(callback: CallbackQuery, callback_data: LanguageCallback, bot: Bot, services: Services,
                          person: Person, address: Address) -> None:
    content = services.content.snapshot
    language = callback_data.language
    if language not in services.languages:
        language = person.language
    node = services.content.locate(person.node)
    await services.people.remember(person.pseudonym, language=language, node=node)
    await show(bot, address, services.screens.page(content, node, language), content.version,
               replace=callback.message)


async def navigate(callback: CallbackQuery, callback_data: NavCallback, bot: Bot, services: Services,
                   person: Person, address: Address) -> None:
    content = services.content.snapshot
    if callback_data.node in content:
        node = callback_data.node
        screen = services.screens.page(content, node, person.language)
    else:
        # Made from older content (the node was removed) or not made by us at all.
        stale = callback_data.v != content.version[:6]
        node = content.root
        if stale:  # where the vanished page's readers now land, else where the person was
            node = services.content.locate(callback_data.node)
            if node == content.root:
                node = services.content.locate(person.node)
        screen = services.screens.notice(
            content, person.language, Notice.STALE_BUTTON if stale else Notice.UNKNOWN_BUTTON, node
        )
    await services.people.remember(person.pseudonym, node=node)
    services.stats.view(node, person.language, came_from=person.node)
    await show(bot, address, screen, content.version, replace=callback.message)


def build() -> Router:
    router = Router(name="menu")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(language_menu, Command("language"))
    router.callback_query.register(language_menu_button, LanguagesCallback.filter())
    router.callback_query.register(choose_language, LanguageCallback.filter())
    router.callback_query.register(navigate, NavCallback.filter())
    return router
