"""What a person reads when they type instead of tapping: the pages that may answer them, or why not.

Every answer keeps the counsellor one tap away and the main menu one tap away: a frightened person who
typed a question should never end up in a dead end.
"""

from __future__ import annotations

import html

from bot.content.model import ContentSnapshot
from bot.i18n import Catalogs, Translator
from bot.menus.screens import AskCounsellor, Button, ClearChat, GoTo, Screen
from bot.search.query import QueryKind
from bot.search.service import SearchAnswer


def _p(text: str) -> str:
    return html.escape(text, quote=False)


class SearchScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs

    def _t(self, language: str) -> Translator:
        return self._catalogs[language]

    def _way_on(self, language: str, content: ContentSnapshot, topic: str) -> list[tuple[Button, ...]]:
        _ = self._t(language).gettext
        return [(Button("💬 " + _("Talk to a counsellor"), AskCounsellor(topic)),),
                (Button("🏠 " + _("Main menu"), GoTo(content.root)),)]

    def _quick_exit(self, language: str) -> tuple[Button, ...]:
        # The same quick exit as on every menu (Screens.clear_button).
        return (Button("🧹 " + self._t(language).gettext("Clear this chat"), ClearChat()),)

    def answer(self, content: ContentSnapshot, language: str, answer: SearchAnswer, here: str) -> Screen:
        """The reply to a typed text; `here` is the page the person is on (the topic if they ask for help)."""
        if answer.kind is QueryKind.SEARCH and answer.found:
            return self.results(content, language, answer)
        if answer.kind is QueryKind.SEARCH:
            return self.nothing_found(content, language, here, answer.section)
        return self.not_a_question(content, language, answer.kind, here)

    def results(self, content: ContentSnapshot, language: str, answer: SearchAnswer) -> Screen:
        assert answer.ranking is not None
        t = self._t(language)
        _ = t.gettext
        hits = [hit for hit in answer.ranking.hits if hit.node in content]
        lines = []
        if answer.other_language:
            lines.append(_p(_("Nothing matched in your language. These pages matched your words in another "
                              "language: {language}.").format(language=t.name_of(answer.ranking.language))))
        else:
            lines.append(_p(_("These pages may answer your question:")))
        lines.append(_p(_("If none of them fits, a counsellor can help.")))
        rows: list[tuple[Button, ...]] = [
            (Button("📄 " + content.page(hit.node, language).text.button, GoTo(hit.node)),) for hit in hits
        ]
        rows.extend(self._way_on(language, content, hits[0].node if hits else content.root))
        rows.append(self._quick_exit(language))
        return Screen(("\n\n".join(lines),), tuple(rows))

    def nothing_found(self, content: ContentSnapshot, language: str, here: str,
                      section: str | None = None) -> Screen:
        """No page answers: say so, and offer the counsellor, the main menu and, if the search saw one, the
        nearest menu section to browse (SearchAnswer.section)."""
        _ = self._t(language).gettext
        lines = [_p(_("I found no page for those words.")),
                 _p(_("Try one or two other words (for example \"summons\", \"asylum\" or \"alternative "
                      "service\"), choose a topic in the main menu, or ask a counsellor."))]
        rows: list[tuple[Button, ...]] = []
        if section is not None and section in content:
            lines.append(_p(_("The nearest section of the menu is below.")))
            rows.append((Button("📂 " + content.page(section, language).text.button, GoTo(section)),))
        rows.extend(self._way_on(language, content, here))
        return Screen(("\n\n".join(lines),), (*rows, self._quick_exit(language)))

    def not_a_question(self, content: ContentSnapshot, language: str, kind: QueryKind, here: str) -> Screen:
        _ = self._t(language).gettext
        texts = {
            QueryKind.NO_WORDS: _("I can only search words. Write what worries you in a few words, or use the "
                                  "buttons."),
            QueryKind.TOO_SHORT: _("That is too short for me to search. Write a few words, for example "
                                   "\"summons\" or \"asylum in Germany\", or use the buttons."),
            QueryKind.TOO_LONG: _("That is too long for a search. I can only look up a few words. If you want "
                                  "to tell your story, a counsellor can read it: press the button below."),
            QueryKind.GREETING: _("Hello. Write your question in a few words, for example \"summons\" or "
                                  "\"asylum in Germany\", or choose a topic in the main menu."),
            QueryKind.MENU: _("The main menu is one tap away: press the button below. /language changes the "
                              "language."),
            QueryKind.COUNSELLOR: _("Do you want to talk to a person? Press \"Talk to a counsellor\" below."),
            QueryKind.COMMAND: _("I don't know that command. Try /start for the menu, /language to change the "
                                 "language, or /help."),
        }
        text = _p(texts.get(kind, texts[QueryKind.TOO_SHORT]))
        rows = self._way_on(language, content, here)
        if kind is QueryKind.MENU:
            rows.reverse()
        return Screen((text,), (*rows, self._quick_exit(language)))
