"""Run the benchmarks and print the figures with their targets.

    .venv/bin/python -m benchmarks                      # everything, about ten minutes on 2 cores
    .venv/bin/python -m benchmarks --only polling,queue # some parts
    .venv/bin/python -m benchmarks --quick              # tiny counts: checks that it runs, figures mean little
    .venv/bin/python -m benchmarks --only content --compare main   # the same parts on a base commit: ratios

Parts: polling, webhook (throughput against a bare aiogram bot), latency (open loop at 200 updates/s),
memory (100,000 people), content (a 10,000-page tree), startup (cold start to the first answer), queue
(10,000 waiting cases), delivery (limits, dropped connections and a restart). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import content_tree, delivery, queue_bench
from benchmarks.procs import describe_machine, hotline_has_webhook, machine
from benchmarks.report import Figure, Report, at_least, at_most
from benchmarks.runs import LoadResult, load_run, memory_run, startup_run

PARTS = ("polling", "webhook", "latency", "memory", "content", "startup", "queue", "delivery")
ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


@dataclass(frozen=True)
class Scale:
    """How long and how big each part runs."""

    warmup: float
    seconds: float
    concurrency: int
    latency_seconds: float
    rate: float
    memory_small: int
    memory_large: int
    memory_budget: float
    nodes: int
    cases: int
    repeats: int
    pairs: int
    delivery_seconds: float
    drain_timeout: float


FULL = Scale(warmup=4, seconds=20, concurrency=200, latency_seconds=20, rate=200, memory_small=1_000,
             memory_large=100_000, memory_budget=150, nodes=10_000, cases=10_000, repeats=20, pairs=20,
             delivery_seconds=40, drain_timeout=120)
QUICK = Scale(warmup=1, seconds=2, concurrency=20, latency_seconds=2, rate=50, memory_small=20, memory_large=60,
              memory_budget=20, nodes=200, cases=100, repeats=3, pairs=3, delivery_seconds=4, drain_timeout=20)


def _throughput(report: Report, mode: str, results: dict[str, LoadResult | None], targets: bool) -> None:
    hotline, bare = results.get("hotline"), results.get("bare")
    part = mode
    if bare is not None:
        report.add(part, "bare aiogram updates/s", bare.rate, "/s", note=f"bot CPU {bare.bot_cpu:.0%}, harness "
                   f"{bare.harness_cpu:.0%}, others {bare.other_cpu:.0%} of a core; p50 {bare.p50_ms:.0f} ms")
    if hotline is None:
        report.add(part, "hotline updates/s", None, "/s", target=">= 1000" if mode == "polling" else "",
                   note="hotline has no `webhook` command yet" if mode == "webhook" else "failed")
        report.add(part, "hotline / bare aiogram", None, target=">= 0.6")
        return
    report.add(part, "hotline updates/s", hotline.rate, "/s", target=">= 1000" if mode == "polling" else "",
               check=at_least(1000) if mode == "polling" and targets else None,
               note=f"bot CPU {hotline.bot_cpu:.0%}, harness {hotline.harness_cpu:.0%}, others "
                    f"{hotline.other_cpu:.0%} of a core; "
                    f"p50 {hotline.p50_ms:.0f} ms, p99 {hotline.p99_ms:.0f} ms under full load; "
                    f"{hotline.unanswered} unanswered")
    report.add(part, "hotline handoff steps / answers", hotline.handoff_share,
               note=f"{hotline.handoff_steps:,} of {hotline.answered:,} answered updates in the window were handoff "
                    f"steps; {hotline.handoffs_started} handoffs started and {hotline.handoffs} finished in the "
                    f"window, {hotline.handoffs_in_run} finished in the whole run"
                    + (f"; given up: {', '.join(f'{n} × {why}' for why, n in hotline.abandoned.items())}"
                       if hotline.abandoned else ""))
    report.add(part, "hotline handoffs finished", hotline.handoffs_in_run,
               note="from the start of the run (warm-up included) to the end of the window")
    ratio = hotline.rate / bare.rate if bare is not None and bare.rate else None
    report.add(part, "hotline / bare aiogram", ratio, target=">= 0.6", check=at_least(0.6) if targets else None)
    if mode == "polling":
        report.add(part, "hotline peak memory (VmHWM)", hotline.peak_rss / MB, "MB")


async def throughput(report: Report, mode: str, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== {mode}: closed loop, {scale.concurrency} people at once, {scale.seconds:.0f}s after a "
               f"{scale.warmup:.0f}s warm-up")
    results: dict[str, LoadResult | None] = {}
    for kind in ("bare", "hotline"):
        if kind == "hotline" and mode == "webhook" and not hotline_has_webhook():
            results[kind] = None
            continue
        result = await load_run(kind, mode, workdir, concurrency=scale.concurrency, warmup=scale.warmup,
                                seconds=scale.seconds)
        report.say("  " + result.line())
        results[kind] = result
    _throughput(report, mode, results, targets)


async def latency(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== latency: open loop, {scale.rate:.0f} updates/s offered for {scale.latency_seconds:.0f}s")
    result = await load_run("hotline", "polling", workdir, concurrency=int(scale.rate), warmup=scale.warmup,
                            seconds=scale.latency_seconds, rate=scale.rate)
    report.say("  " + result.line())
    report.add("latency", "offered updates/s", result.offered, "/s",
               note=f"{result.spawned} extra visitors started when all {int(scale.rate)} simulated people "
                    "were waiting for the bot" if result.spawned else "")
    report.add("latency", "hotline reply p50", result.p50_ms, "ms")
    report.add("latency", "hotline reply p95", result.p95_ms, "ms")
    report.add("latency", "hotline reply p99", result.p99_ms, "ms", target="<= 50",
               check=at_most(50) if targets else None,
               note=f"bot CPU {result.bot_cpu:.0%}, others {result.other_cpu:.0%} of a core"
                    + (f"; {result.unanswered} of {result.answered} still unanswered at the end (counted with the "
                       "time they had waited)" if result.unanswered else ""))
    low = scale.rate / 10
    reference = await load_run("hotline", "polling", workdir / "reference", concurrency=int(4 * low),
                               warmup=scale.warmup, seconds=scale.latency_seconds, rate=low)
    report.say("  " + reference.line())
    report.add("latency", f"reply p99 at {low:.0f} updates/s", reference.p99_ms, "ms",
               note=f"for reference, a tenth of the load: p50 {reference.p50_ms:.0f} ms, p95 "
                    f"{reference.p95_ms:.0f} ms; bot CPU {reference.bot_cpu:.0%}")


async def memory(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== memory: {scale.memory_small:,} then {scale.memory_large:,} people (/start and a tap), "
               f"at most {scale.memory_budget:.0f}s")
    result = await memory_run(workdir, small=scale.memory_small, large=scale.memory_large,
                              concurrency=min(400, scale.memory_small), budget=scale.memory_budget)
    reached = result.large_people >= result.target_people
    report.say(f"  {result.small_people:,} people: RSS {result.small_rss / MB:.1f} MB; {result.large_people:,} "
               f"people: RSS {result.large_rss / MB:.1f} MB (peak {result.peak_rss / MB:.1f} MB); "
               f"{result.seconds:.0f}s, {result.large_people / max(result.seconds, 0.001):.0f} people/s")
    report.add("memory", f"RSS at {result.small_people:,} people", result.small_rss / MB, "MB")
    report.add("memory", f"RSS at {result.large_people:,} people", result.large_rss / MB, "MB")
    growth = result.projected_growth / MB
    report.add("memory", f"growth to {result.target_people:,} people" + ("" if reached else " (projected)"),
               growth, "MB", target="<= 20", check=at_most(20) if targets else None,
               note="" if reached else f"only {result.large_people:,} people fit in {scale.memory_budget:.0f}s "
               f"({result.large_people / max(result.seconds, 0.001):.0f} a second): "
               f"{result.growth / MB:.1f} MB measured, then {result.growth_per_thousand / 1024:.0f} KB per "
               f"1,000 people (the slope through the later half of {len(result.checkpoints)} samples) "
               f"extended to {result.target_people:,}")
    report.add("memory", "database per 1,000 people", result.database_bytes / MB / max(1, result.large_people)
               * 1000, "MB", note="SQLite file and WAL while running")


def content(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== content: a {scale.nodes:,}-page tree in en, ru, de")
    folder = workdir / "content"
    folder.mkdir()
    result = content_tree.measure(folder, scale.nodes, ["en", "ru", "de"])
    report.say(f"  {result.nodes:,} pages, {result.megabytes:.1f} MB of YAML, {result.errors} errors, "
               f"{result.warnings} warnings")
    report.add("content", "check and load", result.check_load_seconds, "s", target="< 2",
               check=at_most(2) if targets else None)
    report.add("content", "check and load, CPU time", result.check_load_cpu_seconds, "s",
               note="the process's own CPU seconds: less affected than the wall clock by other load")
    report.add("content", "search index build", result.search_seconds, "s")


async def startup(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    runs = 1 if scale is QUICK else 3
    report.say(f"\n== startup: `hotline run` with a /start waiting, new database, shipped content; best of {runs}")
    results = [await startup_run(workdir / f"run{index}") for index in range(runs)]
    answered, polling, cpu = min(results)
    report.say("  " + ", ".join(f"{a:.2f}s (polling after {p:.2f}s, {c:.2f} CPU s)" for a, p, c in results))
    report.add("startup", "cold start to the first answer", answered, "s", target="< 1.5",
               check=at_most(1.5) if targets else None, note=f"polling after {polling:.2f}s; best of {runs}")
    report.add("startup", "CPU time of the bot until then", cpu, "s")
    report.say(f"  restarts (the database a first start left, as after a crash or a deploy); best of {runs}")
    results = [await startup_run(workdir / f"restart{index}", restart=True) for index in range(runs)]
    answered, polling, cpu = min(results)
    report.say("  " + ", ".join(f"{a:.2f}s (polling after {p:.2f}s, {c:.2f} CPU s)" for a, p, c in results))
    report.add("startup", "restart to the first answer", answered, "s", target="< 1.5",
               check=at_most(1.5) if targets else None, note=f"polling after {polling:.2f}s; best of {runs}")


async def queue(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== queue: {scale.cases:,} waiting cases, {scale.repeats} repeats")
    result = await queue_bench.measure(workdir, scale.cases, scale.repeats)
    report.say(f"  filling the queue took {result.fill_seconds:.1f}s; the /queue screen is "
               f"{result.screen_chars:,} characters (Telegram takes {queue_bench.MESSAGE_LIMIT:,} a message)")
    for name, values in (("/queue", result.queue_ms), ("/take", result.take_ms)):
        report.add("queue", f"{name} median", queue_bench.median(values), "ms")
        report.add("queue", f"{name} p95", result.p95(values), "ms", target="< 20",
                   check=at_most(20) if targets else None)


async def deliveries(report: Report, scale: Scale, workdir: Path, targets: bool) -> None:
    report.say(f"\n== delivery: {scale.pairs} conversations, each side writing 1 message/s for "
               f"{scale.delivery_seconds:.0f}s; 429s above 1/s per chat and 30/s in all; 2% of connections "
               "dropped; SIGTERM and restart halfway")
    result = await delivery.run(workdir, pairs=scale.pairs, per_second=1.0, seconds=scale.delivery_seconds,
                                drop_rate=0.02, drain_timeout=scale.drain_timeout)
    report.say("  " + delivery.describe(result))
    for note in result.notes:
        report.say("  note: " + note)
    report.add("delivery", "messages sent", result.sent)
    report.add("delivery", "delivered", result.delivered)
    for name, value in (("duplicated", result.duplicated), ("lost", result.lost),
                        ("order violations", result.order_violations)):
        report.add("delivery", name, value, target="= 0", check=at_most(0) if targets else None)
    report.add("delivery", "goodput / enforced limit", result.goodput, target=">= 0.9",
               check=at_least(0.9) if targets else None,
               note=f"{result.delivered} in {result.seconds:.0f}s at {result.limit:.0f}/s, the bot down "
                    f"{result.restart_seconds:.1f}s for the restart ({result.stop_seconds:.1f}s stopping); "
                    f"{result.lost_seconds:.1f}s beyond the full limit, of which {result.tail_seconds:.1f}s the "
                    f"tail after the last message was written")
    up = result.seconds - result.restart_seconds
    report.add("delivery", "goodput while the bot was up", result.delivered / (result.limit * up) if up > 0 else None,
               note="the same, leaving out the restart")


async def main_async(args: argparse.Namespace) -> Report:
    scale = QUICK if args.quick else FULL
    parts = [p.strip() for p in args.only.split(",")] if args.only else list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise SystemExit(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    report = Report()
    targets = not args.quick
    report.say(f"hotline benchmarks, {datetime.date.today().isoformat()}, {describe_machine()}"
               + ("  [--quick: tiny counts, no targets judged]" if args.quick else ""))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as scratch:
        root = Path(scratch)
        for part in parts:
            workdir = root / part
            workdir.mkdir()
            if part in ("polling", "webhook"):
                await throughput(report, part, scale, workdir, targets)
            elif part == "latency":
                await latency(report, scale, workdir, targets)
            elif part == "memory":
                await memory(report, scale, workdir, targets)
            elif part == "content":
                content(report, scale, workdir, targets)
            elif part == "startup":
                await startup(report, scale, workdir, targets)
            elif part == "queue":
                await queue(report, scale, workdir, targets)
            elif part == "delivery":
                await deliveries(report, scale, workdir, targets)
    report.say(f"\n== figures ({time.monotonic() - started:.0f}s in all)\n")
    report.say(report.table())
    report.say("\n" + report.summary())
    report.say("\n== the targets of issue 16, as a Markdown table for benchmarks/README.md\n")
    report.say(target_table(report.figures, f"{datetime.date.today().isoformat()}, {describe_machine()}",
                            judged=targets))
    return report


# The rows of issue 16's table: (label, part, figure name or its start, the bare bot's figure, the target).
TARGETS = [
    ("polling, updates/s answered (closed loop)", "polling", "hotline / bare aiogram", "bare aiogram updates/s",
     0.6, ">="),
    ("webhook, updates/s answered (closed loop)", "webhook", "hotline / bare aiogram", "bare aiogram updates/s",
     0.6, ">="),
    ("latency p99 at 200 updates/s offered, ms", "latency", "hotline reply p99", "", 50, "<="),
    ("memory growth from 1,000 to 100,000 people, MB", "memory", "growth to", "", 20, "<="),
    ("content check + load, 10,000 pages × 3 languages, s", "content", "check and load", "", 2, "<"),
    ("delivery goodput under enforced limits with a restart", "delivery", "goodput / enforced limit", "", 0.9, ">="),
    ("cold start to the first answered update, s", "startup", "cold start to the first answer", "", 1.5, "<"),
    ("the same, a restart (the database exists), s", "startup", "restart to the first answer", "", 1.5, "<"),
]


def target_table(figures: list[Figure], when: str, *, judged: bool = True) -> str:
    """Issue 16's table filled in from this run: each target figure, the bare bot's where there is one, the
    target, the figure as a multiple of the target (the throughput rows: hotline ÷ bare aiogram, against
    0.6) and PASS or MISS (not with ``judged`` off: --quick). Parts not run say so."""
    def find(part: str, name: str) -> Figure | None:
        return next((f for f in figures if f.part == part and f.name.startswith(name) and f.value is not None),
                    None)

    lines = [f"Measured {when}.", "",
             "| figure | bare aiogram | hotline | target | ÷ target | |", "| --- | ---: | ---: | --- | ---: | --- |"]
    for label, part, name, bare_name, limit, sign in TARGETS:
        figure = find(part, name)
        target = (f"≥ {limit:g}× bare aiogram" if bare_name
                  else f"{sign.replace('>=', '≥').replace('<=', '≤')} {limit:g}")
        if figure is None or figure.value is None:
            lines.append(f"| {label} | | not run | {target} | | |")
            continue
        value = figure.value
        bare = find(part, bare_name) if bare_name else None
        hotline = find(part, "hotline updates/s") if bare_name else figure
        shown = hotline.shown() if hotline is not None else figure.shown()
        if bare_name:
            shown += f" ({value:.2f}×)"
        passed = {">=": value >= limit, "<=": value <= limit, "<": value < limit}[sign]
        lines.append(f"| {label} | {bare.shown() if bare is not None else '—'} | {shown} | {target} | "
                     f"{value / limit:.2f} | {('PASS' if passed else 'MISS') if judged else 'not judged'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", metavar="PARTS", help=f"comma-separated, from: {', '.join(PARTS)}")
    parser.add_argument("--quick", action="store_true", help="tiny counts, for a smoke test")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--compare", metavar="BASE", help="also run the same parts on this git commit (a "
                        "branch, tag or hash), one after the other in this run, and print the ratios")
    args = parser.parse_args(argv)
    base = _run_base(args) if args.compare else None
    report = asyncio.run(main_async(args))
    if base is not None:
        report.say(f"\n== compared with {args.compare} (run first, same machine, same parts)\n")
        report.say(compare(report.figures, base))
    if args.json is not None:
        args.json.write_text(json.dumps({"date": datetime.date.today().isoformat(), "machine": machine(),
                                         "quick": args.quick, "figures": [asdict(f) for f in report.figures]},
                                        indent=1), encoding="utf-8")
    return 0


def _run_base(args: argparse.Namespace) -> list[Figure]:
    """Run `python -m benchmarks` of commit `args.compare`, from a copy of its tree, and read its figures."""
    with tempfile.TemporaryDirectory(prefix="hotline-base-") as scratch:
        tree = Path(scratch) / "tree"
        tree.mkdir()
        archive = subprocess.run(["git", "archive", args.compare], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        figures = Path(scratch) / "figures.json"
        command = [sys.executable, "-m", "benchmarks", "--json", str(figures)]
        command += ["--only", args.only] if args.only else []
        command += ["--quick"] if args.quick else []
        print(f"== {args.compare}: running its benchmarks first", flush=True)
        env = {**os.environ, "PYTHONPATH": str(tree)}  # its own bot, hotline and benchmarks, not this tree's
        done = subprocess.run(command, cwd=tree, env=env)
        if done.returncode != 0 or not figures.exists():
            print(f"== {args.compare}: its benchmarks failed (exit {done.returncode}); no ratios", flush=True)
            return []
        return [Figure(**f) for f in json.loads(figures.read_text(encoding="utf-8"))["figures"]]


def compare(current: list[Figure], base: list[Figure]) -> str:
    """A table of each figure measured in both runs: this tree, the base, and this tree / base."""
    old = {(f.part, f.name): f for f in base}
    rows = [("part", "figure", "this tree", "base", "ratio")]
    for figure in current:
        before = old.get((figure.part, figure.name))
        if before is None or figure.value is None or before.value is None:
            continue
        ratio = f"{figure.value / before.value:.2f}" if before.value else "-"
        rows.append((figure.part, figure.name, figure.shown(), before.shown(), ratio))
    if len(rows) == 1:
        return "no figure was measured in both runs"
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
