"""Translator workflow: export one language's texts to a PO or CSV file, and import the translated file back.

A file is made for one language and one version of the source texts, both written into it. Import refuses
a file for another language (it would overwrite the wrong translations) or made from other source texts
(its translations may no longer say what the source says now), and says what to do instead. Before
writing, it shows every change and checks the result exactly as `hotline content check` would.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.content.langfiles import PAGE_FIELDS, URL_PREFIX, LanguageFolder
from bot.content.loader import PLACEHOLDER_RE, LoadResult
from bot.content.model import BUTTON_MAX, TITLE_MAX, ContentSnapshot
from bot.content.status import content_version, language_name, translation_status

PROJECT = "hotline-content"
VERSION_ROW = "#content-version"
CSV_CHECK = "check"
REVIEW_CHANGED = "yes: the English changed since this was translated"
REVIEW_UNKNOWN = "yes: never compared with the English"


@dataclass(frozen=True)
class Entry:
    node: str
    field: str  # "title", "button", "body" or "urls.<url id>"
    source: str
    translation: str
    needs_review: bool = False  # fuzzy in PO; a non-empty "check" cell in CSV


@dataclass(frozen=True)
class TranslationFile:
    language: str
    version: str  # content_version() of the source texts it was made from
    entries: tuple[Entry, ...]


class TranslationFileError(Exception):
    """A file that cannot be used; the message says why and what to do, for an editor."""


# --- building the entries ------------------------------------------------------------------------------


def _unit_fields(source: dict[str, str]) -> list[str]:
    # A button that repeats the title is no separate text: translating the title translates it.
    names = [n for n in PAGE_FIELDS if n in source and not (n == "button" and source[n] == source.get("title"))]
    return names + sorted(k for k in source if k.startswith(URL_PREFIX))


def build_export(directory: Path, snapshot: ContentSnapshot, language: str,
                 previous: TranslationFile | None = None) -> TranslationFile:
    """Every source text, in menu order, beside its current translation (or the one from `previous`)."""
    fallback = snapshot.fallback_language
    if language == fallback:
        raise TranslationFileError(f"{language} is the source language: there is nothing to translate into it")
    if language not in snapshot.languages:
        raise TranslationFileError(f"'{language}' is not one of the languages in config.yaml "
                                   f"({', '.join(snapshot.languages)})")
    if previous is not None and previous.language != language:
        raise TranslationFileError(f"the older file is in {previous.language}, not {language}")
    status = {n.node: n for n in translation_status(snapshot, language).nodes}
    sources, targets = LanguageFolder(directory / fallback), LanguageFolder(directory / language)
    earlier = {(e.node, e.field): e for e in previous.entries} if previous else {}
    entries = []
    for node_id in snapshot.nodes:
        state = status[node_id].state
        if state == "untranslated":
            continue  # the editors decided this node needs no translation
        source, current = sources.units(node_id), targets.units(node_id)
        for name in _unit_fields(source):
            translation = current.get(name, "")
            review = state in ("outdated", "unverified") and bool(translation)
            old = earlier.get((node_id, name))
            if old is not None and old.translation:
                translation = old.translation
                review = old.needs_review or old.source != source[name]
            entries.append(Entry(node_id, name, source[name], translation, review))
    return TranslationFile(language, content_version(snapshot), tuple(entries))


def _comment(snapshot: ContentSnapshot, node_id: str, name: str) -> list[str]:
    path = " › ".join(snapshot.page(n, snapshot.fallback_language).text.button
                      for n in snapshot.path_to(node_id)[1:]) or "start page"
    notes = {
        "title": f"The page's heading, and its button unless it has a short one (at most {TITLE_MAX} characters).",
        "button": f"The short label of the button that leads to this page (at most {BUTTON_MAX} characters).",
        "body": "Keep the HTML tags (<b>…</b>, <a href=\"…\">…</a>) and the {placeholders} as they are. "
                "Empty lines separate paragraphs.",
    }
    note = notes.get(name)
    if note is None:
        url_id = name[len(URL_PREFIX):]
        href = next((u.href for u in snapshot.nodes[node_id].urls if u.id == url_id), "")
        note = f"The label of the button that opens {href}."
    return [f"Page: {path} [{node_id}]", note]


# --- PO ---------------------------------------------------------------------------------------------------


def write_po_file(data: TranslationFile, snapshot: ContentSnapshot, target: Path) -> None:
    source = snapshot.fallback_language
    catalog = Catalog(locale=data.language, project=PROJECT, version=data.version, fuzzy=False,
                      msgid_bugs_address="", last_translator="", language_team=language_name(data.language),
                      header_comment=(
                          f"# Texts of the hotline bot: {language_name(data.language)} translation of the "
                          f"{language_name(source)} texts.\n"
                          "# Translate each msgstr. Entries marked fuzzy (\"needs work\" in Poedit) have a\n"
                          "# translation that must be compared with the English again; un-mark them when done.\n"
                          "# Bring the file back with: hotline content import FILE"))
    for entry in data.entries:
        flags = ["fuzzy"] if entry.needs_review else []
        if PLACEHOLDER_RE.search(entry.source):
            flags.append("python-brace-format")  # translation tools then check the {placeholders}
        catalog.add(entry.source, entry.translation, context=f"{entry.node}.{entry.field}", flags=flags,
                    auto_comments=_comment(snapshot, entry.node, entry.field))
    with target.open("wb") as out:
        write_po(out, catalog, width=0, omit_header=False, sort_output=False)


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def read_po_file(path: Path) -> TranslationFile:
    try:
        with path.open("rb") as source:
            catalog = read_po(source, abort_invalid=True)
    except Exception as exc:  # Babel raises several kinds for a broken file; all mean the same to an editor
        raise TranslationFileError(f"{path.name} is not a readable PO file ({exc})") from None
    if catalog.project != PROJECT or not catalog.version:
        raise TranslationFileError(f"{path.name} was not made by `hotline content export` (its "
                                   "Project-Id-Version header is not 'hotline-content …')")
    if catalog.locale is None:
        raise TranslationFileError(f"{path.name} does not say which language it is in (no Language header)")
    entries = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        node_id, _, name = (message.context or "").partition(".")
        translation = message.string if isinstance(message.string, str) else ""
        entries.append(Entry(node_id, name, _clean(message.id), _clean(translation), message.fuzzy))
    return TranslationFile(str(catalog.locale), str(catalog.version), tuple(entries))


# --- CSV --------------------------------------------------------------------------------------------------


def write_csv_file(data: TranslationFile, snapshot: ContentSnapshot, target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as out:  # the BOM makes Excel read UTF-8
        writer = csv.writer(out)
        writer.writerow(["node", "field", f"source text ({snapshot.fallback_language})",
                         f"translation ({data.language})", CSV_CHECK])
        # The "v" keeps spreadsheets from reading an all-digit version as a number and rewriting it.
        writer.writerow([VERSION_ROW, "", "v" + data.version, "",
                         "keep this row: it tells the import which English texts this file was made from"])
        status = {n.node: n.state for n in translation_status(snapshot, data.language).nodes}
        for entry in data.entries:
            review = ""
            if entry.needs_review:
                review = REVIEW_UNKNOWN if status.get(entry.node) == "unverified" else REVIEW_CHANGED
            writer.writerow([entry.node, entry.field, entry.source, entry.translation, review])


def read_csv_file(path: Path) -> TranslationFile:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TranslationFileError(f"{path.name} is not UTF-8 text: save it as \"CSV UTF-8\"") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # spreadsheets in many locales use ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows or len(rows[0]) < 4:
        raise TranslationFileError(f"{path.name} is not a file made by `hotline content export`: the first row "
                                   "must be: node, field, source text (en), translation (xx), check")
    match = re.search(r"\(([A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)?)\)", rows[0][3])
    if match is None:
        raise TranslationFileError(f"{path.name} does not say which language it is in: the heading of the "
                                   "fourth column must be 'translation (xx)', e.g. 'translation (de)'")
    version = ""
    entries = []
    for row in rows[1:]:
        cells = [*row, "", "", "", "", ""]
        if cells[0].strip() == VERSION_ROW:
            version = cells[2].strip().removeprefix("v")
        elif cells[0].strip() and not cells[0].startswith("#"):
            node_id, name = cells[0].strip(), cells[1].strip()
            entries.append(Entry(node_id, name, _clean(cells[2]), _clean(cells[3]), bool(cells[4].strip())))
    if not version:
        raise TranslationFileError(f"{path.name} has no '{VERSION_ROW}' row, so it is unknown which English "
                                   "texts it was made from; export the language again")
    return TranslationFile(match.group(1).replace("-", "_"), version, tuple(entries))


def read_translation_file(path: Path) -> TranslationFile:
    if not path.is_file():
        raise TranslationFileError(f"{path} does not exist")
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return read_csv_file(path)
    return read_po_file(path)


def write_translation_file(data: TranslationFile, snapshot: ContentSnapshot, target: Path, fmt: str) -> None:
    (write_csv_file if fmt == "csv" else write_po_file)(data, snapshot, target)


# --- import -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    node: str
    field: str
    old: str | None  # None: the node had no text in this language
    new: str


@dataclass
class ImportPlan:
    language: str
    changes: list[Change] = field(default_factory=list)
    new_nodes: list[str] = field(default_factory=list)
    marked_current: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why some entries were not imported, for editors
    files: dict[Path, str] = field(default_factory=dict)  # path -> new content


def _guard(data: TranslationFile, snapshot: ContentSnapshot, directory: Path, expected: str | None,
           file_name: str) -> None:
    fallback = snapshot.fallback_language
    name = f"{data.language} ({language_name(data.language)})"
    if expected is not None and data.language != expected:
        raise TranslationFileError(
            f"refused: this file holds {name} texts, but you asked to import {expected} "
            f"({language_name(expected)}). Importing it would overwrite the wrong translations. "
            f"Check that you picked the right file; if it is right, run the import with --lang {data.language}.")
    if data.language == fallback:
        raise TranslationFileError(f"refused: this file is in {name}, the source language. The source texts are "
                                   f"edited in {fallback}/ directly, not imported.")
    if data.language not in snapshot.languages:
        raise TranslationFileError(f"refused: this file is in {name}, which is not one of the languages in "
                                   f"config.yaml ({', '.join(snapshot.languages)}). Add the language there first.")
    current = content_version(snapshot)
    if data.version == current:
        return
    sources = LanguageFolder(directory / fallback)
    seen = {e.node for e in data.entries}
    changed = sorted({e.node for e in data.entries if e.node in snapshot.nodes
                      and sources.units(e.node).get(e.field) != e.source}
                     | {e.node for e in data.entries if e.node not in snapshot.nodes}
                     | {n for n in snapshot.nodes if n not in seen and n not in
                        snapshot.untranslated.get(data.language, frozenset())})
    shown = ", ".join(changed[:12]) + (f" and {len(changed) - 12} more" if len(changed) > 12 else "")
    shown = shown or "pages that were added or removed"
    stem, dot, suffix = file_name.rpartition(".")
    fresh = f"{stem}-new.{suffix}" if dot else f"{file_name}-new"
    raise TranslationFileError(
        f"refused: this file was made from other {fallback} texts (version {data.version}; the content now is "
        f"version {current}). Since the export, the {fallback} text changed for: {shown}. "
        f"Importing it could put back translations of what the {fallback} text no longer says.\n"
        f"What to do: make a fresh file that keeps this file's translations, with those whose {fallback} "
        f"changed marked for checking:\n"
        f"    hotline content export --lang {data.language} --from {file_name} -o {fresh}\n"
        f"then let the translator check the marked entries in {fresh}, and import {fresh}.")


def plan_import(directory: Path, snapshot: ContentSnapshot, data: TranslationFile,
                load: Callable[[Path], LoadResult], expected_language: str | None = None,
                file_name: str = "FILE") -> ImportPlan:
    """What importing `data` would change; raises TranslationFileError when the file must be refused.

    `load` checks a content folder the way the bot would; the plan is refused if the result has errors.
    """
    directory = directory.resolve()
    _guard(data, snapshot, directory, expected_language, file_name)
    language = data.language
    fallback = snapshot.fallback_language
    sources, folder = LanguageFolder(directory / fallback), LanguageFolder(directory / language)
    plan = ImportPlan(language)
    by_node: dict[str, list[Entry]] = {}
    for entry in data.entries:
        if entry.node not in snapshot.nodes:
            plan.skipped.append(f"{entry.node}.{entry.field}: tree.yml has no node '{entry.node}'")
            continue
        if entry.field not in sources.units(entry.node):
            plan.skipped.append(f"{entry.node}.{entry.field}: the {fallback} text has no such field")
            continue
        by_node.setdefault(entry.node, []).append(entry)

    for node_id in snapshot.nodes:
        entries = by_node.get(node_id, [])
        if entries:
            _plan_node(node_id, entries, sources, folder, snapshot, plan)

    plan.files = folder.changed_files()
    if plan.files:
        _verify(directory, plan.files, load)
    return plan


def _plan_node(node_id: str, entries: list[Entry], sources: LanguageFolder, folder: LanguageFolder,
               snapshot: ContentSnapshot, plan: ImportPlan) -> None:
    source = sources.units(node_id)
    source_hash = snapshot.texts[snapshot.fallback_language][node_id].text_hash
    if folder.is_untranslated(node_id):
        if any(e.translation for e in entries):
            plan.skipped.append(f"{node_id}: marked `untranslated: true` in {folder.language}/; remove that "
                                "line first if it should be translated after all")
        return
    wanted = {e.field: e.translation for e in entries if e.translation}
    confirmed = not any(e.needs_review for e in entries)
    required = [name for name in source if name != "button"]
    if node_id not in folder:
        if not wanted:
            return
        lacking = [name for name in ("title", "body") if name not in wanted]
        if lacking:
            plan.skipped.append(f"{node_id}: new page without a translated {' and '.join(lacking)}; "
                                "a page needs both")
            return
        complete = confirmed and all(name in wanted for name in required)
        file_name = (sources.file_of(node_id) or Path("imported.yml")).name
        folder.add_entry(node_id, wanted, file_name, source_hash if complete else None)
        plan.new_nodes.append(node_id)
        plan.changes.extend(Change(node_id, name, None, text) for name, text in wanted.items())
        if complete:
            plan.marked_current.append(node_id)
        return
    current = folder.units(node_id)
    for name, text in wanted.items():
        if current.get(name) != text:
            plan.changes.append(Change(node_id, name, current.get(name), text))
            folder.set_unit(node_id, name, text)
    after = folder.units(node_id)
    complete = confirmed and all(name in after for name in required)
    if complete and folder.source_hash(node_id) != source_hash:
        folder.set_source_hash(node_id, source_hash)
        plan.marked_current.append(node_id)


def _verify(directory: Path, files: dict[Path, str], load: Callable[[Path], LoadResult]) -> None:
    """Check the content as it would be after the import, in a scratch copy; refuse on any error."""
    with tempfile.TemporaryDirectory(prefix="hotline-import-") as scratch:
        copy = Path(scratch) / directory.name
        shutil.copytree(directory, copy)
        for path, text in files.items():
            target = copy / path.relative_to(directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        result = load(copy)
        if result.errors:
            problems = "\n".join(p.render(copy) for p in result.errors)
            raise TranslationFileError("refused: with these translations the content would have errors, and the "
                                       "bot would not load it. Nothing was written. Fix them in the file, then "
                                       f"import it again:\n{problems}")


def apply_import(plan: ImportPlan) -> list[Path]:
    for path, text in plan.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(plan.files)


def _quote(text: str) -> str:
    return '"' + text.replace("\n", "⏎") + '"'


def render_plan(plan: ImportPlan, root: Path | None = None) -> str:
    """The changes, one field at a time: short texts as old → new, bodies as a line diff."""
    lines: list[str] = []
    if plan.changes:
        lines.append(f"Changes to {plan.language} ({language_name(plan.language)}):")
    for change in plan.changes:
        where = f"  {change.node}.{change.field}"
        if change.old is None:
            where += " (new)"
        if change.field != "body":
            old = _quote(change.old) if change.old is not None else "(none)"
            lines.append(f"{where}: {old} → {_quote(change.new)}")
            continue
        lines.append(f"{where}:")
        before = change.old.splitlines() if change.old is not None else []
        for line in difflib.ndiff(before, change.new.splitlines()):
            if line.startswith(("- ", "+ ")):
                lines.append(f"      {line}")
    if plan.new_nodes:
        lines.append(f"New pages: {', '.join(plan.new_nodes)}")
    if plan.marked_current:
        lines.append(f"Marked as matching the current English: {', '.join(plan.marked_current)}")
    for reason in plan.skipped:
        lines.append(f"Not imported: {reason}")
    if not plan.changes and not plan.marked_current:
        lines.append(f"No changes: the file holds the {plan.language} texts the content already has.")
    for path in plan.files:
        shown = path
        if root is not None and path.is_relative_to(root):
            shown = path.relative_to(root)
        lines.append(f"File: {shown}")
    return "\n".join(lines) + "\n"
