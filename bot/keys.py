"""Start-up key check and key rotation.

A bot started with the wrong HOTLINE_SECRET_KEY would make new pseudonyms for everyone and fail on every
sealed value; it must refuse to start instead, and say what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.crypto import DecryptionError, KeyRing
from bot.handoff.cases import Cases
from bot.storage.database import Database
from bot.storage.tables import KeyCheckRecord, PersonRecord

_CHECK = b"hotline key check"
_CHECK_AAD = "key_check.sealed:1"


class WrongKeyError(Exception):
    """The database was written under a key that is not in the key ring."""


async def verify_key(database: Database, keys: KeyRing) -> None:
    async with database.sessions.begin() as session:
        record = await session.get(KeyCheckRecord, 1)
        if record is None:
            session.add(KeyCheckRecord(id=1, sealed=keys.seal(_CHECK, aad=_CHECK_AAD)))
            return
        try:
            ok = keys.open(record.sealed, aad=_CHECK_AAD) == _CHECK
        except DecryptionError:
            ok = False
        if not ok:
            raise WrongKeyError(
                "HOTLINE_SECRET_KEY is not the key this database was written with. If you are rotating keys, "
                "put the old key in HOTLINE_PREVIOUS_KEYS and run `hotline rotate-keys`; if the key is lost, "
                "the sealed data is lost with it (start with an empty database).")


@dataclass(frozen=True)
class RotationReport:
    case_keys: int
    addresses: int


async def rotate_all(database: Database, keys: KeyRing, cases: Cases) -> RotationReport:
    """Re-seal everything under the current key, so the previous keys can be destroyed.

    Pseudonyms cannot be recomputed without the Telegram ids the bot never stored: each person's is renamed
    when they next write (while their old key is still in HOTLINE_PREVIOUS_KEYS), and the rest expire with
    the retention periods.
    """
    await verify_key(database, keys)
    rewrapped = await cases.rewrap_keys()
    addresses = 0
    async with database.sessions.begin() as session:
        for record in (await session.execute(select(PersonRecord).where(PersonRecord.address.is_not(None)))).scalars():
            assert record.address is not None
            if not keys.is_current(record.address):
                record.address = keys.reseal(record.address, aad=f"people.address:{record.pseudonym}")
                addresses += 1
        check = await session.get(KeyCheckRecord, 1)
        if check is not None:
            check.sealed = keys.reseal(check.sealed, aad=_CHECK_AAD)
    await database.checkpoint()
    return RotationReport(rewrapped, addresses)
