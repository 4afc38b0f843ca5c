"""Logging that cannot carry a secret: a filter masks anything shaped like a bot token.

The rest of the rule (no message text, ids or chat ids in logs) is kept by what the code logs: event
names, counts and exception types. The filter is the safety net for what libraries log on their own.
"""

from __future__ import annotations

import logging
import re
from typing import IO

TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
MASK = "<token>"


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_RE.search(message):
            record.msg = TOKEN_RE.sub(MASK, message)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks quote exception messages; keep the type and the place, not the words.
            record.exc_text = None
            exc_type = record.exc_info[0]
            record.exc_info = None
            record.msg = f"{record.msg} ({exc_type.__name__ if exc_type else 'exception'})"
        return True


def make_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    return handler


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler()]
    root.setLevel(level)
    # aiohttp's access log and SQLAlchemy's echo would print requests and statements: keep them quiet.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
