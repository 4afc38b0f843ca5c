"""The search over all languages, built from one content snapshot and rebuilt whenever it changes.

Nothing here keeps anything about a person or a query: the index is made from the content only, and a
query lives as long as the call that ranks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import ContentSnapshot
from bot.search.index import LanguageIndex, Ranking, documents_of
from bot.search.query import QueryKind, classify

RESULTS = 3
# Below this share of the query explained in the person's own language, the other languages are tried.
CONFIDENT = 0.6
# ... and another language's answer is used only if it explains clearly more.
BETTER_BY = 0.15


@dataclass(frozen=True)
class SearchAnswer:
    kind: QueryKind
    ranking: Ranking | None = None  # for SEARCH: the hits, and the language whose texts they matched
    asked_language: str = ""

    @property
    def found(self) -> bool:
        return self.ranking is not None and bool(self.ranking.hits)

    @property
    def other_language(self) -> bool:
        return self.ranking is not None and self.ranking.language != self.asked_language


@dataclass(frozen=True)
class _Built:
    version: str
    order: tuple[str, ...]  # the fallback language first, then the rest: where to look when one fails
    indexes: dict[str, LanguageIndex]


class SearchIndex:
    def __init__(self, snapshot: ContentSnapshot) -> None:
        self._built = self._build(snapshot)

    @staticmethod
    def _build(snapshot: ContentSnapshot) -> _Built:
        languages = list(snapshot.languages or snapshot.texts)
        indexes = {
            language: LanguageIndex(language, documents_of(snapshot.texts.get(language, {}), snapshot.root))
            for language in languages
        }
        order = [snapshot.fallback_language, *[lang for lang in languages if lang != snapshot.fallback_language]]
        return _Built(snapshot.version, tuple(lang for lang in order if lang in indexes), indexes)

    @property
    def version(self) -> str:
        """The content version the index was built from."""
        return self._built.version

    def rebuild(self, snapshot: ContentSnapshot) -> None:
        """Index a new snapshot; searches keep using the old index until the new one is complete."""
        self._built = self._build(snapshot)

    def follow(self, snapshot: ContentSnapshot) -> None:
        """Rebuild if the content changed since the index was built (a reload that did not call rebuild)."""
        if snapshot.version != self._built.version:
            self.rebuild(snapshot)

    def rank(self, query: str, language: str, limit: int = RESULTS) -> Ranking:
        """The best nodes for the query in one language's texts, whatever kind of text it is."""
        built = self._built
        index = built.indexes.get(language)
        if index is None:
            return Ranking(language, ())
        return index.search(query, limit)

    def search(self, query: str, language: str, limit: int = RESULTS) -> SearchAnswer:
        kind = classify(query)
        if kind is not QueryKind.SEARCH:
            return SearchAnswer(kind, asked_language=language)
        built = self._built
        best = self.rank(query, language, limit)
        if best.confidence < CONFIDENT:
            for other in built.order:
                if other == language:
                    continue
                candidate = built.indexes[other].search(query, limit)
                if candidate.hits and candidate.confidence >= best.confidence + BETTER_BY:
                    best = candidate
        return SearchAnswer(kind, best, asked_language=language)
