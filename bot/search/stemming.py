"""Word forms: "повестку", "повестки" and "повестка" are one word to a person, so they are one here.

Snowball stemmers (PyStemmer) for Russian, English and German. Snowball has no Ukrainian; a light
suffix stripper stands in, good enough to meet the inflections a query and a page disagree on. The
stemmer follows the word's alphabet, not the page's language: a Latin name in a Russian text ("BAMF",
"Connection") is stemmed as English on both sides.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import Stemmer

from bot.search.text import script_of

_SNOWBALL = {"ru": "russian", "en": "english", "de": "german"}

# Longest first; a stem keeps at least three letters.
_UK_ENDINGS = sorted("""
    ування ювання ання яння ення іння ість ості остю істю ськими ськими ського ському ська ський ське
    ськi ості ами ями ові еві єві ого ому ими іми ішого ах ях ам ям ою ею єю ом ем ів їв ей ий ій их іх им
    ім ої ую юю ая яя ее ться тися ешся ється ються лися лась лось вся ти ть ла ло ли ся сь а я о е є и і
    ї у ю ь в
""".split(), key=len, reverse=True)


def _uk_stem(word: str) -> str:
    for ending in _UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


# Snowball's Russian stemmer reads the noun endings "-ыв", "-ив" as a verb's gerund ("призыв" → "приз",
# but "призыва" → "призыв"), and "Беларусь" as a reflexive verb. Those words are kept whole.
_RU_KEEP_ENDINGS = ("ыв", "ив")
_RU_EXCEPTIONS = {"беларусь": "беларус"}


def _ru_stem(word: str) -> str:
    if word in _RU_EXCEPTIONS:
        return _RU_EXCEPTIONS[word]
    if len(word) >= 5 and word.endswith(_RU_KEEP_ENDINGS):
        return word
    return str(_snowball("russian").stemWord(word))


@lru_cache(maxsize=8)
def _snowball(algorithm: str) -> Any:  # PyStemmer ships no type hints
    return Stemmer.Stemmer(algorithm)


def stemmer_for(language: str) -> str:
    return _SNOWBALL.get(language, "uk" if language == "uk" else "english")


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The stem of an already normalised word, by the rules of its alphabet and the page's language."""
    script = script_of(word)
    if script == "cyrillic":
        return _uk_stem(word) if language == "uk" else _ru_stem(word)
    if script == "latin":
        return str(_snowball("german" if language == "de" else "english").stemWord(word))
    return word
