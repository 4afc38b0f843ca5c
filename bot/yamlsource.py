"""YAML loading that remembers where every value came from.

Editors and operators are not programmers: every complaint about a YAML file must name the file and
the line. ruamel.yaml keeps positions on the loaded mappings; this module turns them into plain data
plus a lookup from a key path to a line number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

Loc = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    """A file that is not valid YAML; `line` is 1-based or None when unknown."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    path: Path
    data: Any
    _lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of the deepest key of `loc` that exists in the file (1-based)."""
        key = tuple(loc)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return 1


def _collect_lines(node: Any, prefix: Loc, out: dict[Loc, int]) -> None:
    if isinstance(node, CommentedMap):
        for key in node:
            try:
                line, _col = node.lc.key(key)
            except (KeyError, TypeError):
                continue
            path = (*prefix, str(key))
            out[path] = line + 1
            _collect_lines(node[key], path, out)
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            try:
                line, _col = node.lc.item(index)
            except (KeyError, TypeError, IndexError):
                continue
            path = (*prefix, index)
            out[path] = line + 1
            _collect_lines(item, path, out)


def _plain(node: Any) -> Any:
    """Plain dicts and lists, so pydantic and the rest of the code never see ruamel types."""
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    return node


def load_yaml(path: Path) -> YamlDocument:
    """Load one YAML file; raise YamlSyntaxError with a line number for anything unreadable."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise YamlSyntaxError(path, None, "the file is not UTF-8 text; save it as UTF-8") from None
    try:
        raw = yaml.load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlSyntaxError(path, line, f"the same key appears twice ({exc.problem})") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(path, line, f"YAML syntax error: {what}") from None
    except YAMLError as exc:
        raise YamlSyntaxError(path, None, f"YAML syntax error: {exc}") from None
    lines: dict[Loc, int] = {}
    _collect_lines(raw, (), lines)
    return YamlDocument(path=path, data=_plain(raw), _lines=lines)
