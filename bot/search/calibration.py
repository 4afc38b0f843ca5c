"""The no-match decision: the chance that the best page answers a question, calibrated on the content's questions.

A ranking says which page is nearest; it does not say whether the nearest page answers. That is decided from
what the ranking shows of the question and of its best page (`evidence`: how much of the question the page
explains, how strongly, how many of its words it has, how long the question is, how much of it no page has, how
near a question no page answers comes, how much likelier its words are among all those questions than in the
page, how far ahead of the next page it is), weighed by a logistic model
(`Calibration`): the result is the chance, 0..1, that the page (or one of the next two) answers. A page is
offered when the chance is at least `search: min_chance` (config.yaml); otherwise the person is told there is no
page on that and offered a counsellor.

The weights are fitted (`fit`, by iteratively reweighted least squares) on the content's own labelled questions
(content/<lang>/questions.yml), each asked of an index built without it (`labelled`: 5 folds), so they are
measured on questions the search has not seen. `hotline content calibrate` fits them again and prints them with
the figures; CONTENT.md says when to. Nothing here sees what a person types beyond the call that ranks it.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from bot.content.model import ContentSnapshot
from bot.search.index import Hit, Ranking, is_not_answered
from bot.search.text import normalise

# What the decision weighs, in the order of Calibration.weights.
FEATURES = (
    "coverage",  # the share of the question (0..1) the best page explains
    "strength",  # log(0.1 + how strongly its words are in it): ~1 in the body only, 2.5+ in its title or keywords
    "words",  # how many of the question's words it has (places not counted)
    "share_of_words",  # that, as a share of the question's words that mean something
    "length",  # log of how many words of the question mean something
    "unknown",  # the share of those that no page has at all
    "not_answered_score",  # the nearest question no page answers: its score relative to the page's (0 if none)
    "not_answered_coverage",  # ... and how much of the question it explains
    "second",  # the next page's score relative to the best one's (0 if none)
    "not_answered_likelihood",  # per word, log P(question | questions no page answers) - log P(question | page)
)
FOLDS = 5
# A page that explains this much of the question may be offered however weakly its words are in it (below
# `search: floor`): German questions name things in compounds and verbs the pages put otherwise, so a page's
# words are often in its text only.
WHOLE_QUESTION = 0.7


class Evidence(NamedTuple):
    """What a ranking shows about its best page, and the pages that could be offered (pages_of), best first."""

    pages: list[Hit]
    features: tuple[float, ...]  # in the order of FEATURES

    @property
    def page(self) -> Hit:
        return self.pages[0]


class Decision(NamedTuple):
    """What the search does with a ranking."""

    pages: list[Hit]  # the pages that could be offered, best first (pages_of)
    chance: float | None  # that the first (or one of the next two) answers; None: none above the floor
    offer: bool  # whether they are offered


def pages_of(ranking: Ranking) -> list[Hit]:
    """The hits that could be offered: pages (not questions no page answers) that are neither only the question's
    places nor about another country than the question's."""
    return [hit for hit in ranking.hits if hit.could_be_offered]


def above_floor(page: Hit, floor: float) -> bool:
    """Whether a page has the question's words at least `floor` strongly (about 1 when they are only mentioned
    in its text, 2.5 and more in its title or keywords), or explains WHOLE_QUESTION of it: a page that only
    mentions a question's words in passing is never offered, whatever the chance."""
    return page.strength >= floor or page.coverage >= WHOLE_QUESTION


def evidence(ranking: Ranking) -> Evidence | None:
    """The features of a ranking's best page, or None if no hit could be offered."""
    pages = pages_of(ranking)
    if not pages:
        return None
    page = pages[0]
    words = max(ranking.words, 1)
    nearest = next((hit for hit in ranking.hits if is_not_answered(hit.node)), None)
    score = page.score or 1.0
    return Evidence(pages, (
        page.coverage,
        math.log(page.strength + 0.1),
        float(page.words),
        page.words / words,
        math.log(words),
        ranking.unknown / words,
        nearest.score / score if nearest else 0.0,
        nearest.coverage if nearest else 0.0,
        pages[1].score / score if len(pages) > 1 else 0.0,
        _likelier_not_answered(ranking),
    ))


# Bounds of the not_answered_likelihood feature (log odds per word; the shipped questions give -5.5 to +1.9).
LIKELIHOOD_BOUND = 15.0
# The feature where the content lists too few questions no page answers to compare with: its mean over the rows
# SHIPPED was fitted on (answered ones -2.6, unanswerable ones -0.2), so that it says nothing either way.
NO_ODDS = -2.3


def _likelier_not_answered(ranking: Ranking) -> float:
    """Ranking.not_answered_odds in -LIKELIHOOD_BOUND..LIKELIHOOD_BOUND, or NO_ODDS where there are none."""
    if ranking.not_answered_odds is None:
        return NO_ODDS
    return max(-LIKELIHOOD_BOUND, min(LIKELIHOOD_BOUND, ranking.not_answered_odds))


def decide(ranking: Ranking, calibration: Calibration, min_chance: float, floor: float) -> Decision:
    """Whether a ranking's pages are offered: where the chance (0..1) that its best page answers is at least
    `min_chance`, or the question is one word that means something (a topic to browse: "отсрочка", "BAMF", however
    many questions no page answers have it too). The chance is None, and nothing offered, where no page could be
    (none but questions no page answers, the question's places or pages about another country) or the best page
    has the question's words only in passing (`above_floor`). A question about this chat itself gets the page about
    the helpline first, offered whatever the chance (Ranking.about), and one that asks where to look the menu of
    pages it finds first (Ranking.where_to_look)."""
    decision = _decided(ranking, calibration, min_chance, floor)
    if ranking.about is None:
        return decision
    # A question about this chat itself: the page about the helpline first, whatever the chance; then the pages the
    # rest of the ranking would offer (Ranking.about).
    return Decision([ranking.about, *(decision.pages if decision.offer else ())], decision.chance, True)


def _decided(ranking: Ranking, calibration: Calibration, min_chance: float, floor: float) -> Decision:
    found = evidence(ranking)
    if found is None:
        return Decision([], None, False)
    if not above_floor(found.page, floor):
        return Decision(found.pages, None, False)
    chance = calibration.chance(found.features)
    return Decision(found.pages, chance, chance >= min_chance or ranking.words == 1 or ranking.where_to_look)


@dataclass(frozen=True)
class Calibration:
    """A logistic model: chance = 1 / (1 + exp(-(bias + Σ weight × feature))), features as in FEATURES."""

    weights: tuple[float, ...]
    bias: float

    def chance(self, features: Sequence[float]) -> float:
        """The chance (0..1) that the page answers the question."""
        z = self.bias + math.fsum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


# Fitted by `hotline content calibrate` on the shipped content of 2026-12-01 (2,099 answerable questions and 725 no
# page answers, in four languages; 2,340 rows: the answerable ones whose page is among the first three and the
# unanswerable ones, each where its best page is above `floor` 0.9). First against the rules it replaced
# (a coverage floor per language and strength thresholds), cross-validated at min_chance 0.6: the right page among
# the first three for 2,011 → 2,012 of 2,099, unanswerable questions given a page 64 → 49 of 725. Then (a later
# session) with not_answered_likelihood, at min_chance 0.65: 2,013 → 2,016 and 49 → 38. On question sets the fit
# never saw, see CONTENT.md. The chance is calibrated to the mix of those questions (about one in eight of the rows
# is unanswerable), not to what people type, and to `floor` 0.9: fit again after changing either much.
SHIPPED = Calibration(weights=(6.6054, 0.4542, 0.1211, -1.0275, 0.6908, -5.2891, -1.0391, -1.1999, 0.7308, -1.5833),
                      bias=-5.0497)


# --- fitting -----------------------------------------------------------------------------------------------


def fit(rows: Sequence[tuple[Sequence[float], bool]], ridge: float = 1.0, rounds: int = 25) -> Calibration:
    """The logistic model that best separates the rows (features, whether the page answers), by Newton's method
    (iteratively reweighted least squares) on standardised features with a small ridge penalty (`ridge`, on the
    standardised weights, not the bias), so that a feature that never varies gets weight 0.

    Raises ValueError for no rows, rows of one label only (nothing to separate), or rows of different lengths or
    with features that are not finite."""
    if not rows or len({label for _x, label in rows}) < 2:
        raise ValueError("fitting needs rows of both labels")
    width = len(rows[0][0])
    if any(len(x) != width or not all(map(math.isfinite, x)) for x, _ in rows):
        raise ValueError("every row needs the same number of finite features")
    means = [math.fsum(x[i] for x, _ in rows) / len(rows) for i in range(width)]
    scales = [math.sqrt(math.fsum((x[i] - means[i]) ** 2 for x, _ in rows) / len(rows)) or 1.0 for i in range(width)]
    data = [([1.0, *((x[i] - means[i]) / scales[i] for i in range(width))], 1.0 if label else 0.0) for x, label in rows]
    beta = [0.0] * (width + 1)
    for _round in range(rounds):
        gradient = [0.0] * (width + 1)
        hessian = [[0.0] * (width + 1) for _ in range(width + 1)]
        for z, y in data:
            t = math.fsum(b * v for b, v in zip(beta, z, strict=True))
            p = 1.0 / (1.0 + math.exp(-t)) if t > -700 else 0.0
            weight = p * (1.0 - p)
            for i, zi in enumerate(z):
                gradient[i] += (p - y) * zi
                row = hessian[i]
                for j in range(i + 1):
                    row[j] += weight * zi * z[j]
        for i in range(width + 1):
            for j in range(i):
                hessian[j][i] = hessian[i][j]
            if i:
                gradient[i] += ridge * beta[i]
                hessian[i][i] += ridge
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(map(abs, step)) < 1e-9:
            break
    # Back to the features' own units, so that the shipped weights read as they are used.
    weights = tuple(beta[i + 1] / scales[i] for i in range(width))
    bias = beta[0] - math.fsum(beta[i + 1] * means[i] / scales[i] for i in range(width))
    return Calibration(tuple(round(w, 4) for w in weights), round(bias, 4))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix · x = vector, by Gaussian elimination with partial pivoting (matrix is small and positive
    definite: a Hessian plus a ridge)."""
    size = len(vector)
    a = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(a[r][column]))
        a[column], a[pivot] = a[pivot], a[column]
        for r in range(column + 1, size):
            factor = a[r][column] / a[column][column]
            if factor:
                for c in range(column, size + 1):
                    a[r][c] -= factor * a[column][c]
    x = [0.0] * size
    for r in reversed(range(size)):
        x[r] = (a[r][size] - math.fsum(a[r][c] * x[c] for c in range(r + 1, size))) / a[r][r]
    return x


# --- the labelled questions ----------------------------------------------------------------------------------

Asked = list[tuple[str, frozenset[str]]]  # (question, the pages that answer it: any of them counts)


def content_questions(snapshot: ContentSnapshot, language: str) -> Asked:
    """(question, the pages that list it) of content/<lang>/questions.yml."""
    pages: dict[str, set[str]] = {}
    for node, asked in snapshot.questions.get(language, {}).items():
        for question in asked:
            pages.setdefault(question, set()).add(node)
    return [(question, frozenset(nodes)) for question, nodes in pages.items()]


def fold_of(question: str) -> int:
    return zlib.crc32(normalise(question).encode()) % FOLDS


def fold_left_out(snapshot: ContentSnapshot, fold: int) -> ContentSnapshot:
    """The content with every language's questions of one fold taken out."""
    for language in snapshot.languages:
        snapshot = without_fold(snapshot, language, fold)
    return snapshot


def without_fold(snapshot: ContentSnapshot, language: str, fold: int) -> ContentSnapshot:
    """The content with one language's questions of one fold taken out."""
    kept = {node: tuple(q for q in asked if fold_of(q) != fold)
            for node, asked in snapshot.questions.get(language, {}).items()}
    not_answered = tuple(q for q in snapshot.not_answered.get(language, ()) if fold_of(q) != fold)
    return replace(snapshot, questions={**snapshot.questions, language: kept},
                   not_answered={**snapshot.not_answered, language: not_answered})


class Asking(NamedTuple):
    """One of the content's questions, asked of an index built without it."""

    language: str
    question: str
    pages: frozenset[str] | None  # the pages that answer it; None: no page does
    ranking: Ranking  # what the search ranked, as deep as it looks (SearchIndex.ranked)


def cross_validated(snapshot: ContentSnapshot) -> Iterator[Asking]:
    """Each of the content's questions (every language's), ranked by an index built without its fold."""
    from bot.search.service import SearchIndex  # the service imports this module

    for fold in range(FOLDS):
        index = SearchIndex(fold_left_out(snapshot, fold))
        for language in snapshot.languages:
            for question, pages in content_questions(snapshot, language):
                if fold_of(question) == fold:
                    yield Asking(language, question, pages, index.ranked(question, language))
            for question in snapshot.not_answered.get(language, ()):
                if fold_of(question) == fold:
                    yield Asking(language, question, None, index.ranked(question, language))


def labelled(askings: Sequence[Asking], floor: float) -> list[tuple[tuple[float, ...], bool]]:
    """(features, whether the page answers) for fitting: a question no page answers is a page that does not; an
    answerable one counts where its page is among the first three that could be offered (where it is not, no
    decision would find it, and it says nothing about the decision). Only pages above the floor (`above_floor`)
    count: the others are never offered."""
    rows = []
    for asking in askings:
        found = evidence(asking.ranking)
        if found is None or not above_floor(found.page, floor):
            continue
        if asking.pages is None:
            rows.append((found.features, False))
        elif asking.pages & {hit.node for hit in found.pages[:3]}:
            rows.append((found.features, True))
    return rows


class Figures(NamedTuple):
    """What a calibration does with one language's questions at one min_chance."""

    asked: int  # answerable questions
    three: int  # ... whose page is among the first three offered
    unanswerable: int
    with_a_page: int  # ... that get a page


def figures(askings: Sequence[Asking], calibration: Calibration, min_chance: float,
            floor: float) -> dict[str, Figures]:
    """Per language, what the search would offer for the content's questions with this calibration."""
    counts: dict[str, list[int]] = {}
    for asking in askings:
        decision = decide(asking.ranking, calibration, min_chance, floor)
        offered = {hit.node for hit in decision.pages[:3]} if decision.offer else set()
        count = counts.setdefault(asking.language, [0, 0, 0, 0])
        if asking.pages is None:
            count[2] += 1
            count[3] += bool(offered)
        else:
            count[0] += 1
            count[1] += bool(offered & asking.pages)
    return {language: Figures(*count) for language, count in counts.items()}
