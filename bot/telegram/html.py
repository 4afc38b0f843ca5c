"""Telegram's HTML parse mode, as the Bot API accepts it.

The bot writes its texts in HTML. Telegram rejects the whole message when the
markup is wrong and counts the 4096-character limit after parsing, in UTF-16
code units, so the bot (and the fake Bot API in ``bot.simulator``) need the same
rules offline: :func:`validate` says what Telegram would refuse and how to fix
it, :func:`visible_length` measures like Telegram, :func:`split` cuts long texts
into messages that are each valid on their own.

The checks follow the Bot API "HTML style" documentation, which is slightly
stricter than Telegram's parser (that one tolerates a bare ``&`` or unquoted
attribute values). Being stricter is deliberate: text that passes here is
accepted by Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple


class HtmlProblem(NamedTuple):
    """One reason Telegram would refuse the text, with where and how to fix it."""

    offset: int
    """Character offset in the source string."""
    message: str
    """Plain-English description that says how to fix it."""


_SUPPORTED = "use <b>, <i>, <u>, <s>, <a href>, <code>, <pre>, <blockquote> or <tg-spoiler>"
_ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler"}
    | {"a", "code", "pre", "blockquote", "tg-emoji"}
)
_LINK_SCHEMES = frozenset({"http", "https", "tg", "mailto"})
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAMED_ENTITY_TEXT = {f"&{name};": text for name, text in _NAMED_ENTITIES.items()}

_ATTR = r"""\s+[^\s=<>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?"""
_TAG_RE = re.compile(
    rf"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:{_ATTR})*)(?P<space>\s*)(?P<slash>/?)>"
)
_ATTR_RE = re.compile(
    r"""\s+(?P<name>[^\s=<>/"']+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'<>]+)))?"""
)
_ENTITY_RE = re.compile(r"&(?:(?P<named>lt|gt|amp|quot)|#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9A-Fa-f]{1,6}));")
_NAMED_LIKE_RE = re.compile(r"&[A-Za-z][A-Za-z0-9]*;")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True, slots=True)
class _Tag:
    name: str  # lower case, as Telegram compares tag names case-insensitively
    raw: str
    closing: bool
    offset: int


@dataclass(frozen=True, slots=True)
class _Char:
    text: str  # one decoded code point (a run of plain text when scanned without per_char)
    raw: str  # how to write it back: the character itself or its entity


_Atom = _Tag | _Char


def validate(html: str) -> list[HtmlProblem]:
    """Return what Telegram would refuse with ``parse_mode=HTML``; empty when it is fine."""
    return check(html)[0]


def check(html: str) -> tuple[list[HtmlProblem], int]:
    """:func:`validate` and :func:`visible_length` in one pass over the text: (problems, UTF-16 length)."""
    length = _plain_length(html)
    if length is not None:
        return [], length
    atoms, problems = _scan(html, per_char=False)
    return problems, _utf16_len("".join(atom.text for atom in atoms if isinstance(atom, _Char)))


def to_plain(html: str) -> str:
    """The text a reader sees: tags removed, entities decoded. Lenient on invalid markup."""
    return "".join(atom.text for atom in _scan(html, per_char=False)[0] if isinstance(atom, _Char))


def visible_length(html: str) -> int:
    """The length Telegram checks against its 4096 limit: parsed text in UTF-16 code units."""
    return _utf16_len(to_plain(html))


def split(html: str, limit: int = 4096) -> list[str]:
    """Cut valid HTML into chunks of at most ``limit`` visible UTF-16 units, each valid alone.

    Cuts prefer blank lines, then line ends, then spaces (as long as the chunk
    stays at least half full), then any character boundary that does not break
    an emoji sequence. Formatting open at a cut is closed and reopened with the
    same attributes. Text with nothing visible in it gives no chunks at all.
    Raises ValueError on invalid HTML: a chunking bug must not turn into a 400
    from Telegram later.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2: one emoji takes two UTF-16 units")
    atoms, problems = _scan(html)
    if problems:
        first = problems[0]
        raise ValueError(f"cannot split invalid HTML at offset {first.offset}: {first.message}")
    if _utf16_len("".join(a.text for a in atoms if isinstance(a, _Char))) <= limit:
        return [html]
    opened = _open_stacks(atoms)
    chunks: list[str] = []
    start = 0
    while start < len(atoms):
        end = _find_cut(atoms, opened, start, limit)
        chunk = _render(atoms[start:end], opened[start], opened[end])
        if chunk:
            chunks.append(chunk)
        start = end
    return chunks


# The markup nearly every text uses: tags without attributes, https links, the four named entities. A text
# made only of these is checked by a few regular expressions; anything else goes through the full scanner,
# which knows every rule and explains every problem.
_SIMPLE_OPEN = {f"<{name}>": name for name in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
                                               "tg-spoiler", "code", "pre", "blockquote")}
_SIMPLE_CLOSE = {f"</{name}>": name for name in (*_SIMPLE_OPEN.values(), "a")}
_SIMPLE_LINK_RE = re.compile(r'<a href="(?:https?|tg|mailto):[^"<>&]*">')


def _plain_length(html: str) -> int | None:
    """The visible length of a text that uses only the common markup, correctly; None for anything else."""
    pieces: list[str] = []
    stack: list[str] = []
    start = 0
    while True:
        tag, entity = html.find("<", start), html.find("&", start)
        if tag < 0 and entity < 0:
            break
        if tag < 0 or 0 <= entity < tag:
            end = html.find(";", entity, entity + 6)
            text = _NAMED_ENTITY_TEXT.get(html[entity:end + 1]) if end > 0 else None
            if text is None:
                return None
            pieces += (html[start:entity], text)
            start = end + 1
            continue
        end = html.find(">", tag)
        token = html[tag:end + 1]
        if end < 0 or "<" in token[1:]:
            return None
        name = _SIMPLE_OPEN.get(token)
        if name is not None:
            stack.append(name)
        elif token in _SIMPLE_CLOSE:
            if not stack or stack.pop() != _SIMPLE_CLOSE[token]:
                return None
        elif _SIMPLE_LINK_RE.fullmatch(token):
            stack.append("a")
        else:
            return None
        pieces.append(html[start:tag])
        start = end + 1
    if stack:
        return None
    pieces.append(html[start:])
    return _utf16_len("".join(pieces))


# --- scanning -------------------------------------------------------------------------------


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_SPECIAL_RE = re.compile(r"[<&]")


def _scan(html: str, *, per_char: bool = True) -> tuple[list[_Atom], list[HtmlProblem]]:
    """Tokenise into tags and characters, collecting every problem on the way.

    With ``per_char`` every character is its own atom, as :func:`split` needs to choose where to cut;
    without, a run of plain text between two tags or entities is one atom, which is all that checking and
    measuring need, and many times faster on long texts.
    """
    scanner = _Scanner(html, per_char)
    scanner.run()
    return scanner.atoms, sorted(scanner.problems)


class _Scanner:
    def __init__(self, html: str, per_char: bool = True) -> None:
        self.html = html
        self.per_char = per_char
        self.atoms: list[_Atom] = []
        self.problems: list[HtmlProblem] = []
        self.stack: list[_Tag] = []

    def problem(self, offset: int, message: str) -> None:
        self.problems.append(HtmlProblem(offset, message))

    def run(self) -> None:
        html, i = self.html, 0
        while i < len(html):
            char = html[i]
            if char == "<":
                i = self.tag(i)
            elif char == "&":
                decoded, end = self.entity(html, i)
                self.atoms.append(_Char(decoded, html[i:end] if end > i + 1 else "&amp;"))
                i = end
            else:
                special = _SPECIAL_RE.search(html, i)
                end = special.start() if special else len(html)
                if self.per_char:
                    self.atoms.extend(_Char(c, c) for c in html[i:end])
                else:
                    self.atoms.append(_Char(html[i:end], html[i:end]))
                i = end
        for tag in self.stack:
            self.problem(tag.offset, f"<{tag.name}> is never closed; add </{tag.name}>")

    def entity(self, text: str, i: int, base: int = 0) -> tuple[str, int]:
        """Decode the entity at ``text[i]``; a bad one is reported and kept as a literal '&'."""
        match = _ENTITY_RE.match(text, i)
        if match is None:
            named = _NAMED_LIKE_RE.match(text, i)
            if named:
                self.problem(
                    base + i,
                    f"entity {named.group()} is not supported by Telegram; only &lt; &gt; &amp; &quot; "
                    "and numeric entities such as &#160; are",
                )
            else:
                self.problem(base + i, "a bare '&' must be written as &amp;")
            return "&", i + 1
        if match["named"]:
            return _NAMED_ENTITIES[match["named"]], match.end()
        code = int(match["dec"]) if match["dec"] else int(match["hex"], 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            self.problem(base + i, f"entity {match.group()} is not a valid character; remove it")
            return "\ufffd", match.end()
        return chr(code), match.end()

    def tag(self, i: int) -> int:
        match = _TAG_RE.match(self.html, i)
        if match is None:
            self.problem(i, "a bare '<' must be written as &lt; (it does not start a valid tag)")
            self.atoms.append(_Char("<", "&lt;"))
            return i + 1
        name = match["name"].lower()
        tag = _Tag(name, match.group(), bool(match["close"]), i)
        if name not in _ALLOWED_TAGS:
            self.unsupported(tag)
        elif tag.closing:
            self.close(tag, match)
        else:
            self.open(tag, match)
        return match.end()

    def unsupported(self, tag: _Tag) -> None:
        if tag.name == "br":
            self.problem(tag.offset, "<br> is not supported by Telegram; use a newline instead")
        elif not tag.closing:
            self.problem(tag.offset, f"tag <{tag.name}> is not supported by Telegram; {_SUPPORTED}")
        else:
            self.problem(tag.offset, f"tag </{tag.name}> is not supported by Telegram; {_SUPPORTED}")

    def close(self, tag: _Tag, match: re.Match[str]) -> None:
        if match["attrs"] or match["space"] or match["slash"]:
            self.problem(tag.offset, f"write the closing tag exactly as </{tag.name}>")
        names = [open_tag.name for open_tag in self.stack]
        if not names:
            self.problem(tag.offset, f"</{tag.name}> closes nothing; remove it or add <{tag.name}> before")
            return
        if names[-1] != tag.name:
            self.problem(
                tag.offset,
                f"</{tag.name}> does not match the open <{names[-1]}>; close tags in reverse order "
                f"(</{names[-1]}> first)",
            )
            if tag.name not in names:
                return
            while self.stack[-1].name != tag.name:
                self.stack.pop()
        self.stack.pop()
        self.atoms.append(tag)

    def open(self, tag: _Tag, match: re.Match[str]) -> None:
        if match["slash"]:
            self.problem(tag.offset, f"self-closing <{tag.name}/> is not supported; write <{tag.name}>…</{tag.name}>")
            return
        attrs = self.attributes(tag, match)
        self.check_attributes(tag, attrs)
        self.stack.append(tag)
        self.atoms.append(tag)

    def attributes(self, tag: _Tag, match: re.Match[str]) -> dict[str, str | None]:
        """Decoded attribute values by lower-case name; None for a valueless attribute."""
        attrs: dict[str, str | None] = {}
        base = match.start("attrs")
        for attr in _ATTR_RE.finditer(match["attrs"]):
            name = attr["name"].lower()
            if attr["bare"] is not None:
                self.problem(base + attr.start(), f'quote the value of {name} in <{tag.name}>, e.g. {name}="…"')
                attrs[name] = attr["bare"]
                continue
            group = "dq" if attr["dq"] is not None else "sq" if attr["sq"] is not None else None
            if group is None:
                attrs[name] = None
                continue
            attrs[name] = self.attribute_value(attr[group], base + attr.start(group))
        return attrs

    def attribute_value(self, raw: str, offset: int) -> str:
        out: list[str] = []
        i = 0
        while i < len(raw):
            if raw[i] == "&":
                decoded, i = self.entity(raw, i, offset)
                out.append(decoded)
            else:
                out.append(raw[i])
                i += 1
        return "".join(out)

    def check_attributes(self, tag: _Tag, attrs: dict[str, str | None]) -> None:
        for name, value in attrs.items():
            if value is None and not (tag.name == "blockquote" and name == "expandable"):
                self.problem(tag.offset, f'attribute {name} of <{tag.name}> needs a value, e.g. {name}="…"')
        if tag.name == "span" and attrs.get("class") != "tg-spoiler":
            self.problem(tag.offset, '<span> is only supported as <span class="tg-spoiler">; or use <tg-spoiler>')
        elif tag.name == "a":
            self.check_link(tag, attrs.get("href"))
        elif tag.name == "code" and "class" in attrs:
            language = attrs["class"] or ""
            if not language.startswith("language-") or len(language) == len("language-"):
                self.problem(tag.offset, 'the class of <code> must be "language-NAME", e.g. "language-python"')
            elif not self.stack or self.stack[-1].name != "pre":
                self.problem(tag.offset, "a language class only works on <code> directly inside <pre>")
        elif tag.name == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
            self.problem(tag.offset, '<tg-emoji> needs emoji-id="<custom emoji id>" (digits)')

    def check_link(self, tag: _Tag, href: str | None) -> None:
        if not href:
            self.problem(tag.offset, '<a> needs an href, e.g. <a href="https://example.org">')
            return
        scheme = _SCHEME_RE.match(href.strip())
        if scheme is None or scheme[1].lower() not in _LINK_SCHEMES:
            self.problem(tag.offset, "links must start with http://, https://, tg:// or mailto:")


# --- splitting ------------------------------------------------------------------------------

# Characters that belong to the character before them: cutting in front of them
# would tear an emoji sequence or an accent off its letter.
_ZWJ = "\u200d"


def _extends_previous(char: str) -> bool:
    code = ord(char)
    return (
        char == _ZWJ
        or unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _open_stacks(atoms: list[_Atom]) -> list[tuple[_Tag, ...]]:
    """For every position 0..len(atoms): the start tags open just before it."""
    stacks: list[tuple[_Tag, ...]] = [()]
    current: tuple[_Tag, ...] = ()
    for atom in atoms:
        if isinstance(atom, _Tag):
            current = current[:-1] if atom.closing else (*current, atom)
        stacks.append(current)
    return stacks


@dataclass(slots=True)
class _Candidates:
    """Latest acceptable cut per preference: 0 blank line, 1 line end, 2 space, 3 anywhere."""

    minimum: int
    best: list[int | None]
    fallback: int | None = None

    def offer(self, position: int, preference: int, width_before: int) -> None:
        self.fallback = position
        if preference == 3 or width_before >= self.minimum:
            self.best[preference] = position

    def choose(self) -> int | None:
        return next((p for p in self.best if p is not None), self.fallback)


def _find_cut(atoms: list[_Atom], opened: list[tuple[_Tag, ...]], start: int, limit: int) -> int:
    """End index of the chunk starting at ``start``; len(atoms) when the rest fits."""
    candidates = _Candidates(minimum=limit // 2, best=[None, None, None, None])
    width = pending = newlines = 0  # pending: trailing whitespace, trimmed if the cut lands after it
    flags = 0  # regional indicators in a row: flags are pairs, so only cut after an even count
    previous, previous_k = "", start
    for k in range(start, len(atoms)):
        atom = atoms[k]
        if not isinstance(atom, _Char):
            continue
        size = _utf16_len(atom.text)
        if atom.text.isspace():
            if previous:
                pending += size
                newlines += atom.text == "\n"
            continue
        if previous:
            if any(tag.name == "tg-emoji" and tag in opened[previous_k + 1] for tag in opened[k]):
                candidates.fallback = k
            elif pending:
                candidates.offer(k, 0 if newlines >= 2 else 1 if newlines else 2, width)
            elif not (
                _extends_previous(atom.text)
                or previous == _ZWJ
                or (_is_regional_indicator(atom.text) and flags % 2 == 1)
            ):
                candidates.offer(k, 3, width)
            else:
                candidates.fallback = k
        if width + pending + size > limit:
            cut = candidates.choose()
            assert cut is not None, "the first character of a chunk always fits when limit >= 2"
            return cut
        width += pending + size
        if _is_regional_indicator(atom.text):
            flags = 1 if pending else flags + 1
        else:
            flags = 0
        pending = newlines = 0
        previous, previous_k = atom.text, k
    return len(atoms)


def _render(atoms: list[_Atom], open_before: tuple[_Tag, ...], open_after: tuple[_Tag, ...]) -> str:
    """Serialise one chunk: reopen, trim outer whitespace, close, and drop now-empty elements."""
    closers = [_Tag(tag.name, f"</{tag.name}>", True, tag.offset) for tag in reversed(open_after)]
    sequence: list[_Atom] = [*open_before, *atoms, *closers]
    visible = [i for i, a in enumerate(sequence) if isinstance(a, _Char) and not a.text.isspace()]
    if not visible:
        return ""
    first, last = visible[0], visible[-1]
    kept = (a for i, a in enumerate(sequence) if isinstance(a, _Tag) or first <= i <= last)
    return "".join(_drop_empty_elements(kept))


def _drop_empty_elements(atoms: Iterator[_Atom]) -> Iterator[str]:
    """Emit start tags only once text follows, so a cut never leaves ``<b></b>`` behind."""
    stack: list[tuple[_Tag, bool]] = []  # (start tag, already written)
    for atom in atoms:
        if isinstance(atom, _Char):
            for index, (tag, written) in enumerate(stack):
                if not written:
                    yield tag.raw
                    stack[index] = (tag, True)
            yield atom.raw
        elif atom.closing:
            _tag, written = stack.pop()
            if written:
                yield atom.raw
        else:
            stack.append((atom, False))
