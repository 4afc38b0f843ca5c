"""The core's services, built once at start and handed to every handler by the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.content.store import ContentStore
from bot.crypto import KeyRing
from bot.i18n import Catalogs
from bot.screens import Screens
from bot.storage.database import Database
from bot.storage.people import People


@dataclass
class Services:
    config: Config
    keys: KeyRing
    database: Database
    content: ContentStore
    catalogs: Catalogs
    screens: Screens
    people: People

    @property
    def languages(self) -> list[str]:
        return list(self.config.settings.languages)

    @property
    def default_language(self) -> str:
        return self.config.settings.default_language
