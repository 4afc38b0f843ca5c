"""The `hotline` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config, new_secret_key
from bot.crypto import KeyRing
from bot.logs import configure_logging

DEFAULT_CONFIG = Path(os.environ.get("HOTLINE_CONFIG", "config.yaml"))

DESCRIPTION = """\
hotline: a Telegram helpline bot for people who refuse to fight.

Start here:
  hotline demo                 chat with the bot in this terminal, offline (no token needed)
  hotline content check        check the content folder before publishing it
  hotline keygen               print a new secret key for HOTLINE_SECRET_KEY
  hotline run                  run the real bot (needs HOTLINE_BOT_TOKEN and HOTLINE_SECRET_KEY)

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

    demo = commands.add_parser("demo", parents=[common], help="chat with the bot in this terminal, offline",
                               description="Runs the real bot against a fake Telegram on this machine and lets "
                                           "you chat with it here. Type a number to press a button, text to "
                                           "send a message, /quit to leave. Nothing is kept afterwards.")
    demo.add_argument("--language", default="en", metavar="CODE",
                      help="the language your pretend Telegram app is set to (default: en)")

    commands.add_parser("keygen", parents=[common], help="print a new secret key",
                        description="Print a new random secret key. Put it in HOTLINE_SECRET_KEY and keep it "
                                    "off the server's disk if you can: whoever has it can read the database.")

    content = commands.add_parser("content", parents=[common], help="tools for content editors")
    content_commands = content.add_subparsers(dest="content_command", metavar="TOOL")
    check = content_commands.add_parser("check", parents=[common], help="check a content folder",
                                        description="Check a content folder: YAML, fields, ids, links, "
                                                    "translations, Telegram's limits and HTML. Exits 1 on "
                                                    "errors; warnings alone exit 0 unless --strict.")
    check.add_argument("directory", nargs="?", type=Path, help="content folder (default: from config.yaml)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    return parser


def _config(path: Path, *, required: bool) -> Config:
    if not required and not path.exists():
        # Editors may check a folder on a laptop without any config: use the defaults.
        with tempfile.TemporaryDirectory() as empty:
            (Path(empty) / "config.yaml").write_text("{}\n", encoding="utf-8")
            return load_config(Path(empty) / "config.yaml")
    return load_config(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "keygen":
            print(new_secret_key())
            return 0
        if args.command == "content" and args.content_command == "check":
            return _content_check(_config(args.config, required=False), args.directory, args.strict)
        if args.command == "run":
            return asyncio.run(_run(load_config(args.config)))
        if args.command == "demo":
            return asyncio.run(_demo(load_config(args.config), args.language))
    except ConfigError as exc:
        print("hotline: cannot start, the settings have problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 0 if args.command is None else 2


def _content_check(config: Config, directory: Path | None, strict: bool) -> int:
    from bot.content.store import load_for

    target = (directory or config.content_dir).resolve()
    result = load_for(config, target)
    for problem in result.problems:
        print(problem.render(Path.cwd()))
    errors, warnings = len(result.errors), len(result.warnings)
    nodes = len(result.snapshot.nodes) if result.snapshot else 0
    if errors:
        print(f"{errors} error(s), {warnings} warning(s): the bot would refuse this content.")
        return 1
    if warnings and strict:
        print(f"{warnings} warning(s), and --strict treats them as errors. {nodes} nodes.")
        return 1
    print(f"OK: {nodes} nodes in {', '.join(config.settings.languages)}; {warnings} warning(s).")
    return 0


async def _run(config: Config) -> int:
    from hotline.app import Hotline, StartupError

    configure_logging(config.settings.log_level)
    missing = [name for name, value in (("HOTLINE_BOT_TOKEN", config.secrets.bot_token),
                                        ("HOTLINE_SECRET_KEY", config.secrets.secret_key)) if not value]
    if missing:
        print(f"hotline: cannot start: {' and '.join(missing)} not set in the environment.", file=sys.stderr)
        print("  Get a token from @BotFather; make a key with `hotline keygen`.", file=sys.stderr)
        return 2
    assert config.secrets.secret_key is not None and config.secrets.bot_token is not None
    try:
        app = await Hotline.create(config, keys=KeyRing(config.secrets.secret_key), token=config.secrets.bot_token)
    except StartupError as exc:
        print("hotline: cannot start:", *exc.problems, sep="\n  ", file=sys.stderr)
        return 2
    try:
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


if __name__ == "__main__":
    raise SystemExit(main())
