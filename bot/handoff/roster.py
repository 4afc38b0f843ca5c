"""Who the counsellors and admins are: from config.yaml, known to the rest of the code by pseudonym.

The roster can change while the bot runs: an edited config.yaml or an admin's /revoke takes effect on
the next update, because a counsellor whose phone was seized must lose access now, not at the next restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.config import CounsellorSettings, Settings
from bot.identity.address import Address
from bot.identity.crypto import KeyRing


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


@dataclass(frozen=True)
class RosterChange:
    added: list[Counsellor]
    removed: list[Counsellor]


class Roster:
    def __init__(self, settings: Settings, keys: KeyRing, revoked: Iterable[str] = ()) -> None:
        self._keys = keys
        self._revoked = set(revoked)
        self._settings = settings
        self._by_telegram_id: dict[int, Counsellor] = {}
        self._previous: dict[str, list[str]] = {}
        self._admins: set[str] = set()
        self.reload(settings)

    def is_revoked(self, telegram_id: int) -> bool:
        """Revoked under the current key, or under a previous one not yet rotated away."""
        return any(key in self._revoked for key in (self.revoked_key(telegram_id),
                                                     *self._keys.previous_pseudonyms("counsellor", telegram_id)))

    def _make(self, entry: CounsellorSettings) -> Counsellor:
        return Counsellor(
            key=self._keys.pseudonym("counsellor", entry.telegram_id),
            languages=tuple(entry.languages),
            max_cases=entry.max_cases,
            alias=entry.alias,
            address=Address(entry.telegram_id),
        )

    def reload(self, settings: Settings) -> RosterChange:
        self._settings = settings
        before = {c.key: c for c in self._by_telegram_id.values()}
        fresh = {entry.telegram_id: self._make(entry) for entry in settings.counsellors}
        self._by_telegram_id = {tid: c for tid, c in fresh.items() if not self.is_revoked(tid)}
        self._previous = {c.key: self._keys.previous_pseudonyms("counsellor", tid)
                          for tid, c in self._by_telegram_id.items()}
        # A revocation covers every role: a seized admin phone must not keep /audit and /revoke.
        self._admins = {self._keys.pseudonym("user", admin) for admin in settings.admins
                        if not self.is_revoked(admin)}
        after = {c.key: c for c in self._by_telegram_id.values()}
        return RosterChange(added=[c for k, c in after.items() if k not in before],
                            removed=[c for k, c in before.items() if k not in after])

    def revoke(self, telegram_id: int) -> Counsellor | None:
        """Remove a counsellor or admin now; they stay removed while the bot runs, whatever config.yaml says.
        Returns the counsellor removed, if they were one."""
        counsellor = self._by_telegram_id.pop(telegram_id, None)
        self._revoked.add(self.revoked_key(telegram_id))
        self._admins.discard(self._keys.pseudonym("user", telegram_id))
        return counsellor

    def restore(self, telegram_id: int) -> RosterChange:
        """Lift a revocation: whatever config.yaml says about the account applies again."""
        self._revoked.difference_update([self.revoked_key(telegram_id),
                                         *self._keys.previous_pseudonyms("counsellor", telegram_id)])
        return self.reload(self._settings)

    def is_listed_restored(self, telegram_id: int) -> bool:
        """Listed under `restored:` in config.yaml: the operator's word, which /revoke cannot override."""
        return telegram_id in self._settings.restored

    def revoked_key(self, telegram_id: int) -> str:
        return self._keys.pseudonym("counsellor", telegram_id)

    def for_telegram_user(self, telegram_id: int) -> Counsellor | None:
        """Called by the identity boundary only."""
        return self._by_telegram_id.get(telegram_id)

    def by_key(self, key: str) -> Counsellor | None:
        return next((c for c in self._by_telegram_id.values() if c.key == key), None)

    def previous_keys(self, counsellor: Counsellor) -> list[str]:
        """The counsellor's pseudonyms under previous secret keys: for renaming after a rotation."""
        return self._previous.get(counsellor.key, [])

    def is_admin(self, person_key: str) -> bool:
        return person_key in self._admins

    def __iter__(self) -> Iterator[Counsellor]:
        return iter(list(self._by_telegram_id.values()))
