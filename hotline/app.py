"""The composition root: builds the core services, the aiogram Bot and Dispatcher, and runs them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ParseMode
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BotCommand, Update
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.clock import Clock
from bot.config import Config
from bot.content.loader import LoadResult, Problem
from bot.content.store import ContentStore, content_fingerprint, load_for
from bot.delivery.outbox import Outbox
from bot.handoff import engine as handoff_engine
from bot.handoff.access import lift_listed
from bot.handoff.cases import Cases
from bot.handoff.desk_screens import CounsellorScreens
from bot.handoff.hours import Hours
from bot.handoff.person_screens import HandoffScreens
from bot.handoff.roster import Roster
from bot.handoff.team import TeamScreens, TeamTopics
from bot.i18n import Catalogs
from bot.identity.crypto import KeyRing
from bot.identity.keys import WrongKeyError, verify_key
from bot.identity.people import People
from bot.identity.revocations import Revocations
from bot.limits.flood import Limits
from bot.menus.screens import Screens
from bot.privacy.audit import Audit
from bot.privacy.chats import ChatLedger
from bot.privacy.screens import PrivacyScreens
from bot.search import SearchIndex
from bot.services import Services
from bot.stats.counters import Counters
from bot.stats.tallies import UPDATE_SKIPPED, Stats
from bot.storage.behind import WriteBehind
from bot.storage.database import Database
from bot.telegram.seen import ProcessedUpdates
from bot.telegram.updates import UpdateTolerantSession, decode_update, skip_reason
from handlers import build_router, team
from handlers.answers import CourtesyAnswers
from handlers.dedup import OnceOnly
from handlers.delivery import Deliverer
from handlers.flood import FloodControl
from handlers.housekeeping import housekeeping_loop
from handlers.identity import IdentityBoundary, OutgoingLedger, serial_key
from handlers.pinned import PinResponseModels
from hotline import webhook

if TYPE_CHECKING:
    from hotline.cluster import Inbox

log = logging.getLogger("hotline")


class StartupError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def describe(problems: list[Problem], config: Config) -> list[str]:
    return [p.render(config.base_dir) for p in problems]


async def open_database(config: Config) -> Database:
    """The database, migrated (under the migration lock, so instances may start together), with a warning
    for each server setting that would keep deleted data (PostgreSQL; SECURITY.md)."""
    database = Database(config.database_url)
    await database.migrate()
    for limit in await database.deletion_limits():
        log.warning("deletion is incomplete on this database: %s", limit)
    return database


async def build_services(config: Config, keys: KeyRing, database: Database | None = None) -> Services:
    """Everything the bot keeps, loaded from the content folder and ``database`` (opened and migrated here
    when not given; a given one is closed here if the start fails)."""
    clock = Clock()
    files = content_fingerprint(config.content_dir)  # before reading: an edit saved during the load is seen
    result = load_for(config, today=clock().date())
    if result.snapshot is None:
        raise StartupError(["the content has errors; the bot will not start with it:",
                            *describe(result.errors, config)])
    if result.warnings:
        log.warning("content loaded with %d warnings (run `hotline content check` to see them)",
                    len(result.warnings))
    database = database or await open_database(config)
    try:
        await verify_key(database, keys)
    except WrongKeyError as exc:
        await database.close()
        raise StartupError([str(exc)]) from None
    settings = config.settings
    catalogs = Catalogs(list(settings.languages))
    revocations = Revocations(database.sessions, keys, clock)
    cases = Cases(database.sessions, keys, clock)
    audit = Audit(database.sessions, clock)
    # Made under a previous key: follow the key before anyone is let in.
    await revocations.rekey([c.telegram_id for c in settings.counsellors] + settings.admins + settings.restored)
    await lift_listed(settings, keys, revocations, audit)
    roster = Roster(settings, keys, await revocations.all())
    await _adopt_rotated_counsellor_keys(roster, cases, audit)
    limits = settings.limits
    behind = WriteBehind(database.engine, fence=database.check_leading)
    updates = ProcessedUpdates(database, behind, clock)
    await updates.load()  # a new process starts cold: what earlier ones handled is in the database
    services = Services(
        config=config,
        keys=keys,
        database=database,
        content=ContentStore(result.snapshot, clock, files=files),
        catalogs=catalogs,
        screens=Screens(catalogs, list(settings.languages)),
        people=People(database, behind, clock),
        cases=cases,
        roster=roster,
        hours=Hours(settings.handoff.working_hours),
        handoff=HandoffScreens(catalogs, settings.organisation.name),
        desk=CounsellorScreens(catalogs),
        chats=ChatLedger(database.sessions, behind, keys, clock),
        audit=audit,
        limits=Limits(limits.messages_per_minute, limits.requests_per_hour, limits.new_cases_per_hour),
        revocations=revocations,
        privacy=PrivacyScreens(catalogs),
        clock=clock,
        stats=Stats(Counters(database.sessions, clock), clock, behind),
        outbox=Outbox(database.sessions, keys, clock),
        updates=updates,
        behind=behind,
        search=SearchIndex(result.snapshot, config.settings.search, lazy=True),  # built once the bot is up
        team=TeamTopics(database.sessions, keys, settings.team),
        team_desk=TeamScreens(catalogs, settings.default_language),
    )
    services.content.on_replace(services.search.staged)
    await handoff_engine.restart(services)  # counsellors removed from config.yaml while the bot was down
    return services


async def _adopt_rotated_counsellor_keys(roster: Roster, cases: Cases, audit: Audit) -> None:
    """Counsellors' ids are in config.yaml, so their pseudonyms can be renamed right after a key rotation."""
    for counsellor in roster:
        for old in roster.previous_keys(counsellor):
            await cases.rename_counsellor(old, counsellor.key)
            await audit.rename_counsellor(old, counsellor.key)


async def _set_up_team(bot: Bot, services: Services) -> None:
    """Team mode: refuse to start unless the group is a protected forum where the bot may manage topics,
    delete and pin; then the status topic and its pinned board. Raises StartupError naming what to fix."""
    try:
        problems = await team.check_group(bot, services)
        if not problems:
            await team.set_up_board(bot, services)
    except BaseException:
        await bot.session.close()
        await services.database.close()
        raise
    if problems:
        await bot.session.close()
        await services.database.close()
        raise StartupError(["team mode: the team's group is not ready:", *problems])


def build_bot(config: Config, token: str) -> Bot:
    session = UpdateTolerantSession(api=TelegramAPIServer.from_base(config.api_server))
    defaults = DefaultBotProperties(
        parse_mode=ParseMode.HTML,
        protect_content=True,  # no forwarding or saving of what the bot sends
        link_preview_is_disabled=True,
    )
    return Bot(token=token, session=session, default=defaults)


class InFlight:
    """Counts updates being handled, error handling included: for a graceful stop, and for tests to know
    the bot has finished."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if not self.count:
            self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()


# How long the getUpdates that confirms a batch waits for the batch's updates (seconds): a handler stuck longer
# would otherwise stop the bot for everyone, so polling then goes on (and says so).
CONFIRM_WAIT = 30.0


class ConfirmWhenHandled(BaseRequestMiddleware):
    """Polling confirms a batch of updates only once it is handled.

    aiogram's polling asks getUpdates for the next batch (its offset tells Telegram the last batch was
    received, and Telegram drops it) while the last batch's updates are still being handled, each in its own
    task. An instance killed then (a crash, SIGKILL, a leader replaced: docs/multi-instance.md) lost them: the
    next poller was given only later ones. Here that getUpdates waits until every update in flight is
    handled; a batch cut short is given again to whoever polls next, which skips what was already handled
    (bot/telegram/seen.py) and handles the rest."""

    def __init__(self, in_flight: InFlight, wait: float = CONFIRM_WAIT) -> None:
        self._in_flight = in_flight
        self._wait = wait

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            # The batch's last tasks were only just created: let them start, and count themselves in.
            await asyncio.sleep(0)
            try:
                await asyncio.wait_for(self._in_flight.wait_idle(), self._wait)
            except TimeoutError:
                log.warning("updates still being handled after %.0f s; polling goes on", self._wait)
        return await make_request(bot, method)


class HotlineDispatcher(Dispatcher):
    """aiogram's Dispatcher, counting updates from the moment they arrive until every handler, the error
    handler included, is done (polling and webhook both come through feed_update). An update that cannot be
    decoded, or of a kind this aiogram does not know, is skipped with a content-free log line and counted
    (``skipped``, and the daily "updates_skipped" statistic); it never reaches a handler or a log."""

    def __init__(self, in_flight: InFlight, stats: Stats | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = in_flight
        self.skipped = 0
        self._stats = stats
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # lock, and how many updates use it

    async def feed_raw_update(self, bot: Bot, update: dict[str, Any], **kwargs: Any) -> Any:
        # The webhook's way in (aiogram's would raise, and asyncio would log the update in the exception).
        return await self._feed_webhook_update(bot=bot, update=decode_update(update, bot), **kwargs)

    async def feed_webhook_update(self, bot: Bot, update: Update | dict[str, Any], _timeout: float = 55,
                                  **kwargs: Any) -> Any:
        if not isinstance(update, Update):
            update = decode_update(update, bot)
        return await super().feed_webhook_update(bot, update, _timeout, **kwargs)

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        reason = skip_reason(update)
        if reason is not None:
            # aiogram would warn with the whole update; only the reason is said here.
            self.skipped += 1
            if self._stats is not None:
                self._stats.count(UPDATE_SKIPPED, reason)
            log.warning("update skipped: %s", reason)
            return UNHANDLED
        # Updates of different chats run side by side; one chat's run one after another, in arrival order
        # (aiogram starts a task per update in order, and a Lock queues its waiters first come, first served).
        self.in_flight.enter()
        key = serial_key(update)
        try:
            if key is None:
                return await super().feed_update(bot, update, **kwargs)
            lock, users = self._chat_locks.get(key, (asyncio.Lock(), 0))
            self._chat_locks[key] = (lock, users + 1)
            try:
                async with lock:
                    return await super().feed_update(bot, update, **kwargs)
            finally:
                lock, users = self._chat_locks[key]
                if users == 1:
                    del self._chat_locks[key]
                else:
                    self._chat_locks[key] = (lock, users - 1)
        finally:
            self.in_flight.leave()


def build_dispatcher(services: Services, in_flight: InFlight) -> Dispatcher:
    # No aiogram FSM: hotline keeps its state in the core, and aiogram's in-memory FSM storage would hold
    # every Telegram id that ever wrote, and grow with them.
    dispatcher = HotlineDispatcher(in_flight, services.stats, services=services, disable_fsm=True)
    dispatcher.update.outer_middleware(OnceOnly(services.updates))
    dispatcher.update.outer_middleware(IdentityBoundary(services))
    # Every tap is answered, after its handler or the flood control's refusal (see handlers.answers).
    dispatcher.callback_query.outer_middleware(CourtesyAnswers(services))
    flood = FloodControl(services)
    for observer in (dispatcher.message, dispatcher.edited_message, dispatcher.callback_query):
        observer.outer_middleware(flood)  # edits too: each one would be answered, or relayed into a case
    dispatcher.include_router(build_router())
    return dispatcher


async def announce_commands(bot: Bot, services: Services) -> None:
    """The command menu in each language, so the "/" list reads in the person's own language."""
    for language in [None, *services.languages]:
        _ = services.catalogs[language or services.default_language].gettext
        commands = [
            BotCommand(command="start", description=_("Main menu")),
            BotCommand(command="language", description=_("Change language")),
            BotCommand(command="help", description=_("How this bot works")),
        ]
        await bot.set_my_commands(commands, language_code=language)


async def self_check(bot: Bot) -> None:
    """A bot that can join groups or answer inline can be made to show things in other chats."""
    me = await bot.get_me()
    if me.can_join_groups:
        log.warning("self-check: the bot can be added to groups; disable it with BotFather /setjoingroups")
    if me.supports_inline_queries:
        log.warning("self-check: inline mode is on; disable it with BotFather /setinline")


@dataclass
class Hotline:
    """A running bot: services, Bot and Dispatcher. Used by `hotline run`, `hotline webhook`, the demo and the
    tests.

    Both transports share one lifecycle through aiogram's own startup and shutdown hooks: on startup the
    self-check, the command menus, housekeeping, the outbox, the content watcher (``content.watch``) and, when
    signals are handled, SIGHUP for a content reload; on shutdown the drain (updates in flight, then the
    outbox). Polling emits the hooks in ``start_polling``; the webhook's aiohttp app emits them on its own
    startup and shutdown (aiogram's ``setup_application``).
    """

    services: Services
    bot: Bot
    dispatcher: Dispatcher
    in_flight: InFlight
    deliverer: Deliverer
    handle_signals: bool = True
    """Whether startup installs the SIGHUP handler (off in tests and the demo, which share a process)."""
    _chores: list[asyncio.Task[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dispatcher.startup.register(self._on_startup)
        self.dispatcher.shutdown.register(self._on_shutdown)

    @classmethod
    async def create(cls, config: Config, *, keys: KeyRing, token: str, database: Database | None = None,
                     leader: bool = False) -> Hotline:
        """``leader``: one of several instances, leading (hotline.cluster): the sender marks each send in
        the outbox before making it, so a new leader never repeats a copy that may have gone out."""
        services = await build_services(config, keys, database)
        bot = build_bot(config, token)
        bot.session.middleware(PinResponseModels())
        bot.session.middleware(OutgoingLedger(services))
        if services.team.enabled:
            await _set_up_team(bot, services)
        in_flight = InFlight()
        return cls(services, bot, build_dispatcher(services, in_flight), in_flight,
                   Deliverer(bot, services, mark_sending=leader))

    @property
    def busy(self) -> str | None:
        """Why the bot is not idle, if it is not: for tests and for a graceful stop."""
        if self.in_flight.count:
            return f"{self.in_flight.count} update(s) in flight"
        if not self.deliverer.idle:
            return f"{self.services.outbox.pending} message(s) in the outbox"
        if self.services.behind.pending:
            return f"{self.services.behind.pending} row(s) waiting to be written"
        return None

    async def _on_startup(self) -> None:
        await self_check(self.bot)
        await announce_commands(self.bot, self.services)
        self._chores = [asyncio.create_task(housekeeping_loop(self.bot, self.services)),
                        asyncio.create_task(self.deliverer.run()),
                        asyncio.create_task(self.services.behind.run()),
                        asyncio.create_task(self._prepare_search())]
        if self.services.config.settings.content.watch:
            self._chores.append(asyncio.create_task(self._watch_content()))
        if self.handle_signals:
            with contextlib.suppress(NotImplementedError, AttributeError):  # no SIGHUP on some platforms
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._reload_on_signal)
        gc.freeze()  # what start-up built lives for good: keep it out of every later collection
        gc.enable()  # `hotline run` turns collections off while it starts

    async def _prepare_search(self, delay: float = 1.0) -> None:
        """Build the search index in a thread, after the updates waiting at start had their turn (a search
        before then builds it itself)."""
        await asyncio.sleep(delay)
        try:
            await asyncio.to_thread(self.services.search.prepare)
        except Exception as exc:  # the first search tries again, and answers or fails on its own
            log.error("building the search index failed: %s", type(exc).__name__)
            return
        gc.freeze()  # the index, too, lives until the content changes

    def _reload_on_signal(self) -> None:
        self._chores.append(asyncio.create_task(self.reload_content()))

    async def _on_shutdown(self) -> None:
        if self.handle_signals:
            with contextlib.suppress(NotImplementedError, AttributeError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        try:
            await self._drain()
        finally:
            chores, self._chores = self._chores, []
            for chore in chores:
                chore.cancel()
            await asyncio.gather(*chores, return_exceptions=True)

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Poll Telegram until SIGTERM/SIGINT (with ``handle_signals``) or :meth:`stop`, then drain."""
        self.handle_signals = handle_signals
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.bot.session.middleware(ConfirmWhenHandled(self.in_flight))
        log.info("polling started")
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=handle_signals,
            close_bot_session=False,
            polling_timeout=self.services.config.settings.telegram.polling_timeout,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def _drain(self, grace: float = 10.0) -> None:
        """Graceful stop: no new updates are taken; finish the ones in flight, then the sends under way."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.in_flight.wait_idle(), grace)
        await self.deliverer.stop(grace)
        try:
            await self.services.behind.flush()  # what the updates handled wrote behind
        except Exception as exc:
            log.error("could not write the last batch (%s)", type(exc).__name__)
        log.info("stopped: %d update(s) unfinished, %d message(s) left in the outbox for the next start",
                 self.in_flight.count, self.services.outbox.pending)

    async def reload_content(self) -> LoadResult:
        """Publish the content folder if it passes the check; otherwise keep serving the old content."""
        result = await self.services.content.reload(self.services.config)
        if result.snapshot is None:
            log.warning("content reload refused: %d error(s); the old content keeps serving", len(result.errors))
        else:
            log.info("content reloaded: %d pages, version %s", len(result.snapshot.nodes), result.snapshot.version)
        return result

    async def _watch_content(self, interval: float = 2.0) -> None:
        """Reload when a file under the content folder differs from what was last loaded (content.watch in
        config.yaml). The comparison is with the fingerprint the store took before its last load, not with
        the folder as this task first saw it: an edit saved between start-up and this task's first look is
        still loaded."""
        folder = self.services.config.content_dir
        store = self.services.content
        while True:  # neither call raises: a broken file or a vanished folder is a refused reload, not the end
            await asyncio.sleep(interval)
            if await asyncio.to_thread(content_fingerprint, folder) != store.files:
                await self.reload_content()

    def webhook_app(self, secret: str, *, lifecycle: bool = False,
                    read_timeout: float = webhook.READ_TIMEOUT) -> web.Application:
        """The aiohttp app Telegram calls: the secret header is checked (401 and no handler on a mismatch),
        a request must arrive whole within ``read_timeout`` seconds (else 408), and GET /healthz says the bot is
        up. The token is never part of the URL. With ``lifecycle`` the app's startup and shutdown run the bot's
        (see the class); without, it only serves updates (for a bot already running)."""
        settings = self.services.config.settings.webhook
        app = web.Application(middlewares=[webhook.read_deadline(read_timeout)])
        if lifecycle:  # first, so the drain runs before aiogram's handler closes the bot's session
            setup_application(app, self.dispatcher, bot=self.bot)
        webhook.SecretCheckedHandler(dispatcher=self.dispatcher, bot=self.bot, secret_token=secret).register(
            app, path=settings.path)
        app.router.add_get("/healthz", webhook.health)
        return app

    async def run_webhook(self, secret: str, stop: asyncio.Event | None = None, *,
                          handle_signals: bool = True) -> None:
        """Serve Telegram's webhook until SIGTERM/SIGINT (with ``handle_signals``) or ``stop``, then drain."""
        self.handle_signals = handle_signals
        settings = self.services.config.settings.webhook
        runner = webhook.runner(self.webhook_app(secret, lifecycle=True))
        await runner.setup()  # the startup hooks
        stop = stop or asyncio.Event()
        signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
        loop = asyncio.get_running_loop()
        try:
            site = web.TCPSite(runner, settings.host, settings.port)
            await site.start()
            for sig in signals:
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/") + settings.path
            await self.bot.set_webhook(url=url, secret_token=secret,
                                       allowed_updates=self.dispatcher.resolve_used_update_types())
            log.info("webhook serving")
            await stop.wait()
        finally:
            for sig in signals:
                with contextlib.suppress(NotImplementedError):
                    loop.remove_signal_handler(sig)
            await runner.cleanup()  # stops taking requests, then the shutdown hooks (the drain), then closes

    async def lead_inbox(self, inbox: Inbox, secret: str, stop: asyncio.Event) -> None:
        """The leader's half of `hotline webhook` on PostgreSQL: the bot's startup (sender, housekeeping,
        content watcher, SIGHUP), the webhook registered, the inbox handled until ``stop``, then the drain.
        The instance's receiver (hotline.cluster) keeps filling the inbox meanwhile."""
        self.handle_signals = True
        await self.dispatcher.emit_startup(bot=self.bot)
        try:
            settings = self.services.config.settings.webhook
            url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/") + settings.path
            await self.bot.set_webhook(url=url, secret_token=secret,
                                       allowed_updates=self.dispatcher.resolve_used_update_types())
            log.info("webhook serving (leading)")
            from hotline import cluster  # PostgreSQL and several instances only: not imported otherwise

            await cluster.consume(inbox, cluster.feeder(self.dispatcher, self.bot), stop)
        finally:
            await self.dispatcher.emit_shutdown(bot=self.bot)

    async def stop(self) -> None:
        try:
            await self.dispatcher.stop_polling()
        except RuntimeError:
            pass  # it was not polling

    async def close(self) -> None:
        await self.services.stats.flush()  # the last batch of writes too
        await self.bot.session.close()
        await self.services.database.close()
