"""UI strings (buttons, prompts, errors) from gettext catalogs in locales/, read from the .po source.

Catalogs are compiled in memory at start, so the repository holds no binary .mo files that could drift
from their source. Plural rules come from each catalog's Plural-Forms header (Babel writes the right one
per language: three forms for Russian and Ukrainian, two for English and German).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "hotline"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Translator:
    language: str
    _translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        return format_date(value, format="long", locale=self.language)

    def datetime(self, value: datetime) -> str:
        """A moment in its own time zone, e.g. "Montag, 24. November, 10:00 (Europe/Berlin)"."""
        day = format_date(value.date(), format="full", locale=self.language)
        clock = format_time(value.timetz(), format="HH:mm", locale=self.language)
        zone = getattr(value.tzinfo, "key", None) or "UTC"
        return f"{day}, {clock} ({zone})"

    @property
    def language_name(self) -> str:
        """The language's name in itself ("Русский", "Deutsch"), for the language menu."""
        name = self.name_of(self.language)
        return name[:1].upper() + name[1:]

    def name_of(self, language: str) -> str:
        """Another language's name in this one: "Englisch" in German, "английский" in Russian."""
        return Locale.parse(language).get_display_name(self.language) or language


class Catalogs:
    """One Translator per supported language."""

    def __init__(self, languages: list[str], locales_dir: Path = LOCALES_DIR) -> None:
        self._translators = {lang: Translator(lang, _load(locales_dir, lang)) for lang in languages}

    def __getitem__(self, language: str) -> Translator:
        return self._translators[language]

    @property
    def languages(self) -> list[str]:
        return list(self._translators)


def _load(locales_dir: Path, language: str) -> gettext.NullTranslations:
    po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        # Source strings are English: a language without a catalog reads them as they are.
        return gettext.NullTranslations()
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
