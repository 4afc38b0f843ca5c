"""Who the counsellors and admins are: from config.yaml, known to the rest of the code by pseudonym."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.address import Address
from bot.config import Settings
from bot.crypto import KeyRing


@dataclass(frozen=True)
class Counsellor:
    key: str  # keyed pseudonym of their Telegram id
    languages: tuple[str, ...]
    max_cases: int
    alias: str | None
    address: Address

    @property
    def ui_language(self) -> str:
        """Counsellors read the bot's prompts in their first language."""
        return self.languages[0]


class Roster:
    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        self._by_telegram_id: dict[int, Counsellor] = {}
        for entry in settings.counsellors:
            counsellor = Counsellor(
                key=keys.pseudonym("counsellor", entry.telegram_id),
                languages=tuple(entry.languages),
                max_cases=entry.max_cases,
                alias=entry.alias,
                address=Address(entry.telegram_id),
            )
            self._by_telegram_id[entry.telegram_id] = counsellor
        self._by_key = {c.key: c for c in self._by_telegram_id.values()}
        self._admins = {keys.pseudonym("user", admin) for admin in settings.admins}

    def for_telegram_user(self, telegram_id: int) -> Counsellor | None:
        """Called by the identity boundary only."""
        return self._by_telegram_id.get(telegram_id)

    def by_key(self, key: str) -> Counsellor | None:
        return self._by_key.get(key)

    def is_admin(self, person_key: str) -> bool:
        return person_key in self._admins

    def __iter__(self) -> Iterator[Counsellor]:
        return iter(self._by_key.values())
