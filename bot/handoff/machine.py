"""The case lifecycle as data: every (state, event) pair and its outcome. The table is in the package
docstring (bot/handoff/__init__.py) in words, and here as the structure the use cases consult
(bot/handoff/engine.py) and tests/test_handoff_machine.py drives, pair by pair, against the real store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    WAITING = "waiting"  # in the queue; what the person writes is held (ids only) for the next counsellor
    ACTIVE = "active"  # one counsellor holds it; messages are copied both ways
    CLOSED = "closed"  # ended; reopens within the window; rated; purged after retention
    GONE = "gone"  # forgotten (/forget) or purged: no row left


class Event(StrEnum):
    ASK = "ask"  # the person confirms "connect me" (a new case when none is open)
    TAKE = "take"  # a counsellor /take (or /take CODE)
    WRITE = "write"  # the person writes
    REPLY = "reply"  # the holding counsellor writes to the case (reply, or focus)
    REPLY_OTHER = "reply by another"  # a counsellor who does not hold the case writes to it
    EDIT = "edit"  # the person edits a message
    NOTE = "note"  # the holding counsellor's /note
    SEND_PAGE = "send page"  # the holding counsellor's /send PAGE
    RELEASE = "release"  # the holding counsellor's /release
    CLOSE = "close"  # the holding counsellor's /close
    REOPEN = "reopen"  # the person writes within the reopen window after the case closed
    RATE = "rate"  # the person taps a rating
    BLOCK = "block"  # the holding counsellor's /block
    CANCEL = "cancel"  # the person's /end, /cancel or button
    FORGET = "forget"  # the person's /forget, confirmed
    REVOKE = "revoke"  # an admin's /revoke of the holding counsellor
    REMOVED = "removed from config"  # the holding counsellor left config.yaml (running, or while down)
    COUNSELLOR_BLOCKED = "counsellor blocked the bot"  # a 403 on the counsellor's chat, or their my_chat_member
    PERSON_BLOCKED = "person blocked the bot"  # a 403 on the person's chat, or their my_chat_member
    CLEAN_UP = "chat clean-up"  # the scheduled deletion of old messages in the person's chat
    PURGE = "retention purge"  # the case reached its retention age (waiting: expiry; closed: deletion)
    RESTART = "restart"  # the bot stops and starts with the same config.yaml


@dataclass(frozen=True)
class Outcome:
    state: State  # the case's state afterwards
    effect: str  # what happens, in words (the package docstring's table)
    refused: bool = False  # the actor is told why nothing happened; nothing else changes


S, E = State, Event
_W, _A, _C, _G = S.WAITING, S.ACTIVE, S.CLOSED, S.GONE


def _no(state: State, why: str) -> Outcome:
    return Outcome(state, why, refused=True)


TABLE: dict[tuple[State, Event], Outcome] = {
    # --- waiting ---
    (_W, E.ASK): Outcome(_W, "no second case: told their place in the queue"),
    (_W, E.TAKE): Outcome(_A, "taken: take screen (notes), held messages copied in order, person told"),
    (_W, E.WRITE): Outcome(_W, "held for the next counsellor, up to the cap; beyond it the person is told"),
    (_W, E.REPLY): _no(_W, "nobody holds it: the counsellor is told it is not theirs"),
    (_W, E.REPLY_OTHER): _no(_W, "not theirs: the counsellor is told, nothing is sent"),
    (_W, E.EDIT): Outcome(_W, "nothing to do: the copy made at take shows the edited text"),
    (_W, E.NOTE): _no(_W, "not theirs: told"),
    (_W, E.SEND_PAGE): _no(_W, "not theirs: told"),
    (_W, E.RELEASE): _no(_W, "not theirs: told"),
    (_W, E.CLOSE): _no(_W, "not theirs: told"),
    (_W, E.REOPEN): Outcome(_W, "not closed: the message is held as a write"),
    (_W, E.RATE): _no(_W, "not closed: nothing rated"),
    (_W, E.BLOCK): _no(_W, "not theirs: told"),
    (_W, E.CANCEL): Outcome(_C, "cancelled: person told, places of the others updated; it never reopens"),
    (_W, E.FORGET): Outcome(_G, "erased with its ledger and key"),
    (_W, E.REVOKE): Outcome(_W, "unchanged: nobody holds it"),
    (_W, E.REMOVED): Outcome(_W, "unchanged: nobody holds it"),
    (_W, E.COUNSELLOR_BLOCKED): Outcome(_W, "unchanged: nobody holds it"),
    (_W, E.PERSON_BLOCKED): Outcome(_C, "closed: nobody can answer them"),
    (_W, E.CLEAN_UP): Outcome(_W, "messages not yet copied are kept until a counsellor has them"),
    (_W, E.PURGE): Outcome(_C, "expired: the person is told nobody could take it"),
    (_W, E.RESTART): Outcome(_W, "unchanged: state and held messages are in the database"),
    # --- active ---
    (_A, E.ASK): Outcome(_A, "no second case: told a counsellor is here"),
    (_A, E.TAKE): _no(_A, "not waiting: told"),
    (_A, E.WRITE): Outcome(_A, "copied to the holder, marked with the case"),
    (_A, E.REPLY): Outcome(_A, "delivered to the person, signed; split when too long"),
    (_A, E.REPLY_OTHER): _no(_A, "not theirs: the counsellor is told, nothing is sent"),
    (_A, E.EDIT): Outcome(_A, "mirrored on the holder's copy, or copied anew if the holder has none"),
    (_A, E.NOTE): Outcome(_A, "note sealed with the case key"),
    (_A, E.SEND_PAGE): Outcome(_A, "the page sent to the person in their language"),
    (_A, E.RELEASE): Outcome(_W, "back in the queue at its old place; copies not yet sent go back with it"),
    (_A, E.CLOSE): Outcome(_C, "closed: person told (reopen, rating); copies not yet sent are dropped"),
    (_A, E.REOPEN): Outcome(_A, "not closed: the message is copied as a write"),
    (_A, E.RATE): _no(_A, "not closed: nothing rated"),
    (_A, E.BLOCK): Outcome(_C, "closed and the person blocked; copies not yet sent are dropped"),
    (_A, E.CANCEL): Outcome(_C, "ended by the person: the holder is told"),
    (_A, E.FORGET): Outcome(_G, "erased; the holder is told it was withdrawn; copies deleted from their chat"),
    (_A, E.REVOKE): Outcome(_W, "queued again with what the holder had not received; their copies deleted"),
    (_A, E.REMOVED): Outcome(_W, "queued again with what the holder had not received; their copies deleted"),
    (_A, E.COUNSELLOR_BLOCKED): Outcome(_W, "back in the queue with the messages that could not reach them"),
    (_A, E.PERSON_BLOCKED): Outcome(_C, "closed: the holder is told the person left"),
    (_A, E.CLEAN_UP): Outcome(_A, "messages not yet copied are kept until the holder has them"),
    (_A, E.PURGE): Outcome(_A, "unchanged: open cases are never purged"),
    (_A, E.RESTART): Outcome(_A, "unchanged: the holder, the focus and the outbox survive"),
    # --- closed ---
    (_C, E.ASK): Outcome(_C, "unchanged: a new case is opened"),
    (_C, E.TAKE): _no(_C, "not waiting: told"),
    (_C, E.WRITE): Outcome(_C, "outside the reopen window: the message is no part of this case"),
    (_C, E.REPLY): _no(_C, "closed: the counsellor is told, nothing is sent"),
    (_C, E.REPLY_OTHER): _no(_C, "closed: the counsellor is told, nothing is sent"),
    (_C, E.EDIT): Outcome(_C, "nothing to do"),
    (_C, E.NOTE): _no(_C, "closed: told"),
    (_C, E.SEND_PAGE): _no(_C, "closed: told"),
    (_C, E.RELEASE): _no(_C, "closed: told"),
    (_C, E.CLOSE): _no(_C, "closed already: told"),
    (_C, E.REOPEN): Outcome(_A, "to the last counsellor if on duty with room (else waiting); "
                                "their focus stays"),
    (_C, E.RATE): Outcome(_C, "rating kept"),
    (_C, E.BLOCK): _no(_C, "closed: told"),
    (_C, E.CANCEL): Outcome(_C, "nothing to cancel"),
    (_C, E.FORGET): Outcome(_G, "erased; copies deleted from the last counsellor's chat"),
    (_C, E.REVOKE): Outcome(_C, "unchanged; copies deleted from the revoked counsellor's chat"),
    (_C, E.REMOVED): Outcome(_C, "unchanged; copies deleted from the removed counsellor's chat"),
    (_C, E.COUNSELLOR_BLOCKED): Outcome(_C, "unchanged"),
    (_C, E.PERSON_BLOCKED): Outcome(_C, "unchanged"),
    (_C, E.CLEAN_UP): Outcome(_C, "the person's chat is cleared of old messages"),
    (_C, E.PURGE): Outcome(_G, "deleted with notes, ledger and key"),
    (_C, E.RESTART): Outcome(_C, "unchanged"),
}
for _event in Event:  # a forgotten or purged case has no row: nothing can act on it
    TABLE[(_G, _event)] = (Outcome(_G, "a new case is opened") if _event is E.ASK
                           else Outcome(_G, "nothing left to act on") if _event in (
                               E.FORGET, E.REVOKE, E.REMOVED, E.COUNSELLOR_BLOCKED, E.PERSON_BLOCKED, E.CLEAN_UP,
                               E.PURGE, E.RESTART, E.EDIT, E.WRITE, E.CANCEL)
                           else _no(_G, "no such case: told"))


def step(state: State, event: Event) -> Outcome:
    """The outcome of `event` on a case in `state`. Raises KeyError for a pair not in the table (none is
    missing: a test checks every pair)."""
    return TABLE[(state, event)]
