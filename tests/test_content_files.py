"""Whatever a content file holds, the checker answers with `file:line` problems that say how to fix them,
in bounded memory, and never with a traceback (issue 12); the YAML reader agrees with libyaml on valid YAML,
and CONTENT.md lists every message the checker can give."""

from __future__ import annotations

import ast
import contextlib
import datetime
import io
import json
import re
import shutil
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import store
from bot.content.loader import LoadResult, load_content
from bot.content.model import hash_text
from bot.telegram import html as telegram_html
from bot.yamlsource import YamlSyntaxError, parse_yaml
from hotline.cli import main
from tests.conftest import FIXTURE_CONTENT, ROOT
from tests.test_content_check import edit, line_of

LANGUAGES = ["ru", "en", "de"]
MB = 1024 * 1024


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def check(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["content", "check", str(directory), "--config", str(ROOT / "config.yaml")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def load(directory: Path) -> LoadResult:
    return load_content(directory, languages=LANGUAGES, fallback_language="en")


def assert_explained(result: LoadResult) -> None:
    """The promise: refused content comes with errors, and every problem names its file (and, for a file,
    its line) and says how to fix it."""
    assert result.snapshot is not None or result.errors, "refused without saying why"
    for problem in result.problems:
        assert problem.fix.strip(), f"no fix for: {problem.render()}"
        if problem.file.is_file():
            assert isinstance(problem.line, int) and problem.line >= 1, f"no line for: {problem.render()}"
            assert problem.render().startswith(f"{problem.file}:{problem.line}: ")
        assert store.CHECKER_FAILED.split("(")[0] not in problem.message, "the loader itself crashed"


# --- the faults of issue 12, one by one -----------------------------------------------------------------


def test_an_impossible_date_is_a_line_with_a_fix_not_a_traceback(content: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    tree = content / "tree.yml"
    edit(tree, "checked: 2026-10-15", "checked: 2026-02-30")
    code, out = check(content, capsys)
    assert code == 1
    assert "Traceback" not in out
    line = line_of(tree, "2026-02-30")
    assert f"tree.yml:{line}: error: 'nodes.summons_what.checked' is not a real date: '2026-02-30'" in out
    assert (f"tree.yml:{line}: error: 'nodes.summons_what.checked' is not a real date: '2026-02-30' — "
            "write the day the facts were confirmed as YYYY-MM-DD") in out, "one line: what is wrong — the fix"


def test_a_number_where_text_belongs_is_one_error_that_says_to_quote_it(content: Path) -> None:
    path = content / "en" / "nodes.yml"
    edit(path, 'title: "Asylum"', "title: 1918")
    result = load(content)
    assert_explained(result)
    assert [(p.file, p.line, p.message) for p in result.errors] == [
        (path, line_of(path, "title: 1918"), "'asylum.title' must be text, but 1918 is read as a number")]
    assert result.errors[0].fix == 'put it in quotes: `title: "1918"`'


def alias_bomb(levels: int = 7) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_first_alias_in_bounded_memory(content: Path) -> None:
    bomb = content / "en" / "bomb.yml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 500  # ten million values, if it were expanded
    tracemalloc.start()
    try:
        result = load(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_explained(result)
    assert peak < 16 * MB
    assert [(p.file, p.line) for p in result.errors] == [(bomb, 2)]
    assert "aliases are not allowed" in result.errors[0].message


@pytest.mark.parametrize(("text", "line", "message"), [
    ("start:\n  title: 'x'\n\tbody: 'y'\n", 3, "YAML syntax error"),
    ("start:\n  title: 'x'\n  title: 'y'\n", 3, "the same key appears twice: 'title'"),
    ("start:\n  title: !!binary aGk=\n", 2, "the tag !!binary is not allowed"),
    ("start:\n  title: x\n---\nb: 1\n", 3, "a second document"),
    ("start:\n  ? [a, b]\n  : c\n", 2, "a key must be a plain word"),
    ("start:\n  title: " + "9" * 5000 + "\n", 2, "a number with 5000 digits"),
    ("start:\n  title: x\x07y\n", 2, "control character (#x0007)"),
    ("start: " + "[" * 1200 + "]" * 1200 + "\n", 1, "nested more than 1,000 levels"),
    ("start:\n  title: x\n  body: " + "[" * 990 + "]" * 990 + "\n", 3, "'start.body' must be text, not a list"),
    ("start:\n  title:\n  body: y\n", 2, "'start.title' is empty"),
    ("start:\n  title: yes\n  body: true\n", 3, "'start.body' must be text, but True is read as a yes/no value"),
    ("start: just a line\n", 1, "'start' must hold fields"),
    ("- start\n", 1, "a language file must map node ids to their texts"),
    # libyaml stops where it gives up; the fault is where the quote opens, or the name lacks its colon.
    ("start:\n  title: 'cause\n  body: y\n\n\n", 2, "a quote opens on this line and never closes"),
    ("start:\n  title: x\n  body\n  button: y\n\n", 3, "a line without the ':' after its name"),
    ("start:\n  title: x\n   body: y\n", 3, "on a line indented more than the one before"),
    ("start:\n  title: see: this\n", 2, "a ': ' where none can be: inside a text"),
    ("start:\n  title: x\n  body:\n    - a\n   - b\n", 5, "indented differently"),
])
def test_every_kind_of_broken_file_is_explained_on_its_line(content: Path, text: str, line: int,
                                                           message: str) -> None:
    path = content / "en" / "nodes.yml"
    path.write_text(text, encoding="utf-8")
    result = load(content)
    assert_explained(result)
    assert result.snapshot is None
    assert (path, line) in [(p.file, p.line) for p in result.errors if message in p.message], \
        [p.render() for p in result.errors]


def test_a_file_that_is_not_utf8_is_explained_on_its_line(content: Path) -> None:
    path = content / "de" / "nodes.yml"
    path.write_bytes(path.read_bytes() + "\nextra:\n  title: 'Straße'\n".encode("latin-1"))
    result = load(content)
    assert_explained(result)
    assert [(p.file, p.line, p.message) for p in result.errors] == [
        (path, len(path.read_bytes().splitlines()) - 0, "the file is not UTF-8 text")]


def test_the_old_content_keeps_serving_when_the_checker_itself_fails(content: Path, config: object,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Config

    assert isinstance(config, Config)
    good = store.load_for(config)
    assert good.snapshot is not None
    served = store.ContentStore(good.snapshot)

    def broken(*_args: object, **_kwargs: object) -> LoadResult:
        raise RuntimeError("a bug in the checker")

    monkeypatch.setattr(store, "load_content", broken)
    import asyncio

    result = asyncio.run(served.reload(config))
    assert result.snapshot is None
    assert [p.message for p in result.errors] == [store.CHECKER_FAILED.format(kind="RuntimeError")]
    assert served.snapshot is good.snapshot


# --- fuzzing: generated YAML into a real content folder -----------------------------------------------

PLAIN = st.sampled_from(["2026-02-30", "2026-13-01", "0000-00-00", "2026-11-01", "yes", "no", "~", "null", "",
                         "1918", "1e400", "-.inf", ".nan", "0x1F", "0o17", "true", "False", "start", "summons",
                         "https://example.org", "http://x", "<b>x", "&nbsp;", "{org_name}", "{nope}", "- x", ": x"])
QUOTED = st.text(max_size=40).map(lambda s: json.dumps(s, ensure_ascii=False))
HUGE = st.integers(0, 300_000).map(lambda n: json.dumps("я" * n, ensure_ascii=False))
DEEP = st.integers(0, 1_300).map(lambda n: "[" * n + "]" * n)
TAGGED = st.sampled_from(["!!binary aGk=", "!foo x", "!!timestamp 2026-02-30", "!!str 1918", "!!int x",
                          "!!set {a, b}", "!!python/object:os.system x"])


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    options = [PLAIN, QUOTED, HUGE, DEEP, TAGGED, st.just("*bomb"), st.just("&anchor x")]
    if depth < 3:
        options.append(st.lists(values(depth + 1), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"))
        options.append(st.lists(st.tuples(PLAIN, values(depth + 1)), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k or 'k'}: {v}" for k, v in kv) + "}"))
    return str(draw(st.one_of(*options)))


TEXT_FIELDS = st.sampled_from(["title", "body", "button", "urls", "keywords", "source_hash", "untranslated",
                               "titel", "1918", "<<"])
NODE_IDS = st.sampled_from(["start", "summons", "summons_what", "summons_long", "asylum", "contacts", "Bad-Id",
                            "new_page", "1918", "2026-01-01"])
TREE_FIELDS = st.sampled_from(["children", "links", "urls", "sources", "checked", "review_by", "counsellor",
                               "sourcez"])


@st.composite
def language_file(draw: st.DrawFn) -> str:
    lines = []
    for node_id in draw(st.lists(NODE_IDS, min_size=1, max_size=4)):
        lines.append(f"{node_id}:")
        for name in draw(st.lists(TEXT_FIELDS, max_size=4)):
            lines.append(f"  {name}: {draw(values())}")
    return "\n".join(lines) + "\n"


@st.composite
def tree_file(draw: st.DrawFn) -> str:
    lines = [f"root: {draw(st.sampled_from(['start', 'nope', '[start]']))}", "nodes:",
             "  start:", "    children: [summons, asylum, contacts]"]
    for node_id in draw(st.lists(NODE_IDS, max_size=4)):
        lines.append(f"  {node_id}:")
        for name in draw(st.lists(TREE_FIELDS, max_size=4)):
            lines.append(f"    {name}: {draw(values())}")
    return "\n".join(lines) + "\n"


def bomb(levels: int) -> str:
    return alias_bomb(levels).replace("a0:", "bomb0:", 1)


FILES = st.one_of(
    st.tuples(st.just("tree.yml"), tree_file()),
    st.tuples(st.sampled_from(["en/nodes.yml", "de/extra.yml"]), language_file()),
    st.tuples(st.sampled_from(["tree.yml", "en/nodes.yml"]), st.text(max_size=200)),
    st.tuples(st.just("en/bomb.yml"), st.integers(1, 9).map(bomb)),
)


@contextlib.contextmanager
def fixture_copy() -> Iterator[Path]:
    """A fresh copy of the fixture content for each generated example (pytest's tmp_path is one per test)."""
    with tempfile.TemporaryDirectory(prefix="hotline-fuzz-") as scratch:
        target = Path(scratch) / "content"
        shutil.copytree(FIXTURE_CONTENT, target)
        yield target


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=st.lists(FILES, min_size=1, max_size=3), raw=st.none() | st.binary(max_size=64))
def test_generated_yaml_gives_a_loaded_tree_or_explained_errors_in_bounded_memory(
        files: list[tuple[str, str]], raw: bytes | None) -> None:
    with fixture_copy() as folder:
        size = 0
        for name, text in files:
            data = text.encode("utf-8", "surrogatepass")
            (folder / name).write_bytes(data)
            size += len(data)
        if raw is not None:
            (folder / "ru" / "raw.yml").write_bytes(raw)
        tracemalloc.start()
        try:
            result = load(folder)  # an exception here is the failure this test looks for
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert_explained(result)
    # Bounded: a small multiple of what was written, never what the aliases or the nesting would expand to.
    assert peak < 32 * MB + 20 * size, f"{peak / MB:.0f} MB for {size / MB:.1f} MB of YAML"


# --- the fast paths agree with the slow, exact ones -----------------------------------------------------

# libyaml reads YAML 1.1's extra line breaks (NEL, LS, PS) as line breaks where a YAML 1.2 writer keeps
# them as characters, and refuses lone surrogates; nobody types them, so they are left out of the comparison.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x85\u2028\u2029"))
YAML_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20)


def _dates_as_text(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.mark.parametrize("path", sorted([*(ROOT / "content").rglob("*.yml"), *FIXTURE_CONTENT.rglob("*.yml"),
                                         ROOT / "config.yaml"]), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_yaml_reader_reads_the_shipped_files_as_libyaml_does(path: Path) -> None:
    expected = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert parse_yaml(path.read_bytes(), path).data == _dates_as_text(expected)


@settings(max_examples=300, deadline=None)
@given(data=YAML_DATA)
def test_the_yaml_reader_reads_what_the_round_trip_editor_writes(data: object) -> None:
    from ruamel.yaml import YAML

    out = io.StringIO()
    YAML(typ="rt").dump(data, out)
    assert parse_yaml(out.getvalue().encode("utf-8"), Path("x.yml")).data == data


HTML_TOKENS = st.sampled_from(["<b>", "</b>", "<i>", "</i>", "<code>", "</code>", "<pre>", "</pre>", "<B>",
                               '<a href="https://x.org/a?b=c">', '<a href="javascript:x">', "</a>", "<br>", "<p>",
                               "&amp;", "&lt;", "&nbsp;", "&#160;", "&", "<", ">", ";", "x", " ", "\n", "😀",
                               "я", '<span class="tg-spoiler">', "</span>", "<tg-spoiler>", "</tg-spoiler>"])


@settings(max_examples=500, deadline=None)
@given(st.lists(HTML_TOKENS, max_size=30).map("".join))
def test_the_html_check_agrees_with_the_full_scanner(html: str) -> None:
    atoms, problems = telegram_html._scan(html)  # one atom per character: the exact, slow way
    plain = "".join(atom.text for atom in atoms if isinstance(atom, telegram_html._Char))
    assert telegram_html.check(html) == (problems, len(plain.encode("utf-16-le", "surrogatepass")) // 2)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.none() | st.text(), st.text(), st.dictionaries(st.text(), st.text(), max_size=3))
def test_text_hashes_are_those_already_written_in_translation_files(title: str, button: str | None, body: str,
                                                                    urls: dict[str, str]) -> None:
    import hashlib

    payload = json.dumps({"title": title.strip(), "button": (button or "").strip(), "body": body.strip(),
                          "urls": {k: v.strip() for k, v in sorted(urls.items())}}, ensure_ascii=False,
                         sort_keys=True)
    assert hash_text(title, button, body, urls) == hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


# --- CONTENT.md lists every message --------------------------------------------------------------------

# Where the checker's messages are written, and which argument of which call holds the message.
MESSAGE_SOURCES = {
    "bot/content/loader.py": {"error": 2, "warning": 2, "report": 2},
    "bot/yamlsource.py": {"YamlSyntaxError": 2, "_Refusal": 1},
    "bot/telegram/html.py": {"problem": 1},
}


def _pattern(node: ast.expr) -> str | None:
    """A regular expression for the texts a message expression can produce; None when it is not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(str(v.value)) if isinstance(v, ast.Constant) else ".+?" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        return left + right if left is not None and right is not None else None
    return None


def checker_messages() -> list[tuple[str, int, str]]:
    found = []
    for source, calls in MESSAGE_SOURCES.items():
        tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                index = calls.get(name)
                if index is not None and len(node.args) > index:
                    pattern = _pattern(node.args[index])
                    if pattern is not None:
                        found.append((source, node.lineno, pattern))
            elif isinstance(node, ast.FunctionDef) and node.name == "_explain_schema":
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Tuple):
                        pattern = _pattern(inner.value.elts[0])
                        assert pattern is not None
                        found.append((source, inner.lineno, pattern))
    found.append(("bot/content/store.py", 0, re.escape(store.CHECKER_FAILED).replace(re.escape("{kind}"), ".+?")))
    return found


def test_content_md_lists_every_message_of_the_checker() -> None:
    guide = (ROOT / "CONTENT.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 9. Every message of the checker"):guide.index("## 10. Quick reference")]
    messages = checker_messages()
    assert len(messages) > 60, "the extraction found too few messages: has the code moved?"
    missing = [f"{source}:{line}: {pattern}" for source, line, pattern in messages
               if re.search(pattern, section) is None]
    assert not missing, "CONTENT.md section 9 does not show these messages:\n" + "\n".join(missing)


def test_every_yaml_refusal_says_how_to_fix_it() -> None:
    for text in ["a: *x\n", "a: !!binary aGk=\n", "a: 1\na: 2\n", "? [a]\n: b\n", "a: 1\n---\nb: 2\n",
                 "a: [\n", "a:\n\tb: 1\n", "a: " + "[" * 1100 + "\n"]:
        with pytest.raises(YamlSyntaxError) as caught:
            parse_yaml(text.encode("utf-8"), Path("x.yml"))
        assert caught.value.line is not None and caught.value.fix, text


def test_problem_lines_are_looked_up_only_for_problems(content: Path) -> None:
    """The fast path: a file without problems is parsed once; its line numbers are never worked out."""
    from bot import yamlsource

    calls: list[int] = []
    real = yamlsource._build

    def counting(text: str, lines: dict[tuple[str | int, ...], int] | None = None) -> object:
        calls.append(lines is not None)
        return real(text, lines)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlsource, "_build", counting)
        result = load(content)
    assert result.snapshot is not None
    warned = {p.file for p in result.problems if p.line is not None}
    assert sum(calls) == len(warned)  # one second reading per file that has a problem with a line, no more
    assert calls.count(False) == 4  # tree.yml and three language files, each read once
