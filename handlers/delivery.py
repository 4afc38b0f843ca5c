"""The outbox's sender: paces, retries and classifies, so a counsellor's reply arrives once and in order.

Network errors and Telegram's 5xx are retried with backoff; a 429 holds that chat for `retry_after`; a
403 (the chat blocked the bot) drops what waited for that chat and hands it to the lifecycle (a person's case
closes; a counsellor's cases go back to the queue with what they did not receive); any other 4xx is logged by
kind (never with content), dropped because sending it again cannot succeed, and its writer told. A copy for a
counsellor is checked against its case before it goes out (bot/handoff/engine.py: may_send).

What the sender writes down about a row (delivered, retry later, held, dropped) is retried until the database
takes it: the row stays its chat's head until then, so a busy database delays a chat but never stalls it for
good nor sends a delivered row twice.

With several instances (hotline.cluster) only the leader sends, and with ``mark_sending`` each row is marked
in its own commit just before its request: a leader killed between the request and writing it down leaves
the row marked, and the next leader drops it rather than send a copy twice (Telegram has no idempotency key;
see Outbox.unsure), and tells its writer it may not have arrived. On one instance (SQLite) rows are not
marked: no extra commit per send, and a crash in that moment sends the row again at the next start, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

import aiogram.methods
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import TelegramMethod

from bot.delivery.outbox import Outgoing
from bot.delivery.pacing import Pacer
from bot.handoff import engine
from bot.services import Services

log = logging.getLogger("hotline.delivery")
T = TypeVar("T")
SETTLE_BACKOFF = (0.1, 0.5, 1.0, 2.0, 5.0)  # seconds between tries to write down a row's outcome
REPEATABLE = frozenset({"deleteMessage", "deleteMessages", "editMessageText", "editMessageCaption",
                        "editMessageReplyMarkup", "sendChatAction",
                        # team mode: deleting a topic again changes nothing more, nor do renaming and pinning
                        "deleteForumTopic", "editForumTopic", "pinChatMessage", "unpinChatMessage"})
"""Methods whose second call changes nothing more: a new leader repeats them when the old one may have
sent them (several instances), and drops the others (a copy twice is worse than a copy missing)."""


class _NotChecked(Exception):
    """The lifecycle could not say whether a row may go out yet."""


def to_method(row: Outgoing) -> TelegramMethod[Any]:
    cls = getattr(aiogram.methods, row.method[:1].upper() + row.method[1:])
    method: TelegramMethod[Any] = cls(chat_id=row.address.for_delivery(), **row.params)
    return method


class Deliverer:
    def __init__(self, bot: Bot, services: Services, *, mark_sending: bool = False) -> None:
        self._bot = bot
        self._mark_sending = mark_sending
        self._services = services
        settings = services.config.settings.delivery
        self._pacer = Pacer(settings.per_second, settings.per_chat_per_second, settings.per_chat_burst,
                            per_group_per_minute=settings.per_group_per_minute)
        self._max_attempts = settings.max_attempts
        self._wake = asyncio.Event()
        self._busy: set[str] = set()
        self._sending: set[asyncio.Task[None]] = set()
        # Rows finished while a heads() query ran would still be in its snapshot: never send those again.
        self._finished: deque[int] = deque(maxlen=10_000)
        self._finished_set: set[int] = set()
        self._stopping = False
        services.outbox.on_enqueue(self._wake.set)

    @property
    def idle(self) -> bool:
        return not self._sending and self._services.outbox.pending == 0

    async def run(self) -> None:
        outbox = self._services.outbox
        if self._mark_sending:
            dropped, repeated = await self._settle(lambda: outbox.unsure(REPEATABLE))
            if dropped or repeated:
                log.warning("delivery: %d message(s) may or may not have reached Telegram when the last leader "
                            "stopped: not sent again, their writers told; %d deletion(s)/edit(s) repeated",
                            len(dropped), repeated)
            for after in dropped:
                await self._settle(lambda after=after: engine.maybe_lost(self._services, after))  # type: ignore[misc]
        await self._settle(outbox.count)  # a failed first read must not stop the sender for good
        while not self._stopping:
            self._wake.clear()
            try:
                rows = await outbox.heads(self._busy)
            except Exception as exc:  # the sender must outlive any one bad read: it carries every reply
                log.error("delivery: reading the outbox failed (%s); trying again", type(exc).__name__)
                rows = []
                await asyncio.sleep(1.0)
            for row in rows:
                if row.id in self._finished_set or row.chat in self._busy:
                    continue
                self._busy.add(row.chat)
                task = asyncio.create_task(self._deliver(row))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.5)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking rows and let the ones being sent finish, so none is left half-done."""
        self._stopping = True
        self._wake.set()
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=grace)

    async def _deliver(self, row: Outgoing) -> None:
        outbox, settle = self._services.outbox, self._settle
        finished = True  # False while the row stays in the outbox for another attempt
        try:
            try:
                prepared = await engine.prepare(self._services, row.params, row.after)
            except Exception as exc:  # the database was busy or failed: try later, never drop the row for it
                raise _NotChecked from exc
            if prepared is None:
                await settle(lambda: outbox.done(row.id))  # its case left that counsellor: it waits for the next
                return
            row = replace(row, params=prepared[0], after=prepared[1])
            # The oldest row first (no chat left behind); a group gets at most 20 a minute.
            await self._pacer.acquire(row.chat, row.id, group=row.address.for_delivery() < 0)
            if self._mark_sending:
                await settle(lambda: outbox.sending(row.id))
            result = await self._bot(to_method(row))
        except _NotChecked as exc:
            log.warning("delivery: could not check a row against its case (%s); will retry",
                        type(exc.__cause__).__name__)
            await settle(lambda: outbox.retry(row.id))
            finished = False
        except TelegramRetryAfter as exc:
            log.info("delivery: Telegram asked to wait %d s", exc.retry_after)
            held = timedelta(seconds=exc.retry_after)
            await settle(lambda: outbox.hold_chat(row.chat, held))
            finished = False
        except TelegramForbiddenError:
            log.info("delivery: a chat is no longer reachable (403)")
            dropped = await settle(lambda: outbox.drop_chat(row.chat))
            await settle(lambda: self._gone(row, dropped))
        except TelegramBadRequest as exc:
            kind = _kind(exc.message)
            log.warning("delivery: %s refused (400, %s); dropped", row.method, kind)
            await settle(lambda: outbox.done(row.id))
            if row.method != "deleteMessages":
                await settle(lambda: engine.refused(self._services, row.after, kind))
        except (TelegramAPIError, OSError, TimeoutError) as exc:
            attempts = await settle(lambda: outbox.retry(row.id))
            if attempts >= self._max_attempts:
                log.error("delivery: gave up on a %s after %d attempts", row.method, attempts)
                await settle(lambda: outbox.done(row.id))
            else:
                log.info("delivery: %s, will retry (attempt %d)", type(exc).__name__, attempts)
                finished = False
        except Exception as exc:
            log.error("delivery: unexpected %s; dropped", type(exc).__name__)
            await settle(lambda: outbox.done(row.id))
        else:
            await settle(lambda: outbox.done(row.id))
            await settle(lambda: self._after(row, result))
        finally:
            if finished:
                if len(self._finished) == self._finished.maxlen:
                    self._finished_set.discard(self._finished[0])
                self._finished.append(row.id)
                self._finished_set.add(row.id)
            self._busy.discard(row.chat)
            self._wake.set()

    async def _settle(self, step: Callable[[], Awaitable[T]]) -> T:
        """Write down a row's outcome, trying again while the database refuses (busy, the one connection
        taken past its timeout): until it is written, the row's chat stays busy, so nothing overtakes it and
        a delivered row is not sent again. Logs the error's type only (SQL errors quote their parameters)."""
        attempt = 0
        while True:
            try:
                return await step()
            except Exception as exc:
                wait = SETTLE_BACKOFF[min(attempt, len(SETTLE_BACKOFF) - 1)]
                attempt += 1
                log.warning("delivery: could not write down a row's outcome (%s); trying again in %.1f s",
                            type(exc).__name__, wait)
                await asyncio.sleep(wait)

    async def _after(self, row: Outgoing, result: Any) -> None:
        message_id: Any = getattr(result, "message_id", None)
        if message_id is None:  # createForumTopic: the topic's thread id stands for it
            message_id = getattr(result, "message_thread_id", None)
        if isinstance(result, list):  # copyMessages: one id per copy
            message_id = [item.message_id for item in result]
        if not await engine.delivered(self._services, row.after, message_id) and isinstance(message_id, int):
            # The copy landed after its case left this counsellor: take it back, it waits for the next one.
            with contextlib.suppress(TelegramAPIError):
                await self._bot.delete_message(chat_id=row.address.for_delivery(), message_id=message_id)

    async def _gone(self, row: Outgoing, dropped: list[Outgoing]) -> None:
        await engine.unreachable(self._services, [item.after for item in [row, *dropped]])


def _kind(description: str) -> str:
    """A short, content-free name for Telegram's complaint (its text can quote nothing of ours, but we log
    only known kinds to be sure)."""
    known = ("message to delete not found", "message to edit not found", "message is not modified",
             "message to copy not found", "chat not found", "can't parse entities", "message is too long",
             "wrong file identifier", "MESSAGE_ID_INVALID", "message can't be deleted")
    lowered = description.lower()
    return next((k for k in known if k.lower() in lowered), "other")
