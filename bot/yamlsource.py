"""YAML loading for files people write by hand: fast when the file is right, exact when it is not.

Editors and operators are not programmers: every complaint about a YAML file must name the file and the
line, and no file, whatever it holds, may crash the program or eat its memory. libyaml (PyYAML's C parser)
reads the file into events, and one loop turns them into plain Python, without PyYAML's node graph and
constructors, which take three times as long. Line numbers are worked out only when something needs one, by
reading that one file again with the same loop. Both passes use the same rules:

- YAML 1.2's core schema, as the editors' documentation and ruamel.yaml (the round-trip editor in
  `bot.content.langfiles`) read it: `yes`, `no` and `on` are words, not booleans; `1918` is a number.
- Dates stay text (`2026-11-01`); whoever reads them checks them, so an impossible date such as
  `2026-02-30` is a line in a report, not a crash inside the parser.
- Keys are the text the editor wrote (`1918:` is the key "1918"); a key written twice in one mapping is
  an error.
- No aliases (`*name`) and no tags other than `!!str` (`!!binary`, `!foo`): hand-written files do not need
  them, and ten nested aliases expand a file of a few hundred bytes into billions of values.
- At most MAX_BYTES a file; libyaml itself refuses nesting deeper than 1,000 levels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

try:  # libyaml is in PyYAML's binary wheels; the pure-Python parser gives the same events, only slower
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

        def dispose(self) -> None:
            pass

Loc = tuple[str | int, ...]
MAX_BYTES = 16 * 1024 * 1024


class YamlSyntaxError(Exception):
    """A file that cannot be read as YAML; `line` is 1-based or None when unknown; `message` says what is
    wrong and `fix` how to fix it, both in words for editors."""

    def __init__(self, path: Path, line: int | None, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message
        self.fix = fix


class _Refusal(Exception):
    """Something these files may not hold: what, on which line (1-based), and how to fix it."""

    def __init__(self, line: int, message: str, fix: str) -> None:
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


# --- YAML 1.2 core schema, without timestamps ------------------------------------------------------------

_NULL_RE = re.compile(r"(?:~|null|Null|NULL)")
_TRUE_RE = re.compile(r"(?:true|True|TRUE)")
_FALSE_RE = re.compile(r"(?:false|False|FALSE)")
_INT_RE = re.compile(r"[-+]?[0-9]+")
_BASED_RE = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"), "+.inf": float("inf"),
                  "+.Inf": float("inf"), "+.INF": float("inf"), "-.inf": float("-inf"), "-.Inf": float("-inf"),
                  "-.INF": float("-inf"), ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
_MAYBE_NOT_TEXT = frozenset("~nNtTfF-+.0123456789")
_STR_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str"})
_CONTAINER_TAGS = frozenset({"!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def _line(event: Any) -> int:
    """The 1-based line an event starts on."""
    line: int = event.start_mark.line
    return line + 1


def _plain_scalar(value: str, event: Any) -> Any:
    """What an unquoted, untagged scalar means under YAML 1.2's core schema."""
    if not value:
        return None
    if value[0] not in _MAYBE_NOT_TEXT:
        return value
    if _NULL_RE.fullmatch(value):
        return None
    if _TRUE_RE.fullmatch(value):
        return True
    if _FALSE_RE.fullmatch(value):
        return False
    try:
        if _INT_RE.fullmatch(value):
            return int(value)
        if _BASED_RE.fullmatch(value):
            return int(value[2:], 8 if value[1] == "o" else 16)
    except ValueError:  # more digits than Python converts (4,300): nobody means a number that long
        raise _Refusal(_line(event), f"a number with {len(value)} digits",
                       "put it in quotes if it is meant as text") from None
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    return _SPECIAL_FLOAT.get(value, value)


def _refuse_tag(tag: str, line: int) -> _Refusal:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return _Refusal(line, f"the tag {shown} is not allowed in these files",
                    "remove the tag (the word starting with '!') and write the value as plain text")


def _build(text: str, lines: dict[Loc, int] | None = None) -> Any:
    """The document in `text` as plain Python; with `lines`, also fill it with key path -> 1-based line.

    Raises _Refusal or one of PyYAML's errors. Iterative, so nesting costs no Python stack.
    """
    parser = _Parser(text)
    try:
        get: Callable[[], Any] = parser.get_event
        get()  # the stream's start
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        root: Any = None
        # The open containers above the current one: (container, whether it is a mapping, its key path).
        stack: list[tuple[Any, bool, Loc]] = []
        current: Any = None  # the innermost open container; None at the top
        is_map = False
        path: Loc = ()
        key: str | None = None  # in a mapping: the key whose value comes next; None while a key comes next
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if is_map and key is None:
                    key = event.value
                    if key in current:
                        raise _Refusal(_line(event), f"the same key appears twice: '{key}'",
                                       "keep one of the two; if both were meant, merge them into one")
                    if lines is not None:
                        lines[(*path, key)] = _line(event)
                    continue
                if event.implicit[0]:
                    value = _plain_scalar(event.value, event)
                elif event.tag in _STR_TAGS:
                    value = event.value
                else:
                    raise _refuse_tag(event.tag, _line(event))
                if is_map:
                    current[key] = value
                    key = None
                elif current is not None:
                    if lines is not None:
                        lines[(*path, len(current))] = _line(event)
                    current.append(value)
                else:
                    root = value  # the whole document is one scalar
                    break
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                line = _line(event)
                if event.tag is not None and event.tag not in _CONTAINER_TAGS:
                    raise _refuse_tag(event.tag, line)
                container: Any = {} if kind is MappingStartEvent else []
                if is_map:
                    if key is None:
                        raise _Refusal(line, "a key must be a plain word, not a list or a mapping",
                                       "write the key as a word followed by ':', e.g. `title:`")
                    current[key] = container
                    item: Loc = (*path, key)
                elif current is not None:
                    item = (*path, len(current))
                    if lines is not None:
                        lines[item] = line
                    current.append(container)
                else:
                    root, item = container, ()
                stack.append((current, is_map, path))
                current, is_map, path, key = container, kind is MappingStartEvent, item, None
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                current, is_map, path = stack.pop()
                key = None
                if current is None:
                    break
            elif kind is AliasEvent:
                raise _Refusal(_line(event), f"*{event.anchor} repeats the part marked &{event.anchor} "
                               "(a YAML alias): aliases are not allowed in these files",
                               "write the repeated part out in full where it is needed")
            else:
                raise yaml.YAMLError(f"unexpected {kind.__name__}")
        _document_end(get)
        return root
    finally:
        parser.dispose()


def _document_end(get: Callable[[], Any]) -> None:
    get()  # the document's end
    event = get()
    if isinstance(event, DocumentStartEvent):
        raise _Refusal(_line(event), "the file holds a second document after a `---` line",
                       "a file holds one document: remove the `---` line, or make it two files")


# --- documents ---------------------------------------------------------------------------------------------

@dataclass
class YamlDocument:
    """One loaded file: `data` is plain Python (dicts with str keys, lists, str, int, float, bool, None),
    `raw` the file's bytes as they were read."""

    path: Path
    data: Any
    raw: bytes = b""
    _lines: dict[Loc, int] | None = field(default=None, repr=False)

    def at(self, loc: Sequence[str | int]) -> Callable[[], int | None]:
        """line_of(loc), looked up only when called: for messages that may never be given."""
        return partial(self.line_of, tuple(loc))

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of the deepest key of `loc` that exists in the file; 1 when none does."""
        if self._lines is None:
            self._lines = {}
            _build(self.raw.decode("utf-8"), self._lines)
        key = tuple(loc)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return 1


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, max(0, position)) + 1


_SYNTAX_FIX = ("look at this line and the one before: a missing space after ':', a tab, an unclosed quote or "
               "bracket, or a ':' inside a text that is not in quotes")


def _explain(path: Path, text: str, exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    """libyaml's own words for a syntax error, with the fix for the usual causes."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    what = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        started = f", which starts on line {exc.context_mark.line + 1}" if exc.context_mark else ""
        what = f"{exc.problem} ({exc.context}{started})"
    if "maximum nesting depth" in what:
        return YamlSyntaxError(path, line, "the file is nested more than 1,000 levels deep",
                               "content files need a few levels; look for brackets that are never closed")
    if line is not None and "\t" in "".join(text.splitlines()[max(0, line - 2):line]):
        return YamlSyntaxError(path, line, f"YAML syntax error: {what}", "indent with spaces only, never with tabs")
    if "end of stream" in what and "quoted scalar" in what and exc.context_mark is not None:
        # The quote never closes, so libyaml stops at the end of the file: the fault is where the quote opens.
        return YamlSyntaxError(path, exc.context_mark.line + 1, "YAML syntax error: a quote opens on this line and "
                               f"never closes ({what})", "a text that starts with ' or \" must end with it; put "
                               "a text like 'cause in double quotes: \"'cause ...\"")
    if "could not find expected ':'" in what and exc.context_mark is not None:
        line = exc.context_mark.line + 1  # the name without its colon, not where libyaml gave up looking
    for words, plain, fix in _PLAIN:
        if words in what:
            return YamlSyntaxError(path, line, f"YAML syntax error: {plain} ({what})", fix)
    return YamlSyntaxError(path, line, f"YAML syntax error: {what}", _SYNTAX_FIX)


# libyaml's words for the usual slips, in words for editors.
_INDENTATION = "line this up with the lines of its list or section above (spaces only), or check the line before"
_PLAIN = (
    ("mapping values are not allowed", "a ': ' where none can be: inside a text, or on a line indented more than "
     "the one before", "put the text in double quotes, or line this line up with the one before"),
    ("could not find expected ':'", "a line without the ':' after its name, or indented wrongly", _INDENTATION),
    ("did not find expected '-' indicator", "a line indented differently from the list it is in", _INDENTATION),
    ("did not find expected key", "a line indented differently from the ones around it", _INDENTATION),
    ("expected <block end>", "a line indented differently from the ones around it", _INDENTATION),
)


def parse_yaml(raw: bytes, path: Path) -> YamlDocument:
    """Parse bytes already read from `path`. Raises YamlSyntaxError, and nothing else, for any content."""
    if len(raw) > MAX_BYTES:
        raise YamlSyntaxError(path, None, f"the file is {len(raw) / 1024 / 1024:.1f} MB, more than the "
                              f"{MAX_BYTES // 1024 // 1024} MB a file may have", "split it into several files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(path, _line_at(raw.decode("utf-8", "replace"), exc.start),
                              "the file is not UTF-8 text", "save it as UTF-8") from None
    try:
        data = _build(text)
    except _Refusal as exc:
        raise YamlSyntaxError(path, exc.line, exc.message, exc.fix) from None
    except yaml.MarkedYAMLError as exc:
        raise _explain(path, text, exc) from None
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else 0
        raise YamlSyntaxError(path, _line_at(text, exc.position), f"the file holds a control character "
                              f"(#x{code:04x}) that YAML does not allow",
                              "delete it; retype the line if you cannot see it") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, None, f"YAML syntax error: {type(exc).__name__}", _SYNTAX_FIX) from None
    return YamlDocument(path=path, data=data, raw=raw)


def load_yaml(path: Path) -> YamlDocument:
    """Read and parse one YAML file. Raises YamlSyntaxError for anything unreadable as YAML, with a line where
    there is one, and FileNotFoundError (or another OSError) when the file cannot be read at all."""
    return parse_yaml(path.read_bytes(), path)
