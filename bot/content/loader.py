"""Reads a content folder, checks it, and builds a ContentSnapshot.

Loading and checking are one pass on purpose: what `hotline content check` accepts is exactly what the
bot will load, and a reload that would break the bot is refused for the same reasons the checker gives.
Every problem names a file and a line and says how to fix it, in words for editors, not programmers.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from bot.clock import now_utc
from bot.config import OrganisationSettings, in_language
from bot.content.model import (
    BUTTON_MAX,
    GLOSSARY_NAMES,
    KEYWORD_MAX,
    NODE_ID_RE,
    QUESTION_NAMES,
    TITLE_MAX,
    ContentSnapshot,
    GlossarySpec,
    Node,
    Text,
    TextSpec,
    TreeSpec,
    hash_text,
)
from bot.telegram import html as telegram_html
from bot.yamlsource import YamlDocument, YamlSyntaxError, load_yaml

TREE_FILE = "tree.yml"
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]*)\}")
MESSAGE_LIMIT = 4096

Level = Literal["error", "warning"]
# A line number, or how to find it: files are parsed a second time for line numbers only when a problem is
# reported (see bot.yamlsource), so the line of something that is fine is never looked up.
LineRef = int | None | Callable[[], int | None]
Where = tuple[Path, LineRef]  # a file and a line


@dataclass(frozen=True)
class Problem:
    level: Level
    file: Path
    line: int | None
    message: str
    fix: str = ""

    def render(self, root: Path | None = None) -> str:
        path = self.file
        if root is not None:
            try:
                path = self.file.relative_to(root)
            except ValueError:
                pass
        where = f"{path}:{self.line}" if self.line else str(path)
        text = f"{where}: {self.level}: {self.message}"
        # One line a problem, `file:line: level: what is wrong — how to fix it`: editors and editors' tools
        # (grep, an editor's quickfix list) read a problem as one line.
        return f"{text} — {self.fix}" if self.fix else text


@dataclass
class LoadResult:
    snapshot: ContentSnapshot | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    @property
    def errors(self) -> bool:
        return any(p.level == "error" for p in self.problems)

    def error(self, file: Path, line: LineRef, message: str, fix: str = "") -> None:
        self.problems.append(Problem("error", file, line() if callable(line) else line, message, fix))

    def warning(self, file: Path, line: LineRef, message: str, fix: str = "") -> None:
        self.problems.append(Problem("warning", file, line() if callable(line) else line, message, fix))

    def schema(self, doc: YamlDocument, exc: ValidationError, prefix: tuple[str, ...] = ()) -> None:
        for err in exc.errors():
            loc = (*prefix, *(str(p) for p in err["loc"]))
            message, fix = _explain_schema(err["type"], loc, err["input"], err.get("ctx") or {}, err["msg"])
            self.error(doc.path, doc.at(loc if err["type"] != "missing" else loc[:-1]), message, fix)


_DATE_ERRORS = frozenset({"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                          "date_future", "date_past"})
_TEXT_FIX = "put the text after the colon; a text that starts with a digit, [, {, or holds ': ' goes in quotes"


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _explain_schema(kind: str, loc: tuple[str, ...], value: object, ctx: Mapping[str, object],
                    detail: str) -> tuple[str, str]:
    """A pydantic error in editors' words: (what is wrong, how to fix it)."""
    key = ".".join(loc) or "the file"
    field_name = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        return (f"unknown field '{field_name}'", "check the spelling; CONTENT.md lists the fields a node can have")
    if kind == "missing":
        return f"'{key}' is missing", f"add '{field_name}:'"
    if kind == "string_pattern_mismatch":
        return (f"'{key}' is not a valid id", "ids use a–z, 0–9 and _, start with a letter, at most 32 characters")
    if kind in _DATE_ERRORS:
        return (f"'{key}' is not a real date: {_shown(value)}",
                "write the day the facts were confirmed as YYYY-MM-DD, e.g. 2026-11-01")
    if kind == "string_type" and value is None:
        return f"'{key}' is empty", f"write the text after `{field_name}:`, or remove the line"
    if kind == "string_type" and isinstance(value, bool | int | float):
        return (f"'{key}' must be text, but {_shown(value)} is read as a "
                f"{'yes/no value' if isinstance(value, bool) else 'number'}",
                f'put it in quotes: `{field_name}: "{value if not isinstance(value, bool) else str(value).lower()}"`')
    if kind == "string_type":
        return f"'{key}' must be text, not a list or fields", _TEXT_FIX
    if kind in ("string_too_short", "too_short"):
        return f"'{key}' is empty", f"write something after `{field_name}:`, or remove the line"
    if kind == "literal_error":
        expected = ctx.get("expected", "one of the listed words")
        return f"'{key}' must be {expected}", f"write one of those after `{field_name}:`"
    if kind == "list_type":
        return (f"'{key}' must be a list", f"write `{field_name}: [a, b]`, or one `- item` per line under it")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return (f"'{key}' must hold fields (name: value), each on its own line, indented under it",
                "see the examples in CONTENT.md: e.g. `title:` and `body:` two spaces further in")
    return (f"'{key}' has a value of the wrong kind: {detail}",
            "CONTENT.md's quick reference (section 10) says what each field takes")


def _validate(model: type[BaseModel], data: object, doc: YamlDocument, out: _Collector,
              prefix: tuple[str, ...] = ()) -> BaseModel | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        out.schema(doc, exc, prefix)
        return None


def load_content(
    directory: Path,
    *,
    languages: list[str],
    fallback_language: str,
    organisation: Mapping[str, str | Mapping[str, str]] | None = None,
    today: date | None = None,
) -> LoadResult:
    """Load and check `directory`. The snapshot is None when any error was found."""
    directory = directory.resolve()
    out = _Collector()
    today = today or now_utc().date()  # the bot's clock (bot/clock.py), in UTC like every other date
    if organisation is None:
        organisation = OrganisationSettings().model_dump()
    # Per language: a detail given per language (config.yaml) is filled in each language's own.
    placeholders = {language: {f"org_{k}": in_language(v, language, fallback_language) for k, v in organisation.items()}
                    for language in languages}

    tree_path = directory / TREE_FILE
    if not directory.is_dir():
        out.error(directory, None, "content folder not found", "pass the folder that holds tree.yml")
        return LoadResult(None, out.problems)
    docs = _read_all(directory, tree_path, languages, out)
    if out.errors:  # a syntax error makes everything after it noise; stop at the real cause
        return LoadResult(None, out.problems)

    tree_doc = docs.pop(tree_path)
    tree = _validate(TreeSpec, tree_doc.data, tree_doc, out)
    if not isinstance(tree, TreeSpec):
        return LoadResult(None, out.problems)
    nodes = _check_structure(tree, tree_doc, out, today)
    if tree.about is not None and tree.about not in tree.nodes:
        out.error(tree_doc.path, tree_doc.at(("about",)), f"the about node '{tree.about}' is not defined",
                  f"add '{tree.about}:' under `nodes:`, or correct the id after `about:`")

    texts: dict[str, dict[str, Text]] = {lang: {} for lang in languages}
    untranslated: dict[str, dict[str, Where]] = {lang: {} for lang in languages}
    where: dict[tuple[str, str], Where] = {}
    # Texts already reported as broken: "has no text" on top would send the editor looking for a second fault.
    broken: dict[str, set[str]] = {lang: set() for lang in languages}
    linked = {target for node in nodes.values() for target in node.links}
    glossary: dict[str, dict[str, tuple[str, ...]]] = {}
    other_meanings: dict[str, dict[str, tuple[str, ...]]] = {}
    questions: dict[str, dict[str, tuple[str, ...]]] = {}
    not_answered: dict[str, tuple[str, ...]] = {}
    question_docs: dict[str, YamlDocument] = {}
    for path, doc in sorted(docs.items()):
        language = path.parent.name
        if path.name.lower() in GLOSSARY_NAMES:
            glossary[language], other_meanings[language] = _read_glossary(doc, out)
            continue
        if path.name.lower() in QUESTION_NAMES:
            if language in questions:
                out.error(path, 1, f"a second questions file in {language}/",
                          "keep all of a language's questions in one questions.yml")
                continue
            questions[language], not_answered[language] = _read_questions(doc, nodes, tree.root, out)
            question_docs[language] = doc
            continue
        _read_texts(doc, language, nodes, placeholders[language], texts[language], out,
                    untranslated=untranslated[language], where=where, fallback=fallback_language,
                    broken=broken[language], linked=linked)
    for language in languages:
        if language not in question_docs and texts.get(language):
            # The search learns from a language's questions which pages answer what, and which questions no page
            # answers (bot/search/calibration.py): without them it offers pages readily.
            out.warning(directory / language / "questions.yml", None,
                        f"no questions.yml in {language}/: the search learns from questions people ask which pages "
                        "answer them, and which questions no page answers",
                        "add one (CONTENT.md, questions people ask)")
    for language, doc in question_docs.items():
        _check_question_script(doc, texts.get(language, {}), out)
        for node in questions.get(language, {}):
            if node not in texts.get(language, {}) and node in nodes:
                out.warning(doc.path, doc.at(("answered", node)), f"'{node}' has no {language} text yet: its "
                            f"questions find it only once it is translated", "translate the page, or wait")

    _check_translations(directory, nodes, texts, languages, fallback_language, out,
                        untranslated=untranslated, where=where, broken=broken)
    for language in languages:
        _check_references(nodes, texts.get(language, {}), where, language, out)
    if out.errors:
        return LoadResult(None, out.problems)

    digest = hashlib.sha256()
    for path in sorted([tree_path, *docs]):
        raw = tree_doc.raw if path == tree_path else docs[path].raw
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + raw)
    snapshot = ContentSnapshot(
        version=digest.hexdigest()[:8],
        root=tree.root,
        nodes=nodes,
        texts=texts,
        fallback_language=fallback_language,
        languages=tuple(languages),
        untranslated={lang: frozenset(ids) for lang, ids in untranslated.items() if ids},
        about=tree.about,
        glossary=glossary,
        other_meanings={language: found for language, found in other_meanings.items() if found},
        questions=questions,
        not_answered=not_answered,
    )
    return LoadResult(snapshot, out.problems)


def _read_all(directory: Path, tree_path: Path, languages: list[str], out: _Collector) -> dict[Path, YamlDocument]:
    paths = [tree_path] if tree_path.exists() else []
    if not paths:
        out.error(tree_path, None, "tree.yml is missing", "every content folder needs a tree.yml with the structure")
    for child in sorted(directory.iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            if child.name not in languages:
                out.warning(child, None, f"folder '{child.name}' is not a language listed in config.yaml",
                            "add the language to `languages` in config.yaml, or rename the folder")
                continue
            paths.extend(sorted(child.glob("*.yml")) + sorted(child.glob("*.yaml")))
    docs = {}
    for path in paths:
        try:
            docs[path] = load_yaml(path)
        except YamlSyntaxError as exc:
            out.error(path, exc.line, exc.message, exc.fix)
        except OSError as exc:  # a file removed while the folder is read, a folder named *.yml, no permission
            out.error(path, None, f"the file cannot be read ({exc.strerror or type(exc).__name__})",
                      "make sure it is a readable file, then check again")
    return docs


def _check_structure(tree: TreeSpec, doc: YamlDocument, out: _Collector, today: date) -> dict[str, Node]:
    specs = tree.nodes
    parents: dict[str, str] = {}
    for node_id, spec in specs.items():
        line = doc.at(("nodes", node_id))
        if not NODE_ID_RE.match(node_id):
            out.error(doc.path, line, f"'{node_id}' is not a valid node id",
                      "ids use a–z, 0–9 and _, start with a letter, at most 32 characters")
        for field_name in ("children", "links"):
            targets: list[str] = getattr(spec, field_name)
            for index, target in enumerate(targets):
                where = doc.at(("nodes", node_id, field_name, index))
                if target not in specs:
                    out.error(doc.path, where, f"node '{node_id}' links to '{target}', which does not exist",
                              f"add a node '{target}' under `nodes:`, or correct the id")
                elif target == node_id:
                    out.error(doc.path, where, f"node '{node_id}' links to itself", f"remove '{target}'")
            if len(set(targets)) != len(targets):
                out.error(doc.path, line, f"node '{node_id}' lists the same node twice in {field_name}",
                          "remove the repeated id")
        for index, child in enumerate(spec.children):
            where = doc.at(("nodes", node_id, "children", index))
            if child == tree.root:
                out.error(doc.path, where, f"the root '{child}' cannot be a child of '{node_id}'",
                          "use `links:` to point back to it")
            elif child in parents and child in specs:
                out.error(doc.path, where, f"'{child}' is a child of both '{parents[child]}' and '{node_id}'",
                          f"keep it under one parent; use `links: [{child}]` in the other")
            else:
                parents[child] = node_id
        url_ids = [u.id for u in spec.urls]
        if len(set(url_ids)) != len(url_ids):
            out.error(doc.path, line, f"node '{node_id}' has two urls with the same id", "give each url its own id")
        for index, url in enumerate(spec.urls):
            _check_url(url.href, doc.path, doc.at(("nodes", node_id, "urls", index)), out)
        for index, source in enumerate(spec.sources):
            if source.url:
                _check_url(source.url, doc.path, doc.at(("nodes", node_id, "sources", index)), out)
        if node_id != tree.root:
            if not spec.sources:
                out.warning(doc.path, line, f"node '{node_id}' has no sources",
                            "add `sources:` with where its facts come from")
            if spec.checked is None:
                out.warning(doc.path, line, f"node '{node_id}' has no `checked:` date",
                            "add `checked: YYYY-MM-DD`, the day its facts were last confirmed")
        if spec.review_by is not None and spec.review_by < today:
            out.warning(doc.path, doc.at(("nodes", node_id, "review_by")),
                        f"node '{node_id}' was due for review on {spec.review_by.isoformat()}",
                        "re-check its facts against the sources, then update `checked:` and `review_by:`")

    if tree.root not in specs:
        out.error(doc.path, doc.at(("root",)), f"the root node '{tree.root}' is not defined",
                  f"add '{tree.root}:' under `nodes:`")
        return {}
    reachable = _reachable(tree)
    for node_id in specs:
        if node_id not in reachable:
            out.warning(doc.path, doc.at(("nodes", node_id)),
                        f"node '{node_id}' cannot be reached from the menu",
                        f"add '{node_id}' to some node's `children:`, or delete it")
    return {
        node_id: Node(
            id=node_id,
            parent=parents.get(node_id),
            children=tuple(spec.children),
            links=tuple(spec.links),
            urls=tuple(spec.urls),
            counsellor_prominent=spec.counsellor == "prominent",
            sources=tuple(spec.sources),
            checked=spec.checked,
            review_by=spec.review_by,
        )
        for node_id, spec in specs.items()
    }


def _reachable(tree: TreeSpec) -> set[str]:
    seen = set()
    stack = [tree.root]
    while stack:
        current = stack.pop()
        if current in seen or current not in tree.nodes:
            continue
        seen.add(current)
        spec = tree.nodes[current]
        stack.extend(spec.children)
        stack.extend(spec.links)
    return seen


def _check_url(href: str, path: Path, line: LineRef, out: _Collector) -> None:
    parts = urlsplit(href)
    if parts.scheme != "https" or not parts.netloc:
        out.error(path, line, f"link '{href}' is not an https:// address",
                  "use the organisation's https:// address")
    elif parts.query:
        out.warning(path, line, f"link '{href}' has a query string (?…), which can carry tracking",
                    "remove everything from '?' on, if the page opens without it")


def _fill(text: str, placeholders: Mapping[str, str]) -> tuple[str, list[str]]:
    if "{" not in text:  # most texts: no need to run the pattern over the whole body
        return text, []
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in placeholders:
            return html.escape(placeholders[name], quote=False)
        unknown.append(name)
        return match.group(0)

    return PLACEHOLDER_RE.sub(replace, text), unknown


def _read_untranslated(doc: YamlDocument, language: str, node_id: str, data: dict[str, object],
                       fallback: str, out: _Collector) -> bool:
    """An entry `untranslated: true`: the fallback text is meant for this language's readers as it is."""
    line = doc.at((node_id, "untranslated"))
    others = sorted(set(data) - {"untranslated"})
    if others:
        out.error(doc.path, line, f"'{node_id}' is marked `untranslated: true` but also has "
                  f"{', '.join(others)}", "keep either the translation or `untranslated: true`, not both")
        return False
    if language == fallback:
        out.error(doc.path, line, f"'{node_id}' is marked untranslated in {language}, the fallback language, "
                  "so there is nothing to show", f"write the {language} text of '{node_id}'")
        return False
    return True


# One word as the search reads it: letters and digits, an apostrophe inside (Ukrainian "п'ятисотий"). A hyphen
# or a dot would make it two words to the search, so such an entry could never be found.
_ONE_WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


def _read_questions(doc: YamlDocument, nodes: Mapping[str, Node], root: str, out: _Collector
                    ) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """A language's example questions for the search: under `answered:`, each page id with the questions it
    answers; under `not_answered:`, questions no page answers. Each question as people type it."""
    shape = ("questions.yml has two sections: `answered:` (each page id, then its questions as a list) and "
             "`not_answered:` (a list of questions)")
    example = "e.g. `answered:` / `  ru_call_up:` / `    - мне 29, могут забрать?` and `not_answered:` / `  - ...`"
    data = doc.data
    if data is None:
        out.warning(doc.path, 1, "questions.yml has no questions (all of it is blank or comments)",
                    "list questions under `answered:` and `not_answered:`, or delete the file")
        return {}, ()
    if not isinstance(data, dict):
        out.error(doc.path, 1, shape, example)
        return {}, ()
    for section in set(map(str, data)) - {"answered", "not_answered"}:
        # "unanswered", "not answered", "no_answer" mean the second section, whatever their spelling's nearest.
        negative = re.search(r"^(un|not|no|nicht|kein|не|без)", section.lower())
        near = ["not_answered"] if negative else difflib.get_close_matches(
            section.lower(), ["answered", "not_answered"], n=1, cutoff=0.6)
        out.error(doc.path, doc.at((section,)), f"'{section}' is not a section of questions.yml",
                  f"write `{near[0]}:`" if near else shape)
    if set(map(str, data)) - {"answered", "not_answered"}:
        return {}, ()
    answered, unanswered = data.get("answered") or {}, data.get("not_answered") or []
    if not isinstance(answered, dict) or not isinstance(unanswered, list):
        out.error(doc.path, 1, shape, example)
        return {}, ()
    seen: dict[str, list[str]] = {}  # each question, normalised, with where it is listed

    def read(listed: object, where: tuple[str | int, ...], owner: str) -> list[str]:
        if not isinstance(listed, list):
            out.error(doc.path, doc.at(where), f"{owner}: write its questions as a list, one per line",
                      "start each question on its own line with `- `")
            return []
        kept = []
        for position, question in enumerate(listed):
            line = doc.at((*where, position))
            if isinstance(question, dict):
                # "- мне 29: заберут?" is a key and its value to YAML: a colon and a space make a key.
                out.error(doc.path, line, f"{owner}: YAML reads this question as a key, because of its colon",
                          "put the question in double quotes, or leave out the colon")
                continue
            if question is None:
                out.error(doc.path, line, f"{owner}: an empty question (YAML reads all after a `#` as a comment)",
                          "write the question after `- `, in double quotes if it has a #")
                continue
            if isinstance(question, (int, float, bool)):
                out.error(doc.path, line, f"{owner}: YAML reads '{question}' as a {_yaml_kind(question)}, "
                          "not as a question", "put it in double quotes, or write the question people ask")
                continue
            if not isinstance(question, str) or not question.strip():
                out.error(doc.path, line, f"{owner}: a question must be text", "write the question after `- `")
                continue
            # Letters and digits only: capitals, punctuation and spaces make no other question ("wie viel" is
            # "wieviel"), as the search looks listed questions up.
            key = "".join(_LETTERS.findall(question.lower()))
            # Several pages may answer one question; but not one page twice, nor a page and `not_answered:`.
            owners = seen.setdefault(key, [])
            if owner in owners:
                out.warning(doc.path, line, f"'{question}' is listed twice under {owner}", "keep one")
                continue
            if owners and "not_answered" in (owner, *owners):
                out.warning(doc.path, line, f"'{question}' is listed twice (also under {owners[0]})",
                            "keep one: a question is either answered by its pages or under `not_answered:`")
                continue
            owners.append(owner)
            kept.append(question.strip())
        return kept

    _warn_of_comments(doc, out)
    found: dict[str, tuple[str, ...]] = {}
    for node, listed in answered.items():
        node_id = str(node)
        if node_id not in nodes:
            near = difflib.get_close_matches(node_id, list(nodes), n=1, cutoff=0.75)
            out.error(doc.path, doc.at(("answered", node_id)), f"'{node_id}' is not a page id",
                      f"did you mean `{near[0]}`?" if near else
                      "use the id of a page in tree.yml (the key before its colon)")
            continue
        if node_id == root:
            out.error(doc.path, doc.at(("answered", node_id)), "the start page is never a search answer",
                      "list these questions under the page that answers them")
            continue
        found[node_id] = tuple(read(listed, ("answered", node_id), node_id))
    not_answered = tuple(read(unanswered, ("not_answered",), "not_answered"))
    if any(found.values()) and len(not_answered) < FEW_NOT_ANSWERED:
        # The chance that a page answers is weighed by how near a question no page answers comes
        # (bot/search/calibration.py): without such questions near the pages' topics, pages are offered readily.
        out.warning(doc.path, doc.at(("not_answered",)) if "not_answered" in data else 1,
                    f"only {len(not_answered)} question(s) under `not_answered:`: the search learns from them "
                    "which questions no page answers, and with few it offers pages more readily",
                    f"list at least {FEW_NOT_ANSWERED} questions people ask that no page answers, near the pages' "
                    "topics (CONTENT.md, the no-match floor)")
    return found, not_answered


# Fewer questions no page answers than this in a language's questions.yml draws a warning (see _read_questions).
FEW_NOT_ANSWERED = 20


# A question's list line with a `#` YAML reads as the start of a comment: "- was tun #desertion" (not in quotes).
_COMMENTED = re.compile(r"^\s*-\s+[^\s\"'#][^#]*\s#")


def _warn_of_comments(doc: YamlDocument, out: _Collector) -> None:
    """Warns of each question YAML cut at a `#`: what follows is a comment, silently left out."""
    for number, line in enumerate(doc.raw.decode("utf-8", errors="replace").splitlines(), start=1):
        if _COMMENTED.match(line):
            out.warning(doc.path, number, "the question stops at the `#`: YAML reads the rest of the line as a "
                        "comment", "put the whole question in double quotes")


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no value"
    return "number"


_LETTERS = re.compile(r"[^\W_]+")
# Letters one Cyrillic language has and the other does not: a question with ы in uk/ is Russian.
_OWN_LETTERS = {"ru": "ыэъё", "uk": "іїєґ"}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")


def _check_question_script(doc: YamlDocument, texts: Mapping[str, Text], out: _Collector) -> None:
    """Warns of a question most likely pasted into the wrong language's file: in Cyrillic letters where the
    language's pages are in Latin ones, or with letters only the other of Russian and Ukrainian has ("ы" in
    uk/, "ї" in ru/). Latin letters in a Russian or Ukrainian file are how many people type ("mne prishla
    povestka")."""
    titles = " ".join(text.title for text in texts.values())
    latin = len(_CYRILLIC.findall(titles)) < len(_LATIN.findall(titles))
    if not isinstance(doc.data, dict):
        return
    answered = doc.data.get("answered")
    listed: list[tuple[tuple[str | int, ...], object]] = [
        (("answered", node, position), question)
        for node, questions in (answered.items() if isinstance(answered, dict) else ())
        if isinstance(questions, list) for position, question in enumerate(questions)]
    unanswered = doc.data.get("not_answered")
    listed += [(("not_answered", position), question)
               for position, question in enumerate(unanswered if isinstance(unanswered, list) else ())]
    language = doc.path.parent.name
    own = _OWN_LETTERS.get(language, "")
    for where, question in listed:
        if not isinstance(question, str):
            continue
        if latin and _CYRILLIC.search(question) and not _LATIN.search(question):
            out.warning(doc.path, doc.at(where), f"'{question}' is in Cyrillic letters, in the {language} questions",
                        "move it to the questions.yml of its own language")
            continue
        lowered = question.lower()
        for other, letters in _OWN_LETTERS.items():
            if other != language and any(c in letters for c in lowered) and not any(c in own for c in lowered):
                out.warning(doc.path, doc.at(where), f"'{question}' has letters of {other}, not of {language}",
                            f"move it to {other}/questions.yml")
                break


def _read_glossary(doc: YamlDocument, out: _Collector) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """A language's search glossary: (each word people type, in lower case, with the phrases the pages use; each
    word of the pages with the words beside which a question means something else by it)."""
    if doc.data is None:
        return {}, {}
    sections = ("synonyms", "other_meanings")
    if not isinstance(doc.data, dict) or set(doc.data) - set(sections) or not all(
            isinstance(doc.data.get(section) or {}, dict) for section in sections):
        out.error(doc.path, 1, "search.yml has two sections, `synonyms:` and `other_meanings:`, with one word on each "
                  "line under them",
                  "write `synonyms:` on a line of its own, then each entry two spaces in, e.g. "
                  "`  срочка: срочная служба`")
        return {}, {}
    spec = _validate(GlossarySpec, {section: doc.data.get(section) or {} for section in sections}, doc, out)
    if not isinstance(spec, GlossarySpec):
        return {}, {}
    synonyms = _glossary_section(doc, out, "synonyms", spec.synonyms, phrases=True)
    other_meanings = _glossary_section(doc, out, "other_meanings", spec.other_meanings, phrases=False)
    return synonyms, other_meanings


def _glossary_section(doc: YamlDocument, out: _Collector, section: str, entries: dict[str, object], *,
                      phrases: bool) -> dict[str, tuple[str, ...]]:
    """One section of search.yml: each word, in lower case, with what it lists (phrases the pages use, or, for
    `other_meanings`, single words)."""
    example = ("`срочка: срочная служба` or `внж: [вид на жительство, ВНЖ]`" if phrases
               else "`видача: [паспорт, документ, довідка]`")
    found: dict[str, tuple[str, ...]] = {}
    first: dict[str, str] = {}  # each word as first written, for a second entry's message
    for word, meaning in entries.items():
        line = doc.at((section, word))
        key = str(word).strip().lower()
        listed = [meaning] if isinstance(meaning, str) else meaning if isinstance(meaning, list) else None
        if listed is None or not all(isinstance(item, str) for item in listed):
            out.error(doc.path, line, f"'{word}': after the colon, write "
                      + ("the words the pages use, or a list of them" if phrases else
                         "the words beside which it means something else, as a list"),
                      f"words only (a number or a list inside a list is not read), e.g. {example}")
            continue
        items = tuple(item.strip() for item in listed)
        if not _ONE_WORD_RE.fullmatch(key):
            out.error(doc.path, line, f"'{word}': " + ("a synonym is one word as people type it" if phrases
                                                         else "write one word of the pages"),
                      "write one word, without spaces, hyphens or dots; for a phrase people type, add it to the "
                      "keywords of the page that answers it")
        elif key in first:
            out.error(doc.path, line, f"'{word}' is listed twice (capitals don't count; also '{first[key]}')",
                      "keep one entry and list all its meanings there")
        elif not items or not all(items):
            out.error(doc.path, line, f"'{word}' has no words " + ("the pages use" if phrases else "after the colon"),
                      "after the colon, write the words the pages use for it, e.g. `срочка: срочная служба`" if phrases
                      else f"write them, e.g. {example}")
        elif not phrases and not all(_ONE_WORD_RE.fullmatch(item.lower()) for item in items):
            out.error(doc.path, line, f"'{word}': each word beside which it means something else is one word",
                      f"write single words, e.g. {example}")
        else:
            found[key] = items if phrases else tuple(item.lower() for item in items)
        first.setdefault(key, str(word))
    return found


def _read_texts(doc: YamlDocument, language: str, nodes: dict[str, Node], placeholders: Mapping[str, str],
                into: dict[str, Text], out: _Collector, *, untranslated: dict[str, Where],
                where: dict[tuple[str, str], Where], fallback: str, broken: set[str], linked: set[str]) -> None:
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        out.error(doc.path, 1, "a language file must map node ids to their texts",
                  "start each entry with the node id, e.g. `start:`, then `title:` and `body:` indented")
        return
    known = ", ".join(f"{{{name}}}" for name in sorted(placeholders)) or "none"
    for node_id, data in doc.data.items():
        line = doc.at((node_id,))
        flag = data.get("untranslated") if isinstance(data, dict) else None
        if flag is False:
            data = {key: value for key, value in data.items() if key != "untranslated"}
        elif flag is not None and flag is not True:
            out.error(doc.path, doc.at((node_id, "untranslated")), f"'{node_id}': `untranslated:` must be "
                      "true or false", "write `untranslated: true`, or remove the line")
            broken.add(node_id)
            continue
        on_purpose = flag is True
        spec = None if on_purpose else _validate(TextSpec, data, doc, out, (node_id,))
        if not on_purpose and not isinstance(spec, TextSpec):
            broken.add(node_id)
            continue
        if node_id not in nodes:
            out.error(doc.path, line, f"text for '{node_id}', but tree.yml has no such node",
                      "correct the id, or add the node to tree.yml")
            continue
        if node_id in into or node_id in untranslated:
            out.error(doc.path, line, f"'{node_id}' has a second {language} text in another file",
                      "keep one text per node and language")
            continue
        where[(language, node_id)] = (doc.path, line)
        if not isinstance(spec, TextSpec):
            assert isinstance(data, dict)
            if _read_untranslated(doc, language, node_id, data, fallback, out):
                untranslated[node_id] = (doc.path, line)
            else:
                broken.add(node_id)
            continue
        body, unknown = _fill(spec.body.strip(), placeholders)
        for name in unknown:
            out.error(doc.path, doc.at((node_id, "body")), f"unknown placeholder '{{{name}}}' in '{node_id}'",
                      f"use one of: {known}; write other braces as words")
        html_problems, length = telegram_html.check(body)
        for problem in html_problems:
            out.error(doc.path, doc.at((node_id, "body")), f"body of '{node_id}': {problem.message}",
                      "Telegram would refuse to send this text")
        if not html_problems and length > MESSAGE_LIMIT:
            parts = -(-length // MESSAGE_LIMIT)
            out.warning(doc.path, doc.at((node_id, "body")),
                        f"body of '{node_id}' has {length} characters and will be sent in {parts} messages",
                        f"Telegram allows {MESSAGE_LIMIT} per message; shorter is easier to read on a phone")
        title, unknown_in_title = _fill(spec.title.strip(), placeholders)
        if unknown_in_title:
            out.error(doc.path, doc.at((node_id, "title")), f"unknown placeholder in the title of '{node_id}'",
                      f"use one of: {known}")
        if len(title) > TITLE_MAX:
            out.warning(doc.path, doc.at((node_id, "title")),
                        f"title of '{node_id}' is {len(title)} characters long",
                        f"keep titles under {TITLE_MAX}, or add a shorter `button:`")
        button = spec.button or title
        shown_as_button = nodes[node_id].parent is not None or node_id in linked
        if shown_as_button and len(button) > BUTTON_MAX:
            out.warning(doc.path, doc.at((node_id, "button" if spec.button else "title")),
                        f"the button for '{node_id}' is {len(button)} characters; phones cut it off",
                        f"add `button:` with at most {BUTTON_MAX} characters")
        url_ids = {u.id for u in nodes[node_id].urls}
        for url_id in spec.urls:
            if url_id not in url_ids:
                out.error(doc.path, doc.at((node_id, "urls", url_id)),
                          f"label for url '{url_id}', but node '{node_id}' has no such url in tree.yml",
                          "correct the id, or add the url to the node in tree.yml")
        keywords = _check_keywords(doc, node_id, spec.keywords, out)
        into[node_id] = Text(title=title, button=button, body=body, url_labels=dict(spec.urls),
                             text_hash=hash_text(spec.title, spec.button, spec.body, spec.urls),
                             source_hash=spec.source_hash, keywords=keywords)


def _check_keywords(doc: YamlDocument, node_id: str, keywords: list[str], out: _Collector) -> tuple[str, ...]:
    """Search keywords: short phrases, each once. They are typed by people, so they are never shown."""
    kept: list[str] = []
    seen: dict[str, int] = {}
    for index, keyword in enumerate(keywords):
        line = doc.at((node_id, "keywords", index))
        phrase = " ".join(keyword.split())
        folded = phrase.casefold().replace("ё", "е")
        if not phrase:
            out.error(doc.path, line, f"keyword {index + 1} of '{node_id}' is empty", "remove it, or write a word")
        elif len(phrase) > KEYWORD_MAX:
            out.error(doc.path, line, f"keyword {index + 1} of '{node_id}' has {len(phrase)} characters",
                      f"keep keywords under {KEYWORD_MAX} characters: a few words people would type")
        elif folded in seen:
            out.error(doc.path, line, f"keyword '{phrase}' of '{node_id}' is listed twice "
                      f"(also keyword {seen[folded] + 1})", "remove the repeated keyword")
        else:
            seen[folded] = index
            kept.append(phrase)
    return tuple(kept)


def _check_translations(directory: Path, nodes: dict[str, Node], texts: dict[str, dict[str, Text]],
                        languages: list[str], fallback: str, out: _Collector, *,
                        untranslated: dict[str, dict[str, Where]], where: dict[tuple[str, str], Where],
                        broken: dict[str, set[str]]) -> None:
    for language in languages:
        folder = directory / language
        missing = [node_id for node_id in nodes if node_id not in texts[language]
                   and node_id not in untranslated[language] and node_id not in broken[language]]
        if missing and language == fallback:
            for node_id in missing:
                out.error(folder, None, f"'{node_id}' has no {language} text, and {language} is the fallback "
                          "language, so there is nothing to show",
                          f"add '{node_id}:' with title and body to a file in {language}/")
        elif missing:
            out.warning(folder, None, f"{len(missing)} page(s) not translated into {language}, shown in "
                        f"{fallback} instead: {', '.join(missing)}", f"add them to the files in {language}/")
        for node_id, text in texts[language].items():
            for url in nodes[node_id].urls:
                if url.id in text.url_labels:
                    continue
                report = out.error if language == fallback else out.warning
                report(folder, None, f"url '{url.id}' of '{node_id}' has no {language} label",
                       f"add `urls: {{{url.id}: \"…\"}}` to '{node_id}'")
        if language != fallback:
            _check_freshness(folder, texts[language], texts[fallback], language, fallback, where, out)


# A page sends the reader to another by its button's label in quotes: see "Evidence", read "How to apply",
# см. также «Доказательства», прочитайте «…», див. «Докази», siehe auch „Beweise aufbewahren“, lies „…“.
_REFERENCE = re.compile(r"""
    \b(?:see|read|см\.|смотрите|прочитайте|читайте|див\.|дивіться|siehe|lies)(?:\s+(?:also|также|також|auch))?\s*
    (?:"([^"]+)"|“([^”]+)”|«([^»]+)»|„([^“"]+)[“"]|»([^«]+)«|‚([^‘]+)‘|‘([^’]+)’)
""", re.IGNORECASE | re.VERBOSE)
_STEP_NUMBER = re.compile(r"^\d+\.\s*")
# How near a quoted phrase must be to a button's label to be taken for it, misspelt ("Fahnenflucht und unerlaubte
# Entfernung" for "Fahnenflucht, unerlaubte Entfernung"); a phrase further from every label is a quotation.
_NEAR_LABEL = 0.8


def _check_references(nodes: Mapping[str, Node], texts: Mapping[str, Text], where: Mapping[tuple[str, str], Where],
                      language: str, out: _Collector) -> None:
    """Warn of a page that sends the reader, in quotes after "see" or "read" (см., прочитайте, див., siehe,
    lies), to a button the page does not show: the reader looks for it on the screen and finds none. The
    screen's buttons are the page's children and links, Back (its parent) and the main menu. A quoted phrase
    that is no page's label, nor near one, is a quotation, not a reference."""
    labels: dict[str, list[str]] = {}  # a button's or title's label → the pages with it
    for node_id, text in texts.items():
        for label in {" ".join(text.button.split()), " ".join(text.title.split())}:
            labels.setdefault(label, []).append(node_id)
            # A numbered step's button ("5. Humanitarian admission") is named without its number.
            if (unnumbered := _STEP_NUMBER.sub("", label)) != label:
                labels.setdefault(unnumbered, []).append(node_id)
    for node_id, text in texts.items():
        node = nodes[node_id]
        shown = dict.fromkeys([*node.children, *node.links, *((node.parent,) if node.parent else ())])  # in order
        for match in _REFERENCE.finditer(telegram_html.to_plain(text.body)):
            named = " ".join(next(group for group in match.groups() if group).split())
            pages = labels.get(named) or []
            near = [] if pages else difflib.get_close_matches(named, labels, n=1, cutoff=_NEAR_LABEL)
            if shown.keys() & set(pages) or not (pages or near):
                continue
            path, line = where[(language, node_id)]
            buttons = ", ".join(_quoted(texts[other].button) for other in shown if other in texts) or "none"
            if pages:
                out.warning(path, line, f"'{node_id}' sends the reader to {_quoted(named)}, the button of "
                            f"'{pages[0]}', which this page does not show",
                            f"add '{pages[0]}' to its `links:` in tree.yml, or name one of its buttons: {buttons}")
            else:
                out.warning(path, line, f"'{node_id}' sends the reader to {_quoted(named)}, but the button is "
                            f"{_quoted(near[0])}", f"write the label as the button shows it; this page's buttons: "
                            f"{buttons}")


def _quoted(label: str) -> str:
    return f"“{label}”" if "«" in label or "»" in label else f"«{label}»"


def _check_freshness(folder: Path, texts: dict[str, Text], sources: dict[str, Text], language: str,
                     fallback: str, where: dict[tuple[str, str], Where], out: _Collector) -> None:
    """Warn about translations made from an older fallback text: they may now say something else."""
    unverified = []
    for node_id, text in texts.items():
        source = sources.get(node_id)
        if source is None:
            continue
        if text.source_hash is None:
            unverified.append(node_id)
        elif text.source_hash != source.text_hash:
            path, line = where[(language, node_id)]
            out.warning(path, line, f"the {language} text of '{node_id}' was translated from an older {fallback} "
                        "text: the two may now say different things",
                        f"update the translation, then run `hotline content status --lang {language} "
                        f"--mark-current {node_id}`")
    if unverified:
        out.warning(folder, None, f"{len(unverified)} {language} text(s) have no `source_hash:`, so nobody can tell "
                    f"whether they match the current {fallback}: {', '.join(unverified)}",
                    f"compare them with the {fallback} text, then run `hotline content status --lang {language} "
                    "--mark-current NODE` (or `--all`)")
