"""Writes that may wait a moment: the hot path's bookkeeping, written behind in one transaction per batch.

Handling a menu tap used to take three to six ORM transactions (claim the update number, read the person,
note the incoming message, update the page, note the outgoing message), each a hop to the database thread.
What those wrote is only bookkeeping: which updates were handled, the page and language a person is on, the
ids of messages in a person's chat (for "Clear this chat", /forget and the clean-up) and the daily tallies.
It is kept here and written every `interval` seconds (and on shutdown) as a few SQLAlchemy Core statements in
one transaction: an update's claim travels in the same transaction as its menu state and ledger rows, so a
replay after a crash is either skipped (the batch was written) or handled again whole (it was not).

What a crash (SIGKILL, power loss) loses is the last batch, at most `interval` seconds of it: SECURITY.md says
what that means. Relays, case changes, outbox rows and deletions are never here: they are written first, in
their own transactions, as before.

Deletions go through :meth:`WriteBehind.discarding`: it waits for a batch being written, drops what is
waiting for that person, and runs the deletion before the next batch can start — so a batch of stale state
can never bring back what /forget or a chat clean-up removed.

Memory: what waits is bounded by the interval (a batch is written early once it holds `max_rows` rows); it
holds pseudonyms, message ids, pages and sealed addresses, never a chat id in the clear.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.tables import ChatMessageRecord, DailyCounterRecord, PersonRecord, ProcessedUpdateRecord

log = logging.getLogger("hotline.storage")

PEOPLE: Table = PersonRecord.__table__  # type: ignore[assignment]
CHAT_MESSAGES: Table = ChatMessageRecord.__table__  # type: ignore[assignment]
PROCESSED: Table = ProcessedUpdateRecord.__table__  # type: ignore[assignment]
COUNTERS: Table = DailyCounterRecord.__table__  # type: ignore[assignment]


@dataclass
class PersonChange:
    """What a batch writes into a person's row: the fields given (None: keep the stored value)."""

    seen_on: date
    language: str | None = None
    node: str | None = None
    address: bytes | None = None  # sealed, bound to the row; only set when the stored one is empty

    def merge(self, newer: PersonChange) -> None:
        self.seen_on = max(self.seen_on, newer.seen_on)
        self.language = newer.language or self.language
        self.node = newer.node or self.node
        self.address = self.address or newer.address


@dataclass
class _Batch:
    claims: dict[int, date] = field(default_factory=dict)
    people: dict[str, PersonChange] = field(default_factory=dict)
    ledger: list[tuple[str, int, datetime]] = field(default_factory=list)
    counts: Counter[tuple[date, str, str]] = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.claims) + len(self.people) + len(self.ledger) + len(self.counts)

    def put_back(self, newer: _Batch) -> None:
        """After a failed write: this (older) batch under what arrived since, newer values winning."""
        self.claims.update(newer.claims)
        for person, change in newer.people.items():
            if person in self.people:
                self.people[person].merge(change)
            else:
                self.people[person] = change
        self.ledger.extend(newer.ledger)
        self.counts.update(newer.counts)


class WriteBehind:
    """The batch being collected, and the task that writes it. One per process; see the module docstring.

    `interval`: seconds between writes (the most a crash can lose); `max_rows`: a batch this large is written
    at once. Raises nothing from the hot path: adding to the batch is a dict operation.
    """

    def __init__(self, engine: AsyncEngine, *, interval: float = 0.2, max_rows: int = 2_000,
                 fence: Callable[[AsyncConnection], Awaitable[None]] | None = None) -> None:
        """`fence`: awaited inside each batch's transaction before it commits (Database.check_leading: with
        several instances, a deposed leader's batch is refused)."""
        self.engine = engine
        self.fence = fence
        self.interval = interval
        self.max_rows = max_rows
        self._postgres = engine.dialect.name == "postgresql"
        self._batch = _Batch()
        self._lock = asyncio.Lock()
        self._full = asyncio.Event()
        self.batches_written = 0

    # --- adding (synchronous, on the hot path) -----------------------------------------------------------

    def claim(self, update_id: int, day: date) -> None:
        self._batch.claims[update_id] = day
        self._check_size()

    def person(self, pseudonym: str, seen_on: date, *, language: str | None = None, node: str | None = None,
               address: bytes | None = None) -> None:
        change = PersonChange(seen_on, language, node, address)
        waiting = self._batch.people.get(pseudonym)
        if waiting is None:
            self._batch.people[pseudonym] = change
            self._check_size()
        else:
            waiting.merge(change)

    def waiting_person(self, pseudonym: str) -> PersonChange | None:
        """What the batch will write into this person's row, if anything."""
        return self._batch.people.get(pseudonym)

    def chat_message(self, person: str, message_id: int, at: datetime) -> None:
        self._batch.ledger.append((person, message_id, at))
        self._check_size()

    def count(self, day: date, name: str, key: str, by: int = 1) -> None:
        self._batch.counts[(day, name, key)] += by

    def _check_size(self) -> None:
        if len(self._batch) >= self.max_rows:
            self._full.set()

    @property
    def pending(self) -> int:
        """Rows waiting to be written (for `Hotline.busy` and the tests)."""
        return len(self._batch)

    # --- deleting -----------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def discarding(self, person: str) -> AsyncIterator[None]:
        """Around a deletion of `person`'s rows: waits for a batch being written, drops the person's menu state
        and ledger rows still waiting, and keeps the next batch out until the deletion is done."""
        async with self._lock:
            self._batch.people.pop(person, None)
            self._batch.ledger = [row for row in self._batch.ledger if row[0] != person]
            yield

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """No batch is written inside this block (for a deletion that is not about one person)."""
        async with self._lock:
            yield

    # --- writing ------------------------------------------------------------------------------------------

    async def flush(self) -> int:
        """Write what is waiting in one transaction; returns how many rows. On a database error the rows stay
        for the next attempt and the error is raised."""
        async with self._lock:
            batch, self._batch = self._batch, _Batch()
            self._full.clear()
            if not batch:
                return 0
            try:
                async with self.engine.begin() as connection:
                    await self._write(connection, batch)
                    if self.fence is not None:
                        await self.fence(connection)
            except BaseException:
                batch.put_back(self._batch)
                self._batch = batch
                raise
            self.batches_written += 1
            return len(batch)

    def _insert(self, table: Table) -> Any:
        return postgresql.insert(table) if self._postgres else sqlite.insert(table)

    async def _write(self, connection: AsyncConnection, batch: _Batch) -> None:
        if batch.claims:
            await connection.execute(self._insert(PROCESSED).on_conflict_do_nothing(),
                                     [{"update_id": u, "day": d} for u, d in sorted(batch.claims.items())])
        if batch.people:
            upsert = self._insert(PEOPLE)
            upsert = upsert.on_conflict_do_update(index_elements=[PEOPLE.c.pseudonym], set_={
                "language": func.coalesce(upsert.excluded.language, PEOPLE.c.language),
                "node": func.coalesce(upsert.excluded.node, PEOPLE.c.node),
                "seen_on": upsert.excluded.seen_on,
                "address": func.coalesce(PEOPLE.c.address, upsert.excluded.address),
            })
            # Sorted: two writers (a batch and a use case) take the rows' locks in one order on PostgreSQL.
            await connection.execute(upsert, [
                {"pseudonym": p, "language": c.language, "node": c.node, "seen_on": c.seen_on, "address": c.address}
                for p, c in sorted(batch.people.items())])
        if batch.ledger:
            await connection.execute(CHAT_MESSAGES.insert(), [
                {"person": p, "message_id": m, "at": at} for p, m, at in batch.ledger])
        if batch.counts:
            upsert = self._insert(COUNTERS)
            upsert = upsert.on_conflict_do_update(
                index_elements=[COUNTERS.c.day, COUNTERS.c.name, COUNTERS.c.key],
                set_={"count": COUNTERS.c.count + upsert.excluded.count})
            await connection.execute(upsert, [{"day": d, "name": n, "key": k, "count": c}
                                              for (d, n, k), c in sorted(batch.counts.items())])

    async def run(self) -> None:
        """Write a batch every `interval` seconds, or sooner when one is full, until cancelled; then once more."""
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.interval)
                try:
                    await self.flush()
                except Exception as exc:  # kept for the next round; the type only: no data in logs
                    log.error("could not write the batch (%s); it is kept and tried again", type(exc).__name__)
                    await asyncio.sleep(min(5.0, self.interval * 10))
        finally:
            with contextlib.suppress(Exception):
                await self.flush()
