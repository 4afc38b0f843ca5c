"""A 10,000-page content tree: how long `content check` and the bot's loading take, and the search index.

The tree is written as files, the way editors keep it (tree.yml and one folder per language, a file per
thousand pages), from the shipped content's own words, so word lengths and alphabets are realistic. Every
page has sources and a checked date; a tenth have links and web links.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import load_config
from bot.content.loader import load_content
from bot.content.model import BUTTON_MAX, hash_text
from bot.search.text import strip_markup, words

ROOT = Path(__file__).resolve().parent.parent
FANOUT = 10
PER_FILE = 1000


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def shipped_words(languages: list[str]) -> dict[str, list[str]]:
    result = load_content(ROOT / "content", languages=["ru", "uk", "en", "de"], fallback_language="en")
    assert result.snapshot is not None, "the shipped content does not load"
    found: dict[str, list[str]] = {}
    for language in languages:
        pool: list[str] = []
        for text in result.snapshot.texts[language].values():
            pool.extend(words(text.title + " " + strip_markup(text.body)))
        found[language] = [w for w in pool if w.isalpha()]
    return found


def generate(directory: Path, nodes: int, languages: list[str], seed: int = 10) -> None:
    rng = random.Random(seed)
    vocabulary = shipped_words(languages)
    ids = ["start"] + [f"p{i:05d}" for i in range(1, nodes)]
    children: dict[str, list[str]] = {node: [] for node in ids}
    for index, node in enumerate(ids[1:], start=1):
        children[ids[(index - 1) // FANOUT]].append(node)  # a complete tree, ten children a page
    lines = ["root: start", "nodes:"]
    for index, node in enumerate(ids):
        lines.append(f"  {node}:")
        if children[node]:
            lines.append(f"    children: [{', '.join(children[node])}]")
        if node != "start":
            if index % 10 == 3:
                target = rng.randrange(1, nodes)
                lines.append(f"    links: [{ids[target] if target != index else 'start'}]")
            if index % 10 == 7:
                lines.append("    urls:")
                lines.append(f"      - {{id: site, href: \"https://example.org/page/{index}\"}}")
            lines.append("    sources:")
            lines.append(f"      - {{title: \"Source {index}\", url: \"https://example.org/law/{index % 97}\"}}")
            lines.append("    checked: 2026-11-01")
    (directory / "tree.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    english: dict[str, str] = {}  # the text_hash of each English text, for the translations' source_hash
    for language in ["en", *[x for x in languages if x != "en"]]:
        folder = directory / language
        folder.mkdir()
        pool = vocabulary[language]
        for start in range(0, nodes, PER_FILE):
            out = []
            for index in range(start, min(nodes, start + PER_FILE)):
                node = ids[index]
                title = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))[:BUTTON_MAX].strip()
                body = " ".join(rng.choice(pool) for _ in range(rng.randint(40, 160)))
                body = f"<b>{title}</b>\n{body}"
                urls = {"site": "Website"} if index % 10 == 7 else {}
                out.append(f"{node}:")
                out.append(f"  title: {_q(title)}")
                out.append(f"  body: {_q(body)}")
                if urls:
                    out.append(f"  urls: {{site: {_q(urls['site'])}}}")
                if language == "en":
                    english[node] = hash_text(title, None, body, urls)
                else:
                    out.append(f"  source_hash: {_q(english[node])}")
            (folder / f"{start // PER_FILE:02d}.yml").write_text("\n".join(out) + "\n", encoding="utf-8")


@dataclass
class ContentResult:
    nodes: int
    languages: int
    megabytes: float
    check_load_seconds: float
    check_load_cpu_seconds: float
    search_seconds: float | None
    errors: int
    warnings: int


def measure(directory: Path, nodes: int, languages: list[str]) -> ContentResult:
    generate(directory, nodes, languages)
    size = sum(path.stat().st_size for path in directory.rglob("*.yml")) / 1e6
    organisation = load_config(ROOT / "config.yaml", environ={}).settings.organisation.model_dump()
    started, cpu = time.perf_counter(), time.process_time()
    result = load_content(directory, languages=languages, fallback_language="en", organisation=organisation)
    loading, cpu = time.perf_counter() - started, time.process_time() - cpu
    search = None
    if result.snapshot is not None:
        try:
            from bot.search import SearchIndex
        except ImportError:
            pass
        else:
            started = time.perf_counter()
            SearchIndex(result.snapshot)
            search = time.perf_counter() - started
    return ContentResult(len(result.snapshot.nodes) if result.snapshot else 0, len(languages), size, loading, cpu,
                         search, len(result.errors), len(result.warnings))
