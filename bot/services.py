"""The core's services, built once at start and handed to every handler by the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

from bot.audit import Audit
from bot.chats import ChatLedger
from bot.clock import Clock
from bot.config import Config
from bot.content.store import ContentStore
from bot.crypto import KeyRing
from bot.handoff.cases import Cases
from bot.handoff.desk_screens import CounsellorScreens
from bot.handoff.hours import Hours
from bot.handoff.person_screens import HandoffScreens
from bot.i18n import Catalogs
from bot.limits import Limits
from bot.outbox import Outbox
from bot.privacy_screens import PrivacyScreens
from bot.roster import Roster
from bot.screens import Screens
from bot.search import SearchIndex
from bot.stats import Stats
from bot.storage.database import Database
from bot.storage.people import People
from bot.storage.revocations import Revocations
from bot.storage.updates import ProcessedUpdates


@dataclass
class Services:
    config: Config
    keys: KeyRing
    database: Database
    content: ContentStore
    catalogs: Catalogs
    screens: Screens
    people: People
    cases: Cases
    roster: Roster
    hours: Hours
    handoff: HandoffScreens
    desk: CounsellorScreens
    chats: ChatLedger
    audit: Audit
    limits: Limits
    revocations: Revocations
    privacy: PrivacyScreens
    clock: Clock
    stats: Stats
    outbox: Outbox
    updates: ProcessedUpdates
    search: SearchIndex  # built from content.snapshot; rebuild(snapshot) whenever the content is replaced

    @property
    def languages(self) -> list[str]:
        return list(self.config.settings.languages)

    @property
    def default_language(self) -> str:
        return self.config.settings.default_language
