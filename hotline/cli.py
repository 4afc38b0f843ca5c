"""The `hotline` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.config import Config, ConfigError, load_config, new_secret_key
from bot.identity.crypto import KeyRing
from bot.logs import configure_logging

if TYPE_CHECKING:
    from bot.content.loader import Problem
    from bot.content.model import ContentSnapshot

DEFAULT_CONFIG = Path(os.environ.get("HOTLINE_CONFIG", "config.yaml"))

DESCRIPTION = """\
hotline: a Telegram helpline bot for people who refuse to fight.

Start here:
  hotline demo                 chat with the bot in this terminal, offline (no token needed)
  hotline preview              see the bot in your browser as people will, reloading as you edit content
  hotline content check        check the content folder before publishing it
  hotline content status       what is left to translate (also: export, import, search)
  hotline stats                anonymous usage statistics
  hotline keygen               print a new secret key for HOTLINE_SECRET_KEY
  hotline run                  run the real bot (needs HOTLINE_BOT_TOKEN and HOTLINE_SECRET_KEY)
  hotline webhook              the same, serving Telegram's webhook (also needs HOTLINE_WEBHOOK_SECRET)
  hotline rotate-keys          re-encrypt everything under a new secret key

Settings are read from config.yaml (or --config PATH); secrets only from the environment.
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=DEFAULT_CONFIG, metavar="PATH",
                        help="settings file (default: ./config.yaml, or $HOTLINE_CONFIG)")

    parser = argparse.ArgumentParser(prog="hotline", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("run", parents=[common], help="run the bot with long polling",
                        description="Run the bot against Telegram (or HOTLINE_API_SERVER) with long polling. "
                                    "Needs HOTLINE_BOT_TOKEN (from @BotFather) and HOTLINE_SECRET_KEY.")

    commands.add_parser("webhook", parents=[common], help="serve Telegram's webhook (production transport)",
                        description="Serve Telegram's webhook with aiohttp on webhook.host:webhook.port at "
                                    "webhook.path (config.yaml), and register webhook.public_url + path with "
                                    "Telegram. Needs HOTLINE_BOT_TOKEN, HOTLINE_SECRET_KEY and "
                                    "HOTLINE_WEBHOOK_SECRET (requests without it get 401). GET /healthz answers "
                                    "for monitoring.")

    demo = commands.add_parser("demo", parents=[common], help="chat with the bot in this terminal, offline",
                               description="Runs the real bot against a fake Telegram on this machine and lets "
                                           "you chat with it here. Type a number to press a button, text to "
                                           "send a message, /quit to leave. Nothing is kept afterwards.")
    demo.add_argument("--language", default="en", metavar="CODE",
                      help="the language your pretend Telegram app is set to (default: en)")

    preview = commands.add_parser(
        "preview", parents=[common], help="see the bot in your browser, as people will",
        description="Runs the real bot against a fake Telegram on this machine and shows it in your browser: "
                    "a person's chat and a counsellor's, side by side. Pick the phone's language, go to any "
                    "page by its id, and see your content changes as soon as you save them. Nothing is kept.")
    preview.add_argument("--port", type=int, default=8765, metavar="N",
                         help="the port on 127.0.0.1 (default: 8765; 0 picks a free one)")
    preview.add_argument("--language", default="en", metavar="CODE",
                         help="the language the pretend phone starts in (default: en)")
    preview.add_argument("--team", action=argparse.BooleanOptionalAction, default=None,
                         help="show team mode: cases as topics of the counsellors' group (default: as "
                              "config.yaml's team.enabled says)")

    rotate = commands.add_parser(
        "rotate-keys", parents=[common], help="re-encrypt everything under a new secret key",
        description="With the bot stopped, after setting a new HOTLINE_SECRET_KEY and moving the old one to "
                    "HOTLINE_PREVIOUS_KEYS: re-encrypt every stored value and rename every pseudonym under the "
                    "new key, in one transaction. Afterwards nothing needs the old key: remove it and destroy "
                    "it. The menu state (language, page) of people the bot has no chat id for cannot be moved "
                    "and is dropped; blocks and revocations that cannot be moved stop the rotation.")
    rotate.add_argument("--drop-blocks", action="store_true",
                        help="lift the blocks that cannot be moved to the new key instead of refusing")

    stats = commands.add_parser("stats", parents=[common], help="anonymous usage statistics",
                                description="Page views, where people stop, requests for a counsellor by topic "
                                            "and language, cases, and the median wait: anonymous daily counts, "
                                            "never per person.")
    stats.add_argument("--days", type=int, default=30, help="how many days back (default 30)")
    stats.add_argument("--chart", type=Path, metavar="FILE.png",
                       help="also draw views and requests per day (needs: pip install 'hotline[charts]')")

    commands.add_parser("keygen", parents=[common], help="print a new secret key",
                        description="Print a new random secret key. Put it in HOTLINE_SECRET_KEY and keep it "
                                    "off the server's disk if you can: whoever has it can read the database.")

    content = commands.add_parser("content", parents=[common], help="tools for content editors")
    content_commands = content.add_subparsers(dest="content_command", metavar="TOOL")
    check = content_commands.add_parser("check", parents=[common], help="check a content folder",
                                        description="Check a content folder: YAML, fields, ids, links, "
                                                    "translations, Telegram's limits and HTML. Exits 1 on "
                                                    "errors; warnings alone exit 0 unless --strict.")
    _content_folder(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    _translation_parsers(content_commands, common)
    search = content_commands.add_parser(
        "search", parents=[common], help="try a question against the bot's search",
        description="Show how the bot ranks the pages for a question typed in a language: the pages a person "
                    "would get (the first three), the next ones, and which words matched. Add `keywords:` to "
                    "a page's text to help the search find it.")
    search.add_argument("query", help="the question, as a person would type it (quote it)")
    _content_folder(search)
    search.add_argument("--lang", required=True, metavar="CODE", help="the language the person reads")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="how many pages to list (default 10)")
    search.add_argument("--here", metavar="PAGE", help="the page the person is on (default: the main menu); "
                                                       "its section's pages rank first")
    calibrate = content_commands.add_parser(
        "calibrate", parents=[common], help="fit the search's no-match decision on the content's questions",
        description="Ask each of the content's questions (questions.yml) of a search built without it, fit the "
                    "chance that the best page answers on what it ranked, and print the fitted weights (for "
                    "bot/search/calibration.py) with what they and the shipped ones do per language. Takes seconds "
                    "for the shipped content; nothing is changed.")
    _content_folder(calibrate)
    misses = content_commands.add_parser(
        "misses", parents=[common], help="the content's questions the search gets wrong when they are not listed",
        description="Ask each question of questions.yml of the bot's search built without it, as if someone typed "
                    "it and nobody had listed it, and list per language the ones it gets wrong: a question whose "
                    "page is not offered (under each page it is listed for, with what was offered) and a question "
                    "no page answers that gets a page. Takes seconds for the shipped content; nothing is changed.")
    _content_folder(misses)
    misses.add_argument("--lang", metavar="CODE", help="only this language")
    return parser


def _content_folder(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", type=Path, help="content folder (default: from config.yaml)")


def _translation_parsers(content_commands: argparse._SubParsersAction[argparse.ArgumentParser],
                         common: argparse.ArgumentParser) -> None:
    status = content_commands.add_parser(
        "status", parents=[common], help="what is left to translate, per language",
        description="Per language: which pages are translated and current, outdated (the English changed "
                    "after they were translated), unverified, missing, or untranslated on purpose; link "
                    "labels and short buttons count too. --mark-current records, after you compared a "
                    "translation with the English, that it matches the English as it is now.")
    _content_folder(status)
    status.add_argument("--lang", metavar="CODE", help="only this language")
    mark = status.add_mutually_exclusive_group()
    mark.add_argument("--mark-current", nargs="+", metavar="NODE",
                      help="mark these translations (of --lang) as matching the current English")
    mark.add_argument("--all", action="store_true",
                      help="mark every outdated or unverified translation of --lang as current")

    export = content_commands.add_parser(
        "export", parents=[common], help="write one language's texts to a PO or CSV file for translators",
        description="Write every text of one language, beside its English source, to a PO file (for Poedit, "
                    "Weblate, Crowdin …) or a CSV file (for a spreadsheet). Texts that need checking are "
                    "marked (fuzzy in PO, the 'check' column in CSV). Bring it back with `content import`.")
    _content_folder(export)
    export.add_argument("--lang", required=True, metavar="CODE", help="the language to translate into")
    export.add_argument("--format", choices=["po", "csv"], help="default: from the file name, else po")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: content-CODE.po")
    export.add_argument("--from", dest="previous", type=Path, metavar="OLD_FILE",
                        help="carry the translations over from an older export of the same language; those "
                             "whose English changed since are marked for checking")

    imp = content_commands.add_parser(
        "import", parents=[common], help="bring a translated PO or CSV file back into the content",
        description="Read a file made by `content export`, show what it changes, check the result like "
                    "`content check`, and write it into the language's folder. Refuses a file for another "
                    "language or made from other English texts.")
    imp.add_argument("file", type=Path, help="the translated .po or .csv file")
    _content_folder(imp)
    imp.add_argument("--lang", metavar="CODE", help="refuse the file unless it is in this language")
    imp.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")


def _config(path: Path, *, required: bool) -> Config:
    if not required and not path.exists():
        # Editors may check a folder on a laptop without any config: use the defaults.
        with tempfile.TemporaryDirectory() as empty:
            (Path(empty) / "config.yaml").write_text("{}\n", encoding="utf-8")
            return load_config(Path(empty) / "config.yaml")
    return load_config(path)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
    except BrokenPipeError:
        # The output went to a program that stopped reading ("| head"): nothing is wrong here. Python would
        # print a traceback when it flushes stdout at exit, so stdout goes nowhere from now on.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a program whose pipe was closed
    return code


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # argparse takes an optional folder only before the options ("search QUERY FOLDER --lang de"); editors
    # also write it after them.
    if len(extra) == 1 and not extra[0].startswith("-") and getattr(args, "directory", ...) is None:
        args.directory, extra = Path(extra[0]), []
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "keygen":
            print(new_secret_key())
            return 0
        if args.command == "content" and args.content_command == "check":
            return _content_check(_config(args.config, required=False), args.directory, args.strict)
        if args.command == "content" and args.content_command == "search":
            from hotline.search_cli import content_search

            return content_search(_config(args.config, required=False), args.directory, args.query, args.lang,
                                  args.limit, args.here)
        if args.command == "content" and args.content_command == "calibrate":
            from hotline.search_cli import content_calibrate

            return content_calibrate(_config(args.config, required=False), args.directory)
        if args.command == "content" and args.content_command == "misses":
            from hotline.search_cli import content_misses

            return content_misses(_config(args.config, required=False), args.directory, args.lang)
        if args.command == "content" and args.content_command in ("status", "export", "import"):
            from hotline.content_cli import run_translation_tool

            return run_translation_tool(_config(args.config, required=False), args)
        if args.command == "stats":
            return asyncio.run(_stats(load_config(args.config), args.days, args.chart))
        if args.command == "rotate-keys":
            return asyncio.run(_rotate_keys(load_config(args.config), drop_blocks=args.drop_blocks))
        if args.command == "run":
            return asyncio.run(_run(load_config(args.config)))
        if args.command == "webhook":
            return asyncio.run(_run(load_config(args.config), webhook=True))
        if args.command == "demo":
            return asyncio.run(_demo(load_config(args.config), args.language))
        if args.command == "preview":
            return asyncio.run(_preview(load_config(args.config), args.port, args.language, args.team))
    except ConfigError as exc:
        print("hotline: cannot start, the settings have problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 0 if args.command is None else 2


def _glossary_problems(snapshot: ContentSnapshot, directory: Path) -> list[Problem]:
    """Warnings for the search glossary's entries that cannot work (a small word, a meaning no page has)."""
    from bot.content.loader import Problem
    from bot.content.model import GLOSSARY_NAMES
    from bot.search import SearchIndex
    from bot.yamlsource import load_yaml

    problems = []
    for language, pairs in SearchIndex(snapshot).glossary_problems().items():
        files = [path for path in sorted((directory / language).glob("*")) if path.name.lower() in GLOSSARY_NAMES]
        path = files[0] if files else directory / language / "search.yml"
        document = load_yaml(path) if files else None
        sections = document.data if document is not None and isinstance(document.data, dict) else {}
        for section, word, problem, fix in pairs:
            written = {str(key).strip().lower(): key for key in (sections.get(section) or {})}
            line = document.line_of((section, written[word])) if document is not None and word in written else None
            problems.append(Problem("warning", path, line, f"'{word}': {problem}", fix))
    return problems


# Why the bot would never search a listed question, by what it reads the question as (bot/search/query.py).
_NOT_SEARCHED = {
    "too_long": ("the bot never searches a message this long (over {chars} characters or {words} words): it reads it "
                 "as a story and offers a counsellor", "shorten it to the question itself"),
    "greeting": ("the bot reads this as a greeting, not a question", "write the question people ask"),
    "menu": ("the bot reads this as asking for the menu, not a question", "write the question people ask"),
    "counsellor": ("the bot reads this as asking for a counsellor and offers one, without searching",
                   "remove it: no page needs it"),
    "too_short": ("the bot never searches a message this short", "write the question people ask"),
    "no_words": ("the bot never searches a message without words", "write the question people ask"),
    "command": ("the bot reads a message starting with / as a command", "remove the /"),
}


def _question_problems(snapshot: ContentSnapshot, directory: Path) -> list[Problem]:
    """Warnings for the listed questions (content/<lang>/questions.yml) that the bot would never search: too
    long, or read as a greeting, a command or a call for a counsellor; and for those written in another language
    of the same alphabet (English in the German file): the search reads them as that language's words."""
    from bot.content.loader import Problem
    from bot.content.model import QUESTION_NAMES
    from bot.search import QueryKind, classify
    from bot.search.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS
    from bot.yamlsource import load_yaml

    problems = []
    for language in snapshot.languages:
        listed: list[tuple[str | None, str]] = [
            (node, question) for node, questions in snapshot.questions.get(language, {}).items()
            for question in questions]
        listed += [(None, question) for question in snapshot.not_answered.get(language, ())]
        unread: list[tuple[str | None, str, str, str]] = []
        for node, question in listed:
            if (kind := classify(question)) is not QueryKind.SEARCH:
                why, fix = _NOT_SEARCHED[kind.value]
                unread.append((node, question, why.format(chars=MAX_QUERY_CHARS, words=MAX_QUERY_WORDS), fix))
            elif (other := _written_in(question, language, snapshot.languages)) is not None:
                unread.append((node, question, f"this looks like {other}, not {language}: the search reads "
                               f"{language} questions as {language} words",
                               f"move it to {other}/questions.yml, or write it as people ask in {language}"))
        if not unread:
            continue
        files = [path for path in sorted((directory / language).glob("*")) if path.name.lower() in QUESTION_NAMES]
        document = load_yaml(files[0])
        for node, question, problem, fix in unread:
            section = ("answered", node) if node is not None else ("not_answered",)
            written = (document.data or {}).get(section[0]) if isinstance(document.data, dict) else None
            if node is not None and isinstance(written, dict):
                written = written.get(node)
            # Its position in the file (the loaded list has none of the entries the loader refused).
            at = next((i for i, text in enumerate(written or ()) if isinstance(text, str)
                       and text.strip() == question), None) if isinstance(written, list) else None
            line = document.line_of((*section, at)) if at is not None else None
            short = question if len(question) <= 60 else question[:57] + "..."
            problems.append(Problem("warning", files[0], line, f"'{short}': {problem}", fix))
    return problems


def _written_in(question: str, language: str, languages: Sequence[str]) -> str | None:
    """The other language of the same alphabet a question is written in, by its small words ("what", "und",
    "як"), or None: at least two of another language's that are not also this one's, and none that are only this
    one's. (A question in another alphabet is the loader's warning.)"""
    from bot.search.text import script_of, words

    alphabets = _small_words(language)[1]
    if script_of(question) not in alphabets:
        return None
    said = set(words(question))
    for other in languages:
        if other != language and len(said & _only_in(other, language)) >= 2 and not said & _only_in(language, other):
            return other
    return None


@functools.cache
def _small_words(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """A language's small words and the alphabets they are written in (worked out once: the content has
    thousands of questions)."""
    from bot.search.text import STOP_WORDS, script_of

    own = STOP_WORDS.get(language, frozenset())
    return own, frozenset({script_of(word) for word in own} - {"other"})


@functools.cache
def _only_in(language: str, other: str) -> frozenset[str]:
    """The small words of `language` that are not `other`'s."""
    return _small_words(language)[0] - _small_words(other)[0]


def _content_check(config: Config, directory: Path | None, strict: bool) -> int:
    from bot.content.store import load_for

    target = (directory or config.content_dir).resolve()
    result = load_for(config, target)
    problems = list(result.problems)
    if result.snapshot is not None and result.snapshot.glossary:
        problems.extend(_glossary_problems(result.snapshot, target))
    if result.snapshot is not None:
        problems.extend(_question_problems(result.snapshot, target))
    for problem in problems:
        print(problem.render(Path.cwd()))
    errors, warnings = len(result.errors), sum(problem.level == "warning" for problem in problems)
    nodes = len(result.snapshot.nodes) if result.snapshot else 0
    if errors:
        print(f"{errors} error(s), {warnings} warning(s): the bot would refuse this content.")
        return 1
    if warnings and strict:
        print(f"{warnings} warning(s), and --strict treats them as errors. {nodes} nodes.")
        return 1
    print(f"OK: {nodes} nodes in {', '.join(config.settings.languages)}; {warnings} warning(s).")
    return 0


async def _stats(config: Config, days: int, chart_path: Path | None) -> int:
    from bot.clock import Clock
    from bot.content.store import load_for
    from bot.stats.counters import Counters
    from bot.stats.tallies import Stats, chart, render
    from bot.storage.database import Database

    database = Database(config.database_url)
    try:
        await database.migrate()
        clock = Clock()
        report = await Stats(Counters(database.sessions, clock), clock).report(max(1, days))
    finally:
        await database.close()
    loaded = load_for(config)
    content = loaded.snapshot
    fallback = config.settings.content.fallback_language
    titles = {node: content.page(node, fallback).text.title for node in content.nodes} if content else {}
    print(render(report, titles))
    if chart_path is not None:
        try:
            chart(report, str(chart_path))
        except ImportError:
            print("hotline: charts need matplotlib: pip install 'hotline[charts]'", file=sys.stderr)
            return 2
        print(f"Chart written to {chart_path}")
    return 0


async def _rotate_keys(config: Config, *, drop_blocks: bool = False) -> int:
    from bot.identity.keys import WrongKeyError
    from bot.identity.rotation import RotationRefused, rotate_all, values_under_other_keys
    from bot.storage.database import Database

    if not config.secrets.secret_key:
        print("hotline: HOTLINE_SECRET_KEY (the new key) is not set.", file=sys.stderr)
        return 2
    keys = KeyRing(config.secrets.secret_key, config.secrets.previous_keys)
    settings = config.settings
    staff = [c.telegram_id for c in settings.counsellors] + list(settings.admins) + list(settings.restored)
    database = Database(config.database_url)
    try:
        await database.migrate()
        team_group = settings.team.group_id if settings.team.enabled else None
        report = await rotate_all(database, keys, staff, drop_blocks=drop_blocks, team_group=team_group)
        left = await values_under_other_keys(database, keys)
    except (WrongKeyError, RotationRefused) as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 2
    finally:
        await database.close()
    print(f"Re-encrypted {report.resealed} value(s) and renamed {report.renamed} pseudonym(s) under the new key.")
    if report.dropped_menu_states:
        print(f"Dropped the menu state (language, page) of {report.dropped_menu_states} person(s) the bot has no "
              "chat id for: it cannot be moved; they will pick their language again.")
    if report.dropped_blocks:
        print(f"Lifted {report.dropped_blocks} block(s) that could not be moved (--drop-blocks).")
    for column, count in sorted(report.unreadable.items()):
        print(f"Removed {count} value(s) in {column} that no key given opens (they could never be used).")
    if left:
        print(f"{left} value(s) are still not under the new key: keep the old key and run rotate-keys again.",
              file=sys.stderr)
        return 1
    print("Nothing in the database needs the old key any more: remove it from HOTLINE_PREVIOUS_KEYS and "
          "destroy it, then start the bot.")
    return 0


async def _run(config: Config, *, webhook: bool = False) -> int:
    # What start-up builds (aiogram's classes, the content) lives for good: collecting while it is built only
    # walks it again and again (a tenth of the import). Hotline's startup hook freezes it and turns this back on.
    gc.disable()
    from hotline.app import Hotline, StartupError

    configure_logging(config.settings.log_level)
    required = [("HOTLINE_BOT_TOKEN", config.secrets.bot_token), ("HOTLINE_SECRET_KEY", config.secrets.secret_key)]
    if webhook:
        required.append(("HOTLINE_WEBHOOK_SECRET", config.secrets.webhook_secret))
    missing = [name for name, value in required if not value]
    if missing:
        print(f"hotline: cannot start: {' and '.join(missing)} not set in the environment.", file=sys.stderr)
        print("  Get a token from @BotFather; make a key with `hotline keygen`.", file=sys.stderr)
        return 2
    assert config.secrets.secret_key is not None and config.secrets.bot_token is not None
    keys = KeyRing(config.secrets.secret_key, config.secrets.previous_keys)
    if make_url(config.database_url).get_backend_name() != "sqlite":
        # PostgreSQL: any number of instances, one leading (docs/multi-instance.md)
        from hotline import cluster

        try:
            return await cluster.serve(config, keys, config.secrets.bot_token,
                                       secret=config.secrets.webhook_secret if webhook else None)
        except StartupError as exc:
            print("hotline: cannot start:", *exc.problems, sep="\n  ", file=sys.stderr)
            return 2
    try:
        app = await Hotline.create(config, keys=keys, token=config.secrets.bot_token)
    except StartupError as exc:
        print("hotline: cannot start:", *exc.problems, sep="\n  ", file=sys.stderr)
        return 2
    try:
        if webhook:
            assert config.secrets.webhook_secret is not None
            await app.run_webhook(config.secrets.webhook_secret)
        else:
            await app.run_polling()
    finally:
        await app.close()
    return 0


async def _demo(config: Config, language: str) -> int:
    from bot.simulator.server import FakeTelegram
    from bot.simulator.terminal import TerminalChat
    from hotline.app import Hotline, StartupError

    configure_logging("WARNING")
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="hotline-demo-") as scratch:
        # The demo keeps nothing: a throwaway key and a database that is deleted on exit.
        demo_config = config.model_copy(update={
            "api_server": fake.base_url,
            "database_url": f"sqlite+aiosqlite:///{Path(scratch) / 'demo.sqlite'}",
        })
        try:
            app = await Hotline.create(demo_config, keys=KeyRing.ephemeral(), token=fake.token)
        except StartupError as exc:
            print("hotline: cannot start:", *exc.problems, sep="\n  ", file=sys.stderr)
            await fake.stop()
            return 2
        polling = asyncio.create_task(app.run_polling(handle_signals=False))
        # The terminal waits for the bot to finish each answer; the fake cannot see inside the bot.
        fake.bot_busy = lambda: app.busy
        person = fake.user(int.from_bytes(os.urandom(4), "big") | 1, "Demo", language_code=language)
        await fake.send_text(person, "/start")  # open the menu, as tapping START in Telegram would
        try:
            await TerminalChat(fake, person).run()
        finally:
            await app.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
            await app.close()
            await fake.stop()
    return 0


async def _preview(config: Config, port: int, language: str, team: bool | None = None) -> int:
    from hotline.app import StartupError
    from hotline.preview import Preview

    configure_logging("WARNING")
    preview = Preview(config, language=language, team=team)
    try:
        url = await preview.start(port=port)
    except StartupError as exc:
        print("hotline: cannot start:", *exc.problems, sep="\n  ", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"hotline: cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port 0", file=sys.stderr)
        return 2
    print(f"Preview running: open {url} in your browser. Content changes show up when you save. Ctrl+C stops.",
          flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still ends it, less gracefully
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await preview.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
