"""What the person reads around a handoff: before, while waiting, while talking, and after."""

from __future__ import annotations

import html
from datetime import datetime

from bot.i18n import Catalogs, Translator
from bot.menus.screens import (
    Button,
    CancelRequest,
    ConfirmHandoff,
    EndConversation,
    GoTo,
    Rate,
    Screen,
)


def _p(text: str) -> str:
    return html.escape(text, quote=False)


class HandoffScreens:
    def __init__(self, catalogs: Catalogs, organisation: str) -> None:
        self._catalogs = catalogs
        self._organisation = organisation

    def _t(self, language: str) -> Translator:
        return self._catalogs[language]

    def _home(self, language: str, root: str) -> Button:
        return Button("🏠 " + self._t(language).gettext("Main menu"), GoTo(root))

    def intro(self, language: str, node: str, root: str) -> Screen:
        """Said before the first handoff: what happens, what is kept, what not to send."""
        _ = self._t(language).gettext
        text = "\n\n".join([
            "<b>" + _p(_("Talk to a counsellor")) + "</b>",
            _p(_("A counsellor from {organisation} will read what you write here and answer through this bot. "
                 "They will not see your name, username or phone number, only a case code.")
               .format(organisation=self._organisation)),
            _p(_("We do not store your messages: they stay in this chat and are copied to the counsellor. "
                 "We keep the case code, your language and the topic while the case is open and for a few days "
                 "after.")),
            "<b>" + _p(_("Please do not send your real name, your unit, your exact location or photos of "
                         "documents.")) + "</b> " + _p(_("Telegram itself can see this chat.")),
        ])
        return Screen((text,), (
            (Button("✅ " + _("Yes, connect me"), ConfirmHandoff(node)),),
            (Button("⬅️ " + _("Back"), GoTo(node)),),
        ))

    def queued(self, language: str, code: str, position: int, wait_minutes: int | None,
               opens_at: datetime | None) -> Screen:
        t = self._t(language)
        _ = t.gettext
        lines = [
            _p(_("Your request is in the queue. Your case code is {code}.").format(code=code)),
            _p(_("Your place in the queue: {n}.").format(n=position)),
        ]
        if opens_at is not None:
            lines.append(_p(_("Counsellors are not working right now. Someone will answer after {time}.")
                            .format(time=t.datetime(opens_at))))
        elif wait_minutes is None:
            lines.append(_p(_("No counsellor for your language is online right now. We will answer as soon as "
                              "someone is.")))
        else:
            lines.append(_p(t.ngettext("A rough guess: someone will answer in about {n} minute.",
                                       "A rough guess: someone will answer in about {n} minutes.",
                                       wait_minutes).format(n=wait_minutes)))
        lines.append(_p(_("You can already write your question here; the counsellor will see it.")))
        return Screen(("\n\n".join(lines),), ((Button("❌ " + _("Cancel the request"), CancelRequest()),),))

    def moved_up(self, language: str, position: int) -> Screen:
        t = self._t(language)
        return Screen((_p(t.gettext("Your place in the queue is now {n}.").format(n=position)),))

    def connected(self, language: str) -> Screen:
        _ = self._t(language).gettext
        text = _p(_("A counsellor is here now. Write to them in this chat. To end the conversation, press the "
                    "button below or send /end."))
        return Screen((text,), ((Button("🛑 " + _("End the conversation"), EndConversation()),),))

    def signature(self, language: str, alias: str | None) -> str:
        return "💬 " + _p(alias or self._t(language).gettext("Counsellor"))

    def released(self, language: str, position: int) -> Screen:
        t = self._t(language)
        text = _p(t.gettext("Your counsellor had to step away. You are back in the queue (place {n}); the next "
                            "counsellor will see what you wrote.").format(n=position))
        return Screen((text,), ((Button("❌ " + t.gettext("Cancel the request"), CancelRequest()),),))

    def ended(self, language: str, code: str, root: str, *, by_person: bool, reopen_hours: int) -> Screen:
        t = self._t(language)
        _ = t.gettext
        lines = [_p(_("You ended the conversation.") if by_person else _("The counsellor has ended the "
                                                                         "conversation."))]
        if reopen_hours:
            lines.append(_p(t.ngettext("If you write here within {n} hour, the conversation continues.",
                                       "If you write here within {n} hours, the conversation continues.",
                                       reopen_hours).format(n=reopen_hours)))
        lines.append(_p(_("Did it help? One tap, optional:")))
        return Screen(("\n\n".join(lines),), (
            (Button("👍 " + _("Yes"), Rate(code, "good")), Button("😐 " + _("Partly"), Rate(code, "okay")),
             Button("👎 " + _("No"), Rate(code, "bad"))),
            (self._home(language, root),),
        ))

    def cancelled(self, language: str, root: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Your request is cancelled. Nothing more will be passed on.")),),
                      ((self._home(language, root),),))

    def thanks(self, language: str, root: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Thank you. Take care.")),), ((self._home(language, root),),))

    def stopped(self, language: str, root: str) -> Screen:
        """For a blocked person: neutral, no reason, nothing to argue with."""
        _ = self._t(language).gettext
        return Screen((_p(_("This conversation has ended.")),), ((self._home(language, root),),))

    def refused(self, language: str, root: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Sorry, we cannot take a request from you at the moment.")),),
                      ((self._home(language, root),),))

    def reopened(self, language: str, code: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Your case {code} is open again; your message is passed on.").format(code=code)),))

    def not_relayed_location(self, language: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Locations and contacts are never passed on to the counsellor, and I have deleted "
                            "that message. If it matters where you are, describe it in general words (a country "
                            "or a city), and only if it is safe.")),))

    def not_relayed_kind(self, language: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("This kind of message cannot be passed on. Please write text, or send a photo, file "
                            "or voice message.")),))

    def waiting_full(self, language: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("I cannot hold more messages until a counsellor takes your request. What you wrote "
                            "so far is kept and they will see it. Please wait; you can add more once they "
                            "answer.")),))

    def undeliverable(self, language: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Telegram did not let me pass your last message on. Please send it again, or write it "
                            "as text.")),))

    def maybe_lost(self, language: str) -> Screen:
        """After a takeover (several instances): the person's last message was being copied when the old
        leader died, and is not sent again (hotline.cluster)."""
        _ = self._t(language).gettext
        return Screen((_p(_("The service restarted while your last message was being passed on, so it may not "
                            "have arrived. If there is no answer to it, please send it again.")),))

    def document_warning(self, language: str) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("A note on files: the counsellor also gets the file's name and any hidden details in "
                            "it, such as the author's name or where a photo was taken. If in doubt, send a "
                            "screenshot instead.")),))
