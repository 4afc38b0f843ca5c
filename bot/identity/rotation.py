"""Key rotation: after it, nothing in the database needs the previous key, so the old key can be destroyed.

A rotation re-seals every value sealed under the master key and renames every pseudonym to the new key's,
in one transaction (all or nothing). Pseudonyms cannot be recomputed from themselves; they are recomputed
from what the database holds sealed:

- people, their chat ledger, cases and blocks: from the chat id sealed in the person's row or in a case
  (in a private chat the chat id is the user id);
- outbox rows: from their sealed chat id;
- counsellors (working state, cases held, relay ledger, audit log): from the Telegram ids in config.yaml and
  the sealed ids of revocations; a counsellor in neither is no longer anyone the bot knows, and their old
  pseudonym becomes an opaque "former" tag under the new key (events still group, nothing links to an id).

What cannot be moved is handled so that no value under the old key remains: the menu state (language,
page) of people with no sealed chat id is dropped (they pick their language again); a block whose person
cannot be identified stops the rotation unless `drop_blocks` is given (with no previous key in the ring,
such rows can only be under the current key, and are kept); a revocation whose id cannot be
read stops it always (a revoked account must never come back). A value that does not open with any key in
the ring is reported by count and removed (it could never be used again).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.identity.crypto import DecryptionError, KeyRing, open_with
from bot.identity.keys import CHECK_AAD, verify_key
from bot.identity.revocations import rekey_revocations, sealed_id_aad
from bot.storage.database import Database
from bot.storage.tables import (
    AuditRecord,
    BlockRecord,
    CaseKeyRecord,
    CaseRecord,
    ChatMessageRecord,
    CounsellorRecord,
    InboxRecord,
    KeyCheckRecord,
    OutboxRecord,
    PersonRecord,
    RelayRecord,
    RevokedCounsellorRecord,
    TeamBoardRecord,
)

# Every column that holds a pseudonym or a value sealed under the master key, and how a rotation treats
# it. tests/test_rotation.py checks this against the column inventory, so a new column fails until its
# rotation is decided here.
COVERED: dict[str, str] = {
    "people.pseudonym": "recomputed from people.address; dropped if there is none",
    "people.address": "re-sealed, bound to the new pseudonym",
    "cases.person": "recomputed from cases.address",
    "cases.address": "sealed with the case key, which is re-wrapped: unchanged",
    "cases.counsellor": "renamed from config.yaml, else a former tag",
    "cases.last_counsellor": "renamed from config.yaml, else a former tag",
    "case_keys.wrapped": "re-sealed",
    "relays.counsellor": "renamed from config.yaml, else a former tag",
    "notes.text": "sealed with the case key, which is re-wrapped: unchanged",
    "blocks.person": "renamed with the person's cases; else refused (or dropped with drop_blocks)",
    "counsellors.key": "renamed from config.yaml, else dropped (working state only)",
    "chat_messages.person": "renamed with the person's row; dropped if it has no chat id",
    "audit.counsellor": "renamed from config.yaml or revocations, else a former tag",
    "revoked_counsellors.key": "recomputed from the sealed id; refused if it cannot be read",
    "revoked_counsellors.sealed_id": "re-sealed, bound to the new key",
    "key_check.sealed": "re-sealed",
    "outbox.chat": "recomputed from outbox.address",
    "outbox.address": "re-sealed",
    "outbox.payload": "re-sealed, counsellor pseudonyms in it renamed",
    "inbox.body": "re-sealed (updates received and not yet handled: several instances on PostgreSQL)",
    "team_board.chat": "renamed for the configured team group; a board of any other group is forgotten",
}


class RotationRefused(Exception):
    """The rotation would lose something that must not be lost; nothing was changed. Says what to do."""


@dataclass
class RotationReport:
    resealed: int = 0  # values re-sealed under the new key
    renamed: int = 0  # pseudonyms renamed to the new key's
    dropped_menu_states: int = 0  # people whose language and page could not be moved
    dropped_blocks: int = 0
    former_tags: int = 0  # counsellor pseudonyms of people no longer in config.yaml, made opaque
    unreadable: dict[str, int] = field(default_factory=dict)  # per column: values no key in the ring opens

    def note_unreadable(self, column: str) -> None:
        self.unreadable[column] = self.unreadable.get(column, 0) + 1


def _people_aad(pseudonym: str) -> str:
    return f"people.address:{pseudonym}"


class _Rotation:
    def __init__(self, session: AsyncSession, keys: KeyRing, counsellor_ids: Sequence[int],
                 drop_blocks: bool, team_group: int | None = None) -> None:
        self.session = session
        self.team_group = team_group
        self.keys = keys
        self.counsellor_ids = counsellor_ids
        self.drop_blocks = drop_blocks
        self.report = RotationReport()
        self.people: dict[str, str] = {}  # person pseudonym (any key) -> the current key's
        self.counsellors: dict[str, str] = {}  # counsellor pseudonym (any key) -> the current key's

    def _reseal(self, envelope: bytes, aad: str, new_aad: str | None = None) -> bytes:
        plain = self.keys.open(envelope, aad=aad)
        if new_aad is None and self.keys.is_current(envelope):
            return envelope
        self.report.resealed += 1
        return self.keys.seal(plain, aad=new_aad or aad)

    def _map_counsellor(self, telegram_id: int) -> None:
        current = self.keys.pseudonym("counsellor", telegram_id)
        for name in (current, *self.keys.previous_pseudonyms("counsellor", telegram_id)):
            self.counsellors[name] = current

    def _counsellor(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.counsellors:
            return self.counsellors[name]
        self.report.former_tags += 1
        return self.keys.pseudonym("former", name)

    async def run(self) -> RotationReport:
        await self._revocations()
        for telegram_id in self.counsellor_ids:
            self._map_counsellor(telegram_id)
        await self._case_keys_and_people_of_cases()
        await self._people()
        await self._blocks()
        await self._counsellor_columns()
        await self._outbox()
        await self._inbox()
        await self._team_board()
        check = await self.session.get(KeyCheckRecord, 1)
        if check is not None:
            check.sealed = self._reseal(check.sealed, CHECK_AAD)
        return self.report

    async def _revocations(self) -> None:
        # Revocations written before they carried a sealed id are matched against the ids in config.yaml.
        result = await rekey_revocations(self.session, self.keys, self.counsellor_ids)
        if result.unreadable:
            raise RotationRefused(
                f"{len(result.unreadable)} revocation(s) cannot be moved to the new key (the revoked id cannot "
                "be read), and a revoked account must not come back. With the old key still in "
                "HOTLINE_PREVIOUS_KEYS, start the bot, have an admin /revoke those ids again, stop it and run "
                "rotate-keys again.")
        self.report.renamed += result.moved
        for record in (await self.session.execute(select(RevokedCounsellorRecord))).scalars():
            assert record.sealed_id is not None
            self._map_counsellor(int(self.keys.open(record.sealed_id, aad=sealed_id_aad(record.key))))

    async def _case_keys_and_people_of_cases(self) -> None:
        for key_record in list((await self.session.execute(select(CaseKeyRecord))).scalars()):
            aad = f"case_keys.wrapped:{key_record.case_id}"
            try:
                data_key = self.keys.open(key_record.wrapped, aad=aad)
            except DecryptionError:
                self.report.note_unreadable("case_keys.wrapped")
                await self.session.execute(delete(CaseRecord).where(CaseRecord.id == key_record.case_id))
                continue
            key_record.wrapped = self._reseal(key_record.wrapped, aad)
            case = await self.session.get(CaseRecord, key_record.case_id)
            if case is None or case.address is None:
                continue
            try:
                chat_id = int(open_with(data_key, case.address, f"cases.address:{case.id}"))
            except (DecryptionError, ValueError):
                self.report.note_unreadable("cases.address")
                continue
            self.people[case.person] = self.keys.pseudonym("user", chat_id)
        for old, new in self.people.items():
            if old != new:
                await self.session.execute(update(CaseRecord).where(CaseRecord.person == old).values(person=new))
                self.report.renamed += 1

    async def _exists(self, column: Any, value: str) -> bool:
        return (await self.session.execute(select(column).where(column == value))).first() is not None

    async def _people(self) -> None:
        rows = (await self.session.execute(select(PersonRecord.pseudonym, PersonRecord.address))).all()
        for old, sealed in rows:
            chat_id: int | None = None
            if sealed is not None:
                try:
                    chat_id = int(self.keys.open(sealed, aad=_people_aad(old)))
                except (DecryptionError, ValueError):
                    self.report.note_unreadable("people.address")
            new = self.keys.pseudonym("user", chat_id) if chat_id is not None else self.people.get(old)
            if new is None and not self.keys.has_previous:
                new = old  # no previous key given: the row can only be under the current key (or a lost one)
            if new is None:
                # Whose row this is cannot be known: the bot never stored the id. Only a language and a page.
                await self.session.execute(delete(PersonRecord).where(PersonRecord.pseudonym == old))
                self.report.dropped_menu_states += 1
                continue
            self.people[old] = new
            address = None if chat_id is None else self.keys.seal(str(chat_id).encode(), aad=_people_aad(new))
            self.report.resealed += chat_id is not None
            if new == old:
                await self.session.execute(update(PersonRecord).where(PersonRecord.pseudonym == old)
                                           .values(address=address))
                continue
            self.report.renamed += 1
            await self.session.execute(update(ChatMessageRecord).where(ChatMessageRecord.person == old)
                                       .values(person=new))
            if await self._exists(PersonRecord.pseudonym, new):
                # They wrote under the new key already: that row is the newer one.
                await self.session.execute(delete(PersonRecord).where(PersonRecord.pseudonym == old))
            else:
                await self.session.execute(update(PersonRecord).where(PersonRecord.pseudonym == old)
                                           .values(pseudonym=new, address=address))
        # Ledger rows whose person has no row (so no chat id) can never be deleted from Telegram any more.
        await self.session.execute(delete(ChatMessageRecord).where(
            ChatMessageRecord.person.not_in(select(PersonRecord.pseudonym))))

    async def _rename_key(self, table: Any, column: Any, old: str, new: str | None) -> None:
        """Rename a primary-key pseudonym (drop the row if `new` is None or already taken)."""
        if new == old:
            return
        if new is None or await self._exists(column, new):
            await self.session.execute(delete(table).where(column == old))
        else:
            await self.session.execute(update(table).where(column == old).values({column.key: new}))
        self.report.renamed += new is not None

    async def _blocks(self) -> None:
        blocked = list((await self.session.execute(select(BlockRecord.person))).scalars())
        if not self.keys.has_previous:  # as for people: nothing can be under a previous key
            self.people.update({person: person for person in blocked if person not in self.people})
        unknown = [person for person in blocked if person not in self.people]
        if unknown and not self.drop_blocks:
            raise RotationRefused(
                f"{len(unknown)} block(s) cannot be moved to the new key: the blocked people's cases are gone, and "
                "the bot never stored who they are. Run again with --drop-blocks to lift these blocks, or wait "
                "until they expire (privacy.block_days).")
        self.report.dropped_blocks = len(unknown)
        for person in blocked:
            await self._rename_key(BlockRecord, BlockRecord.person, person, self.people.get(person))

    async def _counsellor_columns(self) -> None:
        # Working state (on duty, focus) of someone no longer in config.yaml is dropped.
        for key in list((await self.session.execute(select(CounsellorRecord.key))).scalars()):
            await self._rename_key(CounsellorRecord, CounsellorRecord.key, key, self.counsellors.get(key))
        for table, column in ((CaseRecord, CaseRecord.counsellor), (CaseRecord, CaseRecord.last_counsellor),
                              (RelayRecord, RelayRecord.counsellor), (AuditRecord, AuditRecord.counsellor)):
            names = set((await self.session.execute(select(column).where(column.is_not(None)).distinct()))
                        .scalars())
            for old in names:
                new = self._counsellor(old)
                if new != old:
                    await self.session.execute(update(table).where(column == old).values({column.key: new}))
                    self.report.renamed += 1

    def _after(self, after: dict[str, Any] | None) -> dict[str, Any] | None:
        """An outbox row's note of what to record once sent carries counsellor pseudonyms: rename them."""
        if after is None:
            return None
        for part in ("relay", "delivered"):
            if isinstance(after.get(part), dict) and after[part].get("counsellor") is not None:
                after[part]["counsellor"] = self._counsellor(after[part]["counsellor"])
        return after

    async def _outbox(self) -> None:
        for record in list((await self.session.execute(select(OutboxRecord))).scalars()):
            address_aad, payload_aad = f"outbox.address:{record.id}", f"outbox.payload:{record.id}"
            try:
                chat_id = int(self.keys.open(record.address, aad=address_aad))
                body = json.loads(self.keys.open(record.payload, aad=payload_aad))
            except (DecryptionError, ValueError):
                self.report.note_unreadable("outbox")
                await self.session.delete(record)
                continue
            body["after"] = self._after(body.get("after"))
            record.address = self.keys.seal(str(chat_id).encode(), aad=address_aad)
            record.payload = self.keys.seal(json.dumps(body).encode(), aad=payload_aad)
            self.report.resealed += 2
            chat = self.keys.pseudonym("chat", chat_id)
            if chat != record.chat:
                record.chat = chat
                self.report.renamed += 1


    async def _inbox(self) -> None:
        for record in list((await self.session.execute(select(InboxRecord))).scalars()):
            try:
                record.body = self._reseal(record.body, f"inbox:{record.update_id}")
            except DecryptionError:
                self.report.note_unreadable("inbox")
                await self.session.delete(record)


    async def _team_board(self) -> None:
        """The board's row is keyed by a pseudonym of the team's group: renamed for the configured group. A
        board of any other group (team mode off, or a group no longer configured) is forgotten: its pinned
        message stays in that group, and team mode posts a new board at its next start."""
        group = self.team_group
        current = self.keys.pseudonym("chat", group) if group is not None else None
        known = {current, *self.keys.previous_pseudonyms("chat", group)} if group is not None else set()
        for record in list((await self.session.execute(select(TeamBoardRecord))).scalars()):
            if current is None or record.chat not in known:
                await self.session.delete(record)
            elif record.chat != current:
                record.chat = current
                self.report.renamed += 1


async def rotate_all(database: Database, keys: KeyRing, counsellor_ids: Sequence[int] = (), *,
                     drop_blocks: bool = False, team_group: int | None = None) -> RotationReport:
    """Move everything to the ring's current key, so its previous keys can be destroyed.

    `counsellor_ids`: the Telegram ids in config.yaml (counsellors and admins), to rename their pseudonyms.
    `team_group`: the team mode's group id in config.yaml (None when team mode is off), to rename its board.
    Raises WrongKeyError if the database was not written under a key in the ring, and RotationRefused
    (having changed nothing) if something that must survive cannot be moved.
    """
    await verify_key(database, keys)
    async with database.sessions.begin() as session:
        report = await _Rotation(session, keys, counsellor_ids, drop_blocks, team_group).run()
    await database.checkpoint()
    return report


async def values_under_other_keys(database: Database, keys: KeyRing) -> int:
    """How many values sealed under the master key are not under the current one (0 after a rotation)."""
    columns = (KeyCheckRecord.sealed, PersonRecord.address, CaseKeyRecord.wrapped, OutboxRecord.address,
               OutboxRecord.payload, RevokedCounsellorRecord.sealed_id, InboxRecord.body)
    count = 0
    async with database.sessions() as session:
        for column in columns:
            for value in (await session.execute(select(column).where(column.is_not(None)))).scalars():
                try:
                    count += value is not None and not keys.is_current(value)
                except DecryptionError:
                    count += 1
    return count
