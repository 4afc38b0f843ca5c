"""UI strings: every string in the code is translated in every catalog, with the right plural rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, Catalogs

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["ru", "en", "de"]


def _extracted() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    method_map = [("bot/**.py", "python"), ("handlers/**.py", "python"), ("hotline/**.py", "python")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))  # type: ignore[arg-type]
    return found


def test_babel_extraction_config_is_in_the_repo() -> None:
    assert "[python: bot/**.py]" in (ROOT / "babel.cfg").read_text()


@pytest.mark.parametrize("language", ["ru", "uk", "de"])
def test_every_ui_string_is_translated(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "hotline.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    translated = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog
                  if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy}
    missing = _extracted() - translated
    assert not missing, f"{language}: not translated: {sorted(map(str, missing))}"


def test_no_compiled_catalogs_are_committed() -> None:
    assert not list(LOCALES_DIR.rglob("*.mo"))


def test_catalogs_translate_and_format_dates() -> None:
    catalogs = Catalogs(LANGUAGES)
    assert catalogs["ru"].gettext("Main menu") == "Главное меню"
    assert catalogs["de"].gettext("Main menu") == "Hauptmenü"
    assert catalogs["en"].gettext("Main menu") == "Main menu"

    assert catalogs["ru"].date(date(2026, 11, 1)) == "1 ноября 2026\u202fг."
    assert catalogs["de"].date(date(2026, 11, 1)) == "1. November 2026"
    assert [catalogs[x].language_name for x in LANGUAGES] == ["Русский", "English", "Deutsch"]


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", {1: "one", 2: "few", 4: "few", 5: "many", 11: "many", 21: "one", 22: "few", 111: "many"}),
    ("de", {1: "one", 2: "other", 5: "other", 21: "other"}),
    ("en", {1: "one", 2: "other", 21: "other"}),
])
def test_plural_rules_of_each_catalog(tmp_path: Path, language: str, expected: dict[int, str]) -> None:
    # The shipped catalog's Plural-Forms header, with one plural message added, picks the right form.
    with (LOCALES_DIR / language / "LC_MESSAGES" / "hotline.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    forms = ("one", "few", "many")[: catalog.num_plurals] if language == "ru" else ("one", "other")
    catalog.add(("{n} day", "{n} days"), forms)
    folder = tmp_path / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "hotline.po").open("wb") as out:
        write_po(out, catalog)
    translator = Catalogs([language], tmp_path)[language]
    for n, form in expected.items():
        assert translator.ngettext("{n} day", "{n} days", n) == form, n
