"""The content's shape: what editors write (schemas) and what the bot serves (a frozen snapshot).

The structure (which node leads where, sources, dates) is written once in `tree.yml`; each language
folder holds only texts keyed by node id. One structure means every language has the same menus, and a
translator can never break the navigation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Ids travel in Telegram callback data (64 bytes at most), so they are short and plain.
NODE_ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
NODE_ID_RE = re.compile(NODE_ID_PATTERN)
NodeId = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN)]
UrlId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]

TITLE_MAX = 60
BUTTON_MAX = 40
KEYWORD_MAX = 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    title: str = Field(min_length=1)
    url: str | None = None


class UrlSpec(_Strict):
    id: UrlId
    href: str


class NodeSpec(_Strict):
    """One node as written in tree.yml."""

    children: list[NodeId] = Field(default_factory=list)
    links: list[NodeId] = Field(default_factory=list)
    urls: list[UrlSpec] = Field(default_factory=list)
    counsellor: Literal["offered", "prominent"] = "offered"
    sources: list[SourceSpec] = Field(default_factory=list)
    checked: date | None = None
    review_by: date | None = None


class TreeSpec(_Strict):
    root: NodeId
    about: NodeId | None = None  # the node that lists, for people, when each answer was checked
    nodes: dict[str, NodeSpec] = Field(min_length=1)


# A language folder's search glossary, however its name is spelt (read as page texts it would give an error per
# entry, none of them true)
GLOSSARY_NAMES = frozenset({"search.yml", "search.yaml"})
# ... and its example questions for the search (content/<lang>/questions.yml)
QUESTION_NAMES = frozenset({"questions.yml", "questions.yaml"})
# The files of a language folder that hold no page texts.
SEARCH_FILE_NAMES = GLOSSARY_NAMES | QUESTION_NAMES


class GlossarySpec(_Strict):
    """A language's search glossary, content/<lang>/search.yml: words people type that the pages do not use
    ("срочка", "внж", "voenkomat"), each with the words the pages use for the same thing."""

    # word -> a phrase or a list of phrases; checked by the loader, which explains a wrong shape in words
    synonyms: dict[str, object] = Field(default_factory=dict)
    # a word of the pages -> the words beside which a question means something else by it ("видача паспорта" is
    # a passport's issue, not an extradition): there the search does not read it as the pages' word
    other_meanings: dict[str, object] = Field(default_factory=dict)


class TextSpec(_Strict):
    """One node's text in one language, as written in content/<lang>/*.yml."""

    title: str = Field(min_length=1)
    button: str | None = Field(default=None, min_length=1)
    body: str = Field(min_length=1)
    urls: dict[str, str] = Field(default_factory=dict)
    # Words and phrases people may type for this page that its text does not use ("вызов в военкомат"
    # for a page about the summons): the search finds the page by them as by its title.
    keywords: list[str] = Field(default_factory=list)
    # In a translation: the hash_text() of the fallback-language text it was made from. When the
    # fallback text changes, the hashes differ and the translation is reported as outdated.
    source_hash: str | None = None


def hash_text(title: str, button: str | None, body: str, urls: Mapping[str, str]) -> str:
    """A short fingerprint of a text as written (placeholders unfilled), so settings changes don't count."""
    # What json.dumps({...}, ensure_ascii=False, sort_keys=True) gives, written out: this runs for every text
    # of every language on every load, and the hashes already in the translation files must not change.
    quote = json.encoder.encode_basestring
    labels = ", ".join(f"{quote(k)}: {quote(v.strip())}" for k, v in sorted(urls.items()))
    payload = (f'{{"body": {quote(body.strip())}, "button": {quote((button or "").strip())}, '
               f'"title": {quote(title.strip())}, "urls": {{{labels}}}}}')
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Node:
    id: str
    parent: str | None
    children: tuple[str, ...]
    links: tuple[str, ...]
    urls: tuple[UrlSpec, ...]
    counsellor_prominent: bool
    sources: tuple[SourceSpec, ...]
    checked: date | None
    review_by: date | None


@dataclass(frozen=True)
class Text:
    title: str
    button: str
    body: str  # Telegram HTML, placeholders already filled in
    url_labels: Mapping[str, str]
    text_hash: str = ""  # hash_text() of this text as written
    source_hash: str | None = None  # in a translation: the text_hash of the fallback text it was made from
    keywords: tuple[str, ...] = ()  # extra words the search finds this page by


@dataclass(frozen=True)
class Page:
    """What a person sees for one node: the text in their language, or in the fallback one."""

    node: Node
    text: Text
    language: str  # the language the text is actually in
    translated: bool  # False when the fallback language stands in
    # The editors marked the node `untranslated: true`: the fallback text is meant for these readers too,
    # so the "not yet translated" line would promise something that will not come.
    untranslated_on_purpose: bool = False


@dataclass(frozen=True)
class ContentSnapshot:
    """An immutable, checked content tree. A reload builds a new one and swaps a single reference."""

    version: str
    root: str
    nodes: Mapping[str, Node]
    texts: Mapping[str, Mapping[str, Text]]  # language -> node id -> text
    fallback_language: str
    languages: tuple[str, ...] = field(default=())
    untranslated: Mapping[str, frozenset[str]] = field(default_factory=dict)  # language -> node ids
    about: str | None = None  # the node that lists when each answer was checked
    # language -> a word people type -> the phrases the pages use for it (content/<lang>/search.yml)
    glossary: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # language -> a word of the pages -> the words beside which it means something else (the same file)
    other_meanings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # language -> node id -> questions as people type them that the page answers (content/<lang>/questions.yml)
    questions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # language -> questions as people type them that no page answers (the same file)
    not_answered: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))
        object.__setattr__(
            self, "texts", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.texts.items()})
        )
        object.__setattr__(
            self, "untranslated", MappingProxyType({k: frozenset(v) for k, v in self.untranslated.items()})
        )
        object.__setattr__(
            self, "glossary", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.glossary.items()})
        )
        object.__setattr__(self, "other_meanings", MappingProxyType(
            {k: MappingProxyType(dict(v)) for k, v in self.other_meanings.items()}))
        object.__setattr__(
            self, "questions", MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.questions.items()})
        )
        object.__setattr__(self, "not_answered", MappingProxyType(dict(self.not_answered)))

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def page(self, node_id: str, language: str) -> Page:
        node = self.nodes[node_id]
        text = self.texts.get(language, {}).get(node_id)
        if text is not None:
            return Page(node, text, language, translated=True)
        on_purpose = node_id in self.untranslated.get(language, frozenset())
        return Page(node, self.texts[self.fallback_language][node_id], self.fallback_language, translated=False,
                    untranslated_on_purpose=on_purpose)

    def nearest_existing(self, node_id: str, ancestors: list[str]) -> str:
        """Where to put someone whose node vanished in a reload: the node, else its nearest ancestor."""
        for candidate in [node_id, *reversed(ancestors)]:
            if candidate in self.nodes:
                return candidate
        return self.root

    def path_to(self, node_id: str) -> list[str]:
        """Ids from the root down to node_id (inclusive)."""
        path = []
        current: str | None = node_id
        while current is not None:
            path.append(current)
            current = self.nodes[current].parent
        return list(reversed(path))
