"""Known-answer vectors for what the database holds: pseudonyms and sealed envelopes.

A changed derivation string, HKDF label, envelope header or associated-data format would silently orphan
every stored row (every person a stranger, every sealed value unreadable). These vectors were computed
once with a fixed key and fixed nonces; if one fails, the stored format changed, and the change needs a
migration, not a new vector.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from datetime import datetime
from pathlib import Path
from unittest import mock

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.delivery.outbox import Outbox
from bot.handoff.cases import Case, Cases
from bot.identity.address import Address
from bot.identity.crypto import KeyRing, seal_with
from bot.identity.revocations import Revocations
from bot.privacy.chats import ChatLedger
from bot.storage.behind import WriteBehind
from bot.storage.database import Database

MASTER = bytes(range(32))
USER_ID = 7013370042
COUNSELLOR_ID = 9100000001

PSEUDONYMS = {
    ("user", USER_ID): "77a095ad4c4810019928217673377bb548e14fc827a7df1a2bef0d795c85833b",
    ("counsellor", COUNSELLOR_ID): "4bae4c3d7d3d11b69e824a530a01cc8c0abe764455b1f1c7ead20269d2272530",
    ("chat", USER_ID): "03db95dd31ac6802e96b3fced1727573fbf63759a5b6b9e6045d7bfb63974cc0",
}
MASTER_KEY_ID = "ef18d538"
# Sealed with the master key's seal key, nonce 0x11 * 12, associated data "people.address:abc".
ENVELOPE = "01ef18d53811111111111111111111111169c6d1a0732f52d5d1295b38af357c3ec48f60fc7d2002fc2e1d"
# Sealed with a raw case key 0x22 * 32, nonce 0x11 * 12, associated data "cases.address:7".
CASE_ENVELOPE = "017ba1e6021111111111111111111111111d376692cb6580a41e45f1c865dfa79dda8d4c5c86be57f09c84"

# Rows as today's code writes them (fixed key, nonces 0x01, 0x02 …): a database written by this version.
CASE_ADDRESS = "01483104c8030303030303030303030303cf5125a9ccb3075999ce2e764664972feb3148dfe91895375a8d"
CASE_KEY = ("01ef18d5380202020202020202020202028d56f269fed196e8835f80d1ea5c8442bc4785ecc4f46c4070eb2bfd562af39e5fa4e8"
            "8443bcfbeb3cdaa7572fa074c9")
NOTE = "01483104c804040404040404040404040481ce2f25281bc6678efadf7ca9ff6e194a5ffb85"
PERSON = "q" * 64
PERSON_ADDRESS = "01ef18d538050505050505050505050505ad5a2b8327cc7a6b903b9adee0427afc5496f7da07f38e302de6"
OUTBOX_ADDRESS = "01ef18d5380606060606060606060606060019ec9688ebbc7208ee4bd8f302d86ac17888b2b27544eef35e"
OUTBOX_PAYLOAD = ("01ef18d53807070707070707070707070731d2eaebbbe89522108758cbe215a7072f86c6dd31075e77b4abf5931d74"
                  "54dc9357ca568dbd0b5f10b9fd8b4c8f273401ecda2cba334eb04c1d2a350c98c8731e0f87d6a8a98d61c655abbdbe"
                  "fe53a91878")
REVOKED_ID = "01ef18d538080808080808080808080808c9a98dc2b7c06b5448ef798ba53ecf138b3d5735edfdaeaf9052"


def test_pseudonym_known_answers() -> None:
    keys = KeyRing(MASTER)
    for (kind, value), expected in PSEUDONYMS.items():
        assert keys.pseudonym(kind, value) == expected, (kind, "the pseudonym derivation changed")


def test_pseudonym_is_hmac_sha256_under_the_hkdf_pseudonym_key() -> None:
    # The format spelled out independently of bot/identity/crypto.py: HKDF-SHA256(master, info "hotline/pseudonym"),
    # then HMAC-SHA256 over "tg-KIND:ID", in hex.
    pseudonym_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/pseudonym").derive(MASTER)
    expected = hmac.new(pseudonym_key, f"tg-user:{USER_ID}".encode(), hashlib.sha256).hexdigest()
    assert expected == PSEUDONYMS[("user", USER_ID)] == KeyRing(MASTER).pseudonym("user", USER_ID)


def test_envelope_known_answers() -> None:
    keys = KeyRing(MASTER)
    assert keys.key_id.hex() == MASTER_KEY_ID
    assert keys.open(bytes.fromhex(ENVELOPE), aad="people.address:abc") == b"7013370042"
    with mock.patch("bot.identity.crypto.os.urandom", return_value=b"\x11" * 12):
        assert keys.seal(b"7013370042", aad="people.address:abc").hex() == ENVELOPE
        assert seal_with(b"\x22" * 32, b"7013370042", "cases.address:7").hex() == CASE_ENVELOPE


async def test_a_database_written_by_this_version_stays_readable(tmp_path: Path) -> None:
    """Every reader opens the rows exactly as this version writes them: table, column and row formats of
    the associated data included."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'v.sqlite'}")
    await database.migrate()
    await database.close()
    with sqlite3.connect(tmp_path / "v.sqlite") as raw:
        raw.execute("INSERT INTO cases (id, code, person, address, language, topic, status, queue_seq, opened_on,"
                    " document_warned) VALUES (1, 'ABC-DEF', ?, ?, 'ru', 'start', 'waiting', 1, '2026-01-01', 0)",
                    ("p" * 64, bytes.fromhex(CASE_ADDRESS)))
        raw.execute("INSERT INTO case_keys VALUES (1, ?)", (bytes.fromhex(CASE_KEY),))
        raw.execute("INSERT INTO notes (id, case_id, text, written_on) VALUES (1, 1, ?, '2026-01-01')",
                    (bytes.fromhex(NOTE),))
        raw.execute("INSERT INTO people (pseudonym, seen_on, address) VALUES (?, '2026-01-01', ?)",
                    (PERSON, bytes.fromhex(PERSON_ADDRESS)))
        raw.execute("INSERT INTO chat_messages (person, message_id, at) VALUES (?, 5, ?)",
                    (PERSON, datetime.now().replace(minute=0, second=0, microsecond=0).isoformat(" ")))
        raw.execute("INSERT INTO outbox (id, chat, address, payload, attempts, not_before) VALUES "
                    "(1, ?, ?, ?, 0, '2026-01-01 00:00:00.000000')",
                    (PSEUDONYMS[("chat", USER_ID)], bytes.fromhex(OUTBOX_ADDRESS), bytes.fromhex(OUTBOX_PAYLOAD)))
        raw.execute("INSERT INTO revoked_counsellors VALUES (?, '2026-01-01', ?)",
                    (PSEUDONYMS[("counsellor", COUNSELLOR_ID)], bytes.fromhex(REVOKED_ID)))
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'v.sqlite'}")
    keys = KeyRing(MASTER)
    try:
        cases = Cases(database.sessions, keys)
        case = await cases.get(1)
        assert isinstance(case, Case)
        assert await cases.address_of(case) == Address(USER_ID)
        assert await cases.notes(1) == ["note"]
        chat = await ChatLedger(database.sessions, WriteBehind(database.engine), keys).of(PERSON)
        assert chat is not None and chat.address == Address(USER_ID) and chat.message_ids == [5]
        [row] = await Outbox(database.sessions, keys, datetime.now).heads(set())
        assert (row.address, row.method, row.params) == (Address(USER_ID), "sendMessage", {"text": "hi"})
        revocations = Revocations(database.sessions, keys)
        assert await revocations.rekey() == 0, "the revocation is already under this key"
        assert await revocations.all() == {PSEUDONYMS[("counsellor", COUNSELLOR_ID)]}
    finally:
        await database.close()
