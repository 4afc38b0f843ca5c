"""Accounts removed by an admin with /revoke: remembered so a restart with an old config.yaml, or a key
rotation, does not bring them back. A revocation covers every role (counsellor and admin).

A row is keyed by the pseudonym of the Telegram id and also holds that id sealed (bound to the pseudonym):
the pseudonym changes with the secret key, and only the id lets the revocation follow it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import now_utc
from bot.identity.crypto import DecryptionError, KeyRing
from bot.storage.atomic import insert_missing
from bot.storage.tables import RevokedCounsellorRecord

log = logging.getLogger("hotline.revocations")
KIND = "counsellor"  # the pseudonym kind revocations are keyed by, whatever the role


def sealed_id_aad(key: str) -> str:
    return f"revoked_counsellors.sealed_id:{key}"


def revocation_key(keys: KeyRing, telegram_id: int) -> str:
    return keys.pseudonym(KIND, telegram_id)


class Revocations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self._sessions = sessions
        self._keys = keys
        self._clock = clock

    async def all(self) -> set[str]:
        async with self._sessions() as session:
            return set((await session.execute(select(RevokedCounsellorRecord.key))).scalars())

    async def add(self, telegram_id: int) -> str:
        """Revoke the account; returns its revocation key (a pseudonym)."""
        key = revocation_key(self._keys, telegram_id)
        async with self._sessions.begin() as session:
            await insert_missing(session, RevokedCounsellorRecord, key=key, revoked_on=self._clock().date(),
                                 sealed_id=self._keys.seal(str(telegram_id).encode(), aad=sealed_id_aad(key)))
            # A revocation of the same id under a previous key, or one written without its id, is merged.
            await rekey_revocations(session, self._keys, [telegram_id])
        return key

    async def remove(self, telegram_id: int) -> bool:
        """Lift a revocation (under the current or a previous key); True if there was one."""
        candidates = [revocation_key(self._keys, telegram_id), *self._keys.previous_pseudonyms(KIND, telegram_id)]
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(RevokedCounsellorRecord).where(RevokedCounsellorRecord.key.in_(candidates)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def rekey(self, known_ids: Sequence[int] = ()) -> int:
        """Move revocations made under a previous key to the current one (at start, while the old key is
        still in HOTLINE_PREVIOUS_KEYS). `known_ids`: the ids in config.yaml, which let a revocation written
        before revocations held their id be matched. Returns how many moved."""
        async with self._sessions.begin() as session:
            moved = await rekey_revocations(session, self._keys, known_ids)
        return moved.moved


class RekeyResult:
    def __init__(self) -> None:
        self.moved = 0
        self.unreadable: list[str] = []  # keys whose sealed id is missing or opens with no key in the ring


async def rekey_revocations(session: AsyncSession, keys: KeyRing, known_ids: Sequence[int] = ()) -> RekeyResult:
    """Rename every revocation to the current key's pseudonym and re-seal its id (one transaction: the
    caller's). A row without a sealed id gets one if its key is the pseudonym of one of `known_ids`. Rows
    whose id cannot be read are listed, not touched."""
    result = RekeyResult()
    records = list((await session.execute(select(RevokedCounsellorRecord))).scalars())
    for record in records:
        if record.sealed_id is not None:
            continue
        for telegram_id in known_ids:
            if record.key in (revocation_key(keys, telegram_id), *keys.previous_pseudonyms(KIND, telegram_id)):
                record.sealed_id = keys.seal(str(telegram_id).encode(), aad=sealed_id_aad(record.key))
    for record in records:
        if record.sealed_id is None:
            result.unreadable.append(record.key)
            continue
        try:
            telegram_id = int(keys.open(record.sealed_id, aad=sealed_id_aad(record.key)))
        except (DecryptionError, ValueError):
            result.unreadable.append(record.key)
            continue
        key = revocation_key(keys, telegram_id)
        if key == record.key and keys.is_current(record.sealed_id):
            continue
        revoked_on = record.revoked_on
        await session.delete(record)
        await session.flush()
        if await session.get(RevokedCounsellorRecord, key) is None:
            session.add(RevokedCounsellorRecord(key=key, revoked_on=revoked_on, sealed_id=keys.seal(
                str(telegram_id).encode(), aad=sealed_id_aad(key))))
        result.moved += 1
    if result.unreadable:
        log.warning("revocations: %d cannot be moved to the current key (no readable id)", len(result.unreadable))
    return result
