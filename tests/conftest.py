"""Shared fixtures: a config pointing at test content and a temporary database, a fake Telegram, and the
real bot polling it. Nothing here talks to the real Telegram."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.identity.crypto import KeyRing
from bot.simulator.server import FakeTelegram
from hotline.app import Hotline
from tests.backends import BACKENDS, create_database, drop_database, drop_recycled_wal, require_postgresql

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"
TEST_KEY = b"k" * 32


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_backends` run on SQLite and again on PostgreSQL (tests/backends.py)."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgresql_server() -> None:
    """The PostgreSQL server, reachable (else the test skips, or fails with CI=true) and set up for the
    deletion tests (`wal_recycle = off`), once per test run."""
    require_postgresql()
    drop_recycled_wal()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" unless the test is marked `both_backends`."""
    name: str = getattr(request, "param", "sqlite")
    if name == "postgresql":
        request.getfixturevalue("postgresql_server")
    return name


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The test's own database: a SQLite file in tmp_path, or a fresh database on the PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hotline.sqlite'}"
        return
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)


@pytest.fixture
def make_config(tmp_path: Path, database_url: str) -> Callable[..., Config]:
    def make(content: Path = FIXTURE_CONTENT, extra_yaml: str = "", **env: str) -> Config:
        env.setdefault("HOTLINE_DATABASE_URL", database_url)
        path = tmp_path / "config.yaml"
        path.write_text(
            f"languages: [ru, en, de]\n"
            f"default_language: ru\n"
            f"content: {{dir: '{content}', fallback_language: en}}\n"
            f"organisation: {{name: 'Test Hotline', contacts: 'help@example.org'}}\n"
            f"storage: {{data_dir: '{tmp_path / 'data'}'}}\n" + extra_yaml,
            encoding="utf-8",
        )
        return load_config(path, environ=env)

    return make


@pytest.fixture
def config(make_config: Callable[..., Config]) -> Config:
    return make_config()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class RunningBot:
    """The real Hotline polling the fake Telegram in this event loop; can be restarted mid-test."""

    def __init__(self, fake: FakeTelegram, config: Config, keys: KeyRing | None = None, *,
                 search_built: bool = True) -> None:
        self.fake = fake
        self.config = config.model_copy(update={"api_server": fake.base_url})
        self.keys = keys or KeyRing(TEST_KEY)
        self.app: Hotline | None = None
        self._task: asyncio.Task[None] | None = None
        # The bot builds its search index in a thread once it is up, or at the first search; tests build it
        # first, so a test's first search does not wait for the build (wait_idle's 5 s on a loaded machine).
        self.search_built = search_built

    async def start(self) -> Hotline:
        self.app = await Hotline.create(self.config, keys=self.keys, token=self.fake.token)
        if self.search_built:
            self.app.services.search.prepare()
        app = self.app
        self.fake.bot_busy = lambda: app.busy
        self._task = asyncio.create_task(self.app.run_polling(handle_signals=False))
        await self.fake.wait_for(lambda: self.fake.is_polling, timeout=10)
        return self.app

    async def __aenter__(self) -> RunningBot:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self.app is None or self._task is None:
            return
        await self.app.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self.app.close()
        self.app, self._task = None, None


@pytest.fixture
async def running(fake: FakeTelegram, config: Config) -> AsyncIterator[RunningBot]:
    async with RunningBot(fake, config) as bot:
        yield bot


COUNSELLOR_RU = 9_100_000_001  # speaks ru and en
COUNSELLOR_DE = 9_100_000_002  # speaks de and en

ALWAYS_OPEN = """
handoff:
  working_hours: {timezone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "23:59"}
  notify_interval_seconds: 0
"""


def counsellors_yaml(hours: str = ALWAYS_OPEN) -> str:
    return f"""
counsellors:
  - {{telegram_id: {COUNSELLOR_RU}, languages: [ru, en], max_cases: 2}}
  - {{telegram_id: {COUNSELLOR_DE}, languages: [de, en], max_cases: 3, alias: Anna}}
""" + hours


@pytest.fixture
async def desk(fake: FakeTelegram, make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """The bot with two counsellors in config.yaml, working hours always open."""
    async with RunningBot(fake, make_config(extra_yaml=counsellors_yaml())) as bot:
        yield bot


TEAM_GROUP = -1001000000042  # the counsellors' forum supergroup in team mode


def team_yaml(group_id: int = TEAM_GROUP, note_prefix: str = "#") -> str:
    """Team mode on, with the two counsellors of counsellors_yaml() as its members."""
    return (counsellors_yaml() + f"team: {{enabled: true, group_id: {group_id}, note_prefix: '{note_prefix}'}}\n"
            # The fake enforces no flood limits unless a test asks; these tests are not about pacing.
            "delivery: {per_group_per_minute: 600}\n")


@pytest.fixture
async def team_desk(fake: FakeTelegram, make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """The bot in team mode: Olga and Anna (COUNSELLOR_RU, COUNSELLOR_DE) in a protected forum group where the
    bot is an admin with every right; working hours always open."""
    olga = fake.user(COUNSELLOR_RU, "Olga", username="olga_counsels", language_code="ru")
    anna = fake.user(COUNSELLOR_DE, "Anna", username="anna_counsels", language_code="de")
    fake.forum_group([olga, anna], group_id=TEAM_GROUP)
    async with RunningBot(fake, make_config(extra_yaml=team_yaml())) as bot:
        yield bot
