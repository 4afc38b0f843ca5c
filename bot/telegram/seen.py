"""Which update numbers were already handled: Telegram may deliver an update again (after a crash before
the offset was confirmed, or a webhook retry), and a relayed message must not arrive twice.

An update's claim (its number written down as handled) is made durable in the same transaction as the
update's effects, so that a replay after a crash is either skipped whole or handled again whole:

- the first transaction of the update that writes something (a relay, a case change, a deletion: the
  write-first transactions of the use cases) gets the claim added to it, by a session hook; if the number is
  already there, that transaction fails with :class:`AlreadyHandled` and changes nothing;
- an update that wrote no such transaction (menu navigation, most of all) has its claim written behind, in
  the batch that also holds its menu state and chat-ledger rows (bot.storage.behind).

To skip a repeat without a database round trip, the numbers handled lately are kept in memory (a bounded
window, filled from the database when the process starts: a new process, or a new leader, starts cold).
A number below the window is looked up in the database.
"""

from __future__ import annotations

import contextvars
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from bot.storage.behind import PROCESSED, WriteBehind
from bot.storage.database import Database
from bot.storage.tables import ProcessedUpdateRecord

WINDOW = 20_000
"""Update numbers kept in memory: about 1.5 MB. Telegram re-sends what was not confirmed, the latest ones."""


class AlreadyHandled(Exception):
    """The update's number was written down as handled by another transaction: this one changed nothing."""


@dataclass
class _Claim:
    update_id: int
    owner: ProcessedUpdates
    durable: bool = False  # written in a committed transaction
    in_transaction: bool = False  # added to the transaction being committed


_current: contextvars.ContextVar[_Claim | None] = contextvars.ContextVar("current_update", default=None)


class ProcessedUpdates:
    def __init__(self, database: Database, behind: WriteBehind, clock: Callable[[], datetime],
                 window: int = WINDOW) -> None:
        self._database = database
        self._behind = behind
        self._clock = clock
        self._window = window
        self._recent: set[int] = set()
        self._order: deque[int] = deque()
        self._floor: int | None = None  # numbers below it may have been handled without being in memory

    async def load(self) -> None:
        """Fill the window from the database (at start: whatever an earlier process handled)."""
        self.reset()
        async with self._database.engine.connect() as connection:
            numbers = list((await connection.execute(select(PROCESSED.c.update_id)
                                                     .order_by(PROCESSED.c.update_id.desc())
                                                     .limit(self._window))).scalars())
        for number in reversed(numbers):
            self._remember(number)
        # Everything handled at or above the lowest number loaded is in memory; with fewer than a window's
        # worth in the table, everything handled is.
        self._floor = numbers[-1] if len(numbers) == self._window else None

    def reset(self) -> None:
        self._recent.clear()
        self._order.clear()
        self._floor = None

    def _remember(self, update_id: int) -> None:
        self._recent.add(update_id)
        self._order.append(update_id)
        while len(self._order) > self._window:
            dropped = self._order.popleft()
            self._recent.discard(dropped)
            self._floor = dropped + 1 if self._floor is None else max(self._floor, dropped + 1)

    async def seen(self, update_id: int) -> bool:
        """Whether the update was handled (or is being handled) already. No database round trip unless the
        number is older than the window."""
        if update_id in self._recent:
            return True
        if self._floor is None or update_id >= self._floor:
            return False
        return bool(await self._database.read(select(PROCESSED.c.update_id)
                                              .where(PROCESSED.c.update_id == update_id)))

    @contextmanager
    def handling(self, update_id: int) -> Iterator[None]:
        """Around the handling of a new update: marks it seen at once (a repeat arriving meanwhile is skipped),
        lets the first writing transaction carry the claim, and writes it behind otherwise."""
        self._remember(update_id)
        claim = _Claim(update_id, self)
        token = _current.set(claim)
        try:
            yield
        finally:
            _current.reset(token)
            if not claim.durable:
                self._behind.claim(update_id, self._clock().date())

    async def claim(self, update_id: int) -> bool:
        """True the first time an update number is seen (and it is written behind as handled); False for a
        repeat. For callers outside the middleware."""
        if await self.seen(update_id):
            return False
        with self.handling(update_id):
            return True

    async def prune(self, older_than: timedelta = timedelta(days=2)) -> None:
        """Telegram keeps undelivered updates for 24 hours; older numbers cannot come back."""
        async with self._database.sessions.begin() as session:
            await session.execute(delete(ProcessedUpdateRecord).where(
                ProcessedUpdateRecord.day < self._clock().date() - older_than))

    def _claim_row(self, update_id: int) -> dict[str, Any]:
        return {"update_id": update_id, "day": self._clock().date()}

    def _owns(self, session: Session) -> bool:
        return session.bind is self._database.engine.sync_engine


# --- the session hooks: on every session in the process; a claim is attached only to its own database's ----


def _note_write(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _attach_claim(session: Session) -> None:
    claim = _current.get()
    if claim is None or claim.durable or claim.in_transaction or not claim.owner._owns(session):
        return
    if session.in_nested_transaction():  # a savepoint: the claim goes with the transaction around it
        return
    if not (session.info.get("wrote") or session.new or session.dirty or session.deleted):
        return
    insert = claim.owner._behind._insert(PROCESSED).on_conflict_do_nothing()
    result = session.execute(insert.values(**claim.owner._claim_row(claim.update_id)))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise AlreadyHandled
    claim.in_transaction = True


def _claim_committed(session: Session) -> None:
    session.info.pop("wrote", None)
    claim = _current.get()
    if claim is not None and claim.in_transaction:
        claim.in_transaction, claim.durable = False, True


def _claim_rolled_back(session: Session) -> None:
    session.info.pop("wrote", None)
    claim = _current.get()
    if claim is not None and claim.in_transaction:
        claim.in_transaction = False


event.listen(Session, "do_orm_execute", _note_write)
event.listen(Session, "before_commit", _attach_claim)
event.listen(Session, "after_commit", _claim_committed)
event.listen(Session, "after_rollback", _claim_rolled_back)
