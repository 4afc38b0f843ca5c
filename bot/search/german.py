"""German verb forms, read as the nouns made from them: "verweigert" → Verweigerung, "abgelehnt" → Ablehnung,
"schiebt … ab" → Abschiebung, "ausgewiesen" → Ausweisung.

People ask with verbs ("wird man abgeschoben", "ich habe verweigert"); the pages name the thing ("Abschiebung",
"Kriegsdienstverweigerung"). Snowball stems a noun in -ung to the verb's stem ("verweigerung" → "verweiger"), but
leaves the endings of the verb's own forms on ("verweigert", "abgelehnt", "abschiebt"), and cannot undo a
participle's "ge" or a strong verb's vowel change ("geschoben" of "schieben"). This module does, by the rules of
German grammar (Duden, "Die Grammatik", the conjugation of weak and strong verbs): the caller checks each base it
gives against the pages' terms, so a base no page has costs nothing.

A dictionary would know more forms (simplemma's German one does), but it costs about 110 MB of memory and over a
second to load, a third of the bot's memory, for the few verb forms below that people type about this content.
"""

from __future__ import annotations

import re

# Separable prefixes: "abschieben" is "schiebt … ab" in a main clause and "abgeschoben" as a participle.
SEPARABLE = ("zurück", "weiter", "heraus", "hinaus", "raus", "rein", "fest", "fort", "heim", "los", "weg", "vor",
             "nach", "mit", "ein", "auf", "aus", "bei", "an", "ab", "zu", "um", "hinein", "herein", "hin", "her")
# The verb endings a base may carry, longest first: present tense, past tense and weak participle ("-t"),
# infinitive and strong participle ("-en"). A noun's stem is the base ("verweiger|ung").
_ENDINGS = ("test", "tet", "ten", "est", "st", "et", "te", "en", "t", "n", "e")
# Strong verbs the content's topics need, as the vowel of their participle or past tense → of their present
# ("geschoben" → "schieb"): schieben, ziehen, fliehen, weisen, heben, nehmen, greifen, sprechen, brechen, kennen,
# treten, werfen, schreiben, bleiben, gehen, stehen.
_STRONG = {
    "schob": "schieb", "zog": "zieh", "floh": "flieh", "wies": "weis", "hob": "heb", "nomm": "nehm",
    "nahm": "nehm", "griff": "greif", "sproch": "sprech", "sprach": "sprech", "broch": "brech",
    "brach": "brech", "kann": "kenn", "tret": "tret", "trat": "tret", "worf": "werf", "warf": "werf",
    "schrieb": "schreib", "blieb": "bleib", "gang": "geh", "ging": "geh", "stand": "steh",
}
# ... and the vowel a strong verb's present takes with "du" and "er, sie, es" (Duden: e → i/ie, a → ä, au → äu):
# "nimmt … auf" → aufnehmen (Aufnahme), "entlässt" → entlassen (Entlassung), "verlässt", "fährt", "hält fest",
# "spricht", "bricht", "wirft … vor", "sieht", "läuft", "trägt", "stirbt".
_STRONG |= {
    "nimm": "nehm", "sprich": "sprech", "brich": "brech", "wirf": "werf",
    "sieh": "seh", "lies": "les", "stirb": "sterb", "läss": "lass", "fähr": "fahr", "häl": "halt", "läuf": "lauf",
    "träg": "trag", "fäng": "fang", "schläf": "schlaf",
}
_STRONG_LONGEST_FIRST = sorted(_STRONG, key=len, reverse=True)  # "schob" before "hob"
_STRONG_ENDINGS = tuple(_STRONG_LONGEST_FIRST)
# The nouns strong verbs make with another vowel (Duden: "Ablautbildung"), by present stem: "widersprech" →
# "widerspruch" (Widerspruch), "festnehm" → "festnahm" (Festnahme), "einzieh" → "einzug".
_NOUN_VOWEL = {
    "nehm": "nahm", "zieh": "zug", "flieh": "flucht", "sprech": "spruch", "schreib": "schrift",
    "greif": "griff", "brech": "bruch", "tret": "tritt", "werf": "wurf", "geh": "gang", "steh": "stand",
}
_NOUN_VOWEL_LONGEST_FIRST = sorted(_NOUN_VOWEL, key=len, reverse=True)
_NOUN_VOWEL_ENDINGS = tuple(_NOUN_VOWEL_LONGEST_FIRST)
MIN_BASE = 4  # shorter bases are too often some other word's start ("ab", "zug")


def verb_bases(word: str) -> tuple[str, ...]:
    """The bases of a (normalised, lower-case) German word read as a verb form, most likely first: "verweigert"
    → ("verweiger",), "abgeschoben" → ("abschob", "abschieb"), "gespeichert" → ("speicher",). Empty for a word
    too short to be read so. Bases are not checked against anything: most are no word at all."""
    found: list[str] = []
    for ending in _ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < MIN_BASE:
            continue
        base = word[: -len(ending)]
        for candidate in (base, *_without_ge(base)):
            found.append(candidate)
            for present in (candidate, *_present(candidate)):
                if present != candidate:
                    found.append(present)
                found.extend(_noun_vowel(present))
    return tuple(dict.fromkeys(b for b in found if len(b) >= MIN_BASE))


def _without_ge(base: str) -> tuple[str, ...]:
    """The base without a participle's "ge": at the start ("gespeicher" → "speicher") or after a separable
    prefix ("abgelehn" → "ablehn"); and without the "zu" of an infinitive after a separable prefix
    ("abzuschieb" → "abschieb", "einzuberuf" → "einberuf"). Verbs with an inseparable prefix take no "ge"
    ("verweigert"), so a "ge" anywhere else is the word's own."""
    if base.startswith("ge") and len(base) - 2 >= MIN_BASE:
        return (base[2:],)
    for prefix in SEPARABLE:
        for infix in ("ge", "zu"):
            if base.startswith(prefix + infix) and not base.startswith(prefix + infix + infix):
                rest = base[len(prefix) + 2:]
                if len(rest) >= 3:
                    return (prefix + rest,)
    return ()


def _present(base: str) -> tuple[str, ...]:
    """A strong verb's base with its present vowel ("abschob" → "abschieb"), if it ends in one of _STRONG's."""
    if not base.endswith(_STRONG_ENDINGS):  # one test for most bases, not one per verb
        return ()
    for past in _STRONG_LONGEST_FIRST:
        if base.endswith(past):
            return (base[: -len(past)] + _STRONG[past],)
    return ()


def _noun_vowel(base: str) -> tuple[str, ...]:
    """A strong verb's base with the vowel of the noun made from it ("widersprech" → "widerspruch")."""
    if not base.endswith(_NOUN_VOWEL_ENDINGS):
        return ()
    for present in _NOUN_VOWEL_LONGEST_FIRST:
        if base.endswith(present):
            return (base[: -len(present)] + _NOUN_VOWEL[present],)
    return ()


def particle(word: str) -> bool:
    """Whether a word is a separable prefix standing alone, as at the end of "schiebt Deutschland ab"."""
    return word in SEPARABLE


def without_prefix(word: str) -> tuple[str, ...]:
    """The verb forms a word may be with a separable prefix before them: "hingehe" → ("gehe",), "abholen" →
    ("holen",). Empty for a word that starts with none, or whose rest is too short to be a verb."""
    return tuple(word[len(prefix):] for prefix in SEPARABLE
                 if word.startswith(prefix) and len(word) - len(prefix) >= 3)


def forms(word: str) -> tuple[str, ...]:
    """A verb form's other forms of the same tense, to look up: "gehe" → ("gehe", "gehen", "geht", "gehst")."""
    for ending in ("en", "st", "t", "e", "n"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            base = word[: -len(ending)]
            return (word, *(base + other for other in ("en", "t", "e", "st") if base + other != word))
    return (word,)


# German typed without its letters (DIN 5007-2): "fuer" for "für".
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü"}


def with_umlauts(word: str) -> str:
    """The word with "ae", "oe", "ue" read as the letters they stand for: "koennen" → "können"."""
    for pair, letter in _UMLAUTS.items():
        word = word.replace(pair, letter)
    return word


# "kriegen" is everyday German for "bekommen" ("krieg ich Schutz?", "wie kriegt man Aufenthalt"), and its forms
# are those of the noun Krieg (war), which most pages name: read as Krieg, they offered pages about the war to
# questions about getting something. Only where the noun cannot stand is a form read as the verb, so that no
# question about the war loses it ("an Kriegen teilnehmen", "keinen Krieg, ich will Asyl", "Krieg sie schicken
# mich"): the forms the noun never has ("kriegt", "kriegst", "gekriegt", "kriegte"); after "ich" ("ich krieg",
# "ich kriege"); and asking, with the subject after it, after a question word or a comma ("wie krieg ich",
# "wo kriegen wir", ", krieg ich trotzdem Schutz").
_GET = re.compile(r"""
    \b(?:ge)?krieg(?:st|t|te|ten|tet|ste)\b
    | (?<=\bich\ )krieg(?:e|')?(?![\w-])
    | (?:(?<=\bwie\ )|(?<=\bwo\ )|(?<=\bwas\ )|(?<=\bwann\ )|(?<=\bwoher\ )|(?<=,\ ))
      krieg(?:e|en|')?(?=\ (?:ich|man|du|wir|ihr)\b)
""", re.VERBOSE | re.IGNORECASE)


def everyday(text: str) -> str:
    """A German text with the everyday verbs whose forms are another word's read as the verb they stand for:
    "wie krieg ich asyl" → "wie bekomme ich asyl". Upper and lower case alike."""
    return _GET.sub("bekomme", text) if "rieg" in text else text
