"""Word forms: "повестку", "повестки" and "повестка" are one word to a person, so they are one here.

Snowball stemmers (PyStemmer) for Russian, English and German. Snowball has no Ukrainian: Ukrainian words
are reduced to their dictionary form by pymorphy3 with the pymorphy3-dicts-uk dictionaries (from the
Ukrainian Language-Processing project's VESUM dictionary); where those are not installed, a light suffix
stripper stands in. The same dictionaries (and pymorphy3-dicts-ru) tell whether a Cyrillic word is a real
word, which the typo tolerance needs: a real word is not a typo of another one ("болезни" is not
"полезны"). The stemmer follows the word's alphabet, not the page's language: a Latin name in a Russian
text ("BAMF", "Connection") is stemmed as English on both sides.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Generic, TypeVar

import Stemmer

from bot.search.text import script_of

_R = TypeVar("_R")

# What someone types is used for one search and forgotten (SECURITY.md): the word functions below remember what
# they work out only for the content's words, while an index is built from them, never for a question's.
class _Learning(threading.local):
    on = False  # an index is being built from the content (learning_the_content)
    scratch: dict[object, Any] | None = None  # what one question's words gave (one_question)


_learning = _Learning()


@contextmanager
def one_question() -> Iterator[None]:
    """While one question is read and ranked (in this thread): what the word functions work out for its words is
    kept until it is answered, then dropped (a question asks about a word many times over)."""
    if _learning.scratch is not None:  # a search within a search: the outer one drops it
        yield
        return
    _learning.scratch = {}
    try:
        yield
    finally:
        _learning.scratch = None


@contextmanager
def learning_the_content() -> Iterator[None]:
    """While an index is built from the content (in this thread), the word functions below remember what they
    work out for its words; outside, in a search, they look up what they remember and keep nothing new."""
    before = _learning.on
    _learning.on = True
    try:
        yield
    finally:
        _learning.on = before


class _ContentMemory(Generic[_R]):
    """A function of (word, language) that remembers its results for the content's words only (see
    learning_the_content), at most `limit` of them, in `memory`."""

    def __init__(self, function: Callable[[str, str], _R], limit: int) -> None:
        functools.update_wrapper(self, function)
        self._function = function
        self._limit = limit
        self.memory: dict[tuple[str, str], _R] = {}
        _MEMORIES.append(self)

    def make_room(self) -> None:
        if len(self.memory) > self._limit // 2:
            self.memory.clear()

    def __call__(self, word: str, language: str) -> _R:
        key = (word, language)
        memory = self.memory
        if key in memory:
            return memory[key]
        scratch = _learning.scratch
        if scratch is not None and (self, key) in scratch:
            return scratch[self, key]  # type: ignore[no-any-return]
        value = self._function(word, language)
        if _learning.on:
            if len(memory) < self._limit:
                memory[key] = value
        elif scratch is not None:
            scratch[self, key] = value
        return value


_MEMORIES: list[_ContentMemory[Any]] = []


def make_room() -> None:
    """Before a content's index is built: a memory over half full forgets the words it holds, most of them an
    older content's (reloads of other content would fill it, and a newer content's words would then be worked out
    again for every question)."""
    for memory in _MEMORIES:
        memory.make_room()


def _content_memory(limit: int) -> Callable[[Callable[[str, str], _R]], _ContentMemory[_R]]:
    return lambda function: _ContentMemory(function, limit)


_SNOWBALL = {"ru": "russian", "en": "english", "de": "german"}
SHORT_STEM = 3  # letters: a Russian stem this short is usually several words' (see stem)

# Longest first; a stem keeps at least three letters. The fallback when pymorphy3 is not installed.
_UK_ENDINGS = sorted("""
    ування ювання ання яння ення іння ість ості остю істю ськими ськими ського ському ська ський ське
    ськi ості ами ями ові еві єві ого ому ими іми ішого ах ях ам ям ою ею єю ом ем ів їв ей ий ій их іх им
    ім ої ую юю ая яя ее ться тися ешся ється ються лися лась лось вся ти ть ла ло ли ся сь а я о е є и і
    ї у ю ь в
""".split(), key=len, reverse=True)


# Endings only a verb has: a noun that ends so keeps them ("Білорусь" is not "білору").
_UK_VERB_ENDINGS = frozenset("ться тися ешся ється ються лися лась лось вся ся сь".split())


def _uk_strip(word: str, *, noun: bool = False) -> str:
    for ending in _UK_ENDINGS:
        if noun and ending in _UK_VERB_ENDINGS:
            continue
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


# Snowball's Russian stemmer reads the noun endings "-ыв", "-ив" as a verb's gerund ("призыв" → "приз",
# but "призыва" → "призыв"), and "Беларусь" as a reflexive verb. Those words are kept whole.
_RU_KEEP_ENDINGS = ("ыв", "ив")
# ... and verbs whose Snowball stem is another, common word's ("сколько стоит" is not "сто", a hundred; "что
# ему светит" is not "свет"): found by stemming the dictionary forms of the verbs in the content and the
# question sets and keeping those whose stem is a noun of another meaning. (Most verbs whose stem is a noun are
# of its family, "запретить" and "запрет", and keep it.) Keyed by dictionary form. Short infinitives whose stem
# would be a noun's ("брать", "брат") are kept whole by a rule (_ru_stem).
_RU_EXCEPTIONS = {"беларусь": "беларус", "стоить": "стоить", "светить": "светить", "носить": "носить",
                  "косить": "косить"}

# English plurals Snowball does not know: "men" and "man" are one word to a reader. Not "lives": in a question it
# is the verb ("my son lives in Gomel"), and Snowball already makes it "live".
_EN_IRREGULAR = {
    "men": "man", "women": "woman", "children": "child", "people": "person", "wives": "wife",
    "feet": "foot", "teeth": "tooth",
    # ... and past forms of the verbs people use to tell what happened ("i fled to georgia"). Not those of
    # verbs every page uses ("took", "got"): merged, they only make those words commoner.
    "fled": "flee", "caught": "catch", "sent": "send", "ran": "run", "fought": "fight", "paid": "pay",
    "brought": "bring", "hid": "hide", "hidden": "hide", "sought": "seek", "chose": "choose",
    "chosen": "choose", "wrote": "write", "written": "write", "forbade": "forbid", "forbidden": "forbid",
    "threw": "throw", "thrown": "throw",
}


# British and American spellings of one word ("mobilisation", "mobilization"): Snowball stems them apart.
_ISE = re.compile(r"(?<=...)is(ation|ations|e|ed|es|ing)$")


def _american(word: str) -> str:
    """"mobilisation" → "mobilization", "recognised" → "recognized" (not "rise", "raised": too short)."""
    return _ISE.sub(r"iz\1", word)


def _ru_stem(word: str) -> str:
    if word in _RU_EXCEPTIONS:
        return _RU_EXCEPTIONS[word]
    if len(word) >= 5 and word.endswith(_RU_KEEP_ENDINGS):
        return word
    found = str(_snowball("russian").stemWord(word))
    if word.endswith("ть") and found == word[:-1]:
        # Snowball cuts only the soft sign of a short infinitive, and what is left is a noun's stem: "брать" would
        # be "брат" (a brother), "стать" "статья", "дать" "дата", "быть" "быт". (Longer ones lose all of "ть":
        # "делать", "дела".) Kept whole; their forms find them through the dictionary form.
        return word
    # "белорус", "белорусский", "Белоруссия" and "Беларусь" are one word to a reader (the country is spelt
    # with "а" since 1991, its people and language mostly with "о", and its old name is still common).
    if found.startswith("белорус"):
        found = "беларус" if found == "белорусс" else found.replace("белорус", "беларус", 1)
    return found


@lru_cache(maxsize=8)
def _snowball(algorithm: str) -> Any:  # PyStemmer ships no type hints
    # Without PyStemmer's own cache of the last 10,000 words stemmed, which would keep the words people type
    # (stem() remembers the content's words; see learning_the_content).
    return Stemmer.Stemmer(algorithm, 0)


class _Dictionary:
    """One language's pymorphy3 dictionary: whether a word exists, and its dictionary form.

    Uses the dictionary lookup only (no guessing of unknown words): it is several times faster than
    pymorphy3's full parse, and a guess is what the typo tolerance must not trust.
    """

    def __init__(self, language: str) -> None:
        import pymorphy3  # type: ignore[import-untyped]  # optional; ships no type hints

        # It announces each dictionary it loads at INFO; the bot's log is for the bot's events.
        logging.getLogger("pymorphy3").setLevel(logging.WARNING)

        self._morph = pymorphy3.MorphAnalyzer(lang=language)
        self._words = self._morph.dictionary.words
        self._substitutes = self._morph.char_substitutes
        # How often each reading of a word is the one meant, counted in a corpus (OpenCorpora's, for Russian;
        # the Ukrainian dictionary has none).
        estimator = self._morph.prob_estimator
        self._meant = estimator.p_t_given_w.prob if estimator is not None else None

    def places(self, word: str) -> tuple[bool, frozenset[str]]:
        """Whether every reading of the word is a place name (OpenCorpora's grammeme Geox: "франкфурт"), and
        the dictionary forms of its readings that are ("берлине": {"берлин"}, beside the carriage "берлина")."""
        known = self._morph.dictionary
        tags = [(str(known.build_normal_form(paradigm, index, fixed)), known.build_tag_info(paradigm, index))
                for fixed, paradigms in self._words.similar_items(word, self._substitutes)
                for paradigm, index in paradigms]
        named = frozenset(form for form, tag in tags if _PLACE in tag.grammemes)
        return bool(tags) and all(_PLACE in tag.grammemes for _, tag in tags), named

    def forms(self, word: str) -> frozenset[str]:
        """The dictionary forms of all the word's readings ("києві": {"кий", "київ"}); empty if it is unknown."""
        known = self._morph.dictionary
        return frozenset(str(known.build_normal_form(paradigm, index, fixed))
                         for fixed, paradigms in self._words.similar_items(word, self._substitutes)
                         for paradigm, index in paradigms)

    def read(self, word: str) -> tuple[str, bool] | None:
        """The word's dictionary form and whether it is a noun, or None if the dictionary does not know it.

        Of several readings, the word itself wins if it is a dictionary form ("піти" is the verb, not a
        form of "піта"); otherwise the first reading. Ukrainian typed without its apostrophe ("зявився")
        is looked up with it ("з'явився").
        """
        found = self._words.similar_items(word, self._substitutes)
        if not found and "'" not in word:
            for prefix in _APOSTROPHE_PREFIXES:
                if word.startswith(prefix) and len(word) > len(prefix) + 2 and word[len(prefix)] in "яюєї":
                    found = self._words.similar_items(f"{prefix}'{word[len(prefix):]}", self._substitutes)
                    if found:
                        break
        if not found:
            return None
        known = self._morph.dictionary
        readings = [(str(known.build_normal_form(paradigm, index, fixed)), known.build_tag_info(paradigm, index),
                     fixed) for fixed, paradigms in found for paradigm, index in paradigms]
        named = [(form, tag, fixed) for form, tag, fixed in readings if not _NAMES & tag.grammemes] or readings
        forms = [form for form, _tag, _fixed in named]
        # The word itself if it is a dictionary form; else the lemma of the readings most often meant, where the
        # dictionary counted that ("стали" is "стать" 97 times in 100, "сталь" twice; "данных" "данные"); else the
        # lemma most readings lead to: "віку" is a form of "вік" four ways, of "віко" two.
        meant = dict.fromkeys(forms, 0.0)
        if self._meant is not None:
            for form, tag, fixed in named:
                meant[form] += self._meant(fixed, tag)
        best = word if word in forms else max(forms, key=lambda form: (meant[form], forms.count(form)))
        return best, any(form == best and tag.POS == "NOUN" for form, tag, _fixed in readings)


# Readings as a person's name are rarely what a question means ("віку" is not the name Віка).
_NAMES = frozenset({"Name", "Surn", "Patr"})
_PLACE = "Geox"  # OpenCorpora's grammeme of a place name


# Where Ukrainian words carry an apostrophe after a prefix, before я, ю, є, ї ("з'явитися", "об'єкт").
_APOSTROPHE_PREFIXES = ("з", "роз", "об", "від", "під", "над", "пів", "між", "без", "в", "сім", "дев", "м", "п", "б")


_PACKAGES = {"uk": "pymorphy3_dicts_uk", "ru": "pymorphy3_dicts_ru"}


@lru_cache(maxsize=4)
def dictionary(language: str) -> _Dictionary | None:
    """The dictionary for ru or uk, or None if pymorphy3 or its dictionaries are not installed."""
    package = _PACKAGES.get(language)
    if package is None or importlib.util.find_spec("pymorphy3") is None or importlib.util.find_spec(package) is None:
        return None
    return _Dictionary(language)


@_content_memory(200_000)
def _read(word: str, language: str) -> tuple[str, bool] | None:
    found = dictionary("uk" if language == "uk" else "ru")
    return found.read(word) if found is not None else None


def lemma(word: str, language: str) -> str | None:
    """The dictionary form of a Cyrillic word in ru or uk, or None (unknown word, or no dictionary)."""
    found = _read(word, language)
    return found[0] if found is not None else None


def is_noun(word: str, language: str) -> bool:
    """Whether the ru or uk dictionary reads this Cyrillic word as a noun first (False if unknown)."""
    found = _read(word, language)
    return found is not None and found[1]


@_content_memory(50_000)
def places(word: str, language: str) -> tuple[bool, frozenset[str]]:
    """Of a Cyrillic word, by the ru or uk dictionary: whether it is only a place name ("франкфурт"), and the
    dictionary forms of its readings as a place ("берлине": {"берлин"}). (False, {}) without a dictionary."""
    found = dictionary("uk" if language == "uk" else "ru")
    return found.places(word) if found is not None else (False, frozenset())


@_content_memory(50_000)
def forms(word: str, language: str) -> frozenset[str]:
    """The dictionary forms of every reading of a Cyrillic word in ru or uk (empty: unknown, or no dictionary)."""
    found = dictionary("uk" if language == "uk" else "ru")
    return found.forms(word) if found is not None else frozenset()


def is_word(word: str, language: str) -> bool:
    """Whether the dictionary of ru or uk knows this Cyrillic word as it is spelt (False without one)."""
    return lemma(word, language) is not None


def stemmer_for(language: str) -> str:
    if language == "uk":
        return "pymorphy3 (uk)" if dictionary("uk") is not None else "uk suffixes"
    return _SNOWBALL.get(language, "english")


@_content_memory(200_000)
def stem(word: str, language: str) -> str:
    """The stem of an already normalised word, by the rules of its alphabet and the page's language."""
    script = script_of(word)
    if script == "cyrillic":
        if language != "uk":
            # By the dictionary form first: Snowball alone cuts "кредиты" to "кред" but "кредит" to "кредит".
            form = lemma(word, "ru") or word
            cut = _ru_stem(form)
            # A place's name whose stem would be three letters is kept whole: stems that short are other
            # words' too ("Дания" and "данные" are both "дан", "Куба" and "куб", "Перу" and "перо").
            if len(cut) <= SHORT_STEM and form in places(form, "ru")[1]:
                return form
            return cut
        if dictionary("uk") is None:
            return _uk_strip(word)
        # The dictionary form; a noun's with its ending stripped too, so that where a form has two
        # readings ("посаді": посад, посада) either one meets the other. The apostrophe is often left out when
        # typing ("зявився"): terms are spelt without it.
        found = _read(word, "uk")
        if found is None:
            return _uk_strip(word).replace("'", "")
        base, noun = found
        return (_uk_strip(base, noun=True) if noun else base).replace("'", "")
    if script == "latin":
        if language == "de":
            return str(_snowball("german").stemWord(word))
        return str(_snowball("english").stemWord(_american(_EN_IRREGULAR.get(word, word))))
    return word
