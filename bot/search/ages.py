"""Ages: "мне 29", "сину 19 років", "I'm 23" ask about the pages that give an age range holding that age
("мужчин от 18 до 30 лет", "Чоловіки від 18 до 22 років", "men aged 18–60").

Read as a plain number, "29" finds only pages that happen to print 29, and "23" none; read as an age, it finds
the pages whose rules cover a 23-year-old. An age is a number from MIN_AGE to MAX_AGE with a word beside it that
says it is one (a year unit after it, or "мне", "I'm", "ich bin" before it); a range is two such numbers joined
by a dash or "до", "to", "bis" with a year unit after them or "віком", "aged", "Alter" before them, or two
joined by a dash in brackets ("(18–30)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_AGE = 14
MAX_AGE = 80

# The words after a number that make it a number of years, in every language the content has: the bot
# reads all of them in every language (people mix them: "мне 29 years").
_UNITS = ("лет", "год", "года", "годиков", "років", "рік", "роки", "years", "year", "yo", "jahre", "jahren",
          "jahr", "jährig", "jährige", "jähriger")
# The words before a number that make it a person's age: "мне 29", "мені 23", "I'm 23", "ich bin 23", "сыну 20".
_PERSONS = frozenset("""
    мне мені мени mne meni сыну сину синові брату братові мужу чоловіку чоловікові мужчине парню хлопцю
    племяннику племінникові другу другові ему йому im i'm am is he's hes bin ist
""".split())
# Two two-digit numbers joined by a dash or a word; the words around them tell whether they are ages.
_PAIR = re.compile(r"(\d\d)\s*(?:–|—|-|до|to|bis|und|and|і|и|та)\s*(\d\d)(?!\d)")
_BEFORE = re.compile(r"(?:^|\W)(?:от|від|с|з|from|between|aged|age|ages|zwischen|von|віком|возрасте|alter)\s*$",
                     re.IGNORECASE)
_AFTER = re.compile(rf"\s*(?:{'|'.join(_UNITS)})\b", re.IGNORECASE)
# ... unless they are a prison term: "от 15 до 20 лет лишения свободы", "10 to 15 years in prison".
_PRISON = re.compile(r"\W*(?:(?:лет|years?|jahren?|років|роки)\s+)?(?:лишения|заключения|колонии|тюрьм|позбавлення|"
                     r"ув'язнення|в'язниці|prison|in prison|jail|imprisonment|haft|gefängnis|freiheitsstrafe)",
                     re.IGNORECASE)


# A page that gives an age range answers a question about an age outside it too ("мені 23" and "від 25 до 60
# років": not yet), less well than one whose range holds it.
ANY_AGE = "<age>"
OUTSIDE = 0.5  # the quality of ANY_AGE's reading of an age, relative to the age's own term
PERHAPS = 0.8  # the quality of a lone number's reading as an age (perhaps_age)


def term(age: int) -> str:
    """The index term of one age: it holds spaces and brackets, so no typed word is ever read as it."""
    return f"<age {age}>"


def terms(low: int, high: int) -> tuple[str, ...]:
    """The index terms a page with the range `low`..`high` gets: ANY_AGE and each age's term."""
    return (ANY_AGE, *map(term, range(low, high + 1)))


def ranges(text: str) -> list[tuple[int, int]]:
    """The age ranges a text gives, as (youngest, oldest), both from MIN_AGE to MAX_AGE: "от 18 до 30 лет" is
    (18, 30); "2022–2024" (no year unit, no age word) is none."""
    found = []
    for match in _PAIR.finditer(text):
        start, end = match.span()
        if start and text[start - 1].isdigit():
            continue  # "2022–24"
        low, high = int(match[1]), int(match[2])
        if not MIN_AGE <= low < high <= MAX_AGE:
            continue
        bracketed = text[start - 1:start] == "(" and text[end:end + 1] == ")"
        if _PRISON.match(text, end):
            continue
        if bracketed or _AFTER.match(text, end) or _BEFORE.search(text[max(0, start - 12):start]):
            found.append((low, high))
    return found


# What a number counts when it is no age: "28 дней", "50 euro", "15 тысяч".
_NOT_YEARS = frozenset("""
    дней дня день суток недель недели месяцев месяца днів дні діб тижнів місяців місяці days day weeks months
    tage tagen wochen monate monaten евро рублей руб рублях гривен гривень грн тысяч тыс тисяч euro eur
    dollars usd rubel procent процентов відсотків percent prozent km км часов годин hours stunden
""".split())


def perhaps_age(words: Sequence[str], position: int) -> int | None:
    """The age a lone number may be ("mein freund ist russe, 29, kann er ..."), or None: a number from MIN_AGE
    to MAX_AGE that nothing beside it says is something else ("28 дней", "50 euro", "18-24"). Read as an age less
    surely than age_of's; a date's month after it is for the caller to rule out."""
    word = words[position]
    if not word.isdecimal() or len(word) != 2 or not MIN_AGE <= int(word) <= MAX_AGE:
        return None
    after = words[position + 1] if position + 1 < len(words) else ""
    before = words[position - 1] if position > 0 else ""
    # Not one end of a range either: "контракт 18-24" names a programme, not the person's age.
    return None if after in _NOT_YEARS or after.isdigit() or before.isdigit() else int(word)


def age_of(words: Sequence[str], position: int) -> int | None:
    """The age the word at `position` of a query's words tells, or None: a number from MIN_AGE to MAX_AGE
    with a year unit after it or a person before it ("мне 29", "19 років")."""
    word = words[position]
    if not word.isdecimal() or not MIN_AGE <= int(word) <= MAX_AGE:
        return None
    after = words[position + 1] if position + 1 < len(words) else ""
    before = words[position - 1] if position > 0 else ""
    if after in _UNITS or before in _PERSONS:
        return int(word)
    return None
