"""The message-id ledger of people's chats, so the bot can clear what it can before Telegram's 48 hours.

A chat searched at a border is evidence: the bot deletes its own and the person's messages on request
("Clear this chat", /forget) and on a schedule. For that it keeps, per person, only message ids and the
hour they were sent, plus the chat id sealed in the person's row, and only while there is something left
to delete. New ids are written behind (bot.storage.behind) with the next batch; every reader here writes the
batch first, and every deletion keeps the batch out until it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import now_utc
from bot.config import TELEGRAM_DELETE_WINDOW_HOURS
from bot.identity.address import Address
from bot.identity.crypto import DecryptionError, KeyRing
from bot.storage.behind import WriteBehind
from bot.storage.tables import ChatMessageRecord, PersonRecord

# Telegram's limit is 48 hours; an hour of margin for clocks and the hour-rounding of `at`.
DELETABLE = timedelta(hours=TELEGRAM_DELETE_WINDOW_HOURS - 2)


@dataclass(frozen=True)
class ChatToClear:
    person: str
    address: Address
    message_ids: list[int]


class ChatLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], behind: WriteBehind, keys: KeyRing,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self._sessions = sessions
        self._behind = behind
        self._keys = keys
        self._clock = clock

    def _hour(self) -> datetime:
        return self._clock().replace(minute=0, second=0, microsecond=0)

    @staticmethod
    def _aad(person: str) -> str:
        return f"people.address:{person}"

    def record(self, person: str, address: Address, message_ids: list[int]) -> None:
        """Note message ids in the person's chat, with the next batch. The address is sealed here (the batch
        never holds it in the clear) and stored only if the person's row has none."""
        if not message_ids:
            return
        at = self._hour()
        for message_id in message_ids:
            self._behind.chat_message(person, message_id, at)
        waiting = self._behind.waiting_person(person)
        sealed = waiting.address if waiting is not None and waiting.address else address.seal(
            self._keys, self._aad(person))
        self._behind.person(person, self._clock().date(), address=sealed)

    async def _address(self, session: AsyncSession, person: str) -> Address | None:
        sealed = (await session.execute(
            select(PersonRecord.address).where(PersonRecord.pseudonym == person))).scalar_one_or_none()
        if sealed is None:
            return None
        try:
            return Address.open(self._keys, sealed, self._aad(person))
        except DecryptionError:
            return None

    async def of(self, person: str) -> ChatToClear | None:
        """Everything still deletable in one person's chat."""
        await self._behind.flush()
        async with self._sessions() as session:
            ids = list((await session.execute(select(ChatMessageRecord.message_id).where(
                ChatMessageRecord.person == person, ChatMessageRecord.at >= self._hour() - DELETABLE)
                .order_by(ChatMessageRecord.id))).scalars())
            address = await self._address(session, person)
        return ChatToClear(person, address, ids) if address is not None and ids else None

    async def due(self, older_than: timedelta) -> list[ChatToClear]:
        """Per person, the messages that have reached the clean-up age and can still be deleted."""
        now = self._hour()
        await self._behind.flush()
        async with self._sessions() as session:
            rows = (await session.execute(select(ChatMessageRecord.person, ChatMessageRecord.message_id).where(
                ChatMessageRecord.at <= now - older_than, ChatMessageRecord.at >= now - DELETABLE)
                .order_by(ChatMessageRecord.id))).all()
            grouped: dict[str, list[int]] = {}
            for person, message_id in rows:
                grouped.setdefault(person, []).append(message_id)
            result = []
            for person, ids in grouped.items():
                address = await self._address(session, person)
                if address is not None:
                    result.append(ChatToClear(person, address, ids))
        return result

    async def cleared(self, person: str, message_ids: list[int]) -> None:
        """Forget deleted ids; drop the sealed address once nothing is left to delete (a batch still to be
        written with new ids for this person seals it again)."""
        async with self._behind.exclusive(), self._sessions.begin() as session:
            await session.execute(delete(ChatMessageRecord).where(
                ChatMessageRecord.person == person, ChatMessageRecord.message_id.in_(message_ids)))
            await self._drop_address_if_empty(session, person)

    async def _drop_address_if_empty(self, session: AsyncSession, person: str) -> None:
        left = (await session.execute(select(ChatMessageRecord.id).where(
            ChatMessageRecord.person == person).limit(1))).first()
        if left is None:
            record = await session.get(PersonRecord, person)
            if record is not None:
                record.address = None

    async def expire(self) -> int:
        """Ids older than Telegram's window can never be deleted: keeping them would only be a record."""
        async with self._behind.exclusive(), self._sessions.begin() as session:
            old = list((await session.execute(select(ChatMessageRecord.person).where(
                ChatMessageRecord.at < self._hour() - DELETABLE).distinct())).scalars())
            await session.execute(delete(ChatMessageRecord).where(
                ChatMessageRecord.at < self._hour() - DELETABLE))
            for person in old:
                await self._drop_address_if_empty(session, person)
        return len(old)

    async def forget(self, person: str) -> None:
        """Delete the person's ledger; ids still waiting to be written are dropped, not written later."""
        async with self._behind.discarding(person), self._sessions.begin() as session:
            await session.execute(delete(ChatMessageRecord).where(ChatMessageRecord.person == person))

    async def rename(self, old: str, new: str) -> None:
        await self._behind.flush()
        async with self._behind.exclusive(), self._sessions.begin() as session:
            await session.execute(update(ChatMessageRecord).where(ChatMessageRecord.person == old)
                                  .values(person=new))
