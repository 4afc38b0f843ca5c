"""The project's own promises about itself: the README's commands, CI, lint and types."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start()
    assert len(commands) == 2
    assert commands[0].endswith("hotline demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in ci.splitlines()


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Which part of the code may import which: the map of docs/architecture.md, as a test. A feature package may use
# the packages listed for it (and the shared modules), never the other way round, so that, for example, the
# identity code can be read and audited without the handoff, and the fake Telegram never leans on the bot.
SHARED = {"bot.clock", "bot.config", "bot.i18n", "bot.logs", "bot.yamlsource", "bot.telegram", "bot.storage"}
ALLOWED: dict[str, set[str]] = {
    "bot.clock": set(),
    "bot.logs": set(),
    "bot.telegram": {"bot.clock", "bot.storage"},
    "bot.storage": {"bot.clock", "bot.config"},
    "bot.yamlsource": set(),
    "bot.config": {"bot.clock", "bot.yamlsource"},
    "bot.i18n": {"bot.clock", "bot.config"},
    "bot.content": SHARED,
    "bot.identity": SHARED,
    "bot.limits": SHARED | {"bot.identity"},
    "bot.stats": SHARED | {"bot.content"},
    "bot.search": SHARED | {"bot.content", "bot.menus", "bot.stats"},
    "bot.menus": SHARED | {"bot.content", "bot.identity"},
    "bot.delivery": SHARED | {"bot.identity", "bot.limits"},
    "bot.privacy": SHARED | {"bot.identity", "bot.delivery", "bot.menus", "bot.content", "bot.limits"},
    "bot.handoff": SHARED | {"bot.identity", "bot.delivery", "bot.privacy", "bot.menus", "bot.content", "bot.limits"},
    "bot.simulator": {"bot.telegram", "bot.content"},
    # the package itself: only to defer aiogram's model builds before anything imports aiogram
    "bot.__init__": {"bot.telegram"},
    # the composition root: builds every service once at start
    "bot.services": SHARED | {"bot.content", "bot.identity", "bot.limits", "bot.stats", "bot.search", "bot.menus",
                              "bot.delivery", "bot.privacy", "bot.handoff"},
}


def _package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def _imports(path: Path) -> set[str]:
    """What a module imports at run time. Imports under `if TYPE_CHECKING:` only name a type (the use cases
    name the composition root, `Services`, that they are handed) and are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                   for inner in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":
                found.update(f"bot.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in {"bot", "handlers", "hotline"}}


def test_bot_top_level_holds_only_feature_packages_and_shared_modules() -> None:
    modules = {p.stem for p in (ROOT / "bot").glob("*.py")} - {"__init__"}
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    assert {f"bot.{m}" for m in modules} <= set(ALLOWED), f"a flat module outside the map: {sorted(modules)}"
    assert {f"bot.{p}" for p in packages} <= set(ALLOWED), f"a package outside the map: {sorted(packages)}"


def _violations(root: Path) -> list[str]:
    wrong: list[str] = []
    for path in sorted((root / "bot").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts)
        source = _package_of(module)
        for target in _imports(path):
            target_package = _package_of(target)
            if target_package in {"handlers", "hotline"}:
                wrong.append(f"{module} imports {target}: the core never imports the aiogram layer or the program")
            elif target_package != source and target_package not in ALLOWED.get(source, set()):
                wrong.append(f"{module} imports {target}: {source} may not depend on {target_package}")
    for path in sorted((root / "handlers").rglob("*.py")):
        for target in _imports(path):
            if _package_of(target) in {"hotline", "bot.simulator"}:
                wrong.append(f"{path.relative_to(root)} imports {target}: handlers are the bot, not the program")
    return wrong


def test_packages_depend_only_in_the_allowed_directions() -> None:
    wrong = _violations(ROOT)
    assert not wrong, "\n".join(wrong)


def test_the_dependency_check_catches_a_sideways_import(tmp_path: Path) -> None:
    planted = tmp_path / "bot" / "identity" / "planted.py"
    planted.parent.mkdir(parents=True)
    (tmp_path / "handlers").mkdir()
    planted.write_text("from typing import TYPE_CHECKING\nfrom bot.handoff.cases import Cases\n"
                       "if TYPE_CHECKING:\n    from bot.services import Services\n", encoding="utf-8")
    assert _violations(tmp_path) == [
        "bot.identity.planted imports bot.handoff.cases: bot.identity may not depend on bot.handoff"]


def test_dependencies_install_from_hash_checked_lock_files() -> None:
    """Both Quick start commands install the locked versions, and every pyproject dependency is in the lock."""
    run, dev = quick_start()
    assert "--require-hashes -r requirements/run.lock" in run
    assert "--require-hashes -r requirements/dev.lock" in dev
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    locked = (ROOT / "requirements" / "dev.lock").read_text(encoding="utf-8").lower()
    named = re.findall(r'^\s+"([A-Za-z0-9_.\-]+)', pyproject.split("[project.scripts]")[0], flags=re.M)
    missing = [name for name in named if re.sub(r"[-_.]+", "-", name.lower()) + "==" not in
               re.sub(r"[-_.]+", "-", locked)]
    assert named and not missing, f"not in requirements/dev.lock (make the lock anew): {missing}"
