"""Cases and the queue: who asked for a counsellor, who holds the case, what has been relayed.

Nothing here knows Telegram. A case is keyed by a random code (never derived from the person); the chat to
answer is stored sealed and bound to its row; messages themselves are not stored at all (they stay in the
person's chat and are copied when a counsellor takes the case), only which copy stands for which original.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import now_utc
from bot.identity.address import Address
from bot.identity.crypto import KeyRing, open_with, seal_with
from bot.storage.atomic import insert_all_missing, insert_missing, locked_row, next_number
from bot.storage.tables import BlockRecord, CaseKeyRecord, CaseRecord, CounsellorRecord, NoteRecord, RelayRecord

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
_USE_CASE_LOCK = 0x686F746C696E66  # pg_advisory_xact_lock's key for "a use case is running" (see `transaction`)
RATINGS = ("good", "okay", "bad")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed without confusion


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


@dataclass(frozen=True)
class Case:
    id: int
    code: str
    person: str
    language: str
    topic: str
    status: str
    counsellor: str | None
    last_counsellor: str | None
    queued_at: datetime | None
    told_position: int | None
    closed_at: datetime | None
    rating: str | None

    @classmethod
    def of(cls, r: CaseRecord) -> Case:
        return cls(r.id, r.code, r.person, r.language, r.topic, r.status, r.counsellor, r.last_counsellor,
                   r.queued_at, r.told_position, r.closed_at, r.rating)


@dataclass(frozen=True)
class Relay:
    id: int
    case_id: int
    from_person: bool
    person_message_id: int | None
    counsellor: str | None
    counsellor_message_id: int | None


@dataclass(frozen=True)
class CounsellorState:
    on_duty: bool
    focus_case_id: int | None


class AlreadyOpen(Exception):
    """The person has a waiting or active case already; `case` is it."""

    def __init__(self, case: Case) -> None:
        super().__init__("the person has an open case already")
        self.case = case


class AtCapacity(Exception):
    """The counsellor holds `max_cases` active cases already."""

    def __init__(self, max_cases: int) -> None:
        super().__init__(f"the counsellor holds {max_cases} cases already")
        self.max_cases = max_cases


def _relay(r: RelayRecord) -> Relay:
    return Relay(r.id, r.case_id, r.from_person, r.person_message_id, r.counsellor, r.counsellor_message_id)


class Cases:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], keys: KeyRing,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self._sessions = sessions
        self._keys = keys
        self._clock = clock

    @asynccontextmanager
    async def _begin(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """A transaction: the caller's (a use case's one transaction), else a new one."""
        if session is not None:
            yield session
        else:
            async with self._sessions.begin() as new:
                yield new

    @asynccontextmanager
    async def _read(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        if session is not None:
            yield session
        else:
            async with self._sessions() as new:
                yield new

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction for a whole use case: pass the session to each call inside it.

        On PostgreSQL the use cases take turns (a transaction-level advisory lock, taken first, so it cannot
        deadlock with row locks): what a use case tells people, queue places above all, is computed inside its
        transaction, and must see the changes of one running beside it, which READ COMMITTED would hide until
        both had told stale places. SQLite's one connection runs them one at a time already."""
        async with self._sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _USE_CASE_LOCK})
            yield session

    def _minute(self) -> datetime:
        return self._clock().replace(second=0, microsecond=0)

    def _hour(self) -> datetime:
        return self._clock().replace(minute=0, second=0, microsecond=0)

    def _today(self) -> date:
        return self._clock().date()

    # --- the person's side ----------------------------------------------------------------

    async def open(self, person: str, address: Address, language: str, topic: str, *,
                   session: AsyncSession | None = None) -> Case:
        """A new waiting case at the end of the queue. Raises AlreadyOpen if the person has one (a double
        tap, or the same request through two instances: the database refuses the second)."""
        async with self._begin(session) as session:
            for _attempt in range(5):
                try:
                    async with session.begin_nested():  # a refused insert undoes this attempt only
                        seq = await next_number(session, "queue")
                        record = CaseRecord(code=new_code(), person=person, language=language, topic=topic,
                                            status=WAITING, queue_seq=seq, queued_at=self._minute(),
                                            opened_on=self._today(), document_warned=False)
                        session.add(record)
                        await session.flush()
                        data_key = KeyRing.new_data_key()
                        session.add(CaseKeyRecord(case_id=record.id, wrapped=self._keys.seal(
                            data_key, aad=f"case_keys.wrapped:{record.id}")))
                        record.address = seal_with(data_key, str(address.for_delivery()).encode(),
                                                   f"cases.address:{record.id}")
                        await session.flush()
                    return Case.of(record)
                except IntegrityError:
                    existing = await self.current(person, session=session)
                    if existing is not None:
                        raise AlreadyOpen(existing) from None
                    continue  # a code collision: draw another
        raise RuntimeError("could not draw a unique case code")

    async def current(self, person: str, *, session: AsyncSession | None = None) -> Case | None:
        """Their waiting or active case, if any."""
        async with self._read(session) as session:
            record = (await session.execute(
                select(CaseRecord).where(CaseRecord.person == person, CaseRecord.status != CLOSED)
            )).scalars().first()
            return Case.of(record) if record else None

    async def reopenable(self, person: str, window: timedelta, *, session: AsyncSession | None = None) -> Case | None:
        """Their most recently closed case, if it closed within the window."""
        if window <= timedelta(0):
            return None
        async with self._read(session) as session:
            record = (await session.execute(
                select(CaseRecord)
                .where(CaseRecord.person == person, CaseRecord.status == CLOSED, CaseRecord.reopenable.is_(True),
                       CaseRecord.closed_at >= self._hour() - window)
                .order_by(CaseRecord.closed_at.desc())
            )).scalars().first()
            return Case.of(record) if record else None

    async def _data_key(self, session: AsyncSession, case_id: int) -> bytes:
        record = await session.get(CaseKeyRecord, case_id)
        if record is None:
            raise LookupError("the case key is gone: the case was shredded")
        return self._keys.open(record.wrapped, aad=f"case_keys.wrapped:{case_id}")

    async def address_of(self, case: Case, *, session: AsyncSession | None = None) -> Address:
        async with self._read(session) as session:
            sealed = (await session.execute(
                select(CaseRecord.address).where(CaseRecord.id == case.id))).scalar_one_or_none()
            if sealed is None:
                raise LookupError("the case has no address any more")
            data_key = await self._data_key(session, case.id)
        return Address(int(open_with(data_key, sealed, f"cases.address:{case.id}")))

    async def get(self, case_id: int, *, session: AsyncSession | None = None) -> Case | None:
        async with self._read(session) as session:
            record = await session.get(CaseRecord, case_id)
            return Case.of(record) if record else None

    async def by_code(self, code: str, *, session: AsyncSession | None = None) -> Case | None:
        async with self._read(session) as session:
            record = (await session.execute(
                select(CaseRecord).where(CaseRecord.code == code.strip().upper()))).scalars().first()
            return Case.of(record) if record else None

    async def position(self, case: Case, *, session: AsyncSession | None = None) -> int:
        """1-based place among the waiting cases in the same language."""
        async with self._read(session) as session:
            seq = (await session.execute(
                select(CaseRecord.queue_seq).where(CaseRecord.id == case.id))).scalar_one()
            ahead = (await session.execute(
                select(func.count()).select_from(CaseRecord).where(
                    CaseRecord.status == WAITING, CaseRecord.language == case.language,
                    CaseRecord.queue_seq < seq))).scalar_one()
        return int(ahead) + 1

    async def set_told_position(self, case_id: int, position: int | None,
                                *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            await session.execute(update(CaseRecord).where(CaseRecord.id == case_id).values(told_position=position))

    async def warn_document_once(self, case_id: int, *, session: AsyncSession | None = None) -> bool:
        """True the first time only: the person is warned about file metadata once per case."""
        async with self._begin(session) as session:
            result = await session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id, CaseRecord.document_warned.is_(False))
                .values(document_warned=True))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def close(self, case_id: int, *, reopenable: bool = True,
                    session: AsyncSession | None = None) -> Case | None:
        """Close an open case; with ``reopenable`` False a later message of the person does not reopen it.
        Returns the closed case, or None when it was gone or closed already."""
        async with self._begin(session) as session:
            record = await session.get(CaseRecord, case_id, with_for_update=True)  # not lost to a /take
            if record is None or record.status == CLOSED:
                return None
            record.last_counsellor = record.counsellor or record.last_counsellor
            record.status, record.counsellor, record.queued_at = CLOSED, None, None
            record.closed_at, record.told_position, record.reopenable = self._hour(), None, reopenable
            await self._unfocus(session, [case_id])
            return Case.of(record)

    async def reopen(self, case_id: int, counsellor: str | None, *, session: AsyncSession | None = None) -> Case:
        """Back to the counsellor who had it (when given), else to the end of the queue."""
        async with self._begin(session) as session:
            record = await session.get(CaseRecord, case_id, with_for_update=True)
            if record is None:
                raise LookupError("no such case")
            record.closed_at, record.rating = None, None
            if counsellor is not None:
                record.status, record.counsellor, record.queued_at = ACTIVE, counsellor, None
            else:
                record.status, record.counsellor, record.queued_at = WAITING, None, self._minute()
                record.queue_seq = await next_number(session, "queue")
            return Case.of(record)

    async def rate(self, case_id: int, person: str, rating: str, *, session: AsyncSession | None = None) -> bool:
        if rating not in RATINGS:
            return False
        async with self._begin(session) as session:
            result = await session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id, CaseRecord.person == person,
                                         CaseRecord.status == CLOSED, CaseRecord.rating.is_(None))
                .values(rating=rating))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def block(self, person: str, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            await insert_missing(session, BlockRecord, person=person, blocked_on=self._today())

    async def is_blocked(self, person: str, *, session: AsyncSession | None = None) -> bool:
        async with self._read(session) as session:
            return await session.get(BlockRecord, person) is not None

    # --- the counsellors' side ------------------------------------------------------------

    async def waiting(self, languages: Sequence[str], limit: int | None = None,
                      *, session: AsyncSession | None = None) -> list[Case]:
        """Waiting cases in these languages, longest waiting first (the first `limit` of them)."""
        query = (select(CaseRecord).where(CaseRecord.status == WAITING, CaseRecord.language.in_(languages))
                 .order_by(CaseRecord.queue_seq))
        if limit is not None:
            query = query.limit(limit)
        async with self._read(session) as session:
            return [Case.of(r) for r in (await session.execute(query)).scalars().all()]

    async def count_waiting(self, languages: Sequence[str], *, session: AsyncSession | None = None) -> int:
        async with self._read(session) as session:
            return int((await session.execute(select(func.count()).select_from(CaseRecord).where(
                CaseRecord.status == WAITING, CaseRecord.language.in_(languages)))).scalar_one())

    async def held_counts(self, *, session: AsyncSession | None = None) -> dict[str, int]:
        """How many active cases each counsellor holds (absent: none), in one statement."""
        async with self._read(session) as session:
            rows = (await session.execute(
                select(CaseRecord.counsellor, func.count()).where(CaseRecord.status == ACTIVE)
                .group_by(CaseRecord.counsellor))).all()
            return {key: count for key, count in rows if key is not None}

    async def held_by(self, counsellor: str, *, session: AsyncSession | None = None) -> list[Case]:
        async with self._read(session) as session:
            records = (await session.execute(
                select(CaseRecord).where(CaseRecord.status == ACTIVE, CaseRecord.counsellor == counsellor)
                .order_by(CaseRecord.id))).scalars().all()
            return [Case.of(r) for r in records]

    async def take(self, case_id: int, counsellor: str, max_cases: int | None = None, *,
                   session: AsyncSession | None = None) -> Case | None:
        """Claim a waiting case. Atomic: of two counsellors taking at once, exactly one gets it, and a
        counsellor's takes at once never hold more than `max_cases` (raises AtCapacity). None: not waiting.
        The case returned still says when it was queued, so the wait can be counted."""
        async with self._begin(session) as session:
            if max_cases is not None:
                await self._lock_counsellor(session, counsellor)
                held = (await session.execute(select(func.count()).select_from(CaseRecord).where(
                    CaseRecord.status == ACTIVE, CaseRecord.counsellor == counsellor))).scalar_one()
                if held >= max_cases:
                    raise AtCapacity(max_cases)
            queued_at = (await session.execute(
                select(CaseRecord.queued_at).where(CaseRecord.id == case_id))).scalar_one_or_none()
            result = await session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id, CaseRecord.status == WAITING)
                .values(status=ACTIVE, counsellor=counsellor, queued_at=None, told_position=None))
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            (await self._counsellor(session, counsellor)).focus_case_id = case_id
            record = await session.get(CaseRecord, case_id)
            assert record is not None
            return replace(Case.of(record), queued_at=queued_at)

    async def take_next(self, counsellor: str, languages: Sequence[str], max_cases: int | None = None,
                        *, session: AsyncSession | None = None) -> Case | None:
        """The longest-waiting case in these languages; raises AtCapacity as `take` does."""
        # A few candidates at a time: another counsellor may take the first ones in between.
        while candidates := await self.waiting(languages, limit=5, session=session):
            for candidate in candidates:
                taken = await self.take(candidate.id, counsellor, max_cases, session=session)
                if taken is not None:
                    return taken
        return None

    async def release(self, case_id: int, counsellor: str, *, session: AsyncSession | None = None) -> Case | None:
        """Back to the queue at its old place: it has waited already."""
        async with self._begin(session) as session:
            result = await session.execute(
                update(CaseRecord).where(CaseRecord.id == case_id, CaseRecord.status == ACTIVE,
                                         CaseRecord.counsellor == counsellor)
                .values(status=WAITING, counsellor=None, last_counsellor=counsellor, queued_at=self._minute()))
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            await self._unfocus(session, [case_id])
            record = await session.get(CaseRecord, case_id)
            assert record is not None
            return Case.of(record)

    async def add_note(self, case_id: int, text: str, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            data_key = await self._data_key(session, case_id)
            note = NoteRecord(case_id=case_id, written_on=self._today())
            session.add(note)
            await session.flush()
            note.text = seal_with(data_key, text.encode(), f"notes.text:{note.id}")

    async def notes(self, case_id: int, *, session: AsyncSession | None = None) -> list[str]:
        async with self._read(session) as session:
            rows = (await session.execute(
                select(NoteRecord.id, NoteRecord.text).where(NoteRecord.case_id == case_id)
                .order_by(NoteRecord.id))).all()
            if not rows:
                return []
            data_key = await self._data_key(session, case_id)
        return [open_with(data_key, text, f"notes.text:{note_id}").decode() for note_id, text in rows if text]

    async def state(self, counsellor: str, *, session: AsyncSession | None = None) -> CounsellorState:
        async with self._read(session) as session:
            record = await session.get(CounsellorRecord, counsellor)
            return CounsellorState(record.on_duty, record.focus_case_id) if record else CounsellorState(False, None)

    async def _counsellor(self, session: AsyncSession, counsellor: str) -> CounsellorRecord:
        return await locked_row(session, CounsellorRecord, key=counsellor, on_duty=False)

    async def _lock_counsellor(self, session: AsyncSession, counsellor: str) -> None:
        """Hold the counsellor's row until the transaction ends: their takes run one after another (SQLite's
        one writer does the same by itself; it ignores FOR UPDATE)."""
        await insert_missing(session, CounsellorRecord, key=counsellor, on_duty=False)
        await session.execute(select(CounsellorRecord.key).where(CounsellorRecord.key == counsellor).with_for_update())

    async def set_duty(self, counsellor: str, on_duty: bool, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            (await self._counsellor(session, counsellor)).on_duty = on_duty

    async def set_focus(self, counsellor: str, case_id: int | None, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            (await self._counsellor(session, counsellor)).focus_case_id = case_id

    async def on_duty(self, *, session: AsyncSession | None = None) -> set[str]:
        async with self._read(session) as session:
            return set((await session.execute(
                select(CounsellorRecord.key).where(CounsellorRecord.on_duty.is_(True)))).scalars())

    async def _unfocus(self, session: AsyncSession, case_ids: list[int]) -> None:
        """A case that leaves its counsellor is nobody's focus any more: not even if it comes back to them."""
        if case_ids:
            await session.execute(update(CounsellorRecord).where(CounsellorRecord.focus_case_id.in_(case_ids))
                                  .values(focus_case_id=None))

    async def forget_counsellor(self, counsellor: str, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            await session.execute(delete(CounsellorRecord).where(CounsellorRecord.key == counsellor))

    async def may_notify_all(self, counsellors: Sequence[str], interval: timedelta, *,
                             session: AsyncSession | None = None) -> set[str]:
        """Those of ``counsellors`` who were not notified within the interval, now marked notified. One
        conditional UPDATE for all of them (after one INSERT for any without a row), so two notifications at
        once cannot both pass, and a new case costs two statements however large the team. Kept to the minute
        like the other times (a throttle a few seconds short does no harm; a precise time would)."""
        if not counsellors:
            return set()
        now = self._minute()
        async with self._begin(session) as session:
            await insert_all_missing(session, CounsellorRecord, [{"key": key, "on_duty": False}
                                                                 for key in counsellors])
            result = await session.execute(update(CounsellorRecord).where(
                CounsellorRecord.key.in_(list(counsellors)),
                or_(CounsellorRecord.notified_at.is_(None), CounsellorRecord.notified_at <= now - interval))
                .values(notified_at=now).returning(CounsellorRecord.key),
                execution_options={"synchronize_session": False})
            return set(result.scalars())

    # --- the relay ledger -----------------------------------------------------------------

    async def record(self, case_id: int, *, from_person: bool, person_message_id: int | None,
                     counsellor: str | None = None, counsellor_message_id: int | None = None,
                     session: AsyncSession | None = None) -> Relay:
        async with self._begin(session) as session:
            record = RelayRecord(case_id=case_id, from_person=from_person, person_message_id=person_message_id,
                                 counsellor=counsellor, counsellor_message_id=counsellor_message_id,
                                 at=self._hour())
            session.add(record)
            await session.flush()
            return _relay(record)

    async def pending(self, case_id: int, *, session: AsyncSession | None = None) -> list[Relay]:
        """The person's messages no counsellor has seen yet, oldest first."""
        async with self._read(session) as session:
            records = (await session.execute(
                select(RelayRecord).where(RelayRecord.case_id == case_id, RelayRecord.from_person.is_(True),
                                          RelayRecord.counsellor_message_id.is_(None))
                .order_by(RelayRecord.id))).scalars().all()
            return [_relay(r) for r in records]

    async def delivered(self, relay_id: int, counsellor: str, counsellor_message_id: int | None,
                        *, session: AsyncSession | None = None) -> None:
        """Mark a pending message as shown; None means it could not be copied (the person deleted it)."""
        async with self._begin(session) as session:
            if counsellor_message_id is None:
                await session.execute(delete(RelayRecord).where(RelayRecord.id == relay_id))
            else:
                await session.execute(update(RelayRecord).where(RelayRecord.id == relay_id).values(
                    counsellor=counsellor, counsellor_message_id=counsellor_message_id, at=self._hour()))

    async def copy_still_wanted(self, relay_id: int, case_id: int, counsellor: str) -> bool:
        """A copy may go out while its case is active with that counsellor and the relay is not delivered."""
        async with self._sessions() as session:
            row = (await session.execute(
                select(RelayRecord.id).join(CaseRecord, CaseRecord.id == RelayRecord.case_id).where(
                    RelayRecord.id == relay_id, RelayRecord.counsellor_message_id.is_(None),
                    CaseRecord.id == case_id, CaseRecord.status == ACTIVE, CaseRecord.counsellor == counsellor))
                   ).first()
            return row is not None

    async def pending_for(self, case_id: int, counsellor: str, from_relay: int) -> list[tuple[int, int]]:
        """(relay id, person's message id) not yet delivered, from `from_relay` on, while the case is still the
        counsellor's: an album's items."""
        async with self._sessions() as session:
            rows = (await session.execute(
                select(RelayRecord.id, RelayRecord.person_message_id)
                .join(CaseRecord, CaseRecord.id == RelayRecord.case_id)
                .where(RelayRecord.case_id == case_id, RelayRecord.id >= from_relay,
                       RelayRecord.from_person.is_(True), RelayRecord.counsellor_message_id.is_(None),
                       RelayRecord.person_message_id.is_not(None), CaseRecord.status == ACTIVE,
                       CaseRecord.counsellor == counsellor)
                .order_by(RelayRecord.id).limit(100))).all()
            return [(int(r), int(m)) for r, m in rows if m is not None]

    async def copy_delivered(self, relay_id: int, case_id: int, counsellor: str, counsellor_message_id: int) -> bool:
        """Note a copy as delivered, if its case is still the counsellor's. False: it must be deleted again
        (the case left them while the copy was on its way) and the relay stays pending for the next one."""
        async with self._sessions.begin() as session:
            held = (await session.execute(select(CaseRecord.id).where(
                CaseRecord.id == case_id, CaseRecord.status == ACTIVE, CaseRecord.counsellor == counsellor))).first()
            if held is None:
                return False
            result = await session.execute(update(RelayRecord).where(
                RelayRecord.id == relay_id, RelayRecord.counsellor_message_id.is_(None)).values(
                counsellor=counsellor, counsellor_message_id=counsellor_message_id, at=self._hour()))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def reply_delivered(self, relay_id: int, person_message_id: int) -> None:
        async with self._sessions.begin() as session:
            await session.execute(update(RelayRecord).where(RelayRecord.id == relay_id).values(
                person_message_id=person_message_id, at=self._hour()))

    async def drop_relay(self, relay_id: int) -> None:
        """A copy Telegram refused for good (the person deleted the message first): nothing left to deliver."""
        async with self._sessions.begin() as session:
            await session.execute(delete(RelayRecord).where(RelayRecord.id == relay_id))

    async def relays_of_person_message(self, case_id: int, person_message_id: int, *,
                                       session: AsyncSession | None = None) -> list[Relay]:
        async with self._read(session) as session:
            records = (await session.execute(select(RelayRecord).where(
                RelayRecord.case_id == case_id, RelayRecord.from_person.is_(True),
                RelayRecord.person_message_id == person_message_id).order_by(RelayRecord.id))).scalars().all()
            return [_relay(r) for r in records]

    async def held_for_counsellors(self, person: str) -> set[int]:
        """Ids of the person's messages in their open cases that no counsellor has received yet: the chat
        clean-up must leave them, or they would be lost before anyone reads them."""
        async with self._sessions() as session:
            rows = (await session.execute(
                select(RelayRecord.person_message_id).join(CaseRecord, CaseRecord.id == RelayRecord.case_id)
                .where(CaseRecord.person == person, CaseRecord.status != CLOSED, RelayRecord.from_person.is_(True),
                       RelayRecord.counsellor_message_id.is_(None)))).scalars().all()
            return {int(r) for r in rows if r is not None}

    async def counsellor_copies_of_person(self, person: str, since: timedelta, *,
                                          session: AsyncSession | None = None) -> dict[str, list[int]]:
        """Per counsellor, the ids in their chat of everything about the person's cases (copies, replies,
        take screens with notes) that Telegram still lets the bot delete."""
        async with self._read(session) as session:
            rows = (await session.execute(
                select(RelayRecord.counsellor, RelayRecord.counsellor_message_id)
                .join(CaseRecord, CaseRecord.id == RelayRecord.case_id)
                .where(CaseRecord.person == person, RelayRecord.counsellor.is_not(None),
                       RelayRecord.counsellor_message_id.is_not(None), RelayRecord.at >= self._hour() - since)
                .order_by(RelayRecord.id))).all()
        grouped: dict[str, list[int]] = {}
        for counsellor, message_id in rows:
            if counsellor is not None and message_id is not None:
                grouped.setdefault(counsellor, []).append(int(message_id))
        return grouped

    async def relay_of_person_message(self, case_id: int, person_message_id: int,
                                      *, session: AsyncSession | None = None) -> Relay | None:
        async with self._read(session) as session:
            record = (await session.execute(select(RelayRecord).where(
                RelayRecord.case_id == case_id, RelayRecord.person_message_id == person_message_id))).scalars().first()
            return _relay(record) if record else None

    async def relay_of_counsellor_message(self, counsellor: str, counsellor_message_id: int,
                                          *, session: AsyncSession | None = None) -> Relay | None:
        async with self._read(session) as session:
            record = (await session.execute(select(RelayRecord).where(and_(
                RelayRecord.counsellor == counsellor,
                RelayRecord.counsellor_message_id == counsellor_message_id)))).scalars().first()
            return _relay(record) if record else None

    # --- forgetting, retention, revocation, key rotation ----------------------------------

    async def forget(self, person: str, *, session: AsyncSession | None = None) -> list[Case]:
        """Erase every case of the person, with its ledger, notes and key. Returns the ones that were open."""
        async with self._begin(session) as session:
            records = (await session.execute(select(CaseRecord).where(CaseRecord.person == person))).scalars().all()
            still_open = [Case.of(r) for r in records if r.status != CLOSED]
            # A block stays: /forget must not be a way round it (it expires after privacy.block_days).
            await self._unfocus(session, [r.id for r in records])
            await session.execute(delete(CaseRecord).where(CaseRecord.person == person))
            return still_open

    async def expire_waiting(self, older_than: timedelta,
                             *, session: AsyncSession | None = None) -> list[tuple[Case, Address]]:
        """Close cases nobody took in time; returns them with where to tell the person."""
        cutoff = self._minute() - older_than
        expired = []
        for case in await self._cases_where(CaseRecord.status == WAITING, CaseRecord.queued_at < cutoff):
            try:
                address = await self.address_of(case)
            except LookupError:
                address = None
            closed = await self.close(case.id)
            if closed is not None and address is not None:
                expired.append((closed, address))
        return expired

    async def purge_closed(self, older_than: timedelta, *, session: AsyncSession | None = None) -> int:
        """Delete closed cases (with notes, ledger and key) closed before the cutoff."""
        async with self._begin(session) as session:
            result = await session.execute(delete(CaseRecord).where(
                CaseRecord.status == CLOSED, CaseRecord.closed_at < self._hour() - older_than))
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def purge_blocks(self, older_than: timedelta, *, session: AsyncSession | None = None) -> int:
        async with self._begin(session) as session:
            result = await session.execute(delete(BlockRecord).where(
                BlockRecord.blocked_on < self._today() - older_than))
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def _cases_where(self, *conditions: object, session: AsyncSession | None = None) -> list[Case]:
        async with self._read(session) as session:
            records = (await session.execute(select(CaseRecord).where(*conditions))).scalars().all()  # type: ignore[arg-type]
            return [Case.of(r) for r in records]

    async def release_all(self, counsellor: str, *, session: AsyncSession | None = None) -> list[Case]:
        """A counsellor is gone: their cases go back to the queue at their old places."""
        released = []
        for case in await self.held_by(counsellor):
            back = await self.release(case.id, counsellor)
            if back is not None:
                released.append(back)
        async with self._begin(session) as session:
            await session.execute(delete(CounsellorRecord).where(CounsellorRecord.key == counsellor))
        return released

    async def copies_in_chat_of(self, counsellor: str, since: timedelta,
                                *, session: AsyncSession | None = None) -> list[int]:
        """Message ids in a counsellor's chat that Telegram still lets the bot delete."""
        async with self._read(session) as session:
            rows = (await session.execute(select(RelayRecord.counsellor_message_id).where(
                RelayRecord.counsellor == counsellor, RelayRecord.counsellor_message_id.is_not(None),
                RelayRecord.at >= self._hour() - since))).scalars().all()
            return [int(r) for r in rows if r is not None]

    async def rename_person(self, old: str, new: str, *, session: AsyncSession | None = None) -> None:
        """After a key rotation: the person's pseudonym under the old key becomes the new one."""
        async with self._begin(session) as session:
            await session.execute(update(CaseRecord).where(CaseRecord.person == old).values(person=new))
            await session.execute(update(BlockRecord).where(BlockRecord.person == old).values(person=new))

    async def rename_counsellor(self, old: str, new: str, *, session: AsyncSession | None = None) -> None:
        async with self._begin(session) as session:
            await session.execute(update(CaseRecord).where(CaseRecord.counsellor == old).values(counsellor=new))
            await session.execute(
                update(CaseRecord).where(CaseRecord.last_counsellor == old).values(last_counsellor=new))
            await session.execute(update(RelayRecord).where(RelayRecord.counsellor == old).values(counsellor=new))
            await session.execute(update(CounsellorRecord).where(CounsellorRecord.key == old).values(key=new))

    async def rewrap_keys(self, *, session: AsyncSession | None = None) -> int:
        """Re-seal every case key under the current master key (the case data itself need not change)."""
        count = 0
        async with self._begin(session) as session:
            for record in (await session.execute(select(CaseKeyRecord))).scalars():
                aad = f"case_keys.wrapped:{record.case_id}"
                if not self._keys.is_current(record.wrapped):
                    record.wrapped = self._keys.reseal(record.wrapped, aad=aad)
                    count += 1
        return count

    async def open_cases(self, *, session: AsyncSession | None = None) -> list[Case]:
        return await self._cases_where(CaseRecord.status != CLOSED, session=session)

    async def closed_before(self, older_than: timedelta, *, session: AsyncSession | None = None) -> list[int]:
        """Ids of the closed cases `purge_closed` would delete now."""
        async with self._read(session) as session:
            return [int(i) for i in (await session.execute(select(CaseRecord.id).where(
                CaseRecord.status == CLOSED, CaseRecord.closed_at < self._hour() - older_than))).scalars()]
