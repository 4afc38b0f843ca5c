"""Translation status, stale translations, `untranslated: true`, and the About page's checked dates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.loader import LoadResult, load_content
from bot.content.model import ContentSnapshot
from bot.content.status import MarkError, mark_current, translation_status
from bot.i18n import Catalogs
from bot.menus.screens import Screens
from hotline.cli import main
from tests.conftest import FIXTURE_CONTENT, ROOT

LANGUAGES = ["ru", "en", "de"]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def load(directory: Path) -> LoadResult:
    return load_content(directory, languages=LANGUAGES, fallback_language="en",
                        organisation={"name": "Test Hotline", "website": "", "contacts": "x", "hours": ""})


def snapshot(directory: Path) -> ContentSnapshot:
    result = load(directory)
    assert result.snapshot is not None, [p.render() for p in result.errors]
    return result.snapshot


def stamped(directory: Path) -> ContentSnapshot:
    """The fixture's translations marked current, as an editor would after checking them."""
    for language in ("ru", "de"):
        mark_current(directory, snapshot(directory), language, None)
    return snapshot(directory)


def line_of(path: Path, start: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(start))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_status_counts_pages_buttons_and_link_labels(content: Path) -> None:
    status = translation_status(stamped(content), "de")
    assert status.where("current") == ["start", "summons", "summons_what", "summons_long", "contacts"]
    assert status.where("missing") == ["asylum"]
    # summons_what: title, its own short button, body and one link label; every other page: title and body.
    assert status.texts == 5 * 2 + 4
    assert [(n.node, n.missing_labels) for n in status.incomplete] == [("summons_what", ("guide",))]
    assert status.texts_done == status.texts - 1 - 2  # the link label, and asylum's title and body
    assert status.needs_work


def test_a_long_title_without_a_short_button_counts_as_missing_a_button(content: Path) -> None:
    edit(content / "de" / "nodes.yml", '  button: "Was sie bedeutet"\n', "")
    edit(content / "de" / "nodes.yml", 'title: "Was eine Einberufung bedeutet"',
         'title: "Was eine Einberufung für dich und deine Familie jetzt bedeutet"')
    item = next(n for n in translation_status(stamped(content), "de").nodes if n.node == "summons_what")
    assert item.missing_button and item.texts_done == item.texts - 2


def test_english_edit_makes_translations_outdated(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stamped(content)
    edit(content / "en" / "nodes.yml", "<b>Stay calm.</b>", "<b>Stay calm and read this.</b>")
    snap = snapshot(content)
    for language in ("ru", "de"):
        status = translation_status(snap, language)
        assert status.where("outdated") == ["summons"]
    warnings = [p for p in load(content).warnings if "older en text" in p.message]
    assert {(p.file.parent.name, p.line) for p in warnings} == {
        (language, line_of(content / language / "nodes.yml", "summons:")) for language in ("ru", "de")}
    assert "--mark-current summons" in warnings[0].fix

    code = main(["content", "status", str(content), "--config", str(ROOT / "config.yaml"), "--lang", "de"])
    out = capsys.readouterr().out
    assert code == 0
    assert "outdated (1)" in out and "summons" in out and "I got a summons" in out


def test_button_and_link_label_edits_count_as_source_changes(content: Path) -> None:
    stamped(content)
    edit(content / "en" / "nodes.yml", 'guide: "Read the guide"', 'guide: "Read the full guide"')
    assert translation_status(snapshot(content), "ru").where("outdated") == ["summons_what"]
    edit(content / "en" / "nodes.yml", 'button: "What it means"', 'button: "What a summons is"')
    assert translation_status(snapshot(content), "ru").where("outdated") == ["summons_what"]


def test_placeholder_values_are_not_source_changes(content: Path) -> None:
    stamped(content)
    result = load_content(content, languages=LANGUAGES, fallback_language="en",
                          organisation={"name": "Another Name", "website": "", "contacts": "y", "hours": ""})
    assert result.snapshot is not None
    assert translation_status(result.snapshot, "de").where("outdated") == []


def test_mark_current_keeps_comments_and_layout(content: Path) -> None:
    path = content / "de" / "nodes.yml"
    edit(path, "summons:\n", "# Checked by Anna\nsummons:  # keep short\n")
    before = path.read_text(encoding="utf-8")
    changed = mark_current(content, snapshot(content), "de", ["summons"])
    assert changed == ["summons"]
    after = path.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(added) == 1 and added[0].startswith("  source_hash: ")
    assert "# Checked by Anna\nsummons:  # keep short\n  source_hash:" in after
    assert translation_status(snapshot(content), "de").where("current") == ["summons"]
    assert mark_current(content, snapshot(content), "de", ["summons"]) == []


def test_mark_current_refuses_what_cannot_be_marked(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = snapshot(content)
    with pytest.raises(MarkError, match="no de text"):
        mark_current(content, snap, "de", ["asylum"])
    with pytest.raises(MarkError, match="no node"):
        mark_current(content, snap, "de", ["nothing_here"])
    with pytest.raises(MarkError, match="source language"):
        mark_current(content, snap, "en", None)
    code = main(["content", "status", str(content), "--config", str(ROOT / "config.yaml"), "--all"])
    assert code == 2 and "need --lang" in capsys.readouterr().out


def test_untranslated_on_purpose(content: Path) -> None:
    screens = Screens(Catalogs(LANGUAGES), LANGUAGES)
    missing = screens.page(snapshot(content), "asylum", "de").text
    assert "EN-ASYLUM-BODY" in missing and "Englisch" in missing, "a page that is simply missing says so"
    (content / "de" / "extra.yml").write_text("asylum:\n  untranslated: true\n", encoding="utf-8")
    result = load(content)
    assert result.snapshot is not None
    assert not [p for p in result.warnings if "not translated into de" in p.message]
    status = translation_status(result.snapshot, "de")
    assert status.where("untranslated") == ["asylum"] and "asylum" not in status.where("missing")

    page = result.snapshot.page("asylum", "de")
    assert page.language == "en" and page.untranslated_on_purpose
    shown = screens.page(result.snapshot, "asylum", "de").text
    assert "EN-ASYLUM-BODY" in shown and "Englisch" not in shown, "no 'not yet translated' promise"


@pytest.mark.parametrize(("entry", "message"), [
    ("asylum:\n  untranslated: true\n  title: 'Asyl'\n", "also has title"),
    ("asylum:\n  untranslated: maybe\n", "must be true or false"),
])
def test_untranslated_mistakes(content: Path, entry: str, message: str) -> None:
    (content / "de" / "extra.yml").write_text(entry, encoding="utf-8")
    result = load(content)
    assert result.snapshot is None
    assert any(message in p.message and p.line == 2 for p in result.errors), [p.render() for p in result.errors]


def test_untranslated_in_the_fallback_language_is_an_error(content: Path) -> None:
    edit(content / "en" / "nodes.yml", 'asylum:\n  title: "Asylum"\n  body: "EN-ASYLUM-BODY. Protection in the EU."',
         "asylum:\n  untranslated: true")
    assert any("fallback language" in p.message for p in load(content).errors)


def test_untranslated_false_is_an_ordinary_text(content: Path) -> None:
    edit(content / "de" / "nodes.yml", "contacts:\n", "contacts:\n  untranslated: false\n")
    assert load(content).snapshot is not None


def test_unverified_translations_get_one_warning_per_language(content: Path) -> None:
    ru = translation_status(snapshot(content), "ru")
    assert ru.where("current") == ru.where("outdated") == []
    assert len(ru.where("unverified")) == 6, "a translation without source_hash is unverified, not current"
    warnings = [p for p in load(content).warnings if "source_hash" in p.message]
    assert sorted(p.file.name for p in warnings) == ["de", "ru"]
    stamped(content)
    assert not [p for p in load(content).warnings if "source_hash" in p.message]


def test_shipped_translations_are_current() -> None:
    result = load_content(ROOT / "content", languages=["ru", "uk", "en", "de"], fallback_language="en")
    assert result.snapshot is not None
    for language in ("ru", "uk", "de"):
        status = translation_status(result.snapshot, language)
        assert not status.needs_work, (
            f"{language}: {[(n.node, n.state) for n in status.nodes if n.state != 'current']} - after changing "
            f"English content, update the translation, then `hotline content status --lang {language} "
            "--mark-current NODE`")


# --- the About page -------------------------------------------------------------------------------------


def test_about_lists_when_each_answer_was_checked(content: Path) -> None:
    edit(content / "tree.yml", "root: start\n", "root: start\nabout: contacts\n")
    snap = snapshot(content)
    assert snap.about == "contacts"
    screens = Screens(Catalogs(LANGUAGES), LANGUAGES)
    text = screens.page(snap, "contacts", "en").text
    listing = text.split("When each answer was checked", 1)[1]
    # A section with mixed dates gives the day most of its pages were checked on, then the pages of each other
    # day: re-checking a page adds a line, not a line per page of the section (the list must fit one message).
    assert "<b>I got a summons</b>: 2 pages checked October 15, 2026\n• November 1, 2026: I got a summons\n" \
           in listing
    assert "<b>Asylum</b>: 1 page, checked November 1, 2026" in listing
    assert "Organisations" not in listing, "the About page does not list itself"
    # In the reader's language, with their titles, falling back like the menus do.
    german = screens.page(snap, "contacts", "de").text
    assert "Ich habe eine Einberufung" in german and "Asylum" in german
    assert "When each answer" not in screens.page(snap, "summons", "en").text


def test_about_section_with_one_date_and_no_date(content: Path) -> None:
    tree = content / "tree.yml"
    edit(tree, "root: start\n", "root: start\nabout: contacts\n")
    edit(tree, "    checked: 2026-10-15\n  summons_long:", "    checked: 2026-11-01\n  summons_long:")
    edit(tree, "      - {title: \"Test source\"}\n    checked: 2026-10-15\n  asylum:",
         "      - {title: \"Test source\"}\n    checked: 2026-11-01\n  asylum:")
    edit(tree, "  asylum:\n    counsellor: prominent\n    sources:\n      - {title: \"Test source\"}\n"
               "    checked: 2026-11-01\n", "  asylum:\n    counsellor: prominent\n    sources:\n"
               "      - {title: \"Test source\"}\n")
    listing = Screens(Catalogs(LANGUAGES), LANGUAGES).page(snapshot(content), "contacts", "en").text
    assert "<b>I got a summons</b>: 3 pages, all checked November 1, 2026" in listing
    assert "<b>Asylum</b>: not checked yet" in listing


def test_about_must_name_an_existing_node(content: Path) -> None:
    edit(content / "tree.yml", "root: start\n", "root: start\nabout: about\n")
    result = load(content)
    assert any(p.message == "the about node 'about' is not defined" and p.line == 3 for p in result.errors)


def test_shipped_about_page_lists_dates() -> None:
    result = load_content(ROOT / "content", languages=["ru", "uk", "en", "de"], fallback_language="en")
    assert result.snapshot is not None and result.snapshot.about == "about"
    text = Screens(Catalogs(["ru", "en"]), ["ru", "en"]).page(result.snapshot, "about", "en").text
    assert "When each answer was checked" in text and "all checked" in text
