"""Round-trip editing of one language folder: comments, quotes and layout survive, only the touched lines change.

The status and import tools write into files that editors also edit by hand. A tool that reformatted a
whole file would bury a one-word change in a diff nobody can review, and would drop the editors' comments.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.content.model import SEARCH_FILE_NAMES

# The texts of a node a translator translates, by name: "title", "button", "body", "urls.<url id>".
PAGE_FIELDS = ("title", "button", "body")
URL_PREFIX = "urls."


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap a line an editor wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _scalar(field_name: str, text: str, old: object = None) -> str:
    value: str
    if field_name == "body" and ("\n" in text or isinstance(old, LiteralScalarString)):
        value = LiteralScalarString(text.strip() + "\n")  # a `|` block, like the hand-written bodies
    else:
        value = DoubleQuotedScalarString(text.strip())
    return value


@dataclass
class _File:
    path: Path
    original: str
    data: CommentedMap | None
    changed: bool = False
    appended: list[tuple[str, CommentedMap]] = field(default_factory=list)

    def render(self) -> str:
        text = _dump(self.data) if self.changed and self.data is not None else self.original
        if not self.appended:
            return text
        chunks = [_dump(CommentedMap([(node_id, entry)])) for node_id, entry in self.appended]
        head = text.rstrip("\n") + "\n\n" if text.strip() else text
        return head + "\n".join(chunks)


class LanguageFolder:
    """The YAML files of content/<language>/, loaded for editing. Assumes content that passed the check."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.language = folder.name
        self._files: list[_File] = []
        paths = sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        for path in paths:
            if path.name.lower() in SEARCH_FILE_NAMES:  # the search's glossary and questions hold no page texts
                continue
            original = path.read_text(encoding="utf-8")
            data = _yaml().load(original)
            self._files.append(_File(path, original, data if isinstance(data, CommentedMap) else None))

    def _find(self, node_id: str) -> tuple[_File, CommentedMap] | None:
        for file in self._files:
            if file.data is not None and node_id in file.data:
                entry = file.data[node_id]
                return (file, entry) if isinstance(entry, CommentedMap) else None
            for appended_id, entry in file.appended:
                if appended_id == node_id:
                    return file, entry
        return None

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self._find(node_id) is not None

    def file_of(self, node_id: str) -> Path | None:
        found = self._find(node_id)
        return found[0].path if found else None

    def line_of(self, node_id: str) -> int | None:
        found = self._find(node_id)
        if found is None or found[0].data is None or node_id not in found[0].data:
            return None
        line: int = found[0].data.lc.key(node_id)[0]
        return line + 1

    def is_untranslated(self, node_id: str) -> bool:
        found = self._find(node_id)
        return found is not None and found[1].get("untranslated") is True

    def source_hash(self, node_id: str) -> str | None:
        found = self._find(node_id)
        value = found[1].get("source_hash") if found else None
        return str(value) if value is not None else None

    def units(self, node_id: str) -> dict[str, str]:
        """The node's texts as written (placeholders unfilled), by field name; absent fields are left out."""
        found = self._find(node_id)
        if found is None:
            return {}
        entry = found[1]
        units = {name: str(entry[name]).strip() for name in PAGE_FIELDS if entry.get(name) is not None}
        urls = entry.get("urls")
        if isinstance(urls, dict):
            units.update({URL_PREFIX + str(key): str(value).strip() for key, value in urls.items()})
        return units

    def set_unit(self, node_id: str, field_name: str, text: str) -> None:
        found = self._find(node_id)
        if found is None:
            raise KeyError(node_id)
        file, entry = found
        if field_name.startswith(URL_PREFIX):
            urls = entry.get("urls")
            if not isinstance(urls, CommentedMap):
                urls = entry["urls"] = CommentedMap()
            key = field_name[len(URL_PREFIX):]
            urls[key] = _scalar(field_name, text, urls.get(key))
        else:
            entry[field_name] = _scalar(field_name, text, entry.get(field_name))
        file.changed = True

    def set_source_hash(self, node_id: str, value: str) -> None:
        found = self._find(node_id)
        if found is None:
            raise KeyError(node_id)
        file, entry = found
        if "source_hash" in entry:
            entry["source_hash"] = value
        else:
            # First, not last: a key added after a `|` block would land below the blank line and the
            # comments that belong to the next node.
            entry.insert(0, "source_hash", value)
        file.changed = True

    def add_entry(self, node_id: str, units: dict[str, str], file_name: str, source_hash: str | None) -> Path:
        """A new node's text, appended to `file_name` in this folder (created if it does not exist)."""
        entry = CommentedMap()
        if source_hash is not None:
            entry["source_hash"] = source_hash
        for name in PAGE_FIELDS:
            if units.get(name):
                entry[name] = _scalar(name, units[name])
        labels = {k[len(URL_PREFIX):]: v for k, v in units.items() if k.startswith(URL_PREFIX) and v}
        if labels:
            entry["urls"] = CommentedMap((key, _scalar("urls", value)) for key, value in labels.items())
        path = self.folder / file_name
        target = next((f for f in self._files if f.path == path), None)
        if target is None:
            header = (f"# {self.language} texts added by `hotline content import` (format: see CONTENT.md)\n\n")
            target = _File(path, header, None)
            self._files.append(target)
        target.appended.append((node_id, entry))
        return path

    def changed_files(self) -> dict[Path, str]:
        return {file.path: file.render() for file in self._files if file.changed or file.appended}

    def write(self) -> list[Path]:
        written = []
        for path, text in self.changed_files().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written
