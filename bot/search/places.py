"""Names of places (and of months and weekdays), so that the search can tell where and when a question is set
from what it asks.

A page about Georgia shares one word with "weather in Tbilisi tomorrow" and with "how to open a bank account
in Georgia": the place. A place says where; what the question is about is in its other words. So a page that
matches nothing of a question but its places has not answered it (bot/search/index.py marks such hits, and
the no-match rule in bot/search/service.py withholds them).

The names are the Unicode CLDR's, as shipped with Babel: every country and territory, and the cities that
name time zones (Tbilisi, Yerevan, Almaty, Berlin, …), in the language asked for, and the cities also as the
IANA time-zone database spells them in English (the zone ids CLDR lists); and the months and weekdays, which say
when as a place says where ("weather in Yerevan in January"). Only one-word names are kept: "United States"
is two common words, each of which means something else.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from bot.search.text import normalise, words


def _one_word(name: str) -> str | None:
    """The name normalised, if it is one word of three letters or more ("United States" is two), or an
    abbreviation of two capitals ("РФ"); a name whose parts a hyphen joins is one word, written without it
    ("Улан-Батор": "уланбатор"), as the search reads a hyphenated word that is a place's name
    (LanguageIndex._read_chunk)."""
    text = normalise(name)
    parts = words(text)
    if len(parts) > 1 and " " not in text.strip() and "-" in text:
        parts = ["".join(parts)]
    shortest = 2 if name.isupper() else 3
    return parts[0] if len(parts) == 1 and len(parts[0]) >= shortest else None


# Names of countries and cities people type that CLDR (through Babel, which drops CLDR's "alt" variants, such as
# the short "USA" and "США") does not give as one word: former names (CLDR's English name of TR is "Türkiye"),
# the short names of countries whose full name is several words ("United States", "Соединенные Штаты"), and
# common spellings of the region's own (Duden gives "Kirgistan" beside "Kirgisistan" and "Jerewan" beside
# "Eriwan"; "Белоруссия" is what most Russian speakers say for Беларусь, and "Германія", from Russian, is common
# in Ukrainian for Німеччина), and "РФ" and (in Ukrainian) "РБ", the Russian Federation and the Republic of Belarus.
_NAMES_PEOPLE_TYPE = {
    "en": [("Turkey", "TR"), ("Holland", "NL"), ("Burma", "MM"), ("Byelorussia", "BY"), ("Belorussia", "BY"),
           ("Kirghizia", "KG"), ("Moldavia", "MD"), ("USA", "US"), ("America", "US"),
           ("Britain", "GB"), ("England", "GB"), ("UAE", "AE"), ("Emirates", "AE")],
    "de": [("Weißrussland", "BY"), ("Kirgistan", "KG"), ("Moldawien", "MD"), ("Jerewan", "AM"), ("USA", "US"),
           ("Amerika", "US"), ("Großbritannien", "GB"), ("England", "GB"), ("VAE", "AE"), ("Emirate", "AE")],
    "ru": [("РФ", "RU"),  # not "РБ": in Russian also the Republic of Bashkortostan
           ("Белоруссия", "BY"), ("Кыргызстан", "KG"), ("Молдавия", "MD"), ("США", "US"), ("Америка", "US"),
           ("Англия", "GB"), ("Британия", "GB"), ("ОАЭ", "AE"), ("Эмираты", "AE")],
    "uk": [("РФ", "RU"), ("РБ", "BY"),
           ("Білорусія", "BY"), ("Киргизія", "KG"), ("Молдавія", "MD"), ("Германія", "DE"), ("США", "US"),
           ("Америка", "US"), ("Англія", "GB"), ("Британія", "GB"), ("ОАЕ", "AE"), ("Емірати", "AE")],
}


# The cities of the helpline's own countries that people say they are from or in, which CLDR lacks (it names only
# the cities that name a time zone: Kyiv, Minsk, Moscow): one-word names, as each language writes them (Ukrainian
# and Belarusian cities in Ukrainian and Belarusian spelling in en and de, as the German Foreign Office and the
# BBC do, with the older Russian-based ones people still type). These mean this country, also where a time zone
# elsewhere has the name ("Petersburg", Indiana; "Brest", France). Melitopol, Berdiansk and Enerhodar, occupied
# since 2022, are left out: a question from there is most often about Russia's call-up, which the pages on Russia
# answer (read as Ukraine, a question about a contract signed in occupied Melitopol lost them).
_HOME_CITIES: dict[str, dict[str, list[str]]] = {
    "UA": {
        "ru": ["Харьков", "Одесса", "Львов", "Днепр", "Днепропетровск", "Донецк", "Луганск", "Мариуполь", "Херсон",
               "Николаев", "Запорожье", "Полтава", "Сумы", "Чернигов", "Винница", "Житомир", "Тернополь", "Луцк",
               "Ровно", "Черкассы", "Краматорск", "Ужгород", "Ивано-Франковск", "Каменец-Подольский",
               "Кременчуг", "Бахмут", "Славянск", "Покровск", "Ирпень", "Измаил", "Кропивницкий", "Хмельницкий",
               "Черновцы", "Никополь"],
        "uk": ["Харків", "Одеса", "Львів", "Дніпро", "Донецьк", "Луганськ", "Маріуполь", "Херсон", "Миколаїв",
               "Запоріжжя", "Полтава", "Суми", "Чернігів", "Вінниця", "Житомир", "Тернопіль", "Луцьк", "Рівне",
               "Черкаси", "Краматорськ", "Ужгород", "Івано-Франківськ", "Кам'янець-Подільський",
               "Кременчук", "Бахмут", "Слов'янськ", "Покровськ", "Ірпінь", "Ізмаїл", "Кропивницький", "Хмельницький",
               "Чернівці", "Нікополь"],
        "en": ["Kharkiv", "Kharkov", "Odesa", "Odessa", "Lviv", "Dnipro", "Donetsk", "Luhansk", "Lugansk", "Mariupol",
               "Kherson", "Mykolaiv", "Zaporizhzhia", "Poltava", "Sumy", "Chernihiv", "Vinnytsia", "Zhytomyr",
               "Ternopil", "Lutsk", "Rivne", "Cherkasy", "Kramatorsk", "Uzhhorod", "Kiev", "Ivano-Frankivsk",
               "Kremenchuk", "Bakhmut", "Sloviansk", "Pokrovsk", "Irpin", "Izmail", "Kropyvnytskyi", "Khmelnytskyi",
               "Chernivtsi", "Nikopol"],
        "de": ["Charkiw", "Odessa", "Lwiw", "Lemberg", "Dnipro", "Donezk", "Luhansk", "Mariupol", "Cherson",
               "Mykolajiw", "Saporischschja", "Poltawa", "Sumy", "Tschernihiw", "Winnyzja", "Schytomyr", "Ternopil",
               "Luzk", "Riwne", "Tscherkassy", "Kramatorsk", "Uschhorod", "Iwano-Frankiwsk",
               "Krementschuk", "Bachmut", "Slowjansk", "Pokrowsk", "Irpin", "Ismajil", "Kropywnyzkyj", "Chmelnyzkyj",
               "Czernowitz", "Tscherniwzi", "Nikopol"],
    },
    "BY": {
        "ru": ["Гомель", "Гродно", "Витебск", "Могилев", "Бобруйск", "Барановичи", "Борисов", "Пинск",
               "Брест", "Орша", "Мозырь", "Солигорск", "Молодечно", "Полоцк", "Новополоцк"],
        "uk": ["Гомель", "Гродно", "Вітебськ", "Могильов", "Бобруйськ", "Барановичі", "Борисов", "Пінськ",
               "Брест", "Орша", "Мозир", "Солігорськ", "Молодечно", "Полоцьк", "Новополоцьк"],
        "en": ["Gomel", "Homel", "Grodno", "Hrodna", "Vitebsk", "Mogilev", "Mahilyow", "Bobruisk", "Baranovichi",
               "Barysaw", "Pinsk",
               "Brest", "Orsha", "Mozyr", "Salihorsk", "Soligorsk", "Maladzyechna", "Polotsk", "Navapolatsk"],
        "de": ["Gomel", "Homel", "Grodno", "Hrodna", "Witebsk", "Mogiljow", "Mahiljou", "Babrujsk", "Baranawitschy",
               "Baryssau", "Pinsk",
               "Brest", "Orscha", "Masyr", "Salihorsk", "Soligorsk", "Maladsetschna", "Polazk", "Nawapolazk"],
    },
    "RU": {
        "ru": ["Петербург", "Питер", "Ростов", "Краснодар", "Воронеж", "Казань", "Уфа", "Пермь", "Челябинск",
               "Белгород", "Курск", "Брянск", "Псков", "Мурманск", "Сочи", "Тюмень", "Ярославль", "Санкт-Петербург",
               "Ростов-на-Дону", "Улан-Удэ", "Южно-Сахалинск", "Ханты-Мансийск", "Петропавловск-Камчатский",
               "Тула", "Липецк", "Смоленск", "Тверь", "Рязань", "Архангельск", "Петрозаводск", "Махачкала", "Пенза",
               "Оренбург", "Чебоксары", "Ижевск", "Кемерово", "Хабаровск", "Ставрополь"],
        "uk": ["Петербург", "Пітер", "Ростов", "Краснодар", "Воронеж", "Казань", "Уфа", "Перм", "Челябінськ",
               "Бєлгород", "Курськ", "Брянськ", "Псков", "Мурманськ", "Сочі", "Тюмень", "Ярославль", "Санкт-Петербург",
               "Ростов-на-Дону", "Улан-Уде",
               "Тула", "Липецьк", "Смоленськ", "Твер", "Рязань", "Архангельськ", "Петрозаводськ", "Махачкала", "Пенза",
               "Оренбург", "Чебоксари", "Іжевськ", "Кемерово", "Хабаровськ", "Ставрополь"],
        "en": ["Petersburg", "Rostov", "Krasnodar", "Voronezh", "Kazan", "Ufa", "Perm", "Chelyabinsk", "Belgorod",
               "Kursk", "Bryansk", "Pskov", "Murmansk", "Sochi", "Tyumen", "Yaroslavl",
               "Tula", "Lipetsk", "Smolensk", "Tver", "Ryazan", "Arkhangelsk", "Petrozavodsk", "Makhachkala", "Penza",
               "Orenburg", "Cheboksary", "Izhevsk", "Kemerovo", "Khabarovsk", "Stavropol"],
        "de": ["Petersburg", "Rostow", "Krasnodar", "Woronesch", "Kasan", "Ufa", "Perm", "Tscheljabinsk", "Belgorod",
               "Kursk", "Brjansk", "Pskow", "Murmansk", "Sotschi", "Tjumen", "Jaroslawl",
               "Tula", "Lipezk", "Smolensk", "Twer", "Rjasan", "Archangelsk", "Petrosawodsk", "Machatschkala", "Pensa",
               "Orenburg", "Tscheboksary", "Ischewsk", "Kemerowo", "Chabarowsk", "Stawropol"],
    },
}


# Cities of the countries people leave for that CLDR lacks (it names only the cities that name a time zone: not
# Astana, a capital, nor Batumi), and the names people still type for some it has ("Алма-Ата", "Нур-Султан").
_CITIES_ABROAD: dict[str, dict[str, list[str]]] = {
    "GE": {"ru": ["Батуми", "Кутаиси"], "uk": ["Батумі", "Кутаїсі"], "en": ["Batumi", "Kutaisi"],
           "de": ["Batumi", "Kutaissi"]},
    "AM": {"ru": ["Гюмри", "Ванадзор"], "uk": ["Ґюмрі", "Гюмрі", "Ванадзор"], "en": ["Gyumri", "Vanadzor"],
           "de": ["Gjumri", "Wanadsor"]},
    "KZ": {"ru": ["Астана", "Алма-Ата", "Нур-Султан", "Шымкент", "Караганда"],
           "uk": ["Астана", "Алмати", "Алма-Ата", "Нур-Султан", "Шимкент", "Караганда"],
           "en": ["Astana", "Alma-Ata", "Nur-Sultan", "Shymkent", "Karaganda"],
           "de": ["Astana", "Alma-Ata", "Nur-Sultan", "Schymkent", "Karaganda"]},
    "KG": {"en": ["Osh"], "de": ["Osch"]},
    "MN": {"ru": ["Улан-Батор"], "uk": ["Улан-Батор"], "en": ["Ulan-Bator"], "de": ["Ulan-Bator"]},
    "TR": {"ru": ["Анкара", "Анталья", "Анталия"], "uk": ["Анкара", "Анталія"], "en": ["Ankara", "Antalya"],
           "de": ["Ankara", "Antalya"]},
    "RS": {"ru": ["Нови-Сад"], "uk": ["Нові-Сад"], "en": ["Novi-Sad"], "de": ["Novi-Sad"]},
    "IL": {"ru": ["Тель-Авив", "Хайфа"], "uk": ["Тель-Авів", "Хайфа"], "en": ["Tel-Aviv", "Haifa"],
           "de": ["Tel-Aviv", "Haifa"]},
}


def _home_cities(language: str) -> list[tuple[str, str]]:
    return [(name, code) for code, names in _HOME_CITIES.items() for name in names.get(language, ())]


def _named_places(language: str) -> list[tuple[str, str]]:
    """(name, territory) for every country and region and every time-zone city of `language` in CLDR, and
    the cities as the zone ids spell them in English; the territory is "" where CLDR gives none."""
    zones = get_global("zone_territories")
    found = [(str(zone).rsplit("/", 1)[-1].replace("_", " "), str(territory))
             for zone, territory in zones.items() if "/" in str(zone)]
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return found
    found.extend((str(name), str(code)) for code, name in locale.territories.items())
    found.extend(_NAMES_PEOPLE_TYPE.get(language, ()))
    found.extend((str(names["city"]), str(zones.get(zone, ""))) for zone, names in locale.time_zones.items()
                 if "city" in names)
    found.extend((name, code) for code, names in _CITIES_ABROAD.items() for name in names.get(language, ()))
    found.extend(_home_cities(language))
    return found


@lru_cache(maxsize=16)
def place_words(language: str) -> frozenset[str]:
    """The one-word place names of `language` (normalised, lower case), with the English spellings of the
    time-zone cities, and its month and weekday names in every form CLDR gives; only the English cities for a
    language CLDR does not know. Read once per process (about 10 ms a language)."""
    names = [name for name, _territory in _named_places(language)]
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        pass
    else:
        for calendar in (locale.months, locale.days):
            for context in ("format", "stand-alone"):
                names.extend(calendar[context]["wide"].values())
    return frozenset(filter(None, map(_one_word, names)))


@lru_cache(maxsize=16)
def place_countries(language: str) -> dict[str, frozenset[str]]:
    """Each one-word name of a country or of a time-zone city in `language` (normalised), and the English
    spellings of the cities, with the ISO 3166 codes of the countries it is in: "тбилиси" → {"GE"},
    "германия" → {"DE"}. Months and weekdays are not here. Read once per process."""
    found: dict[str, set[str]] = {}
    for name, territory in _named_places(language):
        word = _one_word(name)
        if word is not None and territory.isalpha():
            found.setdefault(word, set()).add(territory)
    for name, territory in _home_cities(language):  # what they mean to the helpline's people
        word = _one_word(name)
        if word is not None:
            found[word] = {territory}
    return {name: frozenset(codes) for name, codes in found.items()}


@lru_cache(maxsize=16)
def country_names(language: str) -> dict[str, frozenset[str]]:
    """Each country's own one-word names in `language` (normalised; CLDR's, and the ones people still type):
    "GE" → {"грузия"}. Cities are not here. Read once per process."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return {}
    found: dict[str, set[str]] = {}
    for code, name in [*locale.territories.items(), *_NAMES_PEOPLE_TYPE.get(language, ())]:
        word = _one_word(str(name))
        if word is not None and str(code).isalpha():
            found.setdefault(str(code), set()).add(word)
    return {code: frozenset(names) for code, names in found.items()}
