"""`hotline preview`: the real bot against the fake Telegram, shown in a browser, reloading on every save.

Like the demo it keeps nothing (a throwaway key and database). Its settings are the operator's with two
changes: one pretend counsellor who speaks every language (the page plays them), and content reloads
driven by the preview itself, so the page can say when a save was refused and why. In team mode (asked for,
or on in config.yaml) the bot works in a pretend forum group of the fake's, whose one member is that
counsellor, and the counsellor's phone shows the group instead of a private chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from bot.config import Config, CounsellorSettings
from bot.content.loader import LoadResult
from bot.content.store import content_fingerprint
from bot.identity.crypto import KeyRing
from bot.menus.callbacks import NavCallback
from bot.simulator.server import FakeTelegram
from bot.simulator.web import Navigation, PreviewPage, TeamView
from hotline.app import Hotline, describe

COUNSELLOR_ID = 700_000_001
TEAM_GROUP_ID = -1_001_700_000_001
"""The pretend counsellors' group of team mode (a forum supergroup in the fake only)."""
DEFAULT_PORT = 8765


def preview_config(config: Config, *, api_server: str, scratch: Path, language: str, team: bool = False) -> Config:
    settings = config.settings
    languages = list(settings.languages)
    if language in languages:  # a counsellor reads the bot's prompts in their first language
        languages.remove(language)
        languages.insert(0, language)
    counsellor = CounsellorSettings(telegram_id=COUNSELLOR_ID, languages=languages, max_cases=20)
    return config.model_copy(update={
        "settings": settings.model_copy(update={
            "counsellors": [counsellor],
            "content": settings.content.model_copy(update={"watch": False}),
            "team": settings.team.model_copy(update={"enabled": team, "group_id": TEAM_GROUP_ID if team else None}),
        }),
        "api_server": api_server,
        "data_dir": scratch,
        "database_url": f"sqlite+aiosqlite:///{scratch / 'preview.sqlite'}",
    })


def _navigation(app: Hotline) -> Navigation:
    def data_for(node: str) -> str:
        return NavCallback(node=node, v=app.services.content.snapshot.version[:6]).pack()

    def node_of(data: str) -> str | None:
        try:
            return NavCallback.unpack(data).node
        except (ValueError, TypeError):
            return None

    return Navigation(data_for=data_for, node_of=node_of)


class Preview:
    """Everything `hotline preview` runs; tests start one in their own event loop."""

    def __init__(
        self, config: Config, *, language: str = "en", watch_interval: float = 1.0, team: bool | None = None
    ) -> None:
        self.config = config
        self.language = language
        self.team = config.settings.team.enabled if team is None else team
        """Team mode: cases as topics of the pretend counsellors' group (default: as config.yaml says)."""
        self.watch_interval = watch_interval
        self.fake = FakeTelegram(bot_first_name=config.settings.organisation.name)
        self.app: Hotline | None = None
        self.page: PreviewPage | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start the fake, the bot and the page; returns the page's URL. Raises StartupError on bad content."""
        await self.fake.start()
        self._scratch = tempfile.TemporaryDirectory(prefix="hotline-preview-")
        try:
            config = preview_config(self.config, api_server=self.fake.base_url,
                                    scratch=Path(self._scratch.name), language=self.language, team=self.team)
            team = None
            if self.team:  # the group must be there before the bot starts: it checks it then
                counsellor = self.fake.user(COUNSELLOR_ID, "Counsellor", language_code=self.language)
                title = f"{config.settings.organisation.name}: counsellors"
                self.fake.forum_group([counsellor], group_id=TEAM_GROUP_ID, title=title)
                team = TeamView(TEAM_GROUP_ID, config.settings.team.note_prefix, title)
            self.app = app = await Hotline.create(config, keys=KeyRing.ephemeral(), token=self.fake.token)
            self.fake.bot_busy = lambda: app.busy
            self._tasks.append(asyncio.create_task(app.run_polling(handle_signals=False)))
            self.page = PreviewPage(self.fake, app.services.content, _navigation(app),
                                    languages=config.settings.languages, language=self.language,
                                    counsellor_id=COUNSELLOR_ID,
                                    title=f"{config.settings.organisation.name}: preview", team=team)
            url = await self.page.start(host, port)
            self._tasks.append(asyncio.create_task(self._watch()))
            return url
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        for task in reversed(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.page is not None:
            await self.page.stop()
        if self.app is not None:
            await self.app.close()
            self.app = None
        await self.fake.stop()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    async def reload(self) -> LoadResult:
        """Publish the content folder if it passes the check, and tell the page either way."""
        assert self.app is not None and self.page is not None, "start() first"
        result = await self.app.reload_content()
        await self.page.content_reloaded(describe(result.errors, self.config), describe(result.warnings, self.config))
        return result

    async def _watch(self) -> None:
        """Reload when the folder differs from what the store last loaded (see ContentStore.files)."""
        assert self.app is not None
        store = self.app.services.content
        while True:
            await asyncio.sleep(self.watch_interval)
            if await asyncio.to_thread(content_fingerprint, self.config.content_dir) != store.files:
                await self.reload()
