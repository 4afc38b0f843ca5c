"""The figures table: each measured value beside its target, PASS or MISS."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Figure:
    part: str
    name: str
    value: float | None
    """None: not measured (the reason is in ``note``)."""
    unit: str = ""
    target: str = ""
    """As printed, e.g. ">= 1000"; empty when the figure has no target."""
    passed: bool | None = None
    note: str = ""

    def shown(self) -> str:
        if self.value is None:
            return "not measured"
        value = self.value
        if abs(value) >= 100 or value == int(value):
            text = f"{value:,.0f}"
        elif abs(value) >= 10:
            text = f"{value:.1f}"
        else:
            text = f"{value:.2f}"
        return f"{text} {self.unit}".rstrip()

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "MISS"


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda value: value >= limit


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    out: TextIO = sys.stdout

    def add(self, part: str, name: str, value: float | None, unit: str = "", *, target: str = "",
            check: Callable[[float], bool] | None = None, note: str = "") -> Figure:
        passed = check(value) if check is not None and value is not None else None
        if check is not None and value is None:
            passed = None
        figure = Figure(part, name, value, unit, target, passed, note)
        self.figures.append(figure)
        line = f"  {name}: {figure.shown()}"
        if target:
            verdict = figure.verdict or ("not measured" if value is None else "not judged")
            line += f"  (target {target}: {verdict})"
        if note:
            line += f"  [{note}]"
        print(line, file=self.out, flush=True)
        return figure

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def table(self) -> str:
        rows = [("part", "figure", "value", "target", "")]
        rows += [(f.part, f.name, f.shown(), f.target, f.verdict) for f in self.figures]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = []
        for index, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        notes = [f"  {f.part} / {f.name}: {f.note}" for f in self.figures if f.note]
        if notes:
            lines += ["", "notes:", *notes]
        return "\n".join(lines)

    def summary(self) -> str:
        judged = [f for f in self.figures if f.passed is not None]
        if not judged:
            return "no targets judged"
        missed = [f for f in judged if not f.passed]
        unmeasured = [f for f in self.figures if f.target and f.value is None]
        text = f"{len(judged) - len(missed)} of {len(judged)} targets met"
        if missed:
            text += "; missed: " + ", ".join(f"{f.part} {f.name}" for f in missed)
        if unmeasured:
            text += "; not measured: " + ", ".join(f"{f.part} {f.name}" for f in unmeasured)
        return text
