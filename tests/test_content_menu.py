"""The shipped menu: by country first, then by situation, and no page more than three taps from the start.

A frightened person on a phone gives up after a few taps, so every page must be reachable within three of
them from the start page through the menu itself (start -> country -> situation -> page). The depth is
counted along `children:`, the page's home in the menu (where its Back button leads), not along `links:`:
a link is a shortcut from one place, and the menu must work without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

from bot.config import load_config
from bot.content.model import ContentSnapshot
from bot.content.store import load_for
from tests.conftest import ROOT

SHIPPED = load_config(ROOT / "config.yaml", environ={})
MAX_TAPS = 3


def taps_from_start(content: ContentSnapshot) -> dict[str, int]:
    """Node id -> the number of taps on menu buttons (`children:`) from the start page to it."""
    taps = {content.root: 0}
    frontier = [content.root]
    while frontier:
        node_id = frontier.pop(0)
        for child in content.nodes[node_id].children:
            if child not in taps:
                taps[child] = taps[node_id] + 1
                frontier.append(child)
    return taps


def too_deep(content: ContentSnapshot) -> dict[str, int]:
    taps = taps_from_start(content)
    return {node_id: taps.get(node_id, -1) for node_id in content.nodes
            if node_id not in taps or taps[node_id] > MAX_TAPS}


def shipped() -> ContentSnapshot:
    result = load_for(SHIPPED)
    assert result.snapshot is not None, [p.render() for p in result.problems]
    return result.snapshot


def test_no_page_is_more_than_three_taps_from_the_start() -> None:
    content = shipped()
    assert len(taps_from_start(content)) == len(content.nodes)
    assert too_deep(content) == {}


def test_the_start_page_offers_each_country_and_abroad_first() -> None:
    content = shipped()
    assert list(content.nodes[content.root].children[:4]) == ["russia", "ukraine", "belarus", "abroad"]
    # A country's own pages live under that country: a Russian page is never found under Belarus.
    for country, prefix in (("russia", "ru_"), ("belarus", "by_")):
        under: set[str] = set()
        stack = [country]
        while stack:
            node_id = stack.pop()
            under.add(node_id)
            stack.extend(content.nodes[node_id].children)
        for node_id in content.nodes:
            assert not node_id.startswith(prefix) or node_id in under, f"{node_id} is not under {country}"


def test_a_page_put_one_level_deeper_is_caught(tmp_path: Path) -> None:
    """The depth check can fail: move a page under a page that is already three taps deep."""
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    tree_path = target / "tree.yml"
    yaml = YAML()
    tree = yaml.load(tree_path)
    nodes = tree["nodes"]
    content = shipped()
    taps = taps_from_start(content)
    deepest = next(n for n, t in taps.items() if t == MAX_TAPS)
    moved = next(n for n, t in taps.items() if t == MAX_TAPS and n != deepest and not nodes[n].get("children"))
    parent = content.nodes[moved].parent
    assert parent is not None
    nodes[parent]["children"].remove(moved)
    nodes[deepest].setdefault("children", []).append(moved)
    yaml.dump(tree, tree_path)
    result = load_for(SHIPPED, target)
    assert result.snapshot is not None, [p.render() for p in result.problems]
    assert too_deep(result.snapshot) == {moved: MAX_TAPS + 1}
