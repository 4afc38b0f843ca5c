"""The content the bot serves right now: one snapshot behind one reference, swapped whole on reload."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.content.loader import LoadResult, load_content
from bot.content.model import ContentSnapshot


class ContentStore:
    def __init__(self, snapshot: ContentSnapshot) -> None:
        self._snapshot = snapshot

    @property
    def snapshot(self) -> ContentSnapshot:
        return self._snapshot

    def replace(self, snapshot: ContentSnapshot) -> None:
        self._snapshot = snapshot


def load_for(config: Config, directory: Path | None = None) -> LoadResult:
    """Load the content folder with the settings the running bot uses."""
    settings = config.settings
    return load_content(
        directory or config.content_dir,
        languages=list(settings.languages),
        fallback_language=settings.content.fallback_language,
        organisation=settings.organisation.model_dump(),
    )
