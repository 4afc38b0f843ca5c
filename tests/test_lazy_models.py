"""aiogram's models are built on first use, not at import (bot/telegram/lazy_models.py), and validate exactly
as when aiogram builds them all at import. Each check runs in a fresh interpreter: the import is what is tested."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

UPDATES = [
    {"update_id": 7, "message": {"message_id": 3, "date": 1700000000, "text": "/start",
                                 "chat": {"id": 42, "type": "private", "first_name": "A"},
                                 "from": {"id": 42, "is_bot": False, "first_name": "A", "language_code": "ru"},
                                 "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}},
    {"update_id": 8, "callback_query": {"id": "c1", "chat_instance": "x", "data": "n:home",
                                        "from": {"id": 42, "is_bot": False, "first_name": "A"},
                                        "message": {"message_id": 4, "date": 1700000001, "text": "menu",
                                                    "chat": {"id": 42, "type": "private"},
                                                    "reply_markup": {"inline_keyboard": [[
                                                        {"text": "Back", "callback_data": "n:home"}]]}}}},
    {"update_id": 9, "message": {"message_id": 5, "date": 1700000002, "chat": {"id": 42, "type": "private"},
                                 "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
                                 "caption": "x", "reply_to_message": {"message_id": 4, "date": 1700000001,
                                                                      "chat": {"id": 42, "type": "private"}}}},
]

PROGRAM = """
import json, sys
{first}
from aiogram.methods import Response, SendMessage
from aiogram.types import Message, Update
from pydantic import ValidationError
deferred = not SendMessage.__pydantic_complete__
def run():
    updates = [Update.model_validate(u).model_dump(mode="json", exclude_none=True) for u in json.loads(sys.argv[1])]
    sent = Response[Message].model_validate({{"ok": True, "result": json.loads(sys.argv[1])[0]["message"]}})
    method = SendMessage(chat_id=42, text="hi", protect_content=True).model_dump(mode="json", exclude_defaults=True)
    try:
        Update.model_validate({{"update_id": "not a number"}})
        refused = False
    except ValidationError:
        refused = True
    return {{"deferred": deferred, "updates": updates, "sent": sent.result.text, "method": method,
             "refused": refused}}
print(json.dumps(run()))
"""


def _run(first: str) -> dict[str, object]:
    code = textwrap.dedent(PROGRAM.format(first=first))
    done = subprocess.run([sys.executable, "-c", code, json.dumps(UPDATES)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_models_are_built_on_first_use_and_validate_as_when_built_at_import() -> None:
    lazy = _run("import bot")  # the bot's way: bot/__init__.py installs the finder before aiogram is imported
    eager = _run("import aiogram")  # aiogram alone builds everything at import
    assert lazy["deferred"] is True
    assert eager["deferred"] is False
    assert lazy["updates"] == eager["updates"]
    assert lazy["sent"] == eager["sent"] == "/start"
    assert lazy["method"] == eager["method"]
    assert lazy["refused"] is eager["refused"] is True


def test_nothing_changes_when_aiogram_was_imported_first() -> None:
    assert _run("import aiogram, bot")["deferred"] is False


def test_the_program_imports_aiogram_lazily() -> None:
    # hotline.app imports aiogram before anything of bot/: hotline/__init__.py installs the finder too.
    assert _run("import hotline.app")["deferred"] is True
