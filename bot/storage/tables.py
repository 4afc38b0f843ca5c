"""The database schema. Every column is listed in tests/privacy with what kind of data it holds.

Nothing here identifies a person: people are rows keyed by a keyed pseudonym, and dates are kept to
the day, enough for retention and nothing more.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SchemaVersion(Base):
    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class PersonRecord(Base):
    """What navigation needs to remember about someone between two taps."""

    __tablename__ = "people"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC of the Telegram user id
    language: Mapped[str | None] = mapped_column(String(8))  # chosen with /language; None: follow Telegram's
    node: Mapped[str | None] = mapped_column(String(32))  # the menu page they are on
    seen_on: Mapped[date] = mapped_column(Date)  # day of last use, for retention
