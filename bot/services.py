"""The core's services, built once at start and handed to every handler by the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Config
from bot.content.store import ContentStore
from bot.delivery.outbox import Outbox
from bot.handoff.cases import Cases
from bot.handoff.desk_screens import CounsellorScreens
from bot.handoff.hours import Hours
from bot.handoff.person_screens import HandoffScreens
from bot.handoff.roster import Roster
from bot.i18n import Catalogs
from bot.identity.crypto import KeyRing
from bot.identity.people import People
from bot.identity.revocations import Revocations
from bot.limits.flood import Limits
from bot.menus.screens import Screens
from bot.privacy.audit import Audit
from bot.privacy.chats import ChatLedger
from bot.privacy.screens import PrivacyScreens
from bot.search import SearchIndex
from bot.stats.tallies import Stats
from bot.storage.behind import WriteBehind
from bot.storage.database import Database
from bot.telegram.seen import ProcessedUpdates


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
    behind: WriteBehind  # the hot path's bookkeeping, written in one transaction per batch
    search: SearchIndex  # built from content.snapshot; rebuild(snapshot) whenever the content is replaced

    @property
    def languages(self) -> list[str]:
        return list(self.config.settings.languages)

    @property
    def default_language(self) -> str:
        return self.config.settings.default_language
