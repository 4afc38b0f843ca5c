"""The content the bot serves right now: one snapshot behind one reference, swapped whole on reload.

A reload builds and checks a new snapshot first; only a snapshot without errors replaces the old one, so
a typo in a hurried legal update can never take the bot down. People in the middle of the menus are not
thrown out: a page that vanished leads to its nearest surviving parent in the old tree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from bot.content.loader import LoadResult, load_content
from bot.content.model import ContentSnapshot

Listener = Callable[[ContentSnapshot], None]


class ContentStore:
    def __init__(self, snapshot: ContentSnapshot) -> None:
        self._snapshot = snapshot
        self._moved: dict[str, str] = {}  # a page removed by a reload -> where its readers now land
        self._listeners: list[Listener] = []

    @property
    def snapshot(self) -> ContentSnapshot:
        return self._snapshot

    def on_replace(self, listener: Listener) -> None:
        """Things built from the content (the search index) are rebuilt with every new snapshot."""
        self._listeners.append(listener)

    def replace(self, snapshot: ContentSnapshot) -> list[str]:
        """Serve `snapshot` from now on; returns the ids of pages that no longer exist."""
        old = self._snapshot
        removed = [node_id for node_id in old.nodes if node_id not in snapshot]
        moved = {node_id: snapshot.nearest_existing(node_id, old.path_to(node_id)[:-1]) for node_id in removed}
        for node_id, target in self._moved.items():  # pages removed by an earlier reload
            if node_id not in snapshot and node_id not in moved:
                moved[node_id] = target if target in snapshot else moved.get(target, snapshot.root)
        for listener in self._listeners:
            listener(snapshot)
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
        """Load, check and, only if there are no errors, publish the content folder."""
        result = await asyncio.to_thread(load_for, config)
        if result.snapshot is not None:
            self.replace(result.snapshot)
        return result


def load_for(config: Config, directory: Path | None = None) -> LoadResult:
    """Load the content folder with the settings the running bot uses."""
    settings = config.settings
    return load_content(
        directory or config.content_dir,
        languages=list(settings.languages),
        fallback_language=settings.content.fallback_language,
        organisation=settings.organisation.model_dump(),
    )
