"""Russian typed the wrong way: on a Latin keyboard layout ("gjdtcnrf"), or spelt in Latin ("povestka").

Both happen all the time on a borrowed or foreign phone. Layout is exact: each key has one letter in each
layout. Transliteration is not: people spell "щ" as "sch", "shch" or "sh" and "я" as "ya", "ja" or "ia".
So both sides are reduced to a coarse Latin skeleton in which the usual spellings coincide, and the
remaining differences are left to typo tolerance.
"""

from __future__ import annotations

import re

# The ЙЦУКЕН keys under the QWERTY ones, including the punctuation keys that carry Russian letters.
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
TO_CYRILLIC_LAYOUT = str.maketrans(_LATIN_KEYS + _LATIN_KEYS.upper().replace("[", "{").replace("]", "}")
                                   .replace(";", ":").replace("'", '"').replace(",", "<").replace(".", ">")
                                   .replace("`", "~"),
                                   _CYRILLIC_KEYS + _CYRILLIC_KEYS.upper())
TO_LATIN_LAYOUT = str.maketrans(_CYRILLIC_KEYS, _LATIN_KEYS)
# Ukrainian keys that differ from the Russian ones.
TO_LATIN_LAYOUT.update(str.maketrans("іїєґ", "s]'`"))

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "'": "",
}
TRANSLIT = str.maketrans(_TRANSLIT)

# Applied in order to a Latin spelling. Each rule merges spellings people use for one sound.
_SKELETON_RULES = [
    (re.compile(r"shch|sch|ssh|sh|sz"), "s"),
    (re.compile(r"tch|ch|tsch|cz"), "c"),
    (re.compile(r"zh|zs|j(?=[^aeiouy]|$)"), "z"),
    (re.compile(r"kh|ck|q"), "k"),
    (re.compile(r"ts|tz"), "c"),
    (re.compile(r"i?[yj](?=[aeou])|i(?=[aeou])"), ""),  # ya/ja/ia/iya, yu/ju/iu, ye/je/ie: the vowel remains
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"h"), "k"),  # х is spelt "h" and "kh"
    (re.compile(r"'"), ""),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters are the commonest slip in a transliteration
]


def to_cyrillic_layout(text: str) -> str:
    """What the person meant if they typed Russian with the keyboard on a Latin layout."""
    return text.translate(TO_CYRILLIC_LAYOUT)


def to_latin_layout(text: str) -> str:
    """What the person meant if they typed English or German with the keyboard on a Cyrillic layout."""
    return text.lower().translate(TO_LATIN_LAYOUT)


def skeleton(latin: str) -> str:
    """A coarse Latin spelling in which the usual transliterations of one Cyrillic word coincide."""
    result = latin
    for pattern, replacement in _SKELETON_RULES:
        result = pattern.sub(replacement, result)
    return result


def cyrillic_skeleton(word: str) -> str:
    return skeleton(word.translate(TRANSLIT))


# Latin letters that look like Cyrillic ones, typed inside a Cyrillic word: a phone without a Ukrainian layout
# gives "i" for "і" ("iнвалiдність"), autocorrect and copied texts "a", "e", "o", "c", "p".
# (Capitals too, before the text is put in lower case: "TЦК", "BЛК".)
_LOOKALIKES = str.maketrans("aceiopxykïABCEHIKMOPTXY", "асеіорхукїАВСЕНІКМОРТХУ")
_MIXED = re.compile(r"\w*(?:[а-яёіїєґА-ЯЁІЇЄҐ]\w*[a-zA-Zï]|[a-zA-Zï]\w*[а-яёіїєґА-ЯЁІЇЄҐ])\w*")


def cyrillic_lookalikes(text: str) -> str:
    """The text with the Latin letters inside its Cyrillic words read as the Cyrillic letters they look like:
    "iнвалiдність" → "інвалідність", "TЦК" → "ТЦК". Words in Latin letters alone stay as they are."""
    return _MIXED.sub(lambda word: word.group().translate(_LOOKALIKES), text)
