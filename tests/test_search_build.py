"""When the search index is built: at once, or lazily (the bot builds it in a thread once it is up), and
either way the same index, built once."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.content.model import ContentSnapshot
from bot.search import SearchIndex
from bot.search import service as search_service

SHIPPED = Path(__file__).resolve().parent.parent / "content"
QUESTIONS = [("повестка пришла", "ru"), ("alternative civilian service", "en"), ("Kriegsdienstverweigerung", "de"),
             ("мобілізація", "uk")]


@pytest.fixture(scope="module")
def shipped() -> ContentSnapshot:
    result = load_content(SHIPPED, languages=["ru", "uk", "en", "de"], fallback_language="en")
    assert result.snapshot is not None
    return result.snapshot


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The versions the index was built for, in order."""
    seen: list[str] = []
    build = search_service.SearchIndex._build

    def counting(snapshot: ContentSnapshot) -> search_service._Built:
        seen.append(snapshot.version)
        return build(snapshot)

    monkeypatch.setattr(search_service.SearchIndex, "_build", staticmethod(counting))
    return seen


def test_a_lazy_index_is_not_built_until_needed_and_then_answers_as_an_eager_one(
        shipped: ContentSnapshot, builds: list[str]) -> None:
    lazy = SearchIndex(shipped, lazy=True)
    assert builds == []
    assert lazy.version == shipped.version  # known without building
    assert builds == []
    eager = SearchIndex(shipped)
    for query, language in QUESTIONS:
        assert lazy.search(query, language) == eager.search(query, language)
    assert builds == [shipped.version, shipped.version]  # one each


def test_prepare_in_a_thread_and_a_search_at_the_same_time_build_once(
        shipped: ContentSnapshot, builds: list[str]) -> None:
    index = SearchIndex(shipped, lazy=True)
    threads = [threading.Thread(target=index.prepare) for _ in range(3)]
    for thread in threads:
        thread.start()
    answer = index.search(*QUESTIONS[0])
    for thread in threads:
        thread.join()
    assert builds == [shipped.version]
    assert answer == SearchIndex(shipped).search(*QUESTIONS[0])


def test_a_rebuild_before_the_lazy_build_replaces_it(shipped: ContentSnapshot, builds: list[str]) -> None:
    older = dataclasses.replace(shipped, version="older")
    index = SearchIndex(older, lazy=True)
    index.rebuild(shipped)
    index.prepare()
    index.follow(shipped)
    assert builds == [shipped.version]  # the older snapshot was never indexed
    assert index.version == shipped.version
