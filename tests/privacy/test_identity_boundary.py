"""Only the identity boundary reads who sent an update; every other module works with a pseudonym.

Reads the source of every module, so a new handler that reaches for `message.from_user` fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = ROOT / "handlers" / "identity.py"
# The fake Telegram *is* the other side of the wire: it makes up users and chats by design.
NOT_THE_BOT = {ROOT / "bot" / "simulator"}

IDENTITY_ATTRIBUTES = {"from_user", "username", "first_name", "last_name", "full_name", "phone_number",
                       "sender_chat", "contact", "user_shared", "users_shared"}
IDENTITY_KEYS = {"event_from_user", "event_chat"}


def _modules() -> list[Path]:
    files = []
    for package in ("bot", "handlers", "hotline"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(path.is_relative_to(excluded) for excluded in NOT_THE_BOT):
                files.append(path)
    return files


def identity_reads(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr in IDENTITY_ATTRIBUTES:
                found.append(f"line {node.lineno}: .{node.attr}")
            # chat.id, message.chat.id, callback.message.chat.id ...
            if node.attr == "id" and isinstance(node.value, ast.Attribute) and node.value.attr in {"chat", "user"}:
                found.append(f"line {node.lineno}: .{node.value.attr}.id")
            if node.attr == "chat_id":
                found.append(f"line {node.lineno}: .chat_id")
        if isinstance(node, ast.Constant) and node.value in IDENTITY_KEYS:
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


def test_only_the_boundary_reads_telegram_identity() -> None:
    offenders = {}
    for path in _modules():
        if path == BOUNDARY:
            continue
        reads = identity_reads(path.read_text(encoding="utf-8"))
        if reads:
            offenders[str(path.relative_to(ROOT))] = reads
    assert offenders == {}


def test_the_boundary_is_where_identity_is_read() -> None:
    assert identity_reads(BOUNDARY.read_text(encoding="utf-8")), "the boundary moved: update BOUNDARY"


def test_the_check_catches_a_handler_that_reads_identity() -> None:
    leaky = "async def h(message):\n    name = message.from_user.username\n    await send(message.chat.id)\n"
    assert identity_reads(leaky) == ["line 2: .username", "line 2: .from_user", "line 3: .chat.id"]
