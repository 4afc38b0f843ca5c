"""Translation status: per language, which nodes are translated, missing, or made from an older source text.

The source is the fallback language. Each translation may carry `source_hash:`, the hash_text() of the
fallback text it was made from. A translation whose hash differs is *outdated*: the source changed after it
was translated and the two may now say different things. One without a hash is *unverified*: nobody
recorded what it was made from. Editors mark a translation current once they have compared it with the
source (`hotline content status --lang de --mark-current NODE`).

Every text a person reads counts, not only bodies: a node's title, its button when the source has a
shorter one, and the label of each web link button.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel import Locale

from bot.content.langfiles import LanguageFolder
from bot.content.model import BUTTON_MAX, ContentSnapshot, Text

State = Literal["current", "outdated", "unverified", "missing", "untranslated"]
NEEDS_WORK: tuple[State, ...] = ("outdated", "unverified", "missing")


@dataclass(frozen=True)
class NodeStatus:
    node: str
    state: State
    texts: int  # how many texts of this node a translator translates
    missing_labels: tuple[str, ...] = ()  # url ids without a label in this language
    missing_button: bool = False  # the source has a short button; this title is too long to be one

    @property
    def texts_done(self) -> int:
        if self.state != "current":
            return 0
        return self.texts - len(self.missing_labels) - int(self.missing_button)


@dataclass(frozen=True)
class LanguageStatus:
    language: str
    source_language: str
    nodes: tuple[NodeStatus, ...]

    def where(self, state: State) -> list[str]:
        return [n.node for n in self.nodes if n.state == state]

    @property
    def incomplete(self) -> list[NodeStatus]:
        """Current translations that still leave a link label or a short button in the source language."""
        return [n for n in self.nodes if n.state == "current" and (n.missing_labels or n.missing_button)]

    @property
    def texts(self) -> int:
        return sum(n.texts for n in self.nodes if n.state != "untranslated")

    @property
    def texts_done(self) -> int:
        return sum(n.texts_done for n in self.nodes)

    @property
    def needs_work(self) -> bool:
        return any(n.state in NEEDS_WORK for n in self.nodes) or bool(self.incomplete)


def _has_own_button(text: Text) -> bool:
    return text.button != text.title


def translation_status(snapshot: ContentSnapshot, language: str) -> LanguageStatus:
    fallback = snapshot.fallback_language
    sources = snapshot.texts[fallback]
    texts = snapshot.texts.get(language, {})
    on_purpose = snapshot.untranslated.get(language, frozenset())
    result = []
    for node_id, node in snapshot.nodes.items():
        source = sources[node_id]
        count = 2 + int(_has_own_button(source)) + len(node.urls)
        text = texts.get(node_id)
        if node_id in on_purpose:
            result.append(NodeStatus(node_id, "untranslated", count))
            continue
        if text is None:
            result.append(NodeStatus(node_id, "missing", count))
            continue
        state: State = "current"
        if text.source_hash is None:
            state = "unverified"
        elif text.source_hash != source.text_hash:
            state = "outdated"
        labels = tuple(url.id for url in node.urls if url.id not in text.url_labels)
        short_button = _has_own_button(source) and not _has_own_button(text) and len(text.title) > BUTTON_MAX
        result.append(NodeStatus(node_id, state, count, labels, short_button))
    return LanguageStatus(language, fallback, tuple(result))


def content_version(snapshot: ContentSnapshot) -> str:
    """A fingerprint of all source-language texts: a translation file is made for exactly one of them."""
    digest = hashlib.sha256()
    for node_id, text in sorted(snapshot.texts[snapshot.fallback_language].items()):
        digest.update(f"{node_id}\0{text.text_hash}\n".encode())
    return digest.hexdigest()[:12]


class MarkError(Exception):
    pass


def mark_current(directory: Path, snapshot: ContentSnapshot, language: str, nodes: Iterable[str] | None) -> list[str]:
    """Write the current source hash beside the given translations (None: every outdated or unverified one).

    Call this only after a person compared the translations with the source text. Returns the nodes that
    changed; raises MarkError, before writing anything, for a node that has no translation to mark.
    """
    if language == snapshot.fallback_language:
        raise MarkError(f"{language} is the source language; only translations can be marked current")
    if language not in snapshot.languages:
        raise MarkError(f"'{language}' is not one of the languages in config.yaml "
                        f"({', '.join(snapshot.languages)})")
    status = translation_status(snapshot, language)
    by_id = {n.node: n for n in status.nodes}
    if nodes is None:
        targets = [n.node for n in status.nodes if n.state in ("outdated", "unverified")]
    else:
        targets = list(dict.fromkeys(nodes))
        for node_id in targets:
            if node_id not in by_id:
                raise MarkError(f"there is no node '{node_id}' in tree.yml")
            if by_id[node_id].state in ("missing", "untranslated"):
                raise MarkError(f"'{node_id}' has no {language} text to mark; translate it first")
    folder = LanguageFolder(directory / language)
    sources = snapshot.texts[snapshot.fallback_language]
    changed = []
    for node_id in targets:
        if by_id[node_id].state != "current":
            folder.set_source_hash(node_id, sources[node_id].text_hash)
            changed.append(node_id)
    folder.write()
    return changed


def language_name(language: str) -> str:
    try:
        return Locale.parse(language).get_display_name("en") or language
    except (ValueError, LookupError):
        return language


def render_status(statuses: list[LanguageStatus], snapshot: ContentSnapshot) -> str:
    """The report for `hotline content status`, in plain English for editors."""
    if not statuses:
        return "Only the source language is configured: there is nothing to translate."
    source = statuses[0].source_language
    sources = snapshot.texts[source]
    total_texts = sum(n.texts for n in statuses[0].nodes)
    lines = [f"Source language: {source} ({language_name(source)}). {len(snapshot.nodes)} pages, {total_texts} texts "
             "per language (titles, short buttons, bodies, link labels).", ""]

    def listed(ids: list[str]) -> list[str]:
        return [f"    {node_id:<24} {sources[node_id].title}" for node_id in ids]

    for status in statuses:
        current = status.where("current")
        name = f"{status.language} ({language_name(status.language)})"
        pages = len(status.nodes) - len(status.where("untranslated"))
        lines.append(f"{name}: {len(current)} of {pages} pages translated and current; "
                     f"{status.texts_done} of {status.texts} texts.")
        sections: list[tuple[State, str]] = [
            ("outdated", f"the {source} text changed after they were translated"),
            ("unverified", f"no source_hash: nobody recorded which {source} text they were made from"),
            ("missing", f"people see the {source} text with a \"not yet translated\" line"),
        ]
        for state, meaning in sections:
            ids = status.where(state)
            if ids:
                lines.append(f"  {state} ({len(ids)}): {meaning}")
                lines.extend(listed(ids))
        for item in status.incomplete:
            what = [f"link label '{label}'" for label in item.missing_labels]
            if item.missing_button:
                what.append(f"a `button:` (the title is over {BUTTON_MAX} characters)")
            lines.append(f"  incomplete: {item.node} has no {status.language} {' or '.join(what)}")
        on_purpose = status.where("untranslated")
        if on_purpose:
            lines.append(f"  untranslated on purpose ({len(on_purpose)}): shown in {source}, without a notice")
            lines.extend(listed(on_purpose))
        if not status.needs_work:
            lines.append("  nothing to do.")
        lines.append("")

    todo = [s.language for s in statuses if s.needs_work]
    if todo:
        lang = todo[0]
        lines += [
            "What to do:",
            f"  send the texts to a translator:  hotline content export --lang {lang} -o {lang}.po   "
            f"(then: hotline content import {lang}.po)",
            f"  or edit content/{lang}/ yourself, compare with the {source} text, and then mark it current:",
            f"                                   hotline content status --lang {lang} --mark-current NODE   "
            "(or --all)",
        ]
    return "\n".join(lines).rstrip() + "\n"
