"""The search index of one language's texts, and its ranking.

Each node is a document with three fields: its title (and button label), the editors' keywords and the
body. A query is read chunk by chunk (what the person separated with spaces). Each chunk is read as typed
and, where the alphabets disagree, as if the keyboard had been on the other layout; the reading that
explains more of it wins. Each word of it then finds the index terms it may mean, each with a quality:
the same stem (1.0), the same word with an ending the stemmer left on (0.9), a transliteration (0.9), a
word one or two typos away (0.8, 0.6), a noun made from the verb typed (0.8), a longer word it begins
(0.6) or, in German, a part of a compound (0.5). A term in a page's title or keywords earns a flat bonus,
in its body it counts by BM25; each query word counts once per page, by its best reading there, and the
sum is weighted by how much of the query the page explains.
"""

from __future__ import annotations

import bisect
import gc
import math
import re
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import chain, compress, count, islice, repeat
from operator import add, eq, gt, truediv
from typing import NamedTuple, TypeVar

import numpy

from bot.content.model import Text
from bot.search import ages, german
from bot.search.folding import TRANSLIT as TO_LATIN_LETTERS
from bot.search.folding import cyrillic_lookalikes, cyrillic_skeleton, skeleton, to_cyrillic_layout, to_latin_layout
from bot.search.fuzzy import DeleteIndex
from bot.search.places import country_names, place_countries, place_words
from bot.search.query import without_about_this_chat, without_where_to_look
from bot.search.stemming import (
    dictionary,
    forms,
    is_noun,
    is_word,
    learning_the_content,
    lemma,
    one_question,
    places,
    stem,
)
from bot.search.text import STOP_WORDS, normalise, script_of, strip_markup, words

_K = TypeVar("_K")
_T = TypeVar("_T")

TITLE_WEIGHT = 2.5  # flat, on top of the body's BM25 (which is at most K1 + 1)
KEYWORD_WEIGHT = 2.0
BODY_WEIGHT = 1.0
K1 = 1.2
B = 0.5

EXACT = 1.0
TRANSLIT = 0.9
ONE_TYPO = 0.8
TWO_TYPOS = 0.6
VARIANT = 0.9
PARTIAL = 0.6
COMPOUND_PART = 0.5
COUNTRY_OF = 0.8  # the country of a city the pages do not name ("Batumi" → Georgia)
DERIVED = 0.8  # a noun made from the verb typed ("затримати" → "затримання")
SYNONYM = 0.9  # a word of the glossary, read as the words the pages use for it

CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk"})
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "no"})  # languages that glue words: "Asyl|antrag"
LAYOUT_TIE = 1e-6  # see _read_chunk; far below any reading's quality
MAX_TERMS_PER_WORD = 6  # readings kept per query word, best first
# Of a very common term, only its strongest documents are kept: those with it in the title or keywords,
# then those that use it most. A page that only mentions it in passing does not win on it anyway.
MAX_POSTINGS = 300
MIN_VARIANT = 5  # stems this long may differ by VARIANT_LETTERS letters at the end and still be one word
VARIANT_LETTERS = 2
MIN_PARTIAL = 5  # a query word must be this long to stand for longer words it begins
_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an")
# The people of the helpline's home countries, as their words begin, with their country's name: "росіяни" are of
# Росія as "russians" are of Russia (English: _DEMONYM_SUFFIXES; Belarus's forms share its stem already).
_HOME_DEMONYMS = {
    "ru": (("россиян", "россия"), ("украинц", "украина"), ("украинец", "украина"), ("украинк", "украина")),
    "uk": (("росіян", "росія"), ("українц", "україна"), ("українець", "україна"), ("українк", "україна")),
    "de": (("russe", "russland"), ("russin", "russland"), ("ukrainer", "ukraine"), ("belarusse", "belarus"),
           ("belarussin", "belarus")),
}
# A question told with its story ("Мій брат у Бєлгороді, йому 18. Каже, що зброю в руки не візьме. Що він може
# зробити законно?"): a word only in the sentences before the last, which asks, counts this much in how much of the
# question a page explains (Hit.coverage, and so the final score; not its words' own weight there), a word of the
# story no page has too. The story says who and where; a page need not explain all of it to answer. Chosen on
# 2026-12-03 among 0.3 to 0.7, with the story's words weighing less in the score too or not, and with or without a
# question mark at the end: cross-validated 2,372/2,557/89 -> 2,377/2,562/89, the development sets 405/445/28 ->
# 406/445/28. At 0.5: 2,382/2,567/92, but Ukrainian's 34 -> 36 of 265 unanswerable with a page.
TOLD_BEFORE = 0.7
_LONGEST_SMALL_WORD = 16  # letters: ru and uk small words in Latin letters are shorter ("pozhaluysta", 11)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
UNKNOWN_WEIGHT = 0.7  # of a word no page has, relative to the rarest known word
CAPITALISED_NOUNS = frozenset({"de"})
# Two of a question's words that stand in a page in the question's order, side by side or with one word between
# ("manifestly unfounded", "відмова ... притулку"), say more than the two words apart: each such pair adds
# PHRASE_BONUS times the rarer word's weight to the page's score, as a word of its text would (the sequential
# dependence model of Metzler and Croft, "A Markov random field model for term dependencies", SIGIR 2005). Only
# the PHRASE_CANDIDATES best documents are looked at, and only pairs among a question's first PHRASE_WORDS words.
PHRASE_BONUS = 0.5
PHRASE_CANDIDATES = 10
PHRASE_WORDS = 62  # the bits of an int64 that a shift right leaves
_APART = (-1, -1)  # after each part of a document's terms in order: no pair, even with a word between, spans it
CONTEXT_BOOST = 1.3  # for the pages the reader's context points to
WHERE_TO_LOOK_BOOST = 2.0  # for the menus of pages, for a question that asks where to look (query.py)
# ... and this much more for the main menu's own sections: "я из россии, с чего начать" is for the Russia section,
# not the menu of countries near Russia, whose title names Russia too.
WHERE_TO_LOOK_SECTION = 1.5
# ... and this much more for the section of the home country it names ("i am russian, where to look"): the Russia
# section's sub-menus name Russia in their titles too.
WHERE_TO_LOOK_NAMED = 2.0
FOREIGN_UNASKED = 0.8  # a page about a foreign country, for a question that names no place
LISTED_FIRST = 1.05  # a page the question is listed for, word for word, above the best other one
# What a word that is not a noun ("отправить", "безопасно", "abgelaufen") weighs in how much of a question a
# page explains, relative to its rarity: it is mostly how the question is put, not what it asks, so a long
# question told in verbs is not made unanswerable by them. Known in ru and uk by the dictionary, in German by
# the pages' own spelling (nouns have capitals), in English by a verb's or an adverb's ending (see not_a_noun).
# Chosen 2026-11-30 between 0.2 and 1.0 on the question sets then written (tests/test_search.py).
NOT_A_NOUN = 0.4
# A typed word of at least MIN_STOP_TYPO letters, a typo away from a small word of at least MIN_STOP_TYPO + 1, is
# that word ("könen" of "können"); a shorter small word is too like the content's words ("daher" and "Dauer").
MIN_STOP_TYPO = 5
# Hit.coverage is rounded to 4 places: a bound on it (LanguageIndex.search, at_least) allows for that.
COVERAGE_ROUNDING = 1e-4
INCIDENTAL = 0.5  # the weight of a query word no page is about, relative to its rarity
# The Dirichlet prior of LanguageIndex.likelihood, in words: a text's word counts are taken as if it had this many
# more words in the mix of the whole index, so that a word a short text lacks is unlikely there, not impossible,
# and a short text (a page of a few lines, a handful of questions) is not judged on a few words alone. Chosen on
# 2026-12-01 among 50, 100, 200 and 1,000 words (all within a question or two of each other on every set).
LIKELIHOOD_PRIOR = 200.0
# Fewer questions no page answers than this are too few a text to compare a page with (Ranking.not_answered_odds);
# the content check warns of fewer than 20 too (bot/content/loader.py, FEW_NOT_ANSWERED).
MIN_NOT_ANSWERED = 20


class Document(NamedTuple):  # a tuple: 10,000 of them are made per language on a large tree
    node: str
    title: str
    keywords: tuple[str, ...]
    body: str  # Telegram HTML
    asked: str = ""  # plain text: questions people ask that the page answers (content/<lang>/questions.yml)
    menu: bool = False  # a menu of other pages (a node with children): where a question asking where to look goes
    section: bool = False  # a menu of the main menu's (a country's section, "Leaving"): where it goes first
    about: bool = False  # the page about the helpline itself (tree.yml `about:`): for a question about this chat


@dataclass(frozen=True)
class Hit:
    node: str
    score: float
    coverage: float  # 0..1: how much of the query this document explains
    terms: tuple[str, ...]  # the index terms that matched, for editors tuning keywords
    # How strongly the query's words are in this document, per unit of query weight: about 1 for words
    # only mentioned in its body, 2.5 and more where they are in its title or keywords.
    strength: float = 0.0
    # Whether the only words of the query it has are places ("Tbilisi" of "weather in Tbilisi") while the
    # query's other words are in no page: it tells where the question is set, not what it asks.
    only_places: bool = False
    # Whether the page is about another country than the one the question is set in, and names none of the
    # question's anywhere (the Georgia page for "health insurance in Germany"). A page about a home country (its
    # law holds wherever the person is) is only when the question names another home country; a question no page
    # answers about a foreign country never is (what no page answers there, none answers elsewhere): see
    # LanguageIndex.search.
    elsewhere: bool = False
    # Whether the query asks what something costs or pays ("сколько стоит", "how much does it cost") and the page
    # names no sum of money and does not say it is free: it cannot say what the person asked.
    no_amount: bool = False
    # How many of the query's words, other than places, the page has.
    words: int = 0
    # Whether the query is, word for word, one of the questions listed for this document (questions.yml).
    listed: bool = False

    @property
    def could_be_offered(self) -> bool:
        """Whether the hit is a page (not a question no page answers) that is neither only the question's places,
        nor about another country than the question's, nor without the sum of money the question asks for."""
        return not (is_not_answered(self.node) or self.only_places or self.elsewhere or self.no_amount)


@dataclass(frozen=True)
class Ranking:
    language: str
    hits: tuple[Hit, ...]  # best first
    words: int = 0  # how many words of the query mean something (not small words like "как", "the")
    unknown: int = 0  # how many of those no document has at all
    # How much likelier the query's words are, per word, in the questions no page answers (questions.yml) taken
    # as one text than in the first hit that could be offered (log odds: LanguageIndex.likelihood); None where
    # the content lists fewer than MIN_NOT_ANSWERED such questions or no hit could be offered.
    not_answered_odds: float | None = None
    # Whether every word of the query the documents have, numbers aside, was read only as a typo of theirs: a guess
    # at a question in another language ("Auslieferung Paket" to the Russian pages, "paket" a typo of "пакт" in Latin
    # letters; "paket 2024" has a year they write too).
    guessed: bool = False
    # For a question about this chat itself ("безопасно ли сюда писать", "ви мене не здасте?"; query.ABOUT_THIS_CHAT):
    # the page about the helpline, offered first whatever the no-match decision says of the hits
    # (calibration.decide). Its words are "here" and "you", small words, and the rest are what other pages are about
    # ("тцк може дізнатися що я сюди пишу?") or what no page has. Not among the hits.
    about: Hit | None = None
    # Whether the query asks where to look (query.WHERE_TO_LOOK: "я білорус, з чого мені почати") and the first hit
    # that could be offered is a menu of pages: a menu is what it asks for, offered whatever the chance
    # (calibration.decide).
    where_to_look: bool = False

    @property
    def confidence(self) -> float:
        return self.hits[0].coverage if self.hits else 0.0


@dataclass
class _Word:
    """One query word: the index terms it may mean, with their quality."""

    text: str
    terms: dict[str, float]
    stop: bool = False
    place: bool = False  # the name of a country or city, or of a month or weekday (bot/search/places.py)
    # Whether the content has the word only as a typo of another, or as part of a longer one: no reading of it
    # is surer than ONE_TYPO, nor made from it by a rule (a verb's noun, a city's country).
    guessed: bool = False
    # Whether it is a word of the pages that means something else beside another word of the question
    # (content/<lang>/search.yml, other_meanings): then it has no terms.
    other_meaning: bool = False


class _Learned(dict[_K, _T]):
    """A dict that works out (and keeps) the value of a key the first time it is asked for it: a lookup of
    a known key stays one C call, even through map()."""

    def __init__(self, learn: Callable[[_K], _T]) -> None:
        super().__init__()
        self._learn = learn

    def __missing__(self, key: _K) -> _T:
        value = self[key] = self._learn(key)
        return value


class _Postings(Mapping[str, dict[int, float]]):
    """Each term's documents with their weight (of a very common term, only the strongest MAX_POSTINGS), worked
    out the first time a query needs the term and kept: a large tree has thousands of terms that no query ever
    asks for, and weighing them all was a third of the build.

    `occurrences` holds each term's body occurrences (a document's position once per occurrence, in order),
    `lengths` each body's length and `about` the bonus of each term's documents that have it in their title or
    keywords. That bonus is flat: a page is about what its title says, however often its body repeats other
    words. The body counts by BM25. `documents` says in how many documents a term is (before the cut).

    Everything that runs once per (page, term) pair runs in C, through map(), and a query adds a term's weights
    to its pages' scores as arrays (`arrays`, numpy): a common term is in thousands of pages on a large tree. Two
    threads that ask for a term at once both work it out, and get the same.
    """

    def __init__(self, occurrences: dict[str, list[int]], lengths: list[int],
                 about: dict[str, dict[int, float]]) -> None:
        count = len(lengths) or 1
        average = (sum(lengths) / count) or 1.0
        self._saturation = BODY_WEIGHT * (K1 + 1)
        self._norms = [K1 * (1 - B + B * length / average) for length in lengths]
        self._once = [self._saturation / (1 + norm) for norm in self._norms]  # BM25 of a term a body has once
        self._occurrences, self._about = occurrences, about
        self._terms = frozenset(term for term, docs in occurrences.items() if docs) | about.keys()
        self._weighed: dict[str, dict[int, float]] = {}
        self._docs: dict[str, numpy.ndarray] = {}
        self._values: dict[str, numpy.ndarray] = {}
        self._documents: dict[str, int] = {}

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __getitem__(self, term: str) -> dict[int, float]:
        found = self._weighed.get(term)
        if found is None:
            if term not in self._terms:
                raise KeyError(term)
            weights = self._weigh(term)
            self._documents[term] = len(weights)
            found = self._weighed[term] = _strongest(weights)
        return found

    def arrays(self, term: str) -> tuple[numpy.ndarray, numpy.ndarray]:
        """A term's documents (their positions) and weights, as two arrays in the order of self[term]."""
        docs = self._docs.get(term)
        if docs is None:
            weights = self[term]
            # Kept in two dicts, not as pairs: a tuple is an object the cyclic garbage collector tracks, and
            # thousands of new ones made by queries start full collections that traverse the whole index.
            self._values[term] = numpy.fromiter(weights.values(), dtype=numpy.float64, count=len(weights))
            docs = self._docs[term] = numpy.fromiter(weights, dtype=numpy.int32, count=len(weights))
        return docs, self._values[term]

    def documents(self, term: str) -> int:
        """How many documents have the term (0 for a term none has)."""
        if term not in self._documents:
            if term not in self._terms:
                return 0
            self[term]
        return self._documents[term]

    def _weigh(self, term: str) -> dict[int, float]:
        docs = self._occurrences.get(term) or []
        once, norms, saturation = self._once, self._norms, self._saturation
        # Each page with it weighs what one occurrence weighs there (a page it is in twice is in `docs` twice:
        # the dict keeps it once) ...
        weights = dict(zip(docs, map(once.__getitem__, docs), strict=True))
        if len(weights) < len(docs):
            # ... and the pages with it n > 1 times, n times in a row in `docs`, weigh
            # n * saturation / (n + norm), worked out in C.
            later = docs[1:]
            repeated = Counter(compress(later, map(eq, later, docs)))
            again = list(repeated)
            times = list(map((1).__add__, repeated.values()))
            weights.update(zip(again, map(truediv, map(saturation.__mul__, times),
                                          map(add, times, map(norms.__getitem__, again))), strict=True))
        bonus = self._about.get(term)
        if bonus:
            get = weights.get
            for doc, extra in bonus.items():
                weights[doc] = get(doc, 0.0) + extra
        return weights


class _Pieces:
    """One language's pieces of text between spaces, each read into its words and their terms once.

    A piece is what str.split() gives ("Повестку,", "из-за", "BAMF"): it holds no word, one word or
    (joined by punctuation) several. Stop words have the empty term and are left out of every field.
    """

    def __init__(self, language: str, stop_words: frozenset[str]) -> None:
        self.language = language
        self.stems: dict[str, str] = dict.fromkeys(stop_words, "")  # every word seen, with its term
        self.occurrences: dict[str, list[int]] = {}  # term → the documents it occurs in, once per occurrence
        self.stops: list[int] = []  # where a piece without a term records its occurrences (then forgotten)
        self.several: list[int] = []  # where a piece of several terms records its occurrences
        self.words_of: dict[str, tuple[str, ...]] = {}  # a piece of several terms → its terms
        self.occurrences_of: _Learned[str, list[int]] = _Learned(self._occurrences_of)

    def _read(self, piece: str) -> tuple[str, ...]:
        found = []
        for word in words(piece):
            term = self.stems.get(word)
            if term is None:
                term = self.stems[word] = stem(word, self.language)
            if term:
                found.append(term)
        return tuple(found)

    def _occurrences_of(self, piece: str) -> list[int]:
        found = self._read(piece)
        if not found:
            return self.stops
        if len(found) > 1:
            self.words_of[piece] = found
            for term in found:
                self.occurrences.setdefault(term, [])
            return self.several
        return self.occurrences.setdefault(found[0], [])

    def field(self, texts: list[list[str]]) -> dict[str, list[int]]:
        """Each term of a short field (the titles, the keywords) with the positions of the documents that
        have it, in order; `texts` holds each document's field split at spaces. Every piece is one lookup and
        one append, run by map() over all the documents at once."""
        found: dict[str, list[int]] = {}
        none: list[int] = []
        several: list[int] = []

        def learn(piece: str) -> list[int]:
            terms = self._read(piece)
            if len(terms) > 1:
                self.words_of[piece] = terms
                for term in terms:
                    found.setdefault(term, [])
                return several
            return found.setdefault(terms[0], []) if terms else none

        list_of = _Learned(learn)
        _consume(map(list.append, map(list_of.__getitem__, chain.from_iterable(texts)),
                     chain.from_iterable(map(repeat, count(), map(len, texts)))))
        if several:  # pieces of several words: few, one by one, then their terms' lists put back in order
            late = set()
            for doc in dict.fromkeys(several):
                for piece in filter(self.words_of.__contains__, texts[doc]):
                    for term in self.words_of[piece]:
                        found[term].append(doc)
                        late.add(term)
            for term in late:
                found[term].sort()
        return found


class LanguageIndex:
    def __init__(self, language: str, documents: Iterable[Document],
                 glossary: Mapping[str, tuple[str, ...]] | None = None,
                 other_meanings: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """`glossary` maps words people type that the pages do not use to phrases the pages use;
        `other_meanings` words of the pages to the words beside which a question means something else by them
        (both content/<lang>/search.yml)."""
        # The build makes a few large structures of strings and numbers, and no cycle: the garbage
        # collector's passes over them (several full ones on a large tree) would find nothing to free.
        # The word functions remember what they work out for the content's words, not for a question's
        # (bot/search/stemming.py, learning_the_content).
        with collector_paused(), learning_the_content():
            self._build(language, documents)
            self._learn(glossary or {})
            self._other_meaning_entries = dict(other_meanings or {})
            # a word's stem -> the stems of the words beside which a question means something else by it
            self._other_meanings = {
                stem(normalise(word), language): frozenset(stem(normalise(other), language) for other in beside)
                for word, beside in (other_meanings or {}).items()}

    def _learn(self, glossary: Mapping[str, tuple[str, ...]]) -> None:
        """The glossary by word and by stem (a query word in another form finds its entry)."""
        self._glossary: dict[str, tuple[str, ...]] = {}
        # stem → (the shortest a form of the entry's word may be, its phrases)
        self._glossary_stems: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for word, phrases in glossary.items():
            key = normalise(word)
            self._glossary[key] = self._glossary.get(key, ()) + tuple(phrases)
            self._glossary_stems.setdefault(stem(key, self.language), []).append((len(key) - 2, tuple(phrases)))
        self._glossary_entries = {word: tuple(phrases) for word, phrases in glossary.items()}
        # Each phrase's reading, worked out the first time a query needs it and kept (the index does not change).
        self._phrases: _Learned[str, dict[str, float]] = _Learned(self._phrase)

    def _build(self, language: str, documents: Iterable[Document]) -> None:
        self.language = language
        self.cyrillic = language in CYRILLIC_LANGUAGES
        self.stop_words = STOP_WORDS.get(language, frozenset())
        # Small words typed in Latin letters are small words too: this language's in a Cyrillic one ("chto", "kak");
        # Russian's and Ukrainian's in the others, as people who write in two languages type them ("povestka prishla
        # what do i do"), where the pages lack the word (is_stop).
        self._stop_skeletons = frozenset(cyrillic_skeleton(w) for w in self.stop_words) if self.cyrillic else (
            frozenset(cyrillic_skeleton(w) for language in ("ru", "uk") for w in STOP_WORDS[language] if len(w) > 2))
        # Typos of the longer small words ("könen", "wheather"), where no dictionary tells (see is_stop).
        self._stop_typos = DeleteIndex((w, w) for w in self.stop_words if len(w) > MIN_STOP_TYPO) if (
            not self.cyrillic) else None
        documents = list(documents)
        self.nodes: list[str] = [document.node for document in documents]
        self._places = place_words(language)
        # Stems of the names, for forms the names list does not spell ("Russlands", "грузии" typed with a
        # typo); not in English, whose names take no endings and whose stems meet common words
        # ("resolut" of Resolute and "resolution").
        self._place_stems = frozenset(stem(name, language) for name in self._places) if language != "en" else (
            frozenset())
        self._countries: dict[str, frozenset[str]] = {}  # a country's or city's name, or its stem → its countries
        for name, codes in place_countries(language).items():
            for key in (name, stem(name, language)) if language != "en" else (name,):
                self._countries[key] = self._countries.get(key, frozenset()) | codes
        self._country_names = country_names(language)
        pieces = _Pieces(language, self.stop_words)
        # Each term's occurrences in the bodies: the document's position, once per occurrence.
        occurrences = pieces.occurrences
        lengths: list[int] = []  # each body's length in words, stop words not counted
        append, add_length = list.append, lengths.append
        occurrences_of = pieces.occurrences_of.__getitem__
        stops, several, words_of = pieces.stops, pieces.several, pieces.words_of
        # A body's words are found by splitting it at spaces: each distinct piece ("Повестку," "из-за") is read
        # into words and stemmed once per language, the first time it is seen; after that every occurrence is
        # one lookup and one append in C (map), straight into its term's list. This is most of the build on a
        # large tree, so nothing here runs a Python statement per word. A page's listed questions are read as
        # part of its body; which of their pieces the pages' own texts have too is kept (people type in lower
        # case, so only the pages tell which German words are nouns).
        asked_pieces = frozenset(chain.from_iterable(document.asked.split() for document in documents))
        in_pages: set[str] = set()
        # Only German needs to know (CAPITALISED_NOUNS); intersecting every body is a tenth of a large build.
        find_in_pages = bool(asked_pieces) and language in CAPITALISED_NOUNS
        for doc, document in enumerate(documents):
            text = strip_markup(document.body).split()
            if find_in_pages:
                in_pages.update(asked_pieces.intersection(text))
            if document.asked:
                text += document.asked.split()
            _consume(map(append, map(occurrences_of, text), repeat(doc)))
            length = len(text) - len(stops) - len(several)
            stops.clear()
            if several:  # pieces of more than one word: rare, counted one by one
                several.clear()
                for piece in filter(words_of.__contains__, text):
                    for term in words_of[piece]:
                        append(occurrences[term], doc)
                        length += 1
            add_length(length)
        # Each listed question (questions.yml), word for word, with the documents it is listed for: an editor who
        # lists a question as people typed it can count on it finding its page first.
        self._listed: dict[str, list[int]] = {}
        for doc, document in enumerate(documents):
            for question in document.asked.split("\n") if document.asked else ():
                self._listed.setdefault(as_listed(question), []).append(doc)
        # term → the documents with it in their title or keywords, with the bonus that earns.
        keywords = pieces.field([" ".join(document.keywords).split() for document in documents])
        titles = pieces.field([document.title.split() for document in documents])
        about = _bonuses(titles, keywords)
        ages_added = _add_ages(documents, occurrences, about)
        self._fields = (occurrences, titles, keywords)
        # Each document's length as LanguageIndex.likelihood counts it: its body's words (BM25's `lengths`), with the
        # ages its ranges hold and its title's and keywords' words.
        in_fields = Counter(chain(chain.from_iterable(titles.values()), chain.from_iterable(keywords.values())))
        self._lengths = [length + in_fields[doc] + ages_added[doc] for doc, length in enumerate(lengths)]
        # The questions no page answers are the last documents (documents_of): counted as one document.
        self._first_not_answered = next(
            (doc for doc, node in enumerate(self.nodes) if is_not_answered(node)), len(self.nodes))
        self._not_answered_length = sum(self._lengths[self._first_not_answered:])
        self._collection_length = sum(self._lengths) + len(occurrences.keys() | titles.keys() | keywords.keys()) + 1
        # term → (its occurrences in the questions no page answers, everywhere + 1), the first time a query needs it.
        self._term_counts: _Learned[str, tuple[int, int]] = _Learned(self._count_term)
        self._abroad = self._pages_abroad(documents, occurrences, keywords)
        # For the countries whose pages hold wherever the person is: the pages about another country, as an array
        # of their positions (the ranking lowers them for a question that names no place).
        self._foreign_pages: _Learned[frozenset[str], numpy.ndarray] = _Learned(self._pages_about_elsewhere)
        self._about = about  # term → the documents with it in their title or keywords (_country_of_term)
        # term → the one foreign country all the pages with it are about ("bamf": Germany), the first time asked.
        self._term_country: _Learned[str, str | None] = _Learned(self._country_of_term)
        surface = {word: term for word, term in pieces.stems.items() if term}
        # German writes every noun with a capital: a word the pages write in lower case is not a noun (what
        # NOT_A_NOUN needs, where no dictionary is at hand), one they write with a capital is (_known_noun). Read
        # off the distinct pieces of the pages' own texts and keywords, not of the questions listed with them:
        # people type in lower case.
        self._lower_case_words: frozenset[str] = frozenset()
        self._capitalised: frozenset[str] = frozenset()
        if language in CAPITALISED_NOUNS:
            written = [piece for piece in pieces.occurrences_of if piece not in asked_pieces or piece in in_pages]
            self._lower_case_words = frozenset(
                word for piece in written if piece[:1].islower() for word in words(piece))
            self._capitalised = frozenset(
                found[0] for piece in chain(written, *(" ".join(d.keywords).split() for d in documents))
                if piece[:1].isupper() and (found := words(piece)))
        self._postings = _Postings(occurrences, lengths, about)
        self._sorted_terms = sorted(self._postings)
        self._surface = surface
        self._fuzzy = DeleteIndex([*surface.items(), *((t, t) for t in self._postings)])
        cyrillic_words = [(cyrillic_skeleton(w), t) for w, t in surface.items() if script_of(w) == "cyrillic"]
        self._skeletons = DeleteIndex(cyrillic_words)
        # Latin names as people spell them in Cyrillic ("бамф" for BAMF, "шеферд" for Shepherd).
        latin_words = [(skeleton(w), t) for w, t in surface.items() if script_of(w) == "latin" and len(w) >= 3]
        self._latin_skeletons = DeleteIndex(latin_words)
        # Terms some page has in its title or keywords: what pages are about. A word no page is about
        # ("сколько", "during") is incidental to a question and weighs less.
        self._topics = frozenset(about)
        # What is read off a page's text only the first time a question needs it, keyed by the page (never by what
        # was typed): whether it names a sum of money or says something is free (the only pages that may answer a
        # question asking what something costs or pays), and the numbers it writes in groups of three. Reading
        # every page at the build took a third of it on a large tree.
        self._documents = documents
        self._menus = numpy.array([doc for doc, document in enumerate(documents) if document.menu], dtype=numpy.intp)
        self._sections = numpy.array([doc for doc, document in enumerate(documents) if document.section],
                                     dtype=numpy.intp)
        self._about_page = next((document.node for document in documents if document.about), None)
        self._names_an_amount: _Learned[int, bool] = _Learned(self._read_amount)
        self._section_countries: _Learned[int, frozenset[str]] = _Learned(self._section_country)
        self._numbers_in_groups: _Learned[int, frozenset[str]] = _Learned(self._read_numbers_in_groups)
        # Each term's number, and each document's terms in their order, the first time a query needs them: which
        # of a question's words stand side by side in a page (PHRASE_BONUS).
        self._term_ids: dict[str, int] = {}
        self._numbers = count()
        self._piece_ids: _Learned[str, tuple[int, ...]] = _Learned(self._read_piece_ids)
        self._sequences: _Learned[int, numpy.ndarray] = _Learned(self._read_sequence)

    def __len__(self) -> int:
        return len(self.nodes)

    def weigh_all(self) -> None:
        """Work out every term's weights and read every document's terms in order (PHRASE_BONUS) now, not on first
        use (SearchIndex.prepare, in the bot's thread)."""
        for term in self._postings:
            self._postings.arrays(term)
        for doc in range(len(self.nodes)):
            self._sequences[doc]  # read and kept

    def _pages_abroad(self, documents: list[Document], occurrences: Mapping[str, list[int]],
                      keywords: Mapping[str, list[int]]) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
        """Of each page whose title names a country or a city: the countries its title names, and every
        country it names anywhere (title, keywords, body), as ISO 3166 codes."""
        titled: dict[int, frozenset[str]] = {}
        # Each distinct piece of the titles is read once per index.
        codes_of: _Learned[str, frozenset[str]] = _Learned(
            lambda piece: frozenset().union(*map(self._country_codes, words(normalise(piece)))))
        for doc, document in enumerate(documents):
            codes = frozenset().union(*map(codes_of.__getitem__, document.title.split()))
            if codes:
                titled[doc] = codes
        if not titled:
            return {}
        named: dict[int, set[str]] = {doc: set(codes) for doc, codes in titled.items()}
        for key, codes in self._countries.items():
            for docs in (occurrences.get(key, ()), keywords.get(key, ())):
                for doc in filter(named.__contains__, set(docs)):
                    named[doc] |= codes
        return {doc: (codes, frozenset(named[doc])) for doc, codes in titled.items()}

    def _country_of_term(self, term: str) -> str | None:
        """The one foreign country a term is of: the pages with it in their title or keywords are all about that
        country (their titles name only it), and so are more than half of the pages with it anywhere, at least two:
        "bamf" → "DE" (the Germany pages, and the page on evidence). None otherwise."""
        postings = self._postings.get(term)
        about = [doc for doc in self._about.get(term, ()) if doc < self._first_not_answered]  # pages, not questions
        if not postings or not about or len(postings) >= MAX_POSTINGS:
            return None
        docs = [doc for doc in postings if doc < self._first_not_answered]
        titled = [self._abroad[doc][0] for doc in docs if doc in self._abroad]
        countries = set(titled) | {self._abroad.get(doc, (frozenset(), frozenset()))[0] for doc in about}
        if len(titled) < 2 or 2 * len(titled) <= len(docs) or len(countries) != 1:
            return None
        country = countries.pop()
        return next(iter(country)) if len(country) == 1 else None

    def _country_codes(self, word: str) -> frozenset[str]:
        """The countries a (normalised) word names, itself or as the city it names: "грузии" → {"GE"}."""
        term = stem(word, self.language)
        if not self._is_place(word, term):
            return frozenset()
        base = lemma(word, self.language) if self.cyrillic and script_of(word) == "cyrillic" else None
        found = (self._countries.get(word) or (self._countries.get(base) if base else None)
                 or self._countries.get(term))
        if not found and self.language == "uk" and script_of(word) == "cyrillic":
            named = place_countries("uk")
            found = frozenset().union(*(named.get(form, frozenset()) for form in forms(word, "uk")))
        return found or frozenset()

    def idf(self, term: str) -> float:
        return self._idf(self._postings.documents(term))

    def _idf(self, df: int) -> float:
        count = len(self.nodes) or 1
        return math.log(1 + (count - df + 0.5) / (df + 0.5))

    # --- reading the query ---------------------------------------------------------------------------

    def is_stop(self, word: str) -> bool:
        """Whether a normalised query word is a small word the search ignores ("как", "the", "какого")."""
        if word in self.stop_words:
            return True
        # A letter alone is an abbreviation's piece ("25 y.o.", "е.в."), no topic; not one of another alphabet,
        # which may be a word typed on the wrong keyboard layout ("cke;,f" is "служба").
        if len(word) == 1 and script_of(word) == ("cyrillic" if self.cyrillic else "latin"):
            return True
        if self.cyrillic and script_of(word) == "latin":
            return skeleton(word) in self._stop_skeletons
        if (not self.cyrillic and word not in self._surface and 2 < len(word) <= _LONGEST_SMALL_WORD
                and skeleton(word) in self._stop_skeletons):  # the lookups first: most words are the pages'
            return True
        # Another form of a stop word is one too ("какого" of "какой"), by the dictionary; a stemmer cannot
        # tell (Snowball stems "sicher" as "sich"), so the German and English lists spell out their forms.
        if self.language in ("ru", "uk"):
            return lemma(word, self.language) in self.stop_words
        # German typed without its letters: "fuer", "ueber", "koennen" are "für", "über", "können".
        if self.language == "de" and german.with_umlauts(word) in self.stop_words:
            return True
        # A word the pages do not have, a typo away from a small word, is that word mistyped ("könen"); not if
        # their first letters differ, which is rarely mistyped ("zimmer" is not "immer").
        return (self._stop_typos is not None and len(word) >= MIN_STOP_TYPO and word not in self._surface
                and any(stop[0] == word[0] for stop, _edits in self._stop_typos.near(word)))

    def _is_place(self, word: str, term: str) -> bool:
        """Whether a query word names a place, month or weekday (bot/search/places.py). A word the ru or uk
        dictionary knows is one only if its dictionary form is ("грузии", not "данные" of Denmark's stem
        or "чате" of the Chatham Islands'); other words by their stem."""
        if word in self._places:
            return True
        if self.cyrillic and script_of(word) == "cyrillic":
            base = lemma(word, self.language)
            if base is not None:
                only, named = places(word, self.language)
                # The Ukrainian dictionary marks no place names (OpenCorpora's Russian one does): a word one of whose
                # readings is a country's or a city's name is that place ("києві" is Kyiv, though read first as "кий",
                # a cue); not a month's, a weekday's or a region's ("серед", among, is also Wednesday's "середа").
                return (base in self._places or only or not named.isdisjoint(self._places)
                        or (self.language == "uk" and not forms(word, "uk").isdisjoint(place_countries("uk"))))
        return term in self._place_stems

    def _read_amount(self, doc: int) -> bool:
        """Whether a page's title or text names a sum of money or says something is free (NAMES_AN_AMOUNT)."""
        document = self._documents[doc]
        return NAMES_AN_AMOUNT.search(f"{document.title}\n{document.body}".casefold()) is not None

    def _term_id(self, term: str) -> int:
        """The term's number: the same in every thread (SearchIndex.prepare runs in another than the queries)."""
        number = self._term_ids.get(term)
        return self._term_ids.setdefault(term, next(self._numbers)) if number is None else number

    def _read_piece_ids(self, piece: str) -> tuple[int, ...]:
        surface = self._surface
        return tuple(self._term_id(term) for word in words(piece) if (term := surface.get(word)))

    def _read_sequence(self, doc: int) -> numpy.ndarray:
        """A document's terms' numbers in the order its title, keywords, text and listed questions have them,
        stop words left out, _APART after each (a keyword, a question) so that none runs into the next."""
        document = self._documents[doc]
        parts = [document.title, *document.keywords, strip_markup(document.body),
                 *(document.asked.split("\n") if document.asked else ())]
        found: list[int] = []
        for part in parts:
            found.extend(chain.from_iterable(map(self._piece_ids.__getitem__, part.split())))
            found += _APART
        return numpy.array(found, dtype=numpy.int32)

    def _phrases_in(self, docs: numpy.ndarray, rated: list[tuple[_Word, float, float]]) -> numpy.ndarray:
        """For each of `docs`, the weights summed of the question's pairs of words that stand in it in the
        question's order, side by side or with one word between (PHRASE_BONUS); a pair weighs what the rarer of
        its words does. `rated` holds the question's words that have terms, in order, with (covers, weight) as
        LanguageIndex.search rates them."""
        rated = rated[:PHRASE_WORDS]
        found = numpy.zeros(len(docs))
        # Each of the question's terms with the words (as bits: word i is 1 << i) it is a reading of.
        words_of: dict[int, int] = {}
        for position, (word, _covers, _weight) in enumerate(rated):
            for term in word.terms:
                number = self._term_id(term)
                words_of[number] = words_of.get(number, 0) | 1 << position
        # A pair of the same word twice, or of two words that share a reading, says nothing of order.
        pair_weights = [0.0 if rated[at][0].terms.keys() & rated[at + 1][0].terms.keys()
                        else min(rated[at][1], rated[at + 1][1]) for at in range(len(rated) - 1)]
        if not any(pair_weights):
            return found
        ordered = sorted(words_of)
        numbers = numpy.array(ordered, dtype=numpy.int32)
        bits = numpy.array([words_of[number] for number in ordered], dtype=numpy.int64)
        # The documents' sequences one after the other (each ends in _APART, so no pair runs into the next),
        # looked at in one pass.
        sequences = [self._sequences[int(doc)] for doc in docs]
        sequence = numpy.concatenate(sequences)
        where = numpy.minimum(numpy.searchsorted(numbers, sequence), numbers.size - 1)
        held = numpy.where(numbers[where] == sequence, bits[where], 0)
        # Bit i at a position: word i stands there and word i + 1 next, or next but one.
        pairs = numpy.zeros(sequence.size, dtype=numpy.int64)
        pairs[:-1] = held[:-1] & (held[1:] >> 1)
        pairs[:-2] |= held[:-2] & (held[2:] >> 1)
        starts = numpy.cumsum([0, *map(len, sequences[:-1])])
        for at, found_pairs in enumerate(numpy.bitwise_or.reduceat(pairs, starts).tolist()):
            if found_pairs:
                found[at] = math.fsum(weight for bit, weight in enumerate(pair_weights) if found_pairs >> bit & 1)
        return found

    def _read_numbers_in_groups(self, doc: int) -> frozenset[str]:
        """The numbers a page's (or a listed question's) text writes in groups of three, as digits alone:
        "от 17 000 до 25 500 грн" gives {"17000", "25500"}."""
        document = self._documents[doc]
        text = f"{document.title}\n{strip_markup(document.body)}\n{document.asked}"
        return frozenset(_NOT_DIGIT.sub("", number) for number in _WRITTEN_IN_GROUPS.findall(text))

    def _is_real_word(self, word: str) -> bool:
        """Whether a Cyrillic word is in the ru or uk dictionary: then it is not a typo of another word."""
        if not self.cyrillic or script_of(word) != "cyrillic":
            return False
        other = "ru" if self.language == "uk" else "uk"
        return is_word(word, self.language) or is_word(word, other)

    def not_a_noun(self, word: str) -> bool:
        """Whether a (normalised) query word is known not to be a noun: by the ru or uk dictionary; in German,
        by the pages writing it in lower case; in English, by the ending of a verb form or an adverb
        ("refusing", "compared", "really") unless some page is about it ("hearing" in a title). False where
        nothing tells."""
        if self.language == "en":
            if len(word) < 5 or not word.endswith(_NOT_NOUN_ENDINGS_EN):
                return False
            term = self._surface.get(word)
            return term is None or term not in self._topics
        if word in self._lower_case_words:
            return True
        if self.language == "de" and word not in self._surface:
            # A verb with a separable prefix the pages do not use ("hingehe"): they write the verb in lower case.
            return any(not self._lower_case_words.isdisjoint(german.forms(rest))
                       for rest in german.without_prefix(word))
        return self._is_real_word(word) and not self._is_noun(word)

    def _known_noun(self, word: str) -> bool:
        """Whether a (normalised) query word is known to be a noun: by the ru or uk dictionary; in German, by
        the pages writing it with a capital (their text or keywords). False where nothing tells (English)."""
        if self.language == "de":
            return word in self._capitalised
        if self.cyrillic and script_of(word) == "cyrillic":
            return self._is_real_word(word) and self._is_noun(word)
        return False

    def _glossary_phrases_of(self, word: str, term: str) -> tuple[str, ...]:
        """The phrases of the glossary entries `word` (stem `term`) is another form of: one with their stem, at
        most two letters shorter than theirs. A shorter word with that stem is another word ("ausweis", an
        identity card, is not a form of "ausweisung", expulsion, though both stem to "ausweis")."""
        return tuple(chain.from_iterable(
            phrases for shortest, phrases in self._glossary_stems.get(term, ()) if len(word) >= shortest))

    def _is_noun(self, word: str) -> bool:
        other = "ru" if self.language == "uk" else "uk"
        return is_noun(word, self.language) if is_word(word, self.language) else is_noun(word, other)

    def _expand(self, word: str, *, glossary: bool = True) -> _Word:
        if self.is_stop(word):
            return _Word(word, {}, stop=True)
        found: dict[str, float] = {}
        sure: set[str] = set()  # the terms read by more than a guess (see _Word.guessed)

        def offer(term: str, quality: float) -> None:
            if quality > found.get(term, 0.0):
                found[term] = quality
            if quality > ONE_TYPO:
                sure.add(term)

        def derive(term: str, quality: float) -> None:
            offer(term, quality)
            sure.add(term)

        term = stem(word, self.language)
        if glossary:
            for phrase in self._glossary.get(word) or self._glossary_phrases_of(word, term):
                for value, quality in self._phrases[phrase].items():
                    offer(value, quality * SYNONYM)
        exact = term in self._postings or word in self._surface
        real = self._is_real_word(word)
        if word in self._surface:
            offer(self._surface[word], EXACT)
        if term in self._postings:
            offer(term, EXACT)
        script = script_of(word)
        if real and self.language != "uk":
            # The same word in another form Snowball stems differently ("пришли", "прийти").
            base = lemma(word, self.language)
            if base is not None and stem(base, self.language) in self._postings:
                offer(stem(base, self.language), VARIANT)
        if self.cyrillic and script == "latin":
            translit = skeleton(word)
            for value in self._skeletons.exact(translit):
                offer(value, TRANSLIT)
            if not found:
                for value, edits in self._skeletons.near(translit):
                    offer(value, ONE_TYPO * TRANSLIT if edits == 1 else TWO_TYPOS * TRANSLIT)
        if self.cyrillic and not exact and script == "cyrillic":
            # A word spelt with the other language's letters: Russian in Ukrainian letters ("двіженіє" is
            # "движение"), Ukrainian in Russian ones ("отсрочкы"), or typed on a Russian keyboard, which has no "є"
            # or "ї" ("европа" is "європа", "украіна" "україна": є and ї stand where е and і would start the word or
            # follow a vowel), or written in Russian letters as it sounds, Russian "и" for "і" ("пиду" is "піду",
            # "инвалиднисть" "інвалідність").
            if self.language == "uk":
                spelt = word.translate(_RUSSIAN_LETTERS_IN_UKRAINIAN)
                ye = _RUSSIAN_YE.sub("є", spelt)
                spellings = {spelt, ye, _RUSSIAN_YI.sub("ї", spelt), _RUSSIAN_YI.sub("ї", ye)}
                if not real:  # "дим" (smoke) is a word, not "дім" (a house)
                    spellings.add(word.translate(_RUSSIAN_SOUNDS_IN_UKRAINIAN))
            else:
                spellings = {word.translate(_UKRAINIAN_LETTERS_IN_RUSSIAN)}
            for spelt in spellings - {word}:
                if (variant := stem(spelt, self.language)) in self._postings:
                    offer(variant, VARIANT)
        if script == "cyrillic" and not exact:
            translit = skeleton(word.translate(TO_LATIN_LETTERS))
            for value in self._latin_skeletons.exact(translit):
                offer(value, TRANSLIT)
        if script == "latin" and self.language == "en":
            self._demonym(word, offer)
        for starts, country in _HOME_DEMONYMS.get(self.language, ()):
            if word.startswith(starts) and (term := stem(country, self.language)) in self._postings:
                offer(term, VARIANT)
        # A Cyrillic word no dictionary knows may be a typo even where some page or example question spells it
        # so ("павестку" in a question people asked).
        misspelt = self.cyrillic and script == "cyrillic" and dictionary(self.language) is not None
        if (not found or misspelt) and not real and not word.isdecimal():
            # Only a word no dictionary knows may be a typo: a real word is what the person meant. A number is
            # never one: 17000 is not 1000, nor 2026 2024 (a word with a digit for a letter is: "п0вестка").
            for probe in {word, term}:
                for value, edits in self._fuzzy.near(probe):
                    offer(value, ONE_TYPO if edits == 1 else TWO_TYPOS)
        if script == "cyrillic" and self.language != "uk":
            self._related(term, offer)
        if script == "cyrillic" and real:
            self._nouns_of_verb(word, derive)
        if self.language == "de" and script == "latin":
            for value in self._german_nouns(word):
                derive(value, DERIVED)
        if self.language == "en" and script == "latin":
            for value in self._english_derived(word):
                derive(value, DERIVED)
        place = self._is_place(word, term)
        # A country's or city's name is no compound: "Thailand" is not "Land" (but "Westeuropa", a region, is
        # "Europa").
        self._partials(term, offer, exact or (place and bool(self._country_codes(word))), real)
        if place and not (exact and self._in_pages(term, self._surface.get(word))):
            self._country_of(word, derive)
        # The best readings, the rarest first; the word itself always among them, however common: rarer guesses
        # ("kriegt", "kriegsdienst" for "Krieg") fill the places left, they do not crowd it out.
        ranked = sorted(found.items(), key=lambda item: -item[1] * self.idf(item[0]))
        room = MAX_TERMS_PER_WORD - sum(quality >= EXACT for _term, quality in ranked)
        best: dict[str, float] = {}
        for term, quality in ranked:
            if quality < EXACT:
                if room <= 0:
                    continue
                room -= 1
            best[term] = quality
        return _Word(word, best, place=place, guessed=sure.isdisjoint(best))

    def glossary_problems(self) -> list[tuple[str, str, str, str]]:
        """(section, word, what is wrong, how to fix it) for each glossary entry that cannot work: in `synonyms`, a
        small word the search ignores, or a meaning of which no page has a word (it finds nothing); in
        `other_meanings`, a small word, a word no page has, or a small word listed beside it."""
        found = []
        for word, phrases in self._glossary_entries.items():
            if self.is_stop(normalise(word)):
                found.append(("synonyms", word, "the search ignores this small word (like 'как' or 'the')",
                              "remove the entry: small words never decide what a question is about"))
            found.extend(("synonyms", word, f"no {self.language} page has any word of '{phrase}', so it finds nothing",
                          "write words the pages use after the colon, or remove the entry")
                         for phrase in phrases if not self._phrases[phrase])
        for word, beside in self._other_meaning_entries.items():
            key = normalise(word)
            if self.is_stop(key):
                found.append(("other_meanings", word, "the search ignores this small word (like 'как' or 'the')",
                              "remove the entry from other_meanings"))
            elif not self._expand(key, glossary=False).terms:
                found.append(("other_meanings", word,
                              f"no {self.language} page has this word, so another meaning of it changes nothing",
                              "write a word the pages use, or remove the entry from other_meanings"))
            found.extend(("other_meanings", word, f"'{other}' is a small word the search ignores, so it is never "
                          "beside it", "write the word that gives it the other meaning, not a small word")
                         for other in beside if self.is_stop(normalise(other)))
        return found

    def _phrase(self, phrase: str) -> dict[str, float]:
        """What a glossary phrase means in the index: the readings of its rarest word the pages have
        ("самовольное оставление части" → "самовольн"), so that the word it stands for weighs what that
        word weighs, not what the commonest word of the phrase weighs."""
        best: dict[str, float] = {}
        rarest = math.inf
        for part in words(phrase):
            read = self._expand(part, glossary=False)
            if read.terms:
                df = max(map(self._postings.documents, read.terms))
                if df < rarest:
                    best, rarest = read.terms, df
        return best

    def _in_pages(self, *terms: str | None) -> bool:
        """Whether a page has one of the terms: a question no page answers (questions.yml) that names a city
        ("wohnung in eriwan mieten") does not name it for the pages."""
        return any(not is_not_answered(self.nodes[doc])
                   for term in terms if term is not None and term in self._postings for doc in self._postings[term])

    def _country_of(self, word: str, offer: Callable[[str, float], None]) -> None:
        """The names of the country a place is in that the pages have, for a place they do not name: "Batumi"
        finds the Georgia pages, "Eriwan" the ones that say "Armenien"."""
        for code in self._country_codes(word):
            for name in self._country_names.get(code, ()):
                for candidate in (name, stem(name, self.language)):
                    if candidate in self._postings:
                        offer(candidate, COUNTRY_OF)

    def _home_countries_named(self, meaningful: list[_Word], placed_in: frozenset[str],
                              home: AbstractSet[str]) -> frozenset[str]:
        """The home countries a question names: as places (`placed_in`: a country, one of its cities), by their
        adjectives ("russian", "українськ") or their people ("росіяни")."""
        named = set(placed_in)
        for word in meaningful:
            if not _language_word(word.text):
                named |= {country for country, starts in _HOME_ADJECTIVES.items() if word.text.startswith(starts)}
            named |= {code for starts, country in _HOME_DEMONYMS.get(self.language, ())
                      if word.text.startswith(starts) for code in self._country_codes(country)}
        return frozenset(named) & frozenset(home)

    def _section_country(self, doc: int) -> frozenset[str]:
        """The countries a section's title names ("Россия", "🇧🇾 Belarus")."""
        return frozenset().union(*(self._country_codes(word)
                                   for word in words(normalise(self._documents[doc].title))))

    def _with_country(self, word: _Word) -> _Word:
        """A place read as the names of its country too (_country_of), if the pages have them."""
        terms = dict(word.terms)

        def offer(term: str, quality: float) -> None:
            terms.setdefault(term, quality)

        self._country_of(word.text, offer)
        return replace(word, terms=terms)

    def _demonym(self, word: str, offer: Callable[[str, float], None]) -> None:
        """"ukrainian" → Ukraine, "russians" → Russia, "belarusian" → Belarus."""
        for suffix in _DEMONYM_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                base = word[: -len(suffix)]
                for country in (base + "e", base + "a", base + "ia", base, base + "y", base + "any"):
                    term = stem(country, self.language)
                    if term in self._postings:
                        offer(term, VARIANT)
                return

    def _related(self, term: str, offer: Callable[[str, float], None]) -> None:
        """Russian words of one root that Snowball stems apart: a verb's two aspects ("доказывать" and
        "доказать", "подписывать" and "подписать") and a noun's adjective ("украинский" and "Украина",
        "городской" and "город")."""
        related = []
        if term.endswith(_IMPERFECTIVE) and len(term) >= 7:
            related.append(term[:-3] + "а")
        elif term.endswith("а") and len(term) >= 5:
            related.extend(term[:-1] + suffix for suffix in _IMPERFECTIVE)
        # The two aspects of a verb whose stems differ by a consonant or a vowel Snowball keeps: "выпускают" and
        # "выпустят", "выезжать" and "выехать", "запрещать" and "запретить", "заявлять" and "заявить",
        # "вручать" and "вручить" (and a noun of its family: "работать" and "работа").
        for imperfective, perfective in _ASPECTS:
            if term.endswith(imperfective) and len(term) >= MIN_VARIANT and len(term) - len(imperfective) + len(
                    perfective) >= 4:
                related.append(term[: -len(imperfective)] + perfective)
            elif perfective and term.endswith(perfective) and len(term) >= MIN_VARIANT:
                related.append(term[: -len(perfective)] + imperfective)
        if term.endswith("а") and len(term) >= MIN_VARIANT + 1:
            related.append(term[:-1])
        elif len(term) >= MIN_VARIANT:
            related.append(term + "а")
        if term.endswith("ск") and len(term) >= MIN_VARIANT + 2:
            related.append(term[:-2])
        elif len(term) >= MIN_VARIANT:
            related.append(term + "ск")
        for candidate in related:
            if candidate in self._postings:
                offer(candidate, VARIANT)

    def _nouns_of_verb(self, word: str, offer: Callable[[str, float], None]) -> None:
        """The nouns a Russian or Ukrainian verb is made into, which the stemmer keeps apart from it:
        "мобілізувати" and "мобілізація", "затримати" and "затримання", "уклоняться" and "уклонение"; with the
        consonant a verb in -ити/-ить changes before -ення/-ение ("оформити" and "оформлення", "підтвердити" and
        "підтвердження", "запросити" and "запрошення", "освободить" and "освобождение"). Only nouns the
        dictionary knows: "посадити" (to jail) is not "посада" (a post)."""
        base = lemma(word, self.language)
        if base is None:
            return
        for reflexive in ("ся", "сь"):
            base = base.removesuffix(reflexive)
        rules = _UK_VERB_NOUNS if self.language == "uk" else _RU_VERB_NOUNS
        suffix, nouns = next(((suffix, nouns) for suffix, nouns in rules if base.endswith(suffix)), ("", ()))
        root = base[: -len(suffix)] if suffix else ""
        if len(root) < 3:
            return
        made = [root + ending for ending in nouns]
        if suffix in ("ити", "ить"):
            changed = next((root[: -len(end)] + into for end, into in _BEFORE_ENNYA[self.language]
                            if root.endswith(end)), None)
            if changed is not None:
                made.append(changed + ("ення" if self.language == "uk" else "ение"))
        for noun in made:
            if lemma(noun, self.language) == noun and is_noun(noun, self.language):
                term = stem(noun, self.language)
                if term in self._postings:
                    offer(term, DERIVED)

    def _english_derived(self, word: str) -> list[str]:
        """The terms of an English verb's noun, or a noun's verb, that Snowball stems apart and the pages have:
        "apply" and "application", "decide" and "decision", "detain" and "detention", "register" and
        "registration" (the suffixes of Quirk et al., "A Comprehensive Grammar of the English Language", App. I)."""
        found: list[str] = []
        if not word.endswith(_ENGLISH_DERIVED_ENDINGS):  # one test for most words, not one per pair
            return found
        own = stem(word, self.language)
        for verb_end, noun_end in _ENGLISH_DERIVATIONS:
            for have, make in ((verb_end, noun_end), (noun_end, verb_end)):
                root = word[: -len(have)] if word.endswith(have) else None
                if root is None or len(root) < 3:
                    continue
                candidate = stem(root + make, self.language)
                if candidate in self._postings and candidate != own and candidate not in found:
                    found.append(candidate)
        return found

    def _german_nouns(self, word: str) -> list[str]:
        """The terms of the nouns a German verb form is made into that the pages have: "verweigert" →
        "verweiger" (Verweigerung), "abgeschoben" → "abschieb" (Abschiebung); and of the verb's other forms
        ("gespeichert" → "speichert"): see bot/search/german.py."""
        found = []
        # A word with no verb ending may be a verb's stem as a noun ("Dauer": "dauert").
        for base in german.verb_bases(word) or ((word,) if len(word) >= german.MIN_BASE else ()):
            # The noun in -ung, and the verb's infinitive and third person, which Snowball stems apart; a verb in
            # -ieren, its nouns in -ion, -ation and -eur too ("desertiert": Desertion, Deserteur; "deportiert":
            # Deportation).
            nouns = [stem(base + end, self.language) for end in ("ung", "en", "t")]
            if base.endswith("ier") and len(base) > 6:
                nouns += [stem(base[:-3] + end, self.language) for end in ("ion", "ation", "eur")]
            for candidate in (base, *nouns):
                if candidate in self._postings and candidate not in found:
                    found.append(candidate)
        return found

    def _partials(self, term: str, offer: Callable[[str, float], None], exact: bool, real: bool = False) -> None:
        """Terms that differ from this one by an ending the stemmer left on one side only ("приз" and
        "призыв", "белар" and "беларус"); longer words it begins ("einberuf" → "einberufungsbescheid");
        and, for a word the index does not know, the known words it is made of ("asylantrags" → "antrag")."""
        if len(term) >= MIN_VARIANT:
            start = bisect.bisect_left(self._sorted_terms, term)
            for candidate in self._sorted_terms[start:start + 40]:
                if not candidate.startswith(term):
                    break
                longer = len(candidate) - len(term)
                if 0 < longer <= VARIANT_LETTERS:
                    if _is_ending(candidate[len(term):]):
                        offer(candidate, VARIANT)
                elif longer and len(term) >= MIN_PARTIAL:
                    offer(candidate, PARTIAL)
            # A real word's stem is not cut shorter: the dictionary already gave its form, and a shorter
            # stem is another word's ("закончи" is not "закон").
            for cut in range(1, 0 if real else VARIANT_LETTERS + 1):
                head = term[:-cut]
                if len(head) >= MIN_VARIANT and head in self._postings and _is_ending(term[-cut:]):
                    offer(head, VARIANT)
        if exact or len(term) < MIN_PARTIAL or self.language not in COMPOUNDING:
            return
        for cut in range(len(term) - 3, 3, -1):
            head, tail = term[:cut], term[cut:]
            if head in self._postings:
                offer(head, COMPOUND_PART)
            if tail in self._postings and len(tail) >= 4 and tail not in _NUMBER_WORDS:
                offer(tail, COMPOUND_PART)

    def _other_layout(self, chunk: str) -> str:
        """What a chunk typed in the other alphabet reads as on the other keyboard layout ("gjdtcnrf" is
        "повестка" to the Russian pages, "ьшдшефкн" "military" to the English ones); "" for one in this one's."""
        script = script_of(chunk)
        if self.cyrillic and script == "latin":
            return to_cyrillic_layout(chunk)
        if not self.cyrillic and script == "cyrillic":
            return to_latin_layout(chunk)
        return ""

    def _read_chunk(self, chunk: str) -> list[_Word]:
        if "-" in chunk:
            # A place whose name a hyphen joins is one word ("улан-батор", "в івано-франківську"), written
            # without it as places.py keeps such names.
            parts = words(chunk)
            joined = "".join(parts)
            if len(parts) > 1 and self._is_place(joined, stem(joined, self.language)):
                place = self._expand(joined)
                # A page that names the place has its parts (the pages' words are split at the hyphen).
                for part in parts:
                    if (term := stem(part, self.language)) in self._postings and term not in place.terms:
                        place.terms[term] = EXACT
                return [place]
        readings = [self._unglued(words(chunk))]
        if other := self._other_layout(chunk):
            readings.append(words(other))
        best: list[_Word] = []
        best_score = -1.0
        for reading in readings:
            expanded = [self._expand(w) for w in reading]
            score = sum(1.0 if w.stop else max(w.terms.values(), default=0.0) for w in expanded)
            if reading is not readings[0] and self.cyrillic and all(
                    w.stop or self._is_real_word(w.text) for w in expanded):
                # Real words on the wrong keyboard layout win a tie with the letters typed: those are a term only
                # where a listed question was typed the same way ("gjdtcnrf" is "повестка").
                score += LAYOUT_TIE
            if score > best_score + 1e-9:
                best, best_score = expanded, score
        return best

    def _unglued(self, found: list[str]) -> list[str]:
        """The words with a "не" typed glued to the next word parted from it ("нехочу", "незнаю", "немогу": a
        common typo, which made the whole word one no page has), where the dictionary knows the rest and not the
        whole, and the pages do not have the whole ("неділя", "небо", "невыездной" stay)."""
        if not self.cyrillic or not any(word.startswith("не") for word in found):
            return found
        parted: list[str] = []
        for word in found:
            if (word.startswith("не") and len(word) > 4 and word not in self._surface
                    and stem(word, self.language) not in self._postings and not is_word(word, self.language)
                    and is_word(word[2:], self.language)):
                parted += ["не", word[2:]]
            else:
                parted.append(word)
        return parted

    def read(self, query: str) -> list[_Word]:
        """The query's words with what each may mean; stop words are kept but mean nothing. A number that is
        a person's age ("мне 29") means the pages whose age ranges hold it (bot/search/ages.py)."""
        with one_question():  # what is worked out for its words is dropped after it (stemming.py)
            found = self._read_query(query)
        assert found is not None
        return found

    def _read_query(self, query: str, at_least: float = 0.0) -> list[_Word] | None:
        """The query's words (see read); None, as soon as it is certain, if no document can explain `at_least`
        of the query (0..1: LanguageIndex.search)."""
        text = normalise(cyrillic_lookalikes(query) if self.cyrillic else query)
        text = _LONG_NUMBER.sub(self._digit_groups, _GLUED_UNIT.sub(r"\1 \2", text))
        if self.language == "en":
            # "the us" is the United States: after "the", "us" is never the pronoun (a stop word).
            text = _THE_US.sub("the usa", text)
        elif self.language == "de":
            text = german.everyday(text)
        chunks = text.split()
        found: list[_Word] = []
        if at_least:
            # Reading the words is most of a long question's time in a language that cannot explain enough of it
            # (a German question in the Russian pages, read on the wrong keyboard layout and as transliteration).
            # A word not yet read may at most be one every document explains fully and weigh what a word in no
            # document would (the most any word weighs), so the reading stops once even that cannot reach
            # `at_least`. So counts a word that later words may change: a number (an age) and, in German before a
            # separable prefix, a verb.
            most = self._idf(0)
            readings = [(words(chunk), words(self._other_layout(chunk))) for chunk in chunks]
            changing = self.language == "de" and any(
                german.particle(word) for both in readings for reading in both for word in reading)
            # The most words a chunk may be read as that are not small words (a place joined by a hyphen is one).
            most_words = [max(sum(not self.is_stop(word) for word in reading) for reading in both)
                          + ("-" in chunk) for chunk, both in zip(chunks, readings, strict=True)]
            unread = most * sum(most_words)
            weight = explained = 0.0
        for position, chunk in enumerate(chunks):
            read = self._read_chunk(chunk)
            found.extend(read)
            if not at_least:
                continue
            unread -= most * most_words[position]
            for word in read:
                if word.stop:
                    continue
                weighs, explains = (most, most) if changing or word.text.isdecimal() or (
                    self._other_meanings and self._means_otherwise(word) is not None
                ) else self._explained(word)
                weight, explained = weight + weighs, explained + explains
            if weight and (explained + unread) / (weight + unread) + COVERAGE_ROUNDING < at_least:
                return None
        if self.language == "de":
            self._join_particles(found)
        if self._other_meanings:
            self._read_other_meanings(found)
        texts = [w.text for w in found]
        if ages.ANY_AGE not in self._postings:
            return found
        for position, word in enumerate(found):
            if not word.text.isdecimal():  # "²" is a digit to isdigit(), not to int()
                continue
            age, quality, kept = ages.age_of(texts, position), EXACT, {}
            if age is None:
                # A lone number may be an age too, but not a date's day ("28 августа": months count as places).
                age, quality, kept = ages.perhaps_age(texts, position), ages.PERHAPS, word.terms
                after = found[position + 1] if position + 1 < len(found) else None
                if after is not None and after.place:
                    continue
            if age is not None:
                meant = {ages.term(age): quality, ages.ANY_AGE: ages.OUTSIDE * quality, **kept}
                found[position] = _Word(word.text, {t: q for t, q in meant.items() if t in self._postings})
        return found

    def _digit_groups(self, number: re.Match[str]) -> str:
        """A number typed without its thousands' separator ("штраф 25500") as the pages write it, in groups of
        three ("25 500", "25,500", "25.500": two words to the index), where some page writes it so; else as typed
        ("в/ч 55443" is no "55 443" because the pages have a "55" and a "443"; "2000" stays a year)."""
        typed = number.group()
        if typed in self._postings or (len(typed) == 4 and typed.startswith(("19", "20"))):
            return typed
        head = len(typed) % 3 or 3
        groups = (typed[:head], *(typed[start:start + 3] for start in range(head, len(typed), 3)))
        if not all(group in self._postings for group in groups):
            return typed
        # Only the pages that have every group can write the number so.
        having = set(self._postings[groups[0]]).intersection(*(self._postings[group] for group in groups[1:]))
        written = any(typed in self._numbers_in_groups[doc] for doc in having)
        return " ".join(groups) if written else typed

    def _read_other_meanings(self, found: list[_Word]) -> None:
        """A word of the pages right beside a word that gives it another meaning (content/<lang>/search.yml,
        `other_meanings`) is read as a word no page has: "видача паспорта" is a passport's issue, not an
        extradition ("видача"), "Auslieferung eines Pakets" a delivery. Right beside: with at most two small words
        between them ("выдадут ли мне паспорт"), none of which starts another clause or is the first word's object
        ("выдадут ли меня, если паспорт просрочен" asks about an extradition)."""
        for position, word in enumerate(found):
            beside = None if word.stop else self._means_otherwise(word)
            if beside and any(stem(other.text, self.language) in beside or not beside.isdisjoint(other.terms)
                              for other in _neighbours(found, position)):
                found[position] = _Word(word.text, {}, place=word.place, other_meaning=True)

    def _means_otherwise(self, word: _Word) -> frozenset[str] | None:
        """The stems of the words beside which a query word means something else (`other_meanings`), by the word
        as typed or by any of its readings (Russian "выдача" is the Ukrainian pages' "видача")."""
        beside = self._other_meanings.get(stem(word.text, self.language))
        return beside if beside is not None else next(
            (self._other_meanings[term] for term in word.terms if term in self._other_meanings), None)

    def _join_particles(self, found: list[_Word]) -> None:
        """A separable prefix standing alone joins the verb before it: "schiebt Deutschland ab" reads
        "schiebt" as "abschiebt" too (Abschiebung). The main clause puts the verb before its prefix; the verb
        is whichever earlier word makes, with the prefix, a noun the pages have."""
        for position, word in enumerate(found):
            if not german.particle(word.text):
                continue
            for before, verb in enumerate(found[:position]):
                if verb.stop or german.particle(verb.text):
                    continue
                nouns = self._german_nouns(word.text + verb.text)
                if nouns:
                    terms = dict(verb.terms)
                    for term in nouns:
                        terms[term] = max(terms.get(term, 0.0), DERIVED)
                    found[before] = _Word(verb.text, terms, place=verb.place)
                    found[position] = _Word(word.text, {}, stop=True)

    def _explained(self, word: _Word) -> tuple[float, float]:
        """(what a query word weighs in the question's coverage, the most of that a document can explain: its
        best reading's quality times the weight; 0 for a word no document has). See _search."""
        if not word.terms:
            unknown = NOT_A_NOUN if self.not_a_noun(word.text) else 1.0
            return unknown * self._idf(0) * UNKNOWN_WEIGHT, 0.0
        rarity = self._idf(max(map(self._postings.documents, word.terms)))
        covers = rarity * NOT_A_NOUN if self.not_a_noun(word.text) else rarity
        return covers, covers * max(word.terms.values())

    # --- ranking -----------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 3, *, relative_cutoff: float = 0.3,
               min_coverage: float = 0.15, prefer: Collection[int] = (),
               home: AbstractSet[str] = frozenset(), at_least: float = 0.0) -> Ranking:
        """The best `limit` documents for the query, best first; none if no document could explain `at_least`
        of it (0..1: the best hit's coverage, Ranking.confidence, would be less), found before any is scored.

        `prefer` holds the positions (in `nodes`) of the documents the reader's context points to (their
        country's section, the section they are in): those rank CONTEXT_BOOST times higher. It moves
        pages among the ones that match; it never makes a page match, nor changes coverage or strength.
        `home` holds the countries (ISO 3166 codes) whose pages hold wherever the person is: a page about
        another country is marked `elsewhere` when the question is set in a country it never names, and a page
        about a home country when the question names another home country that the page never names.
        Documents with the question's words together in its order rank higher (PHRASE_BONUS), and menus
        (Document.menu) for a question that asks where to look (query.WHERE_TO_LOOK); such a question's hits
        always hold the sections of the home countries it names, however little of it they explain. For a
        question about this chat itself (query.ABOUT_THIS_CHAT), the page about the helpline (Document.about) is
        Ranking.about, not one of the hits, whatever its words.
        """
        # A question listed for a page in questions.yml gets what the editors listed it for.
        rest = without_about_this_chat(query) if self._about_page is not None and as_listed(
            query) not in self._listed else None
        chat = rest is not None
        with one_question():  # what is worked out for its words is dropped after it (stemming.py)
            # The rest of a question about this chat is what else it asks, ranked without the words that ask
            # about the chat (they are the page about the helpline's): the pages offered after that one.
            ranking = self._search(query if rest is None else rest, limit, relative_cutoff=relative_cutoff,
                                   min_coverage=min_coverage, prefer=prefer, home=home, at_least=at_least,
                                   about_this_chat=chat)
        if not chat or ranking.about is not None:
            return ranking
        assert self._about_page is not None
        return replace(ranking, about=Hit(self._about_page, 0.0, 0.0, ()))  # none of its words is in that page

    def _search(self, query: str, limit: int = 3, *, relative_cutoff: float = 0.3,
                min_coverage: float = 0.15, prefer: Collection[int] = (),
                home: AbstractSet[str] = frozenset(), at_least: float = 0.0,
                about_this_chat: bool = False) -> Ranking:
        rest = without_where_to_look(query)
        where_to_look = rest is not None
        read = self._read_query(query if rest is None else rest, at_least)
        if read is None:  # no document can explain `at_least` of it
            return Ranking(self.language, ())
        meaningful = [w for w in read if not w.stop]
        if not meaningful or not self.nodes:
            return Ranking(self.language, ())
        if where_to_look:
            # Where it says the person is from, that country's section is where to look, though the pages name none of
            # its cities ("я з харкова, не знаю з чого почати": Kharkiv is in questions no page answers).
            meaningful = [self._with_country(w) if w.place else w for w in meaningful]
        # The countries the question's places name, a city's as its country's (where it is set, and for a question
        # asking where to look, which section).
        placed_in = frozenset().union(*(self._country_codes(w.text) for w in meaningful if w.place))
        # Each query word counts once per document, by its best reading there, and weighs by the rarity
        # of its commonest reading, so a word read many ways ("получить": получ, получа, получен) is not
        # made rare by its rare readings.
        # `scores` and `covered` always get the same documents in the same order (the final ranking relies
        # on it to pair their values in C).
        total_weight = 0.0
        unknown = 0.0
        weights: list[tuple[_Word, float, bool]] = []
        told = _told_before_asking(query)
        for word in meaningful:
            if not word.terms:
                # A word the content does not have: a dictionary word that is not a noun ("пойти",
                # "безопасно") is usually how the question is put, not what it is about.
                unknown += (NOT_A_NOUN if self.not_a_noun(word.text) else 1.0) * (TOLD_BEFORE if word.text in told
                                                                                   else 1.0)
                continue
            topic = any(t in self._topics for t in word.terms)
            weights.append((word, self._idf(max(map(self._postings.documents, word.terms))), topic))
        # A word no page is about ("сколько", "during") weighs less, and never more than the lightest
        # word some page is about: it must not outweigh the question's topic.
        lightest = min((weight for _w, weight, topic in weights if topic), default=math.inf)
        rated: list[tuple[_Word, float, float]] = []
        for word, rarity, topic in weights:
            # Coverage counts every word by its rarity: a word no page is about ("jobs", "weather") may
            # not decide the order, but a page without it has not answered that part of the question. A
            # word that is not a noun counts less (NOT_A_NOUN), and so does one only told before the question.
            covers = rarity * NOT_A_NOUN if self.not_a_noun(word.text) else rarity
            if word.text in told:
                covers *= TOLD_BEFORE
            rated.append((word, covers, rarity if topic else min(rarity * INCIDENTAL, lightest)))
            total_weight += covers
        # A word the content does not have at all is as rare as a word can be: it weighs what a word in
        # no document would. A question mostly about something else is then mostly not covered.
        total_weight += unknown * self._idf(0) * UNKNOWN_WEIGHT
        if at_least and total_weight and (
                sum(covers * max(word.terms.values()) for word, covers, _weight in rated) / total_weight
                + COVERAGE_ROUNDING < at_least):
            # No document can explain `at_least` of the query: a page explains at most every word it has, at its
            # best reading's quality. Scoring thousands of pages to find that out is most of a slow query.
            return Ranking(self.language, (), len(meaningful), sum(not w.terms for w in meaningful))
        # Scores and coverage per document, as arrays over every document: the additions per posting run in C (a
        # question of common words scores thousands of documents on a large tree). Each document's terms are
        # added in the words' order, so the sums are those of adding them one by one.
        size = len(self.nodes)
        scores, covered = numpy.zeros(size), numpy.zeros(size)
        for word, covers, weight in rated:
            if len(word.terms) == 1:  # the common case, without the per-document best-reading bookkeeping
                ((term, quality),) = word.terms.items()
                docs, values = self._postings.arrays(term)
                scores[docs] += weight * (quality * values)
                covered[docs] += covers * quality
                continue
            # Each query word counts once per document, by its best reading there (the first of equal ones).
            best, quality_of = numpy.zeros(size), numpy.zeros(size)
            for term, quality in word.terms.items():
                docs, values = self._postings.arrays(term)
                score = quality * values
                better = score > best[docs]
                best[docs[better]] = score[better]
                quality_of[docs[better]] = quality
            having = numpy.flatnonzero(best)
            scores[having] += weight * best[having]
            covered[having] += covers * quality_of[having]
        scored = numpy.flatnonzero(covered)  # every reading's weight and quality is above 0
        if not scored.size:
            return Ranking(self.language, ())
        # score * (0.25 + coverage)
        finals = scores * (0.25 + covered / total_weight)
        if prefer:
            preferred = numpy.fromiter(prefer, dtype=numpy.intp, count=len(prefer))
            preferred = preferred[covered[preferred] > 0]
            finals[preferred] *= CONTEXT_BOOST
        if not any(w.place for w in meaningful):
            # A question that names no place is most often about the person's own country's law, or about
            # every country: a page about a foreign one ("France: deserters") ranks a little lower.
            foreign = self._foreign_pages[frozenset(home)]
            foreign = foreign[covered[foreign] > 0]
            finals[foreign] *= FOREIGN_UNASKED
        # (A document none of the question's words are in scores 0 however it is raised.)
        # The sections of the home countries a question asking where to look names: offered however strongly the
        # rest of it points elsewhere ("im from st petersburg 20 y.o where do i start": the age is conscription's).
        named_sections: frozenset[int] = frozenset()
        if where_to_look:
            finals[self._menus] *= WHERE_TO_LOOK_BOOST
            finals[self._sections] *= WHERE_TO_LOOK_SECTION
            named = self._home_countries_named(meaningful, placed_in, home)
            if named:
                # "i am russian where to look", "wo fange ich an, ich komme aus moskau": that country's section first.
                ones = [doc for doc in self._sections if self._section_countries[int(doc)] & named]
                finals[ones] *= WHERE_TO_LOOK_NAMED
                named_sections = frozenset(int(doc) for doc in ones)
        if len(rated) > 1:
            values = finals[scored]
            near = scored if scored.size <= PHRASE_CANDIDATES else scored[
                numpy.argpartition(values, scored.size - PHRASE_CANDIDATES)[scored.size - PHRASE_CANDIDATES:]]
            bonus = 1.0 + PHRASE_BONUS * self._phrases_in(near, rated) / scores[near]
            finals[near] *= bonus
            scores[near] *= bonus  # and the strength the decision weighs (bot/search/calibration.py)
        listed = [doc for doc in self._listed.get(as_listed(query), ()) if covered[doc] > 0]
        if listed:
            first = float(finals[scored].max()) * LISTED_FIRST
            for doc in listed:
                finals[doc] = first
        # The `limit` best, ties to the earlier document.
        values = finals[scored]
        if scored.size > limit:
            kept_at_least = numpy.partition(values, scored.size - limit)[scored.size - limit]
            keep = values >= kept_at_least
            scored, values = scored[keep], values[keep]
        order = numpy.lexsort((scored, -values))[:limit]
        ranked = [(float(values[at]), -int(scored[at])) for at in order]
        top = ranked[0][0]
        # A question of places and words the content does not have ("weather in Tbilisi"): a page that has
        # only its places does not answer it. (Where the content has the other words, the pages that have
        # them rank higher anyway: "i fled to georgia".)
        # A word read only as a typo of a content word is not one the content has ("wetter" is not "weiter").
        # Nor does one that has only the places of a question about a thing some page names ("Führerschein in
        # Serbien": the Serbia page says where, not what); a word known to be a noun is such a thing, where a
        # verb is often just how the question is put ("i fled to georgia": the Georgia page answers).
        placed = any(w.place for w in meaningful) and not all(w.place for w in meaningful) and (
            all(w.place or not _more_than_a_typo(w) for w in meaningful)
            or any(not w.place and _more_than_a_typo(w) and self._known_noun(w.text) for w in meaningful))
        # The countries the question is set in: a page about another one (its title names it) that never names
        # these says nothing of where the person is ("health insurance in Germany" and the Georgia page).
        asked = placed_in
        # A home country's institutions that no other country has name it as a place does: "ТЦК" is Ukraine's,
        # "Госуслуги" Russia's ("муж в сзч уже месяц, тцк ищет": the Russian desertion page came first).
        asked |= {country for w in meaningful for country, names in _HOME_INSTITUTIONS.items()
                  if country in home and w.text in names}
        if asked and asked <= home:
            # A question set in a home country may name what only a foreign country's pages are about: "I left
            # Russia, how do I prepare for the BAMF interview" is about Germany too, whose pages would otherwise be
            # another country's. Only a word read as itself (not a typo's guess), that some page is about (its
            # title or keywords): a word of the questions listed with a page says nothing of where.
            asked |= {country for w in meaningful if not w.place and _more_than_a_typo(w) for term in w.terms
                      if (country := self._term_country[term]) is not None
                      and country not in home}
            # And it may be about another home country's army or law: "брат з луганська служить у російській армії"
            # (set in Ukraine, occupied) is about Russia's, whose pages would otherwise be another country's.
            asked |= {country for w in meaningful if not w.place and not _language_word(w.text)
                      for country, starts in _HOME_ADJECTIVES.items() if country in home and w.text.startswith(starts)}
        known = [w for w in meaningful if w.terms]
        asks_an_amount = ASKS_AN_AMOUNT.search(query.casefold()) is not None
        hits = []
        kept = []  # each hit's document
        for final, negative in ranked:
            doc = -negative
            coverage = float(covered[doc]) / total_weight
            if (final >= relative_cutoff * top and coverage >= min_coverage) or doc in named_sections:
                found = [w for w in meaningful if any(doc in self._postings[t] for t in w.terms)]
                terms = tuple(t for w in found for t in w.terms if doc in self._postings[t])
                hits.append(Hit(self.nodes[doc], round(final, 4), round(coverage, 4), terms,
                                round(float(scores[doc]) / float(covered[doc]), 4),
                                # A menu is where to look: "я из беларуси, с чего начать" asks for the Belarus one.
                                only_places=placed and all(w.place for w in found if _more_than_a_typo(w))
                                and not (where_to_look and self._documents[doc].menu),
                                words=sum(not w.place for w in found),
                                elsewhere=bool(asked) and self._elsewhere(doc, asked, home),
                                no_amount=(asks_an_amount and doc < self._first_not_answered
                                           and not self._names_an_amount[doc]),
                                listed=doc in listed))
                kept.append(doc)
        if asks_an_amount:
            # If the page that would answer names no sum, no page does: the next one that names some sum (a fine)
            # is about something else ("what does applying for alternative service cost" is no question for the
            # page on fines).
            nearest = next((hit for hit in hits
                            if not (is_not_answered(hit.node) or hit.only_places or hit.elsewhere)), None)
            if nearest is not None and nearest.no_amount:
                hits = [replace(hit, no_amount=True) if not is_not_answered(hit.node) else hit for hit in hits]
        about = None
        if about_this_chat:
            # The page about the helpline is offered first whatever the decision says (Ranking.about); the decision
            # weighs the rest.
            at = next((position for position, hit in enumerate(hits) if hit.node == self._about_page), None)
            if at is not None:
                about = hits.pop(at)
                del kept[at]
        # Worked out for the one page the no-match decision weighs (bot/search/calibration.py), not every hit.
        odds = None
        page = next((position for position, hit in enumerate(hits) if hit.could_be_offered), None)
        if page is not None and len(self.nodes) - self._first_not_answered >= MIN_NOT_ANSWERED:
            doc = kept[page]
            odds = round(self.likelihood(known, self._first_not_answered, len(self.nodes))
                         - self.likelihood(known, doc, doc + 1), 4)
        menu_first = where_to_look and page is not None and self._documents[kept[page]].menu
        return Ranking(self.language, tuple(hits), len(meaningful), sum(not w.terms for w in meaningful), odds,
                       about=about, where_to_look=menu_first,
                       guessed=not any(_more_than_a_typo(w) for w in meaningful if not w.text.isdecimal()))

    def _occurrences_in(self, term: str, first: int, last: int) -> int:
        """How often a term is in the documents `first` to `last` - 1: bodies, listed questions, titles, keywords."""
        count = 0
        for field in self._fields:
            docs = field.get(term)
            if docs:
                count += bisect.bisect_left(docs, last) - bisect.bisect_left(docs, first)
        return count

    def _count_term(self, term: str) -> tuple[int, int]:
        everywhere = 1 + sum(len(field.get(term) or ()) for field in self._fields)
        return self._occurrences_in(term, self._first_not_answered, len(self.nodes)), everywhere

    def likelihood(self, known: list[_Word], first: int, last: int) -> float:
        """The mean over the query's words (each with terms) of log P(word | documents `first` to `last` - 1 taken as
        one text): how often the word's terms are in their bodies, listed questions, titles and keywords (each
        reading counted by its quality), over their length, smoothed by the whole index's counts (Dirichlet,
        LIKELIHOOD_PRIOR). The query likelihood of language-model retrieval (Zhai and Lafferty, "A study of
        smoothing methods for language models applied to information retrieval", 2004): comparing one page with the
        questions no page answers is naive Bayes between the two. 0.0 for no words."""
        if not known:
            return 0.0
        pool = first == self._first_not_answered and last == len(self.nodes)
        if pool:
            length = self._not_answered_length
        else:
            length = self._lengths[first] if last == first + 1 else sum(self._lengths[first:last])
        collection = self._collection_length
        total = 0.0
        for word in known:
            found = 0.0
            for term, quality in word.terms.items():
                in_pool, everywhere = self._term_counts[term]
                count = in_pool if pool else self._occurrences_in(term, first, last)
                found += quality * (count + LIKELIHOOD_PRIOR * everywhere / collection)
            total += math.log(found / sum(word.terms.values()) / (length + LIKELIHOOD_PRIOR))
        return total / len(known)

    def _pages_about_elsewhere(self, home: frozenset[str]) -> numpy.ndarray:
        return numpy.array([doc for doc, (about, _named) in self._abroad.items()
                            if not about <= home and not is_not_answered(self.nodes[doc])], dtype=numpy.intp)

    def _elsewhere(self, doc: int, asked: frozenset[str], home: AbstractSet[str]) -> bool:
        about, named = self._abroad.get(doc, (frozenset(), frozenset()))
        if not about or not asked.isdisjoint(named):
            return False
        if about.isdisjoint(home) and is_not_answered(self.nodes[doc]):
            # What no page answers about one foreign country ("a job in Armenia", "a driving licence in
            # Georgia") no page answers about another either; about a home country it may differ (Russia's
            # student deferment is not Ukraine's, which a page has).
            return False
        return not about <= home or not asked.isdisjoint(home)


def _add_ages(documents: list[Document], occurrences: dict[str, list[int]],
              about: dict[str, dict[int, float]]) -> Counter[int]:
    """Each age a page's age ranges hold, as a term of its body (once per range) or of its title or keywords
    (with their bonus), and ages.ANY_AGE for every page with a range: "мужчин от 18 до 30 лет" gives the page
    the terms of the ages 18 to 30. Returns how many terms each document's body got."""
    for doc, document in enumerate(documents):
        for field, bonus in ((document.title, TITLE_WEIGHT), (" ".join(document.keywords), KEYWORD_WEIGHT)):
            for low, high in ages.ranges(field):
                for term in ages.terms(low, high):
                    pages = about.setdefault(term, {})
                    pages[doc] = max(pages.get(doc, 0.0), bonus)
    # A body gives a range only if it has two numbers that may be ages: only those bodies are read again (a
    # large tree's bodies are tens of megabytes).
    numbers = Counter(chain.from_iterable(
        set(occurrences.get(str(age), ())) for age in range(ages.MIN_AGE, ages.MAX_AGE + 1)))
    added = set()
    per_document: Counter[int] = Counter()
    for doc in sorted(doc for doc, found in numbers.items() if found >= 2):
        for low, high in ages.ranges(f"{strip_markup(documents[doc].body)}\n{documents[doc].asked}"):
            for term in ages.terms(low, high):
                occurrences.setdefault(term, []).append(doc)
                added.add(term)
                per_document[doc] += 1
    for term in added:  # each term's documents stay in order (LanguageIndex.likelihood counts them by bisection)
        occurrences[term].sort()
    return per_document


def as_listed(question: str) -> str:
    """A question's letters and digits, as the listed questions are looked up: "I don't want to fight, can I
    refuse?" is "idontwanttofightcanirefuse", as "i dont want to fight can i refuse" is."""
    return "".join(words(question)).replace("'", "")


# Small words that start another clause or are a verb's object: a word beyond them is no neighbour of one before.
_CLAUSE_WORDS = frozenset("""
    если якщо коли когда чтобы щоб хоть хоча меня мене нас его його её її их їх
    wenn ob dass weil mich uns ihn if when because me us him them
""".split())


def _neighbours(found: list[_Word], position: int) -> Iterator[_Word]:
    """The words that mean something right before and after the one at `position`, with at most two small words
    between, none of them one of _CLAUSE_WORDS."""
    for step in (-1, 1):
        at, between = position + step, 0
        while 0 <= at < len(found) and found[at].stop and between < 2 and found[at].text not in _CLAUSE_WORDS:
            at, between = at + step, between + 1
        if 0 <= at < len(found) and not found[at].stop:
            yield found[at]


def _more_than_a_typo(word: _Word) -> bool:
    """Whether the index has the word as more than a typo of another ("wetter" is only a typo of "weiter")."""
    return bool(word.terms) and not word.guessed


def _bonuses(titles: dict[str, list[int]], keywords: dict[str, list[int]]) -> dict[str, dict[int, float]]:
    """Each term with the documents that have it in their title (TITLE_WEIGHT) or else in their keywords
    (KEYWORD_WEIGHT), in document order."""
    about: dict[str, dict[int, float]] = {}
    for term in titles.keys() | keywords.keys():
        in_title, in_keywords = titles.get(term), keywords.get(term)
        if not in_keywords:
            bonus = dict.fromkeys(in_title or (), TITLE_WEIGHT)
        else:
            bonus = dict.fromkeys(in_keywords, KEYWORD_WEIGHT)
            if in_title:
                bonus.update(dict.fromkeys(in_title, TITLE_WEIGHT))
                bonus = dict(sorted(bonus.items()))
        if bonus:
            about[term] = bonus
    return about


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, if it was on (reference counting frees as usual)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _consume(iterator: Iterable[object]) -> None:
    """Runs an iterator of side effects to its end in C."""
    deque(iterator, maxlen=0)


def _strongest(weights: dict[int, float]) -> dict[int, float]:
    """The MAX_POSTINGS heaviest of a term's documents (of equal weights at the cut, the first ones)."""
    if len(weights) <= MAX_POSTINGS:
        return weights
    # Sorting bare floats and filtering in C beats sorting all the (document, weight) pairs by a key.
    values = weights.values()
    threshold = sorted(values, reverse=True)[MAX_POSTINGS - 1]
    kept = dict(compress(weights.items(), map(gt, values, repeat(threshold))))
    # Equal weights at the cut are common (bodies of one length that have the word once): the first ones.
    kept.update(islice(compress(weights.items(), map(eq, values, repeat(threshold))), MAX_POSTINGS - len(kept)))
    return kept


_THE_US = re.compile(r"\bthe us\b")
_RUSSIAN_YE = re.compile(r"(?<![^аеєиіїоуюяь'])е")
_RUSSIAN_YI = re.compile(r"(?<![^аеєиіїоуюяь'])і")  # ... nor "ї": "украіна", "виізд"
_UKRAINIAN_LETTERS_IN_RUSSIAN = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": None})
_RUSSIAN_LETTERS_IN_UKRAINIAN = str.maketrans("ыэъ", "ие'")
_RUSSIAN_SOUNDS_IN_UKRAINIAN = str.maketrans("иыэъ", "іие'")  # Ukrainian "і" sounds like Russian "и", "и" like "ы"
_NOT_NOUN_ENDINGS_EN = ("ing", "ed", "ly")  # "refusing", "compared", "really"
# Numbers are no part of a compound that means something ("Reservierung" is not "vier", four): the German ones
# whose stem is the word and four letters or more, as a compound's parts are terms ("fünf" is "funf").
_NUMBER_WORDS = frozenset({"zwei", "drei", "vier", "funf", "acht", "neun", "zehn", "zwolf"})
# A question that asks what something costs or pays, in ru, uk, en or de ("сколько стоит", "скільки платять",
# "how much does it cost", "was kostet"), casefolded: only a page that names a sum of money, or says it is free,
# can answer it (a tester's "сколько стоит подать заявление на агс" got the alternative-service pages, which say
# how to apply, not what it costs). Not "how much" alone: "how much do they punish deserters".
ASKS_AN_AMOUNT = re.compile(
    r"сколько (?:\w+ )?сто(?:ит|ят|ить)\b|стоимость|\bцен[аыеу]\b|\bплатн|бесплатн|сколько платят|зарплат|выплат"
    r"|скільки (?:\w+ )?кошту|вартість|\bцін[аиу]\b|безкоштовн|скільки платять|виплат"
    r"|\bcosts?\b|\bprices?\b|\bfees?\b|\bget paid\b|\bsalary\b|\bwages?\b"
    r"|\bkostet\b|\bkosten\b|\bpreis(?:e|es|en)?\b|gebühr|gebuehr|\bgehalt(?:s)?\b|\blohn\b")
# A sum of money (a figure and a currency, or a currency's sign) or "free", casefolded.
NAMES_AN_AMOUNT = re.compile(
    r"[₽€$₴₾֏₸]|\d\s*(?:руб|гривн|гривен|гривень|грн|лари|ларі|драм|тенге|доллар|долар|евро|євро|сом|лир|динар"
    r"|rub|roubl|hryvn|hrywn|uah|euro|eur\b|lari|gel\b|dram|amd\b|tenge|kzt\b|dollar|usd\b)"
    r"|бесплатн|безплатн|безкоштовн|безоплатн|free of charge|\bfor free\b|\bis free\b|kostenlos|gratis|unentgeltlich")


# A whole number of four to nine digits, not starting with 0, not part of a word or of a decimal or date.
_LONG_NUMBER = re.compile(r"(?<![\w.,])[1-9]\d{3,8}(?![\w]|[.,]\d)")
# A number with a unit or currency typed onto it ("25500грн", "30000р", "18лет"): two words, as the pages write them.
_GLUED_UNIT = re.compile(r"(?<![\w.,])(\d{2,9})([^\W\d_]{1,6})\b")
# A number a text writes in groups of three, a space (a no-break or thin one too), a comma or a dot between them.
_WRITTEN_IN_GROUPS = re.compile(r"(?<![\w.,])[1-9]\d{0,2}(?:[ \u00a0\u202f\u2009,.]\d{3})+(?!\d|[.,]\d)")
_NOT_DIGIT = re.compile(r"\D")


# Names of a home country's institutions that no other country has and only its own people deal with, as typed
# (normalised): its recruitment offices, its state-services portal (LanguageIndex.search). Not its army: a Russian
# soldier fights "против ВСУ".
_HOME_INSTITUTIONS = {
    "UA": frozenset({"тцк", "tcc", "tck", "tzk"}),
    "RU": frozenset({"госуслуги", "госуслуг", "госуслугах", "госуслугам", "gosuslugi", "gosuslugah"}),
}


# How the helpline's home countries' adjectives begin, as typed (folded): "в російській армії" is about Russia
# (LanguageIndex.search).
_HOME_ADJECTIVES = {
    "RU": ("российск", "русск", "російськ", "russian", "russisch"),
    "UA": ("украинск", "українськ", "ukrainian", "ukrainisch"),
    "BY": ("белорусск", "білоруськ", "belarusian", "belarussisch", "weissrussisch"),
}
# ... except where it names the language: "пишу по-русски", "російською", "русскоязычный" say nothing of where.
_LANGUAGE_WORDS = frozenset({"русски", "російською", "русском", "украински", "українською", "белорусски",
                             "білоруською", "russisch"})
_LANGUAGE_WORD_PARTS = ("язычн", "мовн", "speaking", "sprachig")


def _language_word(word: str) -> bool:
    return word in _LANGUAGE_WORDS or any(part in word for part in _LANGUAGE_WORD_PARTS)


_IMPERFECTIVE = ("ыва", "ива")  # Russian stems of imperfective verbs made from a perfective one
# The endings of a Russian imperfective verb's stem and its perfective's, where they differ by more than a
# suffix: "выпуска" and "выпуст", "выезжа" and "выеха", "запреща" and "запрет", "освобожда" and "освобод",
# "отвеча" and "ответ", "заявля" and "заяв", "объясня" and "объясн", "признава" and "призна".
_ASPECTS = (("ска", "ст"), ("зжа", "ха"), ("ща", "т"), ("ща", "ст"), ("жда", "д"), ("ча", "т"), ("вля", "в"),
            ("пля", "п"), ("бля", "б"), ("мля", "м"), ("ня", "н"), ("ва", ""))
# A verb's infinitive suffix (longest first) and the suffixes of the nouns made from it ("мобилиз|овать" →
# "мобилиз|ация", "затрим|ати" → "затрим|ання"); a noun counts only if the dictionary knows it.
_RU_VERB_NOUNS = (
    ("изовать", ("изация", "изование")), ("ировать", ("ация", "ирование", "иция", "ирство")),
    ("овать", ("ование", "ация")), ("ывать", ("ывание",)), ("ивать", ("ивание",)), ("ать", ("ание",)),
    ("ять", ("яние", "ение")), ("ить", ("ение", "ка")), ("еть", ("ение",)),
)
_UK_VERB_NOUNS = (
    ("ізувати", ("ізація", "ізування")), ("ирувати", ("ація", "ирування", "иція", "ирство")),
    ("увати", ("ування", "ація")), ("ювати", ("ювання",)), ("ати", ("ання",)), ("яти", ("яння", "ення")),
    ("ити", ("ення", "іння", "ка")), ("іти", ("іння",)),
)
# How the last consonant of a verb's root in -ити/-ить changes before the noun's -ення/-ение: a lip consonant takes
# an "л" ("оформити", "оформлення"), others alternate ("підтвердити", "підтвердження"; "освободить",
# "освобождение"; "запросити", "запрошення"). The first that fits: "ст" before "т" and "с".
_BEFORE_ENNYA = {
    "uk": (("ст", "щ"), ("зд", "ждж"), ("д", "дж"), ("т", "ч"), ("с", "ш"), ("з", "ж"),
           ("б", "бл"), ("п", "пл"), ("в", "вл"), ("м", "мл"), ("ф", "фл")),
    "ru": (("ст", "щ"), ("зд", "жд"), ("д", "жд"), ("т", "щ"), ("с", "ш"), ("з", "ж"),
           ("б", "бл"), ("п", "пл"), ("в", "вл"), ("м", "мл"), ("ф", "фл")),
}
_VOWELS = frozenset("aeiouyäöüаеёиоуыэюяіїє")


def _is_ending(letters: str) -> bool:
    """Whether letters one stem has beyond another can be an ending the stemmer left on ("призыв" and
    "приз", "ограничен" and "огранич"): an ending has a vowel. A lone consonant is part of another
    word's root ("законч" is not "закон").
    """
    return any(letter in _VOWELS for letter in letters)


# The node ids of the questions no page answers: no page's id starts with "-" (bot/content/model.py).
NOT_ANSWERED = "-not-answered-"


def documents_of(texts: Mapping[str, Text], root: str, questions: Mapping[str, tuple[str, ...]] | None = None,
                 not_answered: tuple[str, ...] = (), *, menus: Collection[str] = (), about: str | None = None,
                 sections: Collection[str] = ()) -> list[Document]:
    """The searchable documents of one language: every node's text except the start page, which is the
    main menu and always one tap away. A page's example questions (content/<lang>/questions.yml) are
    searched as part of its text; each question no page answers is a document of its own, whose node id
    starts with NOT_ANSWERED (a question that finds one of those first gets no page: bot/search/service.py).
    `menus` are the nodes with children, `sections` the main menu's own, `about` the page about the helpline
    (tree.yml `about:`): Document.menu, .section and .about."""
    documents = []
    questions = questions or {}
    for node, text in texts.items():
        if node == root:
            continue
        title = text.title if text.button == text.title else f"{text.title} {text.button}"
        documents.append(Document(node, title, text.keywords, text.body, "\n".join(questions.get(node, ())),
                                  node in menus, node in sections, node == about))
    documents.extend(Document(f"{NOT_ANSWERED}{number}", question, (), "", question)
                     for number, question in enumerate(not_answered))
    return documents


# (verb ending, noun ending) pairs that Snowball's English stemmer leaves apart.
_ENGLISH_DERIVATIONS = (("y", "ication"), ("ied", "ication"), ("ying", "ication"), ("ide", "ision"),
                        ("ided", "ision"), ("ain", "ention"), ("ained", "ention"), ("er", "ration"),
                        ("ered", "ration"), ("pone", "ponement"), ("poned", "ponement"))
_ENGLISH_DERIVED_ENDINGS = tuple(end for pair in _ENGLISH_DERIVATIONS for end in pair)


def _told_before_asking(query: str) -> frozenset[str]:
    """The words (normalised) of a question's sentences before its last, where the last asks (ends with "?") and
    does not have them: what it tells before it asks (TOLD_BEFORE). Empty for a question of one sentence."""
    sentences = [sentence for sentence in _SENTENCE_END.split(query.strip()) if sentence]
    if len(sentences) < 2 or not sentences[-1].endswith("?"):
        return frozenset()
    before = {word for sentence in sentences[:-1] for word in words(normalise(sentence))}
    return frozenset(before - set(words(normalise(sentences[-1]))))


def is_not_answered(node: str) -> bool:
    """Whether a hit's node is one of the questions no page answers (documents_of)."""
    return node.startswith(NOT_ANSWERED)
