"""Several instances on one PostgreSQL (docs/multi-instance.md): every instance receives, one leader handles.

- :class:`Inbox`: the webhook's durable intake. A request is answered 200 only once its update is committed
  to the ``inbox`` table (sealed, bound to its number); a repeat is dropped by the primary key. The leader
  takes the rows in update order and deletes them, in batches, once handled.
- :class:`Leadership`: a session advisory lock on a connection of its own. Standbys try it every second;
  PostgreSQL releases it the moment the leader's session ends (a SIGKILL closes the socket; a vanished
  host is noticed by TCP keepalives within ~10 s). Taking it bumps ``leadership.epoch``, and
  :meth:`bot.storage.database.Database.fence` makes every transaction of the leader check that epoch.
- :func:`serve` runs one instance: the receiver at once, and the bot (services, sender, housekeeping,
  content) only once it leads, built then from the database, so a new leader starts from what is stored.

SQLite runs one instance and never comes here (hotline.cli).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any

import asyncpg
from aiogram.methods import TelegramMethod
from aiohttp import web
from sqlalchemy import delete, select, text
from sqlalchemy.engine import make_url

from bot.config import Config
from bot.content.store import load_for
from bot.identity.crypto import KeyRing
from bot.identity.keys import WrongKeyError, verify_key
from bot.storage.database import Database
from bot.storage.tables import InboxRecord
from bot.telegram.updates import decode_update
from hotline import webhook

log = logging.getLogger("hotline.cluster")

LEADER_LOCK = 0x686F746C696E67
"""pg_try_advisory_lock's key for "this instance leads" (the migration lock is ...65, the use cases' ...66)."""
CHANNEL = "hotline_inbox"
"""NOTIFY channel: a receiver committed an update (the payload is empty)."""
RETRY = 1.0
"""Seconds between a standby's tries to lead, and between the leader's checks of its own session."""
EXIT_DEPOSED = 75
"""Exit status of a leader that lost its session: it stops at once, sending nothing more (restart it: it
comes back as a standby)."""
_KEEPALIVES = {"tcp_keepalives_idle": "4", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3"}


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _aad(update_id: int) -> str:
    return f"inbox:{update_id}"


class Inbox:
    """The ``inbox`` table: :meth:`put` for every instance's webhook, :meth:`take` and :meth:`handled` for
    the leader (through the fenced sessions)."""

    def __init__(self, database: Database, keys: KeyRing) -> None:
        self._database = database
        self._keys = keys
        self.arrived = asyncio.Event()
        """Set when this process committed an update (other processes' are announced by NOTIFY)."""

    async def put(self, update_id: int, body: bytes) -> None:
        """Store ``body`` (the update's JSON) sealed under ``update_id``, unless that number is already in.
        Returns once committed. Raises SQLAlchemyError when the database refuses (answer 5xx: Telegram
        retries)."""
        sealed = self._keys.seal(body, aad=_aad(update_id))
        async with self._database.engine.begin() as connection:  # not the sessions: receivers are not fenced
            await connection.execute(text("INSERT INTO inbox (update_id, body) VALUES (:id, :body) "
                                          "ON CONFLICT (update_id) DO NOTHING"), {"id": update_id, "body": sealed})
            await connection.execute(text(f"NOTIFY {CHANNEL}"))  # sent at commit
        self.arrived.set()

    async def take(self, skip: Iterable[int], limit: int = 100) -> list[tuple[int, dict[str, Any]]]:
        """The oldest rows not in ``skip`` (those already being handled), opened: (update_id, update JSON).
        A row that does not open (another key, a damaged body) is deleted with a content-free warning."""
        skip = set(skip)
        async with self._database.sessions.begin() as session:
            found = (await session.execute(
                select(InboxRecord.update_id, InboxRecord.body).order_by(InboxRecord.update_id)
                .limit(limit + len(skip)))).all()
        opened: list[tuple[int, dict[str, Any]]] = []
        broken: list[int] = []
        for update_id, body in found:
            if update_id in skip:
                continue
            try:
                update = json.loads(self._keys.open(body, aad=_aad(update_id)))
            except Exception:
                broken.append(update_id)
                continue
            opened.append((update_id, update if isinstance(update, dict) else {"update_id": update_id}))
        if broken:
            log.warning("inbox: %d row(s) could not be opened and were dropped", len(broken))
            await self.handled(broken)
        return opened[:limit]

    async def handled(self, update_ids: list[int]) -> None:
        """Delete handled rows (a replay of one of them is skipped by its claim, handlers.dedup)."""
        if update_ids:
            async with self._database.sessions.begin() as session:
                await session.execute(delete(InboxRecord).where(InboxRecord.update_id.in_(update_ids)))


class Leadership:
    """One instance leads: the holder of :data:`LEADER_LOCK` on a connection of its own."""

    def __init__(self, database_url: str) -> None:
        self._dsn = _dsn(database_url)
        self._connection: asyncpg.Connection[Any] | None = None
        self.epoch = 0

    async def acquire(self, on_notify: Callable[[], None] | None = None) -> int:
        """Wait until this instance leads; returns its epoch (bumped in ``leadership``). Tries every
        :data:`RETRY` seconds, reconnecting when the database is away. ``on_notify`` is called on each NOTIFY
        of :data:`CHANNEL` while leading."""
        waited = False
        while True:
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(self._dsn, server_settings=_KEEPALIVES, timeout=10)
                if await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
                    break
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("leadership: the database did not answer (%s); trying again", type(exc).__name__)
                await self._drop()
            if not waited:
                log.info("standby: another instance leads; taking over when it stops")
                waited = True
            await asyncio.sleep(RETRY)
        # Waits for any transaction of a deposed leader still holding the row (Database.fence), then fences it.
        self.epoch = int(await self._connection.fetchval(
            "UPDATE leadership SET epoch = epoch + 1, since = now() AT TIME ZONE 'UTC' WHERE id = 1 RETURNING epoch"))
        if on_notify is not None:
            await self._connection.add_listener(CHANNEL, lambda *_args: on_notify())
        log.info("leading (epoch %d)", self.epoch)
        return self.epoch

    async def watch(self) -> None:
        """Return when this instance no longer leads: its session answers no more (closed, or silent for
        :data:`RETRY` × 5 seconds)."""
        while True:
            connection = self._connection
            if connection is None or connection.is_closed():
                return
            try:
                await connection.fetchval("SELECT 1", timeout=RETRY * 5)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                return
            await asyncio.sleep(RETRY)

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 2)

    async def release(self) -> None:
        """Closing the session releases the lock: a standby leads within :data:`RETRY` seconds."""
        await self._drop()


def deposed() -> None:
    """What a leader does when its session is gone: stop at once. Another instance may already lead, and
    what this one would still send (a copy already marked in the outbox) could arrive twice; its database
    writes are refused by the fence anyway."""
    log.error("leadership lost (the database session ended): stopping at once")
    logging.shutdown()
    os._exit(EXIT_DEPOSED)


def receiver(inbox: Inbox, secret: str) -> Callable[[web.Request], Any]:
    """POST handler for the webhook path: the secret is checked (401), the body must be a JSON object with an
    integer update_id (400), and 200 is answered once the update is committed (503 if the database refused:
    Telegram sends it again)."""

    async def receive(request: web.Request) -> web.Response:
        if not webhook.secret_matches(request.headers.get(webhook.SECRET_HEADER, ""), secret):
            return web.Response(status=401, text="Unauthorized")
        body = await request.read()
        try:
            update = json.loads(body)
        except ValueError:
            update = None
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("webhook: a request that is not an update was refused")
            return web.Response(status=400, text="Bad Request")
        try:
            await inbox.put(update_id, body)
        except Exception as exc:
            log.warning("webhook: an update could not be stored (%s); Telegram will send it again",
                        type(exc).__name__)
            return web.Response(status=503, text="Service Unavailable")
        return web.json_response({})

    return receive


async def standby_checks(config: Config, keys: KeyRing, database: Database) -> list[str]:
    """What would keep this instance from leading, found at start rather than at takeover: content errors,
    a wrong key. Empty when none."""
    result = load_for(config)
    if result.snapshot is None:
        return ["the content has errors; the bot will not start with it (run `hotline content check`)"]
    try:
        await verify_key(database, keys)
    except WrongKeyError as exc:
        return [str(exc)]
    return []


async def consume(inbox: Inbox, feed: Callable[[dict[str, Any]], Any], stop: asyncio.Event,
                  *, in_flight_limit: int = 200, batch: int = 100) -> None:
    """The leader's loop over the inbox until ``stop``: rows are started in update order (the dispatcher
    runs one chat's updates one after another in that order, chats side by side), at most
    ``in_flight_limit`` at once, and deleted in batches once handled. ``feed`` handles one update and
    never raises."""
    taking: set[int] = set()
    done: list[int] = []
    running: set[asyncio.Task[None]] = set()
    room = asyncio.Semaphore(in_flight_limit)

    async def handle(update_id: int, update: dict[str, Any]) -> None:
        try:
            await feed(update)
        finally:
            done.append(update_id)
            room.release()
            inbox.arrived.set()  # the loop deletes the batch

    async def flush() -> None:
        finished = done[:]
        while True:
            try:
                await inbox.handled(finished)
                break
            except Exception as exc:
                log.warning("inbox: could not delete handled rows (%s); trying again", type(exc).__name__)
                await asyncio.sleep(RETRY)
        del done[:len(finished)]
        taking.difference_update(finished)

    while not stop.is_set():
        inbox.arrived.clear()
        try:
            rows = await inbox.take(taking, batch)
        except Exception as exc:
            log.warning("inbox: reading failed (%s); trying again", type(exc).__name__)
            rows = []
            await asyncio.sleep(RETRY)
        for update_id, update in rows:
            await room.acquire()
            taking.add(update_id)
            task = asyncio.create_task(handle(update_id, update))
            running.add(task)
            task.add_done_callback(running.discard)
        if done:
            await flush()
        if not rows:
            waiter = asyncio.ensure_future(inbox.arrived.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=RETRY / 2, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
    if running:
        await asyncio.wait(set(running), timeout=30)
    if done:
        await flush()


def feeder(dispatcher: Any, bot: Any) -> Callable[[dict[str, Any]], Any]:
    """One inbox update through the dispatcher as if the webhook had fed it; a method a handler returns
    is called, as aiogram's webhook does. Never raises (the error handlers have spoken already)."""

    async def feed(raw: dict[str, Any]) -> None:
        try:
            result = await dispatcher.feed_update(bot, decode_update(raw, bot))
            if isinstance(result, TelegramMethod):
                await dispatcher.silent_call_request(bot=bot, result=result)
        except Exception as exc:
            log.error("inbox: an update failed (%s)", type(exc).__name__)

    return feed


def _signals(stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM/SIGINT set ``stop``; SIGHUP on a standby is only logged (it holds no content: a leader
    loads the current content when it takes over). Returns the undo."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig, action in ((signal.SIGTERM, stop.set), (signal.SIGINT, stop.set),
                        (signal.SIGHUP, lambda: log.info("standby: nothing to reload (a leader loads the "
                                                         "content when it takes over)"))):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, action)
            installed.append(sig)

    def undo() -> None:
        for sig in installed:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)

    return undo


async def _lead_when_possible(leadership: Leadership, stop: asyncio.Event,
                              on_notify: Callable[[], None] | None = None) -> bool:
    """Wait to lead or to be stopped; True when leading."""
    acquiring = asyncio.ensure_future(leadership.acquire(on_notify))
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if acquiring.done():
        acquiring.result()
        return True
    acquiring.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await acquiring
    return False


async def serve(config: Config, keys: KeyRing, token: str, *, secret: str | None,
                on_deposed: Callable[[], None] = deposed) -> int:
    """Run one instance on PostgreSQL until SIGTERM/SIGINT: with ``secret``, serve the webhook into the
    inbox (every instance) and, while leading, handle it; without, poll Telegram while leading (a second
    poller waits as a standby). Returns the exit status (2: cannot start)."""
    from hotline.app import Hotline, open_database  # app imports this module for Hotline.lead_inbox

    database = await open_database(config)
    problems = await standby_checks(config, keys, database)
    if problems:
        await database.close()
        print("hotline: cannot start:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    inbox = Inbox(database, keys)
    stop = asyncio.Event()
    undo = _signals(stop)
    runner: web.AppRunner | None = None
    leadership = Leadership(config.database_url)
    hotline: Hotline | None = None
    try:
        if secret is not None:
            settings = config.settings.webhook
            app = web.Application(middlewares=[webhook.read_deadline(webhook.READ_TIMEOUT)])
            app.router.add_post(settings.path, receiver(inbox, secret))
            app.router.add_get("/healthz", webhook.health)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("webhook receiving")
        if not await _lead_when_possible(leadership, stop, inbox.arrived.set):
            return 0
        database.fence(leadership.epoch)
        hotline = await Hotline.create(config, keys=keys, token=token, database=database, leader=True)
        watch = asyncio.create_task(leadership.watch())
        watch.add_done_callback(lambda task: None if task.cancelled() else on_deposed())
        try:
            if secret is not None:
                await hotline.lead_inbox(inbox, secret, stop)
            else:
                undo()
                await hotline.run_polling()
        finally:
            watch.cancel()
    finally:
        undo()
        if runner is not None:
            await runner.cleanup()
        try:
            if hotline is not None:
                await hotline.close()  # its last writes (statistics) are fenced: still leading
            else:
                await database.close()
        finally:
            await leadership.release()
    return 0
