"""The database schema. Every column is listed in tests/privacy with what kind of data it holds.

Nothing here identifies a person: people are rows keyed by a keyed pseudonym, and dates are kept to
the day, enough for retention and nothing more.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, text, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SequenceRecord(Base):
    """Counters that hand out numbers: `UPDATE … SET value = value + 1 … RETURNING value` gives each caller
    its own number on every backend, however many instances ask at once. "queue" numbers the queue."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class PersonRecord(Base):
    """What navigation needs to remember about someone between two taps."""

    __tablename__ = "people"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the Telegram user id
    language: Mapped[str | None] = mapped_column(String(8))  # chosen with /language; None: follow Telegram's
    node: Mapped[str | None] = mapped_column(String(32))  # the menu page they are on
    seen_on: Mapped[date] = mapped_column(Date)  # day of last use, for retention
    # Sealed chat id, kept only while the chat has messages the bot must still delete (chat clean-up).
    address: Mapped[bytes | None] = mapped_column(LargeBinary)


class CaseRecord(Base):
    """One request for a counsellor. Holds no message content: messages stay in Telegram and are copied."""

    __tablename__ = "cases"
    # One waiting or active case per person, whatever reaches the database at once (a double tap, two
    # instances): the second insert fails instead of opening a second case.
    __table_args__ = (Index("uq_cases_open_person", "person", unique=True,
                            sqlite_where=text("status != 'closed'"), postgresql_where=text("status != 'closed'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # random, shown to both sides
    person: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym
    address: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed with the case key, bound to this row
    language: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(32))  # the menu page the request came from
    status: Mapped[str] = mapped_column(String(16), index=True)  # waiting | active | closed
    counsellor: Mapped[str | None] = mapped_column(String(64), index=True)  # counsellor pseudonym
    last_counsellor: Mapped[str | None] = mapped_column(String(64))  # for a reopen
    queue_seq: Mapped[int] = mapped_column(Integer, index=True)  # place in the queue, kept on release
    queued_at: Mapped[datetime | None] = mapped_column(DateTime)  # to the minute, while waiting
    told_position: Mapped[int | None] = mapped_column(Integer)  # last queue place the person was told
    opened_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # to the hour: the reopen window
    rating: Mapped[str | None] = mapped_column(String(8))
    document_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once the person cancelled it before anyone took it: "nothing more will be passed on" (0007)
    reopenable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class RelayRecord(Base):
    """Which copy of a message stands for which original: for replies, edits and clean-up."""

    __tablename__ = "relays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_person: Mapped[bool] = mapped_column(Boolean)
    person_message_id: Mapped[int | None] = mapped_column(Integer)  # message id in the person's chat
    counsellor: Mapped[str | None] = mapped_column(String(64))  # whose chat holds the copy
    counsellor_message_id: Mapped[int | None] = mapped_column(Integer)  # None: waiting for a counsellor
    at: Mapped[datetime] = mapped_column(DateTime)  # to the hour: Telegram deletes only within 48 hours


class CaseKeyRecord(Base):
    """A case's own data key, wrapped by the master key. Deleting it makes the case's sealed data unreadable in
    this file and in any copy made afterwards; a copy made before still opens with the master key of its time,
    until that key is rotated away (crypto-shredding)."""

    __tablename__ = "case_keys"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class NoteRecord(Base):
    """A counsellor's internal note; the person never sees it. Text sealed with the case key, bound to the row."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    text: Mapped[bytes | None] = mapped_column(LargeBinary)
    written_on: Mapped[date] = mapped_column(Date)


class BlockRecord(Base):
    """People a counsellor stopped for abusing the line."""

    __tablename__ = "blocks"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    blocked_on: Mapped[date] = mapped_column(Date)


class CounsellorRecord(Base):
    """A counsellor's working state. Who they are stays in config.yaml."""

    __tablename__ = "counsellors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # pseudonym
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    focus_case_id: Mapped[int | None] = mapped_column(Integer)  # where their plain messages go
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)  # for throttling notifications


class TeamTopicRecord(Base):
    """Team mode: which topic of the team's forum group is which case, only while the case lives (deleted
    with it). A topic's number is no identity; the topic itself shows only the case code, language and menu
    topic."""

    __tablename__ = "team_topics"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(Integer, unique=True)  # message_thread_id in the group
    marker_id: Mapped[int | None] = mapped_column(Integer)  # the bot's "internal" marker: a reply to it is a note


class TeamBoardRecord(Base):
    """Team mode: the status topic and its pinned message (the queue, who holds which case), per group."""

    __tablename__ = "team_board"

    chat: Mapped[str] = mapped_column(String(64), primary_key=True)  # keyed pseudonym of the group's chat id
    thread_id: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[int] = mapped_column(Integer)


class ChatMessageRecord(Base):
    """Messages in a person's chat that the bot may still delete: for "Clear this chat", /forget and the
    automatic clean-up. Only ids and the hour; never content."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym
    message_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)  # to the hour


class AuditRecord(Base):
    """What happened, never to whom or what was said: a fixed list of events, a case code, a day."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(32))
    case_code: Mapped[str | None] = mapped_column(String(16))
    counsellor: Mapped[str | None] = mapped_column(String(64))  # pseudonym
    day: Mapped[date] = mapped_column(Date, index=True)


class RevokedCounsellorRecord(Base):
    """Counsellors an admin removed with /revoke; they stay removed even if config.yaml still lists them."""

    __tablename__ = "revoked_counsellors"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # pseudonym
    revoked_on: Mapped[date] = mapped_column(Date)
    # The Telegram id, sealed and bound to `key`: a key rotation must re-key the revocation (an admin typed
    # the id, and config.yaml may list it), else the revoked account would be back under the new key.
    sealed_id: Mapped[bytes | None] = mapped_column(LargeBinary)


class KeyCheckRecord(Base):
    """A known value sealed under the master key: a wrong HOTLINE_SECRET_KEY is caught at start, not later."""

    __tablename__ = "key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class DailyCounterRecord(Base):
    """Anonymous tallies per day: how often something happened (name), optionally per a public key such
    as a node id or a language. Never per person, never anything a person typed."""

    __tablename__ = "daily_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxRecord(Base):
    """A message the bot must deliver on its own initiative, written before the first attempt and deleted
    once delivered. Where it goes and what it says are sealed, bound to the row."""

    __tablename__ = "outbox"
    # Ids are never reused (SQLite would otherwise hand out a deleted row's id again): the sender remembers
    # the ids it has finished, and order relies on ids only growing.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 - SQLAlchemy reads it once

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # also the send order
    chat: Mapped[str] = mapped_column(String(64), index=True)  # keyed pseudonym of the destination chat
    address: Mapped[bytes] = mapped_column(LargeBinary)  # sealed chat id
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # sealed request, and what to note once sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(DateTime)  # retry time (a 429's retry_after, a backoff)
    # Several instances: marked just before the request goes to Telegram, so a new leader knows which sends
    # the old one may have made (handlers/delivery.py). Always false on SQLite.
    sending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class ProcessedUpdateRecord(Base):
    """Update numbers already handled, so a repeat (after a crash, or a webhook retry) is not handled twice."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, index=True)


class InboxRecord(Base):
    """An update received by any instance and not yet handled by the leader (docs/multi-instance.md;
    PostgreSQL only). The update is sealed, bound to its number; the row is deleted once the update is
    handled. No time is kept: the order is the update number, and a row lives for moments."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # also the order
    body: Mapped[bytes] = mapped_column(LargeBinary)  # the sealed update as Telegram sent it (JSON)


class LeadershipRecord(Base):
    """One row: the leadership epoch, bumped by each instance that becomes leader. A leader's transactions
    hold this row FOR SHARE with its own epoch, so a deposed leader can no longer commit (fencing)."""

    __tablename__ = "leadership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    epoch: Mapped[int] = mapped_column(BigInteger)
    since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
