"""What the person reads about their data: forgetting, clearing the chat, limits and expiry."""

from __future__ import annotations

import html

from bot.i18n import Catalogs
from bot.menus.screens import Button, Forget, GoTo, Screen


def _p(text: str) -> str:
    return html.escape(text, quote=False)


class PrivacyScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs

    def forget_confirm(self, language: str, root: str) -> Screen:
        _ = self._catalogs[language].gettext
        text = "\n\n".join([
            "<b>" + _p(_("Delete everything?")) + "</b>",
            _p(_("This deletes everything the bot holds about you: your language, where you were in the menu, "
                 "and any request to a counsellor. I will also delete the messages in this chat that Telegram "
                 "still lets me delete (those from the last two days).")),
            _p(_("If a counsellor is talking with you, they are only told that the request was withdrawn.")),
        ])
        return Screen((text,), (
            (Button("🗑 " + _("Yes, delete everything"), Forget(confirmed=True)),),
            (Button("⬅️ " + _("Back"), GoTo(root)),),
        ))

    def forgotten(self, language: str, deleted_messages: int) -> Screen:
        t = self._catalogs[language]
        _ = t.gettext
        text = "\n\n".join([
            "<b>" + _p(_("Done. The bot no longer holds anything about you.")) + "</b>",
            _p(t.ngettext("I deleted {n} message from this chat.", "I deleted {n} messages from this chat.",
                          deleted_messages).format(n=deleted_messages)),
            _p(_("Only you can delete the chat itself: in the chat list, press and hold this chat and choose "
                 "Delete. Older messages that I could not delete go with it. Setting a passcode for Telegram "
                 "also helps.")),
        ])
        return Screen((text,))

    def rate_limited(self, language: str) -> Screen:
        _ = self._catalogs[language].gettext
        return Screen((_p(_("You are sending messages very fast. Please wait a minute: messages sent meanwhile "
                            "are not read.")),))

    def too_many_requests(self, language: str, root: str) -> Screen:
        _ = self._catalogs[language].gettext
        return Screen((_p(_("You have asked for a counsellor several times in a short while. Please wait a "
                            "little before asking again.")),),
                      ((Button("🏠 " + _("Main menu"), GoTo(root)),),))

    def line_busy(self, language: str, root: str) -> Screen:
        _ = self._catalogs[language].gettext
        return Screen((_p(_("Very many people are asking for a counsellor right now. Please try again in an "
                            "hour, or contact one of the organisations in the menu directly.")),),
                      ((Button("🏠 " + _("Main menu"), GoTo(root)),),))

    def expired(self, language: str, root: str) -> Screen:
        _ = self._catalogs[language].gettext
        return Screen((_p(_("Sorry: no counsellor could take your request in time, so it has been closed. You "
                            "can ask again at any time, or contact one of the organisations in the menu.")),),
                      ((Button("🏠 " + _("Main menu"), GoTo(root)),),))

    def file_too_large(self, language: str, limit_mb: int) -> Screen:
        _ = self._catalogs[language].gettext
        return Screen((_p(_("This file is too large to pass on (the limit is {n} MB). Please send a smaller "
                            "file, or a screenshot.").format(n=limit_mb)),))
