"""The benchmarks still run: `python -m benchmarks --quick` on a few parts prints its figures.

Only that the figures are printed is checked, never their values: timings belong in benchmarks/README.md,
not in a test that a busy machine could fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_print_their_figures() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "content,queue,polling"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = result.stdout.split("== figures", 1)[-1]
    for figure in ("check and load", "search index build", "/queue p95", "/take p95", "bare aiogram updates/s",
                   "hotline updates/s", "hotline / bare aiogram", "hotline peak memory"):
        assert figure in table, f"{figure!r} missing from:\n{result.stdout[-3000:]}"
    assert "not measured" not in table, result.stdout[-3000:]
