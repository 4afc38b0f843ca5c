"""Start-up key check (the rotation itself is bot/identity/rotation.py).

A bot started with the wrong HOTLINE_SECRET_KEY would make new pseudonyms for everyone and fail on every
sealed value; it must refuse to start instead, and say what to do.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.identity.crypto import DecryptionError, KeyRing
from bot.storage.database import Database
from bot.storage.tables import KeyCheckRecord

_CHECK = b"hotline key check"
CHECK_AAD = "key_check.sealed:1"


class WrongKeyError(Exception):
    """The database was written under a key that is not in the key ring."""


async def verify_key(database: Database, keys: KeyRing) -> None:
    try:
        await _verify_key(database, keys)
    except IntegrityError:  # another instance starting at once wrote the check first: check against it
        await _verify_key(database, keys)


async def _verify_key(database: Database, keys: KeyRing) -> None:
    async with database.sessions.begin() as session:
        record = await session.get(KeyCheckRecord, 1)
        if record is None:
            session.add(KeyCheckRecord(id=1, sealed=keys.seal(_CHECK, aad=CHECK_AAD)))
            return
        try:
            ok = keys.open(record.sealed, aad=CHECK_AAD) == _CHECK
        except DecryptionError:
            ok = False
        if not ok:
            raise WrongKeyError(
                "HOTLINE_SECRET_KEY is not the key this database was written with. If you are rotating keys, "
                "put the old key in HOTLINE_PREVIOUS_KEYS and run `hotline rotate-keys`; if the key is lost, "
                "the sealed data is lost with it (start with an empty database).")
