"""`hotline content status | export | import`: the translators' tools, as the command line shows them."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Config
from bot.content.loader import LoadResult
from bot.content.model import ContentSnapshot
from bot.content.status import MarkError, mark_current, render_status, translation_status
from bot.content.store import load_for
from bot.content.translations import (
    TranslationFileError,
    apply_import,
    build_export,
    plan_import,
    read_translation_file,
    render_plan,
    write_translation_file,
)


def loaded(config: Config, directory: Path) -> ContentSnapshot | None:
    """The content of a folder, or None after printing its errors (the editors' tools work on content that
    loads; `hotline content check` says the rest)."""
    result = load_for(config, directory)
    if result.snapshot is None:
        for problem in result.errors:
            print(problem.render(Path.cwd()))
        print(f"{len(result.errors)} error(s) in {directory}: fix them first (see `hotline content check`).")
    return result.snapshot


def run_translation_tool(config: Config, args: argparse.Namespace) -> int:
    directory: Path = (args.directory or config.content_dir).resolve()
    snapshot = loaded(config, directory)
    if snapshot is None:
        return 1
    try:
        if args.content_command == "status":
            return _status(directory, snapshot, args)
        if args.content_command == "export":
            return _export(directory, snapshot, args)
        return _import(config, directory, snapshot, args)
    except (TranslationFileError, MarkError) as exc:
        print(f"hotline: {exc}")
        return 1


def _status(directory: Path, snapshot: ContentSnapshot, args: argparse.Namespace) -> int:
    if args.mark_current or args.all:
        if not args.lang:
            print("hotline: --mark-current and --all need --lang: say which language's translations you checked.")
            return 2
        changed = mark_current(directory, snapshot, args.lang, None if args.all else args.mark_current)
        if changed:
            print(f"Marked as matching the current {snapshot.fallback_language} text ({args.lang}): "
                  f"{', '.join(changed)}")
        else:
            print("Nothing to mark: those translations already match the current text.")
        return 0
    languages = [args.lang] if args.lang else [x for x in snapshot.languages if x != snapshot.fallback_language]
    unknown = [x for x in languages if x not in snapshot.languages]
    if unknown:
        print(f"hotline: '{unknown[0]}' is not one of the languages in config.yaml ({', '.join(snapshot.languages)})")
        return 2
    if languages == [snapshot.fallback_language]:
        print(f"{snapshot.fallback_language} is the source language: the others are translated from it.")
        return 0
    print(render_status([translation_status(snapshot, x) for x in languages], snapshot), end="")
    return 0


def _export(directory: Path, snapshot: ContentSnapshot, args: argparse.Namespace) -> int:
    output: Path | None = args.output
    fmt: str = args.format or ("csv" if output is not None and output.suffix.lower() == ".csv" else "po")
    output = output or Path(f"content-{args.lang}.{fmt}")
    previous = read_translation_file(args.previous) if args.previous else None
    data = build_export(directory, snapshot, args.lang, previous)
    write_translation_file(data, snapshot, output, fmt)
    review = sum(1 for e in data.entries if e.needs_review)
    empty = sum(1 for e in data.entries if not e.translation)
    print(f"Wrote {output}: {len(data.entries)} texts for {args.lang}; {empty} not translated yet, "
          f"{review} to check against the {snapshot.fallback_language} text.")
    print(f"When it comes back: hotline content import {output} --dry-run   (then without --dry-run)")
    return 0


def _import(config: Config, directory: Path, snapshot: ContentSnapshot, args: argparse.Namespace) -> int:
    data = read_translation_file(args.file)

    def load(folder: Path) -> LoadResult:
        return load_for(config, folder)

    plan = plan_import(directory, snapshot, data, load, expected_language=args.lang, file_name=str(args.file))
    print(render_plan(plan, Path.cwd()), end="")
    if args.dry_run:
        print("--dry-run: nothing was written.")
        return 0
    written = apply_import(plan)
    if written:
        print(f"Written: {len(written)} file(s). Check the result with `hotline content check`, then publish.")
    return 0
