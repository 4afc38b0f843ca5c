"""Small typos: finds the known words within one or two edits of a typed one, fast.

A symmetric-delete index (the SymSpell idea): every known word is stored under itself and each form with
one letter deleted. A typed word looks itself and its own deletions up, so a missing, extra, swapped or
wrong letter meets its word at a shared deletion, without comparing against the whole vocabulary. Long
typed words also try two deletions, which catches one more missing or extra letter. Every candidate is
then checked with a real edit distance.
"""

from __future__ import annotations

from collections.abc import Iterable


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def max_edits(length: int) -> int:
    """How many typos a word of this length may carry and still be recognised; short words get none."""
    if length < 5:  # one letter off in a four-letter word is usually another word ("raus", "haus")
        return 0
    # Two letters off in an eight-letter word is often another word too ("payments", "parents").
    return 1 if length < 9 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbours as one edit; anything above `limit` is limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = current[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


class DeleteIndex:
    """Known words (keys) with a value each; finds the keys within a few edits of a typed word.

    An entry with one word (most of them) is that string, one with several a tuple: the garbage collector
    never looks at a string, and the typo index of a large tree has a few hundred thousand entries. (Sets
    here made it traverse them all again and again while the index was being built.)
    """

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, str | tuple[str, ...]] = {}
        self._by_deletion: dict[str, str | tuple[str, ...]] = {}
        values, by_deletion = self._values, self._by_deletion
        for key, value in entries:
            known = values.get(key)
            if known is not None:
                if value not in _several(known):
                    values[key] = (*_several(known), value)
                continue
            values[key] = value
            # Each key is entered under each of its forms once (its deletions are distinct and shorter).
            forms = _deletions(key) if max_edits(len(key)) else set()
            forms.add(key)
            for form in forms:
                found = by_deletion.get(form)
                by_deletion[form] = key if found is None else (*_several(found), key)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def exact(self, key: str) -> tuple[str, ...]:
        found = self._values.get(key)
        return () if found is None else _several(found)

    def near(self, word: str) -> list[tuple[str, int]]:
        """(value, edits) for keys within max_edits(len(word)) of `word`, the typed word itself excluded."""
        limit = max_edits(len(word))
        if not limit:
            return []
        probes = {word} | _deletions(word)
        if limit > 1:
            probes |= {d for first in _deletions(word) for d in _deletions(first)}
        candidates: set[str] = set()
        for probe in probes:
            found = self._by_deletion.get(probe)
            if found is not None:
                candidates.update(_several(found))
        found_values: dict[str, int] = {}
        for key in candidates:
            if key == word:
                continue
            edits = distance(word, key, limit)
            if edits <= limit:
                for value in _several(self._values[key]):
                    if edits < found_values.get(value, limit + 1):
                        found_values[value] = edits
        return sorted(found_values.items(), key=lambda item: (item[1], item[0]))


def _several(found: str | tuple[str, ...]) -> tuple[str, ...]:
    return (found,) if isinstance(found, str) else found
