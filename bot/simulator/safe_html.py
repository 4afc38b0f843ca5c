"""Telegram message text as HTML a browser may render: Telegram's formatting, nothing else.

The browser preview shows what the bot sends, and the bot sends what editors wrote in the content YAML.
Everything is escaped; only Telegram's own tags come through, rebuilt from scratch (never copied), with
no attributes except a checked link target. A text Telegram would refuse is shown as plain text.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from bot.telegram.html import to_plain, validate

# Telegram tag -> the tag written for the browser (aliases collapse to one form).
_SIMPLE = {
    "b": "b", "strong": "b",
    "i": "i", "em": "i",
    "u": "u", "ins": "u",
    "s": "s", "strike": "s", "del": "s",
    "code": "code", "pre": "pre",
}
_LINK_SCHEMES = ("https://", "http://", "mailto:")


def message_html(text: str | None, parse_mode: str | None) -> str:
    """Safe HTML for a message's text or caption as sent with ``parse_mode``."""
    if not text:
        return ""
    if (parse_mode or "").lower() != "html":
        return html.escape(text)
    if validate(text):
        return html.escape(to_plain(text))  # Telegram would refuse it; never guess at broken markup
    writer = _Writer()
    writer.feed(text)
    writer.close()
    return writer.result()


class _Writer(HTMLParser):
    """Re-emits validated Telegram HTML: known tags rebuilt, all text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._open: list[str] = []  # the closing tags owed, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs}
        if tag in _SIMPLE:
            self._push(f"<{_SIMPLE[tag]}>", f"</{_SIMPLE[tag]}>")
        elif tag == "blockquote":
            self._push('<blockquote class="expandable">' if "expandable" in values else "<blockquote>",
                       "</blockquote>")
        elif tag == "tg-spoiler" or (tag == "span" and values.get("class") == "tg-spoiler"):
            self._push('<span class="spoiler">', "</span>")
        elif tag == "a":
            href = (values.get("href") or "").strip()
            if href.lower().startswith(_LINK_SCHEMES):
                safe = html.escape(href, quote=True)
                self._push(f'<a href="{safe}" target="_blank" rel="noopener noreferrer">', "</a>")
            else:  # tg:// links mean nothing in a browser; show the text as a link would look
                self._push('<span class="link">', "</span>")
        else:  # tg-emoji and anything else that passed validation: keep the text only
            self._push("", "")

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._out.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        self._out.append(html.escape(data, quote=True))

    def _push(self, opening: str, closing: str) -> None:
        self._out.append(opening)
        self._open.append(closing)

    def result(self) -> str:
        return "".join(self._out) + "".join(reversed(self._open))
