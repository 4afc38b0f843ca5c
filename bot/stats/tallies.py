"""Statistics without tracking: anonymous daily tallies, never a row per person.

What editors need to know — which pages are read, where people stop, which topics end in a request for a
counsellor, how long people wait — can be counted without knowing who did what. Tallies are kept in memory
and added to the daily counters with the next batch of writes (bot.storage.behind, a fraction of a second
later) or, without one, at the next flush, so a click costs no database write of its own.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.stats.counters import MAX_KEY, MAX_NAME, Counters
from bot.storage.behind import WriteBehind

VIEW = "view:"  # + language; key: node id
CONTINUED = "continued"  # key: the node someone moved on from
HANDOFF = "handoff:"  # + language; key: the topic (node) of the request
OPENED = "case_opened"  # key: language
CLOSED = "case_closed"  # key: language
RATED = "case_rated"  # key: the rating ("good", "okay", "bad"); one per closed case
UPDATE_SKIPPED = "updates_skipped"  # key: why ("undecodable", "unknown kind"); see bot.telegram.updates
WAIT = "wait_minutes"  # key: minutes waited for a counsellor (a distribution, not a person)
MAX_WAIT_MINUTES = 7 * 24 * 60


class Stats:
    def __init__(self, counters: Counters, clock: Callable[[], datetime], behind: WriteBehind | None = None) -> None:
        self._counters = counters
        self._clock = clock
        self._behind = behind
        self._pending: Counter[tuple[date, str, str]] = Counter()

    def count(self, name: str, key: str = "") -> None:
        """One more of `name` (a public word) for `key` (a node id, a language, or "") today."""
        if self._behind is not None:
            if name and len(name) <= MAX_NAME and len(key) <= MAX_KEY:  # else the whole batch would fail
                self._behind.count(self._clock().date(), name, key)
        else:
            self._pending[(self._clock().date(), name, key)] += 1

    _count = count

    def view(self, node: str, language: str, came_from: str | None = None) -> None:
        self._count(VIEW + language, node)
        if came_from is not None and came_from != node:
            self._count(CONTINUED, came_from)

    def handoff(self, topic: str, language: str) -> None:
        self._count(HANDOFF + language, topic)
        self._count(OPENED, language)

    def closed(self, language: str) -> None:
        self._count(CLOSED, language)

    def rated(self, rating: str) -> None:
        self._count(RATED, rating)

    def waited(self, queued_at: datetime | None) -> None:
        if queued_at is not None:
            minutes = max(0, int((self._clock() - queued_at).total_seconds() // 60))
            self._count(WAIT, str(min(minutes, MAX_WAIT_MINUTES)))

    async def flush(self) -> int:
        if self._behind is not None:
            await self._behind.flush()
        pending, self._pending = self._pending, Counter()
        for (day, name, key), count in pending.items():
            await self._counters.add(name, key, by=count, day=day)
        return len(pending)

    async def report(self, days: int) -> StatsReport:
        await self.flush()
        until = self._clock().date()
        since = until - timedelta(days=days - 1)
        report = StatsReport(since=since, until=until)
        for offset in range(days):
            day = since + timedelta(days=offset)
            for (name, key), count in (await self._counters.day(day)).items():
                report.add(day, name, key, count)
        return report


@dataclass
class StatsReport:
    since: date
    until: date
    views: Counter[tuple[str, str]] = field(default_factory=Counter)  # (node, language)
    continued: Counter[str] = field(default_factory=Counter)  # node
    handoffs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (topic, language)
    opened: Counter[str] = field(default_factory=Counter)  # language
    closed: Counter[str] = field(default_factory=Counter)
    waits: Counter[int] = field(default_factory=Counter)  # minutes -> how many people waited that long
    searches: int = 0
    searches_empty: int = 0
    picked: Counter[str] = field(default_factory=Counter)  # node chosen from search results
    views_by_day: Counter[date] = field(default_factory=Counter)
    handoffs_by_day: Counter[date] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # why -> updates the bot could not read
    ratings: Counter[str] = field(default_factory=Counter)  # rating -> closed cases the person rated so

    def add(self, day: date, name: str, key: str, count: int) -> None:
        if name.startswith(VIEW):
            self.views[(key, name[len(VIEW):])] += count
            self.views_by_day[day] += count
        elif name == CONTINUED:
            self.continued[key] += count
        elif name.startswith(HANDOFF):
            self.handoffs[(key, name[len(HANDOFF):])] += count
            self.handoffs_by_day[day] += count
        elif name == OPENED:
            self.opened[key] += count
        elif name == CLOSED:
            self.closed[key] += count
        elif name == WAIT and key.isdecimal():
            self.waits[int(key)] += count
        elif name == "search":
            self.searches += count
        elif name == "search_empty":
            self.searches_empty += count
        elif name == "search_pick":
            self.picked[key] += count
        elif name == UPDATE_SKIPPED:
            self.skipped[key] += count
        elif name == RATED:
            self.ratings[key] += count

    def views_of(self, node: str) -> int:
        return sum(count for (n, _lang), count in self.views.items() if n == node)

    def left_at(self, node: str) -> int:
        """People who saw the page and did not move on from it (closed the chat, typed, asked for help)."""
        return max(0, self.views_of(node) - self.continued[node])

    @property
    def median_wait(self) -> float | None:
        values = [minutes for minutes, count in self.waits.items() for _ in range(count)]
        return statistics.median(values) if values else None


def render(report: StatsReport, titles: dict[str, str]) -> str:
    """The report as plain-text tables, for the terminal and for admins in the bot."""
    lines = [f"Statistics {report.since.isoformat()} to {report.until.isoformat()} (anonymous daily counts)", ""]
    languages = sorted({lang for _node, lang in report.views} | {lang for _t, lang in report.handoffs})
    total_views = sum(report.views.values())
    lines.append(f"Page views: {total_views}; requests for a counsellor: {sum(report.handoffs.values())}; "
                 f"cases opened {sum(report.opened.values())}, closed {sum(report.closed.values())}")
    wait = report.median_wait
    lines.append(f"Median wait for a counsellor: {'-' if wait is None else f'{wait:g} min'} "
                 f"({sum(report.waits.values())} cases taken)")
    lines.append(f"Typed questions: {report.searches}, of which {report.searches_empty} found nothing; "
                 f"pages chosen from the answers: {sum(report.picked.values())}")
    if report.ratings:
        lines.append("Ratings after a conversation: " + ", ".join(
            f"{report.ratings[rating]} {rating}" for rating in ("good", "okay", "bad")))
    if report.skipped:
        reasons = ", ".join(f"{count} {why}" for why, count in sorted(report.skipped.items()))
        lines.append(f"Updates skipped because the bot could not read them: {reasons}")
    if total_views:
        lines += ["", f"{'page':<26} {'views':>6} {'left here':>9}  " + " ".join(f"{lang:>5}" for lang in languages)]
        nodes = sorted({node for node, _lang in report.views}, key=lambda n: -report.views_of(n))
        for node in nodes:
            per_language = " ".join(f"{report.views[(node, lang)]:>5}" for lang in languages)
            lines.append(f"{titles.get(node, node)[:26]:<26} {report.views_of(node):>6} {report.left_at(node):>9}  "
                         + per_language)
    if report.handoffs:
        lines += ["", f"{'requests by topic':<26} {'total':>6}  " + " ".join(f"{lang:>5}" for lang in languages)]
        topics = sorted({topic for topic, _lang in report.handoffs},
                        key=lambda t: -sum(c for (x, _l), c in report.handoffs.items() if x == t))
        for topic in topics:
            total = sum(c for (x, _l), c in report.handoffs.items() if x == topic)
            per_language = " ".join(f"{report.handoffs[(topic, lang)]:>5}" for lang in languages)
            lines.append(f"{titles.get(topic, topic)[:26]:<26} {total:>6}  " + per_language)
    return "\n".join(lines)


def chart(report: StatsReport, path: str) -> None:
    """Views and requests for a counsellor per day, as a PNG (needs matplotlib: pip install 'hotline[charts]')."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [report.since + timedelta(days=n) for n in range((report.until - report.since).days + 1)]
    labels = [d.isoformat() for d in days]
    figure, axis = plt.subplots(figsize=(8, 4), dpi=100)
    axis.plot(labels, [report.views_by_day[d] for d in days], marker="o", label="page views")
    axis.plot(labels, [report.handoffs_by_day[d] for d in days], marker="s", label="requests for a counsellor")
    axis.set_title("hotline: anonymous daily counts")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
