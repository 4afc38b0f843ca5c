"""The composition root: builds the core services, the aiogram Bot and Dispatcher, and runs them."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand

from bot.cases import Cases
from bot.config import Config
from bot.content.loader import Problem
from bot.content.store import ContentStore, load_for
from bot.counsellor_screens import CounsellorScreens
from bot.crypto import KeyRing
from bot.handoff_screens import HandoffScreens
from bot.hours import Hours
from bot.i18n import Catalogs
from bot.roster import Roster
from bot.screens import Screens
from bot.services import Services
from bot.storage.database import Database
from bot.storage.people import People
from handlers import build_router
from handlers.identity import IdentityBoundary

log = logging.getLogger("hotline")


class StartupError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def describe(problems: list[Problem], config: Config) -> list[str]:
    return [p.render(config.base_dir) for p in problems]


async def build_services(config: Config, keys: KeyRing) -> Services:
    result = load_for(config)
    if result.snapshot is None:
        raise StartupError(["the content has errors; the bot will not start with it:",
                            *describe(result.errors, config)])
    if result.warnings:
        log.warning("content loaded with %d warnings (run `hotline content check` to see them)",
                    len(result.warnings))
    database = Database(config.database_url)
    await database.migrate()
    settings = config.settings
    catalogs = Catalogs(list(settings.languages))
    return Services(
        config=config,
        keys=keys,
        database=database,
        content=ContentStore(result.snapshot),
        catalogs=catalogs,
        screens=Screens(catalogs, list(settings.languages)),
        people=People(database.sessions),
        cases=Cases(database.sessions, keys),
        roster=Roster(settings, keys),
        hours=Hours(settings.handoff.working_hours),
        handoff=HandoffScreens(catalogs, settings.organisation.name),
        desk=CounsellorScreens(catalogs),
    )


def build_bot(config: Config, token: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_server))
    defaults = DefaultBotProperties(
        parse_mode=ParseMode.HTML,
        protect_content=True,  # no forwarding or saving of what the bot sends
        link_preview_is_disabled=True,
    )
    return Bot(token=token, session=session, default=defaults)


def build_dispatcher(services: Services) -> Dispatcher:
    dispatcher = Dispatcher(services=services)
    dispatcher.update.outer_middleware(IdentityBoundary(services))
    dispatcher.include_router(build_router())
    return dispatcher


async def announce_commands(bot: Bot, services: Services) -> None:
    """The command menu in each language, so the "/" list reads in the person's own language."""
    for language in [None, *services.languages]:
        _ = services.catalogs[language or services.default_language].gettext
        commands = [
            BotCommand(command="start", description=_("Main menu")),
            BotCommand(command="language", description=_("Change language")),
            BotCommand(command="help", description=_("How this bot works")),
        ]
        await bot.set_my_commands(commands, language_code=language)


async def self_check(bot: Bot) -> None:
    """A bot that can join groups or answer inline can be made to show things in other chats."""
    me = await bot.get_me()
    if me.can_join_groups:
        log.warning("self-check: the bot can be added to groups; disable it with BotFather /setjoingroups")
    if me.supports_inline_queries:
        log.warning("self-check: inline mode is on; disable it with BotFather /setinline")


@dataclass
class Hotline:
    """A running bot: services, Bot and Dispatcher. Used by `hotline run`, the demo and the tests."""

    services: Services
    bot: Bot
    dispatcher: Dispatcher

    @classmethod
    async def create(cls, config: Config, *, keys: KeyRing, token: str) -> Hotline:
        services = await build_services(config, keys)
        bot = build_bot(config, token)
        return cls(services, bot, build_dispatcher(services))

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self_check(self.bot)
        await announce_commands(self.bot, self.services)
        log.info("polling started")
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=handle_signals,
            close_bot_session=False,
            polling_timeout=self.services.config.settings.telegram.polling_timeout,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def stop(self) -> None:
        try:
            await self.dispatcher.stop_polling()
        except RuntimeError:
            pass  # it was not polling

    async def close(self) -> None:
        await self.bot.session.close()
        await self.services.database.close()
