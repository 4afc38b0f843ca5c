"""The search over all languages, built from one content snapshot and rebuilt whenever it changes.

Nothing here keeps anything about a person or a query: the index is made from the content only, and a
query lives as long as the call that ranks it. The reader's context (their language, the page they are
on) is passed with each query and forgotten with it.

When the best page probably does not answer the question, the answer is "no page on that" (with a counsellor
offered), not a page that looks like an answer: the chance that it answers is weighed by a model calibrated on
the content's own questions (bot/search/calibration.py) and held to `search: min_chance` (SearchSettings,
bot/config.py; CONTENT.md says how it was measured). The content's questions (content/<lang>/questions.yml) are
read as part of the pages they are listed under, and the questions no page answers as documents of their own: a
question near one of those is less likely to get a page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from bot.config import SearchSettings
from bot.content.model import ContentSnapshot
from bot.search import stemming
from bot.search.calibration import SHIPPED, Calibration, decide
from bot.search.index import (
    NOT_ANSWERED,
    Hit,
    LanguageIndex,
    Ranking,
    collector_paused,
    documents_of,
    is_not_answered,
)
from bot.search.query import QueryKind, classify
from bot.search.text import normalise

RESULTS = 3
# Below this share of the query explained in the person's own language, the other languages are tried.
CONFIDENT = 0.6
# ... and another language's answer is used only if it explains clearly more.
BETTER_BY = 0.15
# How many times the offered pages' number are ranked (see search).
DEPTH = 3
# ... and how many times that, where questions no page answers take every place (see rank).
FURTHER = 4


@dataclass(frozen=True)
class SearchAnswer:
    kind: QueryKind
    ranking: Ranking | None = None  # for SEARCH: the pages offered, and the language whose texts they matched
    asked_language: str = ""
    # For SEARCH: the best page the search found but did not offer because it fell below the no-match
    # floor (for editors' tools; never shown to the person).
    withheld: Hit | None = None
    # For SEARCH: the chance (0..1) that the best page answers the question (bot/search/calibration.py), which
    # decided whether pages are offered (None: no page could be; for editors' tools).
    chance: float | None = None
    # For SEARCH with no page offered: the menu section of the nearest page in the reader's language, when
    # it shares more with the question than its places and is not about another country. The person gets the
    # section (a menu to browse, never a page presented as the answer); the right page is in it for most
    # questions the no-match rule turns away (tests/test_search.py).
    section: str | None = None
    # For SEARCH with no page offered where a question no page answers (content/<lang>/questions.yml,
    # `not_answered:`) ranks above every page: that question (for editors' tools; never shown).
    like_not_answered: str | None = None

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
    root: str
    section_of: dict[str, str]  # node → the main-menu section it is in (itself for a section; root for root)
    # language → section → the positions of that section's pages in the language's index
    positions: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    # language → the questions no page answers, in the order of their documents (documents_of)
    not_answered: dict[str, tuple[str, ...]] = field(default_factory=dict)


class SearchIndex:
    """The search over one content snapshot. Built at once, or with ``lazy`` on first use or by
    :meth:`prepare` (which the bot runs in a thread once it is up: building takes a few tenths of a second
    for the shipped content, seconds for 10,000 pages, and would otherwise delay the first answer after a
    start; a search that comes first builds it, once, and waits for it). A built index weighs each term the
    first time a search needs it (a fraction of a millisecond); prepare() weighs them all."""

    def __init__(self, snapshot: ContentSnapshot, settings: SearchSettings | None = None, *,
                 lazy: bool = False, calibration: Calibration = SHIPPED) -> None:
        self.settings = settings or SearchSettings()
        self.calibration = calibration
        self._lock = threading.Lock()  # one build at a time: the bot's thread and the one running prepare()
        self._pending: ContentSnapshot | None = snapshot if lazy else None
        self._ready: _Built | None = None if lazy else self._build(snapshot)

    @property
    def _built(self) -> _Built:
        built = self._ready
        if built is None:
            with self._lock:
                if self._ready is None:
                    pending = self._pending
                    assert pending is not None
                    first = self._build(pending)
                    if self._ready is None:  # else a reload put a newer index in place meanwhile (_install)
                        self._ready, self._pending = first, None
                built = self._ready
        return built

    @property
    def ready(self) -> bool:
        """Whether the index is built (a lazy one is not until first used or prepared)."""
        return self._ready is not None

    def prepare(self) -> None:
        """Build the index now if it is not built yet, and weigh every term, which a built index otherwise does
        on a term's first use (blocking; safe to call from another thread)."""
        for index in self._built.indexes.values():
            index.weigh_all()

    @staticmethod
    def _build(snapshot: ContentSnapshot) -> _Built:
        with collector_paused():  # see LanguageIndex
            return SearchIndex._build_paused(snapshot)

    @staticmethod
    def _build_paused(snapshot: ContentSnapshot) -> _Built:
        stemming.make_room()
        languages = list(snapshot.languages or snapshot.texts)
        menus = {node for node, found in snapshot.nodes.items() if found.children}
        sections = snapshot.nodes[snapshot.root].children if snapshot.root in snapshot.nodes else ()
        indexes = {
            language: LanguageIndex(language, documents_of(snapshot.texts.get(language, {}), snapshot.root,
                                                           snapshot.questions.get(language),
                                                           snapshot.not_answered.get(language, ()),
                                                           menus=menus, about=snapshot.about, sections=sections),
                                    snapshot.glossary.get(language), snapshot.other_meanings.get(language))
            for language in languages
        }
        order = [snapshot.fallback_language, *[lang for lang in languages if lang != snapshot.fallback_language]]
        section_of = _sections(snapshot)
        positions: dict[str, dict[str, frozenset[int]]] = {}
        for language, index in indexes.items():
            by_section: dict[str, set[int]] = {}
            for position, node in enumerate(index.nodes):
                by_section.setdefault(section_of.get(node, snapshot.root), set()).add(position)
            positions[language] = {section: frozenset(found) for section, found in by_section.items()}
        return _Built(snapshot.version, tuple(lang for lang in order if lang in indexes), indexes, snapshot.root,
                      section_of, positions, {language: tuple(snapshot.not_answered.get(language, ()))
                                              for language in indexes})

    @property
    def version(self) -> str:
        """The content version the index was (or, lazy and not yet built, will be) built from."""
        pending, ready = self._pending, self._ready
        if ready is not None:
            return ready.version
        return pending.version if pending is not None else self._built.version

    def rebuild(self, snapshot: ContentSnapshot) -> None:
        """Index a new snapshot; searches keep using the old index until the new one is complete."""
        self._install(self._build(snapshot))

    def staged(self, snapshot: ContentSnapshot) -> Callable[[], None]:
        """Index a new snapshot and weigh every term (blocking, safe in another thread), and return what puts the
        index in place (quick): ContentStore runs the first in a thread on reload and the second as it swaps the
        snapshot, so searches keep using the old index until then."""
        built = self._build(snapshot)
        for index in built.indexes.values():
            index.weigh_all()
        return partial(self._install, built)

    def _install(self, built: _Built) -> None:
        # Without the lock, which a first build in prepare()'s thread holds for as long as it takes: this runs on
        # the event loop. That build then sees the newer index in place and keeps it.
        self._ready = built
        self._pending = None

    def follow(self, snapshot: ContentSnapshot) -> None:
        """Rebuild if the content changed since the index was built (a reload that did not call rebuild)."""
        if snapshot.version != self.version:
            self.rebuild(snapshot)

    def _preferred(self, built: _Built, language: str, reader: str, here: str | None) -> frozenset[int]:
        """Positions in `language`'s index of the pages the reader's context points to: the section they
        are in, or, from the main menu, the sections set for their language (SearchSettings)."""
        positions = built.positions.get(language, {})
        section = built.section_of.get(here) if here is not None else None
        if section is not None and section != built.root and section in positions:
            return positions[section]
        preferred: frozenset[int] = frozenset()
        for wanted in self.settings.prefer_sections.get(reader, ()):
            preferred |= positions.get(wanted, frozenset())
        return preferred

    def rank(self, query: str, language: str, limit: int = RESULTS, *, reader: str | None = None,
             here: str | None = None, at_least: float = 0.0) -> Ranking:
        """The best nodes for the query in one language's texts, whatever kind of text it is, before the
        no-match rule. `reader` is the reader's language (default: `language`), `here` the page they are on;
        no nodes if none could explain `at_least` of the query (0..1: see LanguageIndex.search)."""
        built = self._built
        index = built.indexes.get(language)
        if index is None:
            return Ranking(language, ())
        prefer = self._preferred(built, language, reader or language, here)
        ranking = index.search(query, limit, prefer=prefer, home=self.settings.home_countries, at_least=at_least)
        if len(ranking.hits) >= limit and all(is_not_answered(hit.node) for hit in ranking.hits):
            # Questions no page answers took every place (many share the question's words): the nearest page is
            # further down, and the decision, the withheld page and the menu section need it.
            ranking = index.search(query, limit * FURTHER, prefer=prefer, home=self.settings.home_countries,
                                   at_least=at_least)
        return ranking

    def words(self, query: str, language: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each word of the query with the index terms it was read as in `language`'s texts (none for a
        stop word or a word the texts do not have): for editors and tests."""
        index = self._built.indexes.get(language)
        if index is None:
            return []
        return [(word.text, tuple(word.terms)) for word in index.read(query)]

    def meant_otherwise(self, query: str, language: str) -> list[str]:
        """The words of the query that mean something else here than in the pages, by the words beside them
        (content/<lang>/search.yml, other_meanings): for editors' tools."""
        index = self._built.indexes.get(language)
        return [word.text for word in index.read(query) if word.other_meaning] if index is not None else []

    def is_small_word(self, word: str, language: str) -> bool:
        """Whether the search ignores this word of a query in `language` ("как", "the"): for editors' tools."""
        index = self._built.indexes.get(language)
        return index is not None and index.is_stop(normalise(word))

    def glossary_problems(self) -> dict[str, list[tuple[str, str, str, str]]]:
        """Per language, the glossary entries that cannot work, as (section, word, what is wrong, fix): see
        LanguageIndex.glossary_problems (content/<lang>/search.yml; `hotline content check` warns of them)."""
        found = {language: index.glossary_problems() for language, index in self._built.indexes.items()}
        return {language: pairs for language, pairs in found.items() if pairs}

    def ranked(self, query: str, language: str, *, here: str | None = None) -> Ranking:
        """The ranking the search decides on, before the no-match floor: the reader's language's, or another
        language's where the reader's explains too little of the question and the other clearly more."""
        return self._ranked(query, language, here)[0]

    def _ranked(self, query: str, language: str, here: str | None) -> tuple[Ranking, Ranking]:
        """(the ranking decided on, the reader's own language's)."""
        # Deeper than the pages offered: questions no page answers (content/<lang>/questions.yml) take places
        # in the ranking that pages would otherwise have.
        depth = RESULTS * DEPTH
        best = own = self.rank(query, language, depth, here=here)
        # A question about this chat gets the page about the helpline in the reader's own language (Ranking.about).
        if best.confidence < CONFIDENT and best.about is None:
            for other in self._built.order:
                if other == language:
                    continue
                # Only a language whose pages may explain clearly more is ranked (most of a slow query's time).
                candidate = self.rank(query, other, depth, reader=language, here=here,
                                      at_least=best.confidence + BETTER_BY)
                # Not a language whose pages the question only meets through typos of their words.
                if candidate.hits and not candidate.guessed and candidate.confidence >= best.confidence + BETTER_BY:
                    best = candidate
        return best, own

    def search(self, query: str, language: str, limit: int = RESULTS, *, here: str | None = None) -> SearchAnswer:
        """What to answer a typed text with: its kind and, for a question, the pages to offer (none if the
        chance that the best page answers is below `min_chance`). `here` is the page the reader is on (None: the
        main menu)."""
        kind = classify(query)
        if kind is not QueryKind.SEARCH:
            return SearchAnswer(kind, asked_language=language)
        best, own = self._ranked(query, language, here)
        pages, chance, offer = decide(best, self.calibration, self.settings.min_chance, self.settings.floor)
        first = best.hits[0] if best.hits else None
        if first is not None and first.listed:
            # A question listed in questions.yml gets what it is listed for, whatever the chance says: the editors'
            # word ("a question listed for a page finds that page first"; one no page answers gets none).
            offer = not is_not_answered(first.node)
        offered = tuple(pages[:limit]) if offer else ()
        # The best page withheld is the first of all, even one that has only the question's places or is about
        # another country (editors see why it was not offered).
        withheld = next((hit for hit in best.hits if not is_not_answered(hit.node)), None) if not offer else None
        like = None
        if not offer and first is not None and is_not_answered(first.node) and not (first.only_places
                                                                                    or first.elsewhere):
            like = self.not_answered_question(first.node, best.language)
        # The nearest page for the section is the reader's own language's: another language's matched words of
        # a language the question is not in (Ukrainian "у" read as the "e" of "Connection e.V.").
        own_pages = [hit for hit in own.hits if not is_not_answered(hit.node)]
        nearest = own_pages[0] if own_pages and not offer else None
        section = None
        if nearest is not None and not (nearest.only_places or nearest.elsewhere):
            section = self._built.section_of.get(nearest.node)
        return SearchAnswer(kind, Ranking(best.language, offered, best.words, best.unknown), asked_language=language,
                            withheld=withheld, chance=chance, section=section if section != self._built.root else None,
                            like_not_answered=like)

    def not_answered_question(self, node: str, language: str) -> str | None:
        """The question no page answers that a hit's node stands for (None for a page): for editors' tools."""
        if not is_not_answered(node):
            return None
        questions = self._built.not_answered.get(language, ())
        number = int(node.removeprefix(NOT_ANSWERED))
        return questions[number] if number < len(questions) else None


def _sections(snapshot: ContentSnapshot) -> dict[str, str]:
    """Each node's main-menu section: the child of the root it is under (a section is its own)."""
    found: dict[str, str] = {snapshot.root: snapshot.root}
    root = snapshot.nodes.get(snapshot.root)
    if root is None:
        return found
    for section in root.children:
        stack = [section]
        while stack:
            node = stack.pop()
            if node in found or node not in snapshot.nodes:
                continue
            found[node] = section
            stack.extend(snapshot.nodes[node].children)
    return found

