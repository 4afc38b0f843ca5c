"""Export to PO/CSV and import back: round trips, diffs, and the guards against the wrong file."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.content.loader import LoadResult, load_content
from bot.content.model import ContentSnapshot
from bot.content.status import content_version, mark_current, translation_status
from bot.content.translations import (
    ImportPlan,
    TranslationFile,
    TranslationFileError,
    apply_import,
    build_export,
    plan_import,
    read_translation_file,
    render_plan,
    write_translation_file,
)
from hotline.cli import main
from tests.conftest import FIXTURE_CONTENT

LANGUAGES = ["ru", "en", "de"]


def load(directory: Path) -> LoadResult:
    return load_content(directory, languages=LANGUAGES, fallback_language="en",
                        organisation={"name": "Test Hotline", "website": "", "contacts": "x", "hours": ""})


def snapshot(directory: Path) -> ContentSnapshot:
    result = load(directory)
    assert result.snapshot is not None, [p.render() for p in result.errors]
    return result.snapshot


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    for language in ("ru", "de"):  # as an editor would after checking the fixture's translations
        mark_current(target, snapshot(target), language, None)
    return target


def export(content: Path, target: Path, language: str = "de", previous: TranslationFile | None = None) -> Path:
    snap = snapshot(content)
    fmt = "csv" if target.suffix == ".csv" else "po"
    write_translation_file(build_export(content, snap, language, previous), snap, target, fmt)
    return target


def plan(content: Path, path: Path, expected: str | None = None) -> ImportPlan:
    return plan_import(content, snapshot(content), read_translation_file(path), load, expected_language=expected,
                       file_name=path.name)


def texts(content: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted(content.rglob("*.yml"))}


def edit_po(path: Path, changes: dict[str, str], unfuzzy: bool = False) -> None:
    with path.open("rb") as source:
        catalog = read_po(source)
    for message in catalog:
        if message.context in changes:
            message.string = changes[message.context]
        if unfuzzy:
            message.flags.discard("fuzzy")
    with path.open("wb") as out:
        write_po(out, catalog, width=0)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name", ["de.po", "de.csv"])
def test_round_trip_without_changes(content: Path, tmp_path: Path, name: str) -> None:
    before = texts(content)
    path = export(content, tmp_path / name)
    data = read_translation_file(path)
    assert data.language == "de" and data.version == content_version(snapshot(content))
    fields = {(e.node, e.field) for e in data.entries}
    assert {("summons_what", "button"), ("summons_what", "urls.guide"), ("asylum", "title")} <= fields
    assert not any(e.needs_review for e in data.entries)
    result = plan(content, path)
    assert result.changes == [] and result.marked_current == [] and result.files == {}
    assert "No changes" in render_plan(result)
    apply_import(result)
    assert texts(content) == before


def test_po_import_with_changes_shows_the_diff_and_applies_it(content: Path, tmp_path: Path) -> None:
    path = export(content, tmp_path / "de.po")
    (content / "de" / "nodes.yml").write_text("# Deutsche Texte, geprüft von Anna\n"
                                              + (content / "de" / "nodes.yml").read_text(encoding="utf-8"))
    edit_po(path, {
        "summons.title": "Ich habe einen Einberufungsbescheid",
        "summons_what.urls.guide": "Die Anleitung lesen",
        "asylum.title": "Asyl",
        "asylum.body": "DE-ASYLUM-BODY. Schutz in der EU.\n\nZweiter Absatz.",
    })
    result = plan(content, path)
    changes = {(c.node, c.field): (c.old, c.new) for c in result.changes}
    assert changes[("summons", "title")] == ("Ich habe eine Einberufung", "Ich habe einen Einberufungsbescheid")
    assert changes[("summons_what", "urls.guide")] == (None, "Die Anleitung lesen")
    assert changes[("asylum", "body")] == (None, "DE-ASYLUM-BODY. Schutz in der EU.\n\nZweiter Absatz.")
    assert result.new_nodes == ["asylum"]
    assert result.marked_current == ["asylum"]
    shown = render_plan(result)
    assert 'summons.title: "Ich habe eine Einberufung" → "Ich habe einen Einberufungsbescheid"' in shown
    assert "+ Zweiter Absatz." in shown

    apply_import(result)
    written = (content / "de" / "nodes.yml").read_text(encoding="utf-8")
    assert written.startswith("# Deutsche Texte, geprüft von Anna\n"), "comments survive the import"
    assert "asylum:\n  source_hash: " in written and "  body: |\n    DE-ASYLUM-BODY." in written
    status = translation_status(snapshot(content), "de")
    assert status.where("current") == list(snapshot(content).nodes) and not status.needs_work
    assert snapshot(content).texts["de"]["summons_what"].url_labels == {"guide": "Die Anleitung lesen"}


def test_csv_from_a_spreadsheet_with_semicolons(content: Path, tmp_path: Path) -> None:
    path = export(content, tmp_path / "de.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["node", "field", "source text (en)", "translation (de)", "check"]
    for row in rows:
        if row[:2] == ["summons", "body"]:
            row[3] = "DE-SUMMONS-BODY. <b>Ruhig bleiben.</b>\r\nLies die Seiten unten genau."
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)  # what a German spreadsheet saves
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    result = plan(content, path)
    assert [(c.node, c.field, c.new) for c in result.changes] == [
        ("summons", "body", "DE-SUMMONS-BODY. <b>Ruhig bleiben.</b>\nLies die Seiten unten genau.")]
    apply_import(result)
    assert "Lies die Seiten unten genau." in snapshot(content).texts["de"]["summons"].body


def test_wrong_language_is_refused(content: Path, tmp_path: Path) -> None:
    path = export(content, tmp_path / "de.po")
    before = texts(content)
    with pytest.raises(TranslationFileError, match=r"holds de \(German\) texts, but you asked to import ru"):
        plan(content, path, expected="ru")
    english = tmp_path / "en.po"
    shutil.copy(path, english)
    english.write_text(path.read_text(encoding="utf-8").replace('"Language: de\\n"', '"Language: en\\n"'))
    with pytest.raises(TranslationFileError, match="the source language"):
        plan(content, english)
    french = tmp_path / "fr.csv"
    french.write_text(export(content, tmp_path / "x.csv").read_text(encoding="utf-8-sig")
                      .replace("translation (de)", "translation (fr)"), encoding="utf-8")
    with pytest.raises(TranslationFileError, match="not one of the languages"):
        plan(content, french)
    assert texts(content) == before


def test_other_content_version_is_refused_and_export_from_carries_over(content: Path, tmp_path: Path) -> None:
    old = export(content, tmp_path / "de.po")
    edit_po(old, {"contacts.title": "Hilfsorganisationen"})
    edit(content / "en" / "nodes.yml", "<b>Stay calm.</b>", "<b>Stay calm, you have time.</b>")
    before = texts(content)
    with pytest.raises(TranslationFileError) as refused:
        plan(content, old)
    message = str(refused.value)
    assert "made from other en texts" in message and "summons" in message and "contacts" not in message
    assert "--from de.po -o de-new.po" in message
    assert texts(content) == before

    fresh = export(content, tmp_path / "de-new.po", previous=read_translation_file(old))
    review = {(e.node, e.field): e for e in read_translation_file(fresh).entries}
    assert review[("summons", "body")].needs_review, "its English changed since the old file"
    assert not review[("summons", "title")].needs_review
    assert review[("contacts", "title")].translation == "Hilfsorganisationen", "carried over from the old file"

    still_fuzzy = plan(content, fresh)
    assert "summons" not in still_fuzzy.marked_current, "an entry still marked for checking is not confirmed"
    edit_po(fresh, {"summons.body": "DE-SUMMONS-BODY. <b>Ruhig bleiben, du hast Zeit.</b>"}, unfuzzy=True)
    result = plan(content, fresh)
    assert result.marked_current == ["summons"]
    apply_import(result)
    assert translation_status(snapshot(content), "de").where("outdated") == []


def test_outdated_translations_are_exported_for_checking(content: Path, tmp_path: Path) -> None:
    edit(content / "en" / "nodes.yml", "<b>Stay calm.</b>", "<b>Stay calm, you have time.</b>")
    po = read_translation_file(export(content, tmp_path / "de.po"))
    flagged = {(e.node, e.field) for e in po.entries if e.needs_review}
    assert flagged == {("summons", "title"), ("summons", "body")}
    rows = (tmp_path / "de.csv")
    export(content, rows)
    assert "yes: the English changed since this was translated" in rows.read_text(encoding="utf-8-sig")


def test_import_that_would_break_the_content_is_refused(content: Path, tmp_path: Path) -> None:
    path = export(content, tmp_path / "de.po")
    edit_po(path, {"summons.body": "Ruhig<br>bleiben {org_nmae}"})
    before = texts(content)
    with pytest.raises(TranslationFileError, match="Nothing was written") as refused:
        plan(content, path)
    assert "org_nmae" in str(refused.value) and "de/nodes.yml" in str(refused.value)
    assert texts(content) == before


def test_new_page_needs_title_and_body(content: Path, tmp_path: Path) -> None:
    path = export(content, tmp_path / "de.po")
    edit_po(path, {"asylum.title": "Asyl"})
    result = plan(content, path)
    assert result.new_nodes == [] and result.files == {}
    assert any("asylum" in reason and "body" in reason for reason in result.skipped)


def test_not_an_export(tmp_path: Path, content: Path) -> None:
    stray = tmp_path / "other.po"
    stray.write_text('msgid ""\nmsgstr ""\n"Project-Id-Version: something 1.0\\n"\n"Language: de\\n"\n',
                     encoding="utf-8")
    with pytest.raises(TranslationFileError, match="not made by"):
        read_translation_file(stray)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("node,field,source,translation\nsummons,title,a,b\n", encoding="utf-8")
    with pytest.raises(TranslationFileError, match="which language"):
        read_translation_file(sheet)


def test_cli_export_and_import(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"languages: [ru, en, de]\ncontent: {{dir: '{content}', fallback_language: en}}\n"
                      "organisation: {name: 'Test Hotline', contacts: 'x'}\n", encoding="utf-8")
    out = tmp_path / "de.po"
    assert main(["content", "export", "--lang", "de", "-o", str(out), "--config", str(config)]) == 0
    assert "not translated yet" in capsys.readouterr().out
    edit_po(out, {"contacts.title": "Hilfsorganisationen"})
    before = texts(content)
    assert main(["content", "import", str(out), "--dry-run", "--config", str(config)]) == 0
    shown = capsys.readouterr().out
    assert '"Organisationen" → "Hilfsorganisationen"' in shown and "nothing was written" in shown
    assert texts(content) == before
    assert main(["content", "import", str(out), "--lang", "ru", "--config", str(config)]) == 1
    assert "refused" in capsys.readouterr().out
    assert main(["content", "import", str(out), "--config", str(config)]) == 0
    assert snapshot(content).texts["de"]["contacts"].title == "Hilfsorganisationen"
    assert main(["content", "export", "--lang", "en", "-o", str(out), "--config", str(config)]) == 1
    assert "source language" in capsys.readouterr().out
