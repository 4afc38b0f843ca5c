"""The About page's list of when each answer was checked, made from tree.yml so it can never go stale.

People deciding whether to trust a page about a law that changes every few months need its date. The
list is grouped by the main menu's sections, and a section whose pages were all checked on one day takes
one line, so it stays short on a phone. A section checked on several days gives the day most of its pages were
checked on, then each other day with the pages checked on it: re-checking one page adds one line, never a line
for every page of its section (the list has to fit the About page's one message).
"""

from __future__ import annotations

import html
from datetime import date

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
        by_day: dict[date | None, list[str]] = {}
        for node_id in ids:
            by_day.setdefault(content.nodes[node_id].checked, []).append(node_id)
        title = "<b>" + esc(label(section)) + "</b>"
        if len(by_day) == 1:
            [(day, _pages)] = by_day.items()
            when = (t.ngettext("{count} page, checked {date}", "{count} pages, all checked {date}", len(ids))
                    .format(count=len(ids), date=t.date(day)) if day else _("not checked yet"))
            blocks.append(f"{title}: {esc(when)}")
            continue
        # The day most pages were checked on (of two as many, the later), then the others, latest first, and the
        # pages never checked last.
        most = max((day for day in by_day if day is not None), key=lambda day: (len(by_day[day]), day))
        rows = [f"{title}: " + esc(t.ngettext("{count} page checked {date}", "{count} pages checked {date}",
                                              len(by_day[most])).format(count=len(by_day[most]), date=t.date(most)))]
        others = sorted((day for day in by_day if day is not None and day != most), reverse=True)
        for day in [*others, *([None] if None in by_day else [])]:
            when = t.date(day) if day else _("not checked yet")
            # "; " between pages: buttons have commas in them ("Summons, TCC, fines").
            rows.append(f"• {esc(when)}: " + "; ".join(esc(label(node_id)) for node_id in by_day[day]))
        blocks.append("\n".join(rows))
    return heading + "\n" + "\n".join(blocks)
