"""What counsellors read. A case is only ever its code, language, topic and waiting time: never a person."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from bot.content.model import ContentSnapshot
from bot.handoff.cases import Case
from bot.i18n import Catalogs, Translator
from bot.menus.screens import Button, Focus, Screen


def _p(text: str) -> str:
    return html.escape(text, quote=False)


class CounsellorScreens:
    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs

    def _t(self, language: str) -> Translator:
        return self._catalogs[language]

    def topic(self, content: ContentSnapshot, case: Case, language: str) -> str:
        """The page the request came from, titled in the counsellor's language."""
        if case.topic in content:
            return content.page(case.topic, language).text.title
        return case.topic

    def case_line(self, content: ContentSnapshot, case: Case, language: str, now: datetime | None = None) -> str:
        line = f"<b>{_p(case.code)}</b> · {_p(case.language)} · {_p(self.topic(content, case, language))}"
        if now is not None and case.queued_at is not None:
            minutes = max(0, int((now - case.queued_at).total_seconds() // 60))
            line += f" · {minutes} min"
        return line

    def case_button(self, case: Case) -> Button:
        return Button(f"💬 {case.code}", Focus(case.code))

    def message(self, language: str, text: str) -> Screen:
        """A one-off line that is already translated."""
        return Screen((_p(text),))

    def reply(self, language: str, key: str, **values: object) -> Screen:
        """One-line answers to a counsellor's command."""
        t = self._t(language)
        _ = t.gettext
        n = int(values.get("n", 0))  # type: ignore[call-overload]
        texts = {
            "not_waiting": _("That case is not waiting any more."),
            "no_such_case": _("There is no case with that code."),
            "at_capacity": t.ngettext("You already hold {n} case, the most you can.",
                                      "You already hold {n} cases, the most you can.", n),
            "no_focus": _("You hold no case. /queue shows who is waiting."),
            "note_usage": _("Write the note after the command: /note TEXT"),
            "send_usage": _("Name the page after the command: /send PAGE (page ids are in content/tree.yml)."),
            "no_such_page": _("There is no page with that id."),
            "page_sent": _("Sent the page “{title}”."),
            "on_duty": _("You are on duty. You will be told about new requests in: {languages}."),
            "off_duty": _("You are off duty. No more notifications."),
            "undeliverable": _("This could not be delivered: the person has left the conversation."),
            "reply_no_case": _("That message belongs to none of your cases: nothing was sent. Reply to a message "
                               "of the case, or write without replying to send to the current case."),
            "not_yours": _("That case is closed or no longer yours: nothing was sent."),
            "choose_case": _("Nothing was sent: choose the case first with /cases, or reply to one of its "
                             "messages."),
            "edit_not_yours": _("That case is closed or no longer yours: the person still sees the old text."),
            "refused_by_telegram": _("Telegram refused your last message to the person, so it was not "
                                     "delivered. Please send it again in another form."),
            "maybe_lost": _("The bot restarted while your last message to the person was being sent, so it may "
                            "not have arrived. Send it again if it matters."),
            "not_relayed": _("This kind of message cannot be passed on. Send text, a photo, a file or a voice "
                             "message."),
            "team_not_yours": _("Nothing was sent: this case is not yours or no longer open. /take it first."),
            "team_no_case": _("This topic belongs to no open case. Use the command in the case's topic."),
            "team_mode": _("This team works in its group: answer people in their case's topic there."),
        }
        return Screen((_p(texts[key].format(**values)),))

    def help(self, language: str) -> Screen:
        _ = self._t(language).gettext
        lines = [
            "<b>" + _p(_("Counsellor commands")) + "</b>",
            _p(_("/on and /off: start or end your shift (you are told about new requests while on duty)")),
            _p(_("/queue: who is waiting")),
            _p(_("/take: take the longest-waiting case; /take CODE: take that case")),
            _p(_("/cases: the cases you hold; tap one to write to it")),
            _p(_("/note TEXT: a note on the current case that the person never sees")),
            _p(_("/send PAGE: send a menu page to the person, in their language")),
            _p(_("/release: put the current case back in the queue; /close: end it; /block: stop a person "
                 "who abuses the line")),
            _p(_("Anything else you write goes to the current case. Reply to a message to answer its case.")),
        ]
        return Screen(("\n".join(lines),))

    def team_help(self, language: str, prefix: str) -> Screen:
        """Team mode's commands, inside the group."""
        _ = self._t(language).gettext
        lines = [
            "<b>" + _p(_("Team commands")) + "</b>",
            _p(_("Each case is a topic. The pinned board shows who waits and who holds which case.")),
            _p(_("/take in a case's topic: take it; what you write there then goes to the person")),
            _p(_("/release: back to the queue; /close: end it; /block: stop a person who abuses the line "
                 "(the topic is deleted)")),
            _p(_("/send PAGE: send a menu page to the person; /note TEXT: a note kept with the case")),
            _p(_("Start a message with {prefix}, or reply to the bot's “Internal” message, to keep it in the "
                 "team.").format(prefix=prefix)),
        ]
        return Screen(("\n".join(lines),))

    def new_case(self, language: str, content: ContentSnapshot, case: Case) -> Screen:
        _ = self._t(language).gettext
        return Screen(("🔔 " + _p(_("New request:")) + " " + self.case_line(content, case, language) + "\n"
                       + _p(_("/take to take it.")),))

    def queue(self, language: str, content: ContentSnapshot, cases: Sequence[Case], now: datetime,
              total: int | None = None) -> Screen:
        """The longest-waiting cases (the handler passes the first QUEUE_SHOWN), and how many wait in all."""
        t = self._t(language)
        _ = t.gettext
        if not cases:
            return Screen((_p(_("Nobody is waiting in your languages.")),))
        total = len(cases) if total is None else total
        lines = ["<b>" + _p(t.ngettext("{n} waiting:", "{n} waiting:", total).format(n=total)) + "</b>",
                 *(self.case_line(content, c, language, now) for c in cases)]
        if total > len(cases):
            lines.append(_p(t.ngettext("… and {n} more. /take takes the one waiting longest.",
                                       "… and {n} more. /take takes the one waiting longest.",
                                       total - len(cases)).format(n=total - len(cases))))
        return Screen(("\n".join(lines),))

    def taken(self, language: str, content: ContentSnapshot, case: Case, notes: Sequence[str],
              held: Sequence[Case]) -> Screen:
        _ = self._t(language).gettext
        lines = [_p(_("You took this case:")) + " " + self.case_line(content, case, language),
                 _p(_("What the person has written so far follows. Anything you write now goes to this case."))]
        if notes:
            lines.append("<b>" + _p(_("Notes:")) + "</b>")
            lines.extend("• " + _p(note) for note in notes)
        return Screen(("\n".join(lines),), self.switcher(held))

    def switcher(self, held: Sequence[Case]) -> tuple[tuple[Button, ...], ...]:
        return tuple((self.case_button(c),) for c in held) if len(held) > 1 else ()

    def cases(self, language: str, content: ContentSnapshot, held: Sequence[Case], focus: int | None) -> Screen:
        _ = self._t(language).gettext
        if not held:
            return Screen((_p(_("You hold no case. /queue shows who is waiting.")),))
        lines = ["<b>" + _p(_("Your cases:")) + "</b>"]
        lines += [("▶ " if c.id == focus else "") + self.case_line(content, c, language) for c in held]
        return Screen(("\n".join(lines),), tuple((self.case_button(c),) for c in held))

    def focused(self, language: str, content: ContentSnapshot, case: Case) -> Screen:
        _ = self._t(language).gettext
        return Screen((_p(_("Now writing to:")) + " " + self.case_line(content, case, language),))

    def album_marker(self, language: str, case: Case) -> Screen:
        """Under an album copied in one piece: which case it belongs to (an album cannot carry buttons)."""
        _ = self._t(language).gettext
        return Screen((f"<b>{_p(case.code)}</b>: " + _p(_("the album above")),))

    def case_event(self, language: str, case: Case, event: str) -> Screen:
        """Short news about a case, never with content: it ended, was reopened, the person left."""
        _ = self._t(language).gettext
        texts = {
            "ended_by_person": _("The person ended the conversation. The case is closed."),
            "cancelled": _("The person cancelled the request."),
            "left": _("The person left the conversation (they blocked the bot or deleted the chat). "
                      "The case is closed."),
            "reopened": _("The person wrote again: the case is open again and yours."),
            "closed": _("Case closed."),
            "released": _("The case is back in the queue."),
            "blocked": _("The person is blocked and the case is closed."),
            "note_saved": _("Note saved."),
            "withdrawn": _("The person withdrew the request and had their data deleted. The case is closed."),
        }
        return Screen((f"<b>{_p(case.code)}</b>: " + _p(texts[event]),))
