"""The About page's list of when each answer was checked, made from tree.yml so it can never go stale.

People deciding whether to trust a page about a law that changes every few months need its date. The
list is grouped by the main menu's sections, and a section whose pages were all checked on one day takes
one line, so it stays short on a phone.
"""

from __future__ import annotations

import html

from bot.content.model import ContentSnapshot
from bot.i18n import Translator


def _subtree(content: ContentSnapshot, node_id: str) -> list[str]:
    ids = [node_id]
    for child in content.nodes[node_id].children:
        ids.extend(_subtree(content, child))
    return ids


def checked_dates(content: ContentSnapshot, language: str, t: Translator) -> str:
    """Telegram HTML: a heading, then per section of the main menu its pages' `checked:` dates."""
    _ = t.gettext

    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    def label(node_id: str) -> str:
        return content.page(node_id, language).text.button

    heading = "<b>" + esc(_("When each answer was checked")) + "</b>"
    blocks: list[str] = []
    for section in content.nodes[content.root].children:
        ids = [n for n in _subtree(content, section) if n != content.about]
        if not ids:
            continue
        dates = {content.nodes[n].checked for n in ids}
        title = "<b>" + esc(label(section)) + "</b>"
        if len(dates) == 1:
            day = dates.pop()
            when = (t.ngettext("{count} page, checked {date}", "{count} pages, all checked {date}", len(ids))
                    .format(count=len(ids), date=t.date(day)) if day else _("not checked yet"))
            blocks.append(f"{title}: {esc(when)}")
            continue
        rows = [title]
        for node_id in ids:
            day = content.nodes[node_id].checked
            rows.append(f"• {esc(label(node_id))}: {esc(t.date(day) if day else _('not checked yet'))}")
        blocks.append("\n".join(rows))
    return heading + "\n" + "\n".join(blocks)
