"""The persistent outbox: what the bot must deliver on its own initiative is written before it is sent.

Relays, notices to the other side, notifications and clean-up deletions go here first, so a crash, a
restart or a Telegram outage loses nothing. Rows leave once delivered (deliver-then-delete); the
destination and the request are sealed while they wait. Per chat, rows go out strictly in order.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.identity.address import Address
from bot.identity.crypto import DecryptionError, KeyRing
from bot.storage.tables import OutboxRecord

MAX_BACKOFF = timedelta(minutes=5)
log = logging.getLogger("hotline.outbox")


@dataclass(frozen=True)
class Outgoing:
    id: int
    chat: str
    address: Address
    method: str  # Bot API method, e.g. "sendMessage"
    params: dict[str, Any]  # everything but chat_id
    after: dict[str, Any] | None  # what to note once delivered (ids and pseudonyms only)
    attempts: int
    not_before: datetime


class Outbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing,
                 clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._keys = keys
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []
        self.pending = 0  # an estimate kept in memory: rows written and not yet done

    def on_enqueue(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    async def count(self) -> int:
        async with self._sessions() as session:
            self.pending = int((await session.execute(select(func.count()).select_from(OutboxRecord))).scalar_one())
        return self.pending

    async def put(self, address: Address, method: str, params: dict[str, Any],
                  after: dict[str, Any] | None = None, *, session: AsyncSession | None = None,
                  delay: timedelta = timedelta(0)) -> int:
        """Write a row; with `session`, inside the caller's transaction (a use case writes its outbox rows
        in the same transaction as the state change that causes them), and the sender wakes at its commit.
        `delay`: not before then (an album waits for its other items)."""
        if session is None:
            async with self._sessions.begin() as own:
                row_id = await self._add(own, address, method, params, after, delay)
            self._added()
            return row_id
        row_id = await self._add(session, address, method, params, after, delay)
        event.listen(session.sync_session, "after_commit", lambda _s: self._added(), once=True)
        return row_id

    async def _add(self, session: AsyncSession, address: Address, method: str, params: dict[str, Any],
                   after: dict[str, Any] | None, delay: timedelta = timedelta(0)) -> int:
        chat = self._keys.pseudonym("chat", address.for_delivery())
        record = OutboxRecord(chat=chat, address=b"", payload=b"", attempts=0, not_before=self._clock() + delay)
        session.add(record)
        await session.flush()
        record.address = address.seal(self._keys, f"outbox.address:{record.id}")
        body = json.dumps({"method": method, "params": params, "after": after}).encode()
        record.payload = self._keys.seal(body, aad=f"outbox.payload:{record.id}")
        return record.id

    def _added(self) -> None:
        self.pending += 1
        for listener in self._listeners:
            listener()

    async def heads(self, busy: set[str], limit: int = 100) -> list[Outgoing]:
        """The first waiting row of each chat that is due and not already being sent: order per chat holds
        because a chat's next row is only offered once the one before it is done."""
        now = self._clock()
        async with self._sessions() as session:
            firsts = select(func.min(OutboxRecord.id)).group_by(OutboxRecord.chat).scalar_subquery()
            records = (await session.execute(
                select(OutboxRecord).where(OutboxRecord.id.in_(firsts), OutboxRecord.not_before <= now)
                .order_by(OutboxRecord.id).limit(limit + len(busy)))).scalars().all()
        result = []
        for record in records:
            if record.chat in busy:
                continue
            try:
                body = json.loads(self._keys.open(record.payload, aad=f"outbox.payload:{record.id}"))
                address = Address.open(self._keys, record.address, f"outbox.address:{record.id}")
            except (DecryptionError, ValueError, KeyError):
                await self._unreadable(record.id)
                continue
            result.append(Outgoing(
                id=record.id, chat=record.chat, address=address,
                method=body["method"], params=body["params"], after=body["after"],
                attempts=record.attempts, not_before=record.not_before))
            if len(result) >= limit:
                break
        return result

    async def _unreadable(self, row_id: int) -> None:
        """A row that does not open (sealed under a key no longer in the ring, or damaged) can never be sent:
        say so, without content, and drop it, so the rest of its chat and every other chat still go out."""
        log.error("outbox: a message could not be opened (sealed under a key not in the key ring, or damaged) "
                  "and was dropped; run `hotline rotate-keys` before removing an old key")
        await self.done(row_id)

    async def done(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            result = await session.execute(delete(OutboxRecord).where(OutboxRecord.id == row_id))
        self.pending = max(0, self.pending - int(result.rowcount))  # type: ignore[attr-defined]

    async def sending(self, row_id: int) -> None:
        """Mark a row as about to go out (several instances: see :meth:`unsure`)."""
        async with self._sessions.begin() as session:
            await session.execute(update(OutboxRecord).where(OutboxRecord.id == row_id).values(sending=True))

    async def unsure(self, repeatable: frozenset[str]) -> tuple[list[dict[str, Any] | None], int]:
        """At a new leader's start: rows the last leader marked as going out and never finished may or may not
        have reached Telegram. Those whose method is in ``repeatable`` (deleting, editing: the same outcome
        twice) are sent again; the others (a copy, a message) are dropped, since a second copy is worse than
        a missing one. Returns what each dropped row was to note once sent (its ``after``; None for a row
        that does not open), and how many are sent again."""
        async with self._sessions.begin() as session:
            records = (await session.execute(select(OutboxRecord).where(OutboxRecord.sending.is_(True))
                                              .with_for_update())).scalars().all()
            dropped: list[dict[str, Any] | None] = []
            for record in records:
                try:
                    body = json.loads(self._keys.open(record.payload, aad=f"outbox.payload:{record.id}"))
                except (DecryptionError, ValueError):
                    body = {}
                if body.get("method") in repeatable:
                    record.sending = False
                else:
                    await session.delete(record)
                    dropped.append(body.get("after"))
        self.pending = max(0, self.pending - len(dropped))
        return dropped, len(records) - len(dropped)

    async def retry(self, row_id: int, *, after: timedelta | None = None) -> int:
        """Try again later: after `after` (a 429's retry_after), else with exponential backoff."""
        async with self._sessions.begin() as session:
            record = await session.get(OutboxRecord, row_id, with_for_update=True)
            if record is None:
                return 0
            record.attempts += 1
            record.sending = False
            backoff = timedelta(seconds=2 ** min(record.attempts - 1, 9))  # 1 s, 2 s, 4 s … up to MAX_BACKOFF
            wait = after if after is not None else min(MAX_BACKOFF, backoff)
            record.not_before = self._clock() + wait
            return record.attempts

    async def hold_chat(self, chat: str, wait: timedelta) -> None:
        """Telegram asked us to slow down for a chat: nothing more goes there until then."""
        async with self._sessions.begin() as session:
            await session.execute(update(OutboxRecord).where(OutboxRecord.chat == chat)
                                  .values(not_before=self._clock() + wait, sending=False))

    async def drop_chat(self, chat: str) -> list[Outgoing]:
        """The chat is gone (the person blocked the bot): drop what was waiting for it; returns it."""
        async with self._sessions() as session:
            records = (await session.execute(select(OutboxRecord).where(OutboxRecord.chat == chat)
                                             .order_by(OutboxRecord.id))).scalars().all()
            dropped = []
            for record in records:
                try:
                    body = json.loads(self._keys.open(record.payload, aad=f"outbox.payload:{record.id}"))
                except (DecryptionError, ValueError):
                    log.error("outbox: a dropped message could not be opened")
                    continue
                dropped.append(Outgoing(record.id, record.chat, Address(0), body["method"], {}, body["after"],
                                        record.attempts, record.not_before))
        async with self._sessions.begin() as session:
            await session.execute(delete(OutboxRecord).where(OutboxRecord.chat == chat))
        self.pending = max(0, self.pending - len(dropped))
        return dropped

    async def forget_chat(self, address: Address) -> None:
        """/forget: nothing more goes to this person's chat."""
        await self.drop_chat(self._keys.pseudonym("chat", address.for_delivery()))
