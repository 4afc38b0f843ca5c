"""The content the bot serves right now: one snapshot behind one reference, swapped whole on reload.

A reload builds and checks a new snapshot first; only a snapshot without errors replaces the old one, so
a typo in a hurried legal update can never take the bot down. People in the middle of the menus are not
thrown out: a page that vanished leads to its nearest surviving parent in the old tree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from bot.clock import now_utc
from bot.config import Config
from bot.content.loader import LoadResult, Problem, load_content
from bot.content.model import ContentSnapshot

# Builds what depends on a snapshot (the search index: most of a second for the shipped content), and returns what
# puts it in place. A reload runs the building in a thread and the putting in place on the event loop, in the same
# step as the snapshot is swapped: the bot answers others while the index is built, and no update ever sees the
# new content with the old index or the other way round.
Listener = Callable[[ContentSnapshot], Callable[[], None]]
Fingerprint = tuple[tuple[str, int, int], ...]
log = logging.getLogger(__name__)

CHECKER_FAILED = "the checker itself failed ({kind}), so nothing was changed"
CHECKER_FAILED_FIX = ("this is a bug in hotline, not in the content: report it with the files changed since the "
                      "last reload; the old content keeps serving")


class ContentStore:
    """``files``: the folder's fingerprint taken just before the last load was read (the first one, or the
    newest reload, published or refused). The watcher compares the folder with it, so an edit saved while a
    load was reading, or right after the bot started, is never mistaken for what is already loaded."""

    def __init__(self, snapshot: ContentSnapshot, clock: Callable[[], datetime] = now_utc, *,
                 files: Fingerprint = ()) -> None:
        self._snapshot = snapshot
        self.files = files
        self._clock = clock  # what "today" is for the review dates a reload checks
        self._moved: dict[str, str] = {}  # a page removed by a reload -> where its readers now land
        self._listeners: list[Listener] = []
        self._reloading = asyncio.Lock()  # one reload at a time: the one that read the newest files publishes last

    @property
    def snapshot(self) -> ContentSnapshot:
        return self._snapshot

    def on_replace(self, listener: Listener) -> None:
        """Things built from the content (the search index) are rebuilt with every new snapshot."""
        self._listeners.append(listener)

    def replace(self, snapshot: ContentSnapshot) -> list[str]:
        """Serve `snapshot` from now on, building what depends on it here and now (blocking); returns the ids of
        pages that no longer exist."""
        return self._publish(snapshot, self._build(snapshot))

    def _build(self, snapshot: ContentSnapshot) -> list[Callable[[], None]]:
        return [listener(snapshot) for listener in self._listeners]

    def _publish(self, snapshot: ContentSnapshot, installs: list[Callable[[], None]]) -> list[str]:
        old = self._snapshot
        removed = [node_id for node_id in old.nodes if node_id not in snapshot]
        moved = {node_id: snapshot.nearest_existing(node_id, old.path_to(node_id)[:-1]) for node_id in removed}
        for node_id, target in self._moved.items():  # pages removed by an earlier reload
            if node_id not in snapshot and node_id not in moved:
                moved[node_id] = target if target in snapshot else moved.get(target, snapshot.root)
        for install in installs:
            install()
        self._moved, self._snapshot = moved, snapshot
        return removed

    def locate(self, node_id: str | None) -> str:
        """Where someone who was on `node_id` should be now."""
        snapshot = self._snapshot
        if node_id is None:
            return snapshot.root
        if node_id in snapshot:
            return node_id
        target = self._moved.get(node_id)
        return target if target is not None and target in snapshot else snapshot.root

    async def reload(self, config: Config) -> LoadResult:
        """Load, check and, only if there are no errors, publish the content folder. Never raises: whatever
        goes wrong is an error in the result, and the old content keeps serving. Reloads run one after the other
        (the watcher, /reload and SIGHUP may ask at once): one that read older files never publishes after one
        that read newer ones."""
        async with self._reloading:
            return await self._reload(config)

    async def _reload(self, config: Config) -> LoadResult:
        self.files = await asyncio.to_thread(content_fingerprint, config.content_dir)
        result = await asyncio.to_thread(load_for, config, today=self._clock().date())
        if result.snapshot is not None:
            try:
                installs = await asyncio.to_thread(self._build, result.snapshot)
                self._publish(result.snapshot, installs)  # nothing awaited in between: one step of the loop
            except Exception as exc:  # a listener (the search index) failed: keep the old content whole
                log.error("content reload: a listener failed; the old content keeps serving", exc_info=True)
                return _failed(config.content_dir, exc)
        return result


def load_for(config: Config, directory: Path | None = None, *, today: date | None = None) -> LoadResult:
    """Load the content folder with the settings the running bot uses (`today`: what the review dates are
    checked against, default today by bot/clock.py, UTC). Never raises: the loader explains
    every problem of the files itself; should it fail anyway, that failure is the one error reported, so
    /reload, SIGHUP and the watcher answer and carry on rather than die."""
    settings = config.settings
    folder = directory or config.content_dir
    try:
        return load_content(
            folder,
            languages=list(settings.languages),
            fallback_language=settings.content.fallback_language,
            organisation=settings.organisation.model_dump(),
            today=today,
        )
    except Exception as exc:
        log.error("content check failed inside the checker", exc_info=True)
        return _failed(folder, exc)


def content_fingerprint(folder: Path) -> Fingerprint:
    """(path, size, mtime in ns) of every YAML file under `folder`: it changes when a file is saved. Never
    raises: a file that vanishes while the folder is read (an editor's atomic save) is simply left out."""
    found = []
    try:
        paths = sorted(folder.rglob("*.y*ml"))
    except OSError:
        return ()
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def _failed(folder: Path, exc: Exception) -> LoadResult:
    return LoadResult(None, [Problem("error", folder, None, CHECKER_FAILED.format(kind=type(exc).__name__),
                                     CHECKER_FAILED_FIX)])
