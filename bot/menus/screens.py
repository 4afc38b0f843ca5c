"""What the bot shows, as plain data: texts (Telegram HTML) and buttons with abstract actions.

Screens know content and catalogs but nothing of Telegram's wire format; handlers/ turns a Screen into
messages and inline keyboards. That split keeps every word a person reads testable without a bot.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import Enum

from bot.content.about import checked_dates
from bot.content.loader import MESSAGE_LIMIT
from bot.content.model import ContentSnapshot
from bot.i18n import Catalogs, Translator
from bot.telegram import html as telegram_html


@dataclass(frozen=True)
class GoTo:
    node: str


@dataclass(frozen=True)
class AskCounsellor:
    node: str  # the page they asked from: the topic of their request


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class ShowLanguages:
    pass


@dataclass(frozen=True)
class ConfirmHandoff:
    node: str


@dataclass(frozen=True)
class CancelRequest:
    pass


@dataclass(frozen=True)
class EndConversation:
    pass


@dataclass(frozen=True)
class Rate:
    code: str  # the case code: random, identifies nobody
    rating: str


@dataclass(frozen=True)
class Focus:
    code: str  # a counsellor switches to this case


@dataclass(frozen=True)
class ClearChat:
    """Quick exit: delete the visible history now."""


@dataclass(frozen=True)
class Forget:
    confirmed: bool = False


Action = (GoTo | AskCounsellor | SetLanguage | ShowLanguages | ConfirmHandoff | CancelRequest | EndConversation
          | Rate | Focus | ClearChat | Forget)


@dataclass(frozen=True)
class Button:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Screen:
    parts: tuple[str, ...]  # one Telegram message each; the keyboard goes under the last
    keyboard: tuple[tuple[Button, ...], ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


class Notice(Enum):
    """Answers to input the menus cannot use. Each keeps the person moving: text plus a way on."""

    MEDIA = "media"
    LOCATION = "location"
    EDITED = "edited"
    UNKNOWN_COMMAND = "unknown_command"
    STALE_BUTTON = "stale_button"
    UNKNOWN_BUTTON = "unknown_button"
    ERROR = "error"
    BUSY = "busy"


def _notice_text(t: Translator, notice: Notice) -> str:
    _ = t.gettext
    texts = {
        Notice.MEDIA: _("I can only work with the buttons here. Please don't send photos, files or voice "
                        "messages in this chat."),
        Notice.LOCATION: _("Please never send your location or contacts here. I have deleted that message "
                           "and kept nothing. Telegram may still have it: you can also delete the chat."),
        Notice.EDITED: _("I don't read edited messages. Please use the buttons below."),
        Notice.UNKNOWN_COMMAND: _("I don't know that command. Try /start for the menu, /language to change "
                                  "the language, or /help."),
        Notice.STALE_BUTTON: _("This menu has been updated since you opened it. Here is the current page."),
        Notice.UNKNOWN_BUTTON: _("This button no longer works. Here is the main menu."),
        Notice.ERROR: _("Sorry, something went wrong on our side. Please try again, or press /start."),
        Notice.BUSY: _("The bot is very busy right now. Please tap again in a minute."),
    }
    return texts[notice]


class Screens:
    def __init__(self, catalogs: Catalogs, languages: list[str]) -> None:
        self._catalogs = catalogs
        self._languages = languages
        # A page looks the same for everyone who reads it in a language: render it once per content version.
        self._pages: dict[tuple[str, str, str], Screen] = {}

    def page(self, content: ContentSnapshot, node_id: str, language: str) -> Screen:
        key = (content.version, node_id, language)
        screen = self._pages.get(key)
        if screen is None:
            if len(self._pages) > 20_000:  # a reload leaves the old version's pages behind
                self._pages.clear()
            screen = self._pages[key] = self._render_page(content, node_id, language)
        return screen

    def _render_page(self, content: ContentSnapshot, node_id: str, language: str) -> Screen:
        t = self._catalogs[language]
        _ = t.gettext
        page = content.page(node_id, language)
        node = page.node

        lines = [f"<b>{html.escape(page.text.title, quote=False)}</b>", page.text.body]
        if node_id == content.about:
            lines.append(checked_dates(content, language, t))
        if not page.translated and not page.untranslated_on_purpose:
            lines.append("<i>" + html.escape(_("This page is not yet translated into {language}; "
                                               "it is shown in {fallback}.").format(
                language=t.name_of(language), fallback=t.name_of(page.language))) + "</i>")
        if node_id != content.root:
            footer = _("Information, not legal advice.")
            if node.checked:
                footer += " " + _("Facts checked: {date}").format(date=t.date(node.checked))
            lines.append("<i>" + html.escape(footer, quote=False) + "</i>")
        parts = tuple(telegram_html.split("\n\n".join(lines), MESSAGE_LIMIT))

        counsellor = Button("💬 " + _("Talk to a counsellor"), AskCounsellor(node_id))
        rows: list[tuple[Button, ...]] = []
        if node.counsellor_prominent:
            rows.append((counsellor,))
        for child in node.children:
            rows.append((Button(content.page(child, language).text.button, GoTo(child)),))
        for link in node.links:
            rows.append((Button("↗ " + content.page(link, language).text.button, GoTo(link)),))
        fallback_labels = content.page(node_id, content.fallback_language).text.url_labels
        for url in node.urls:
            label = page.text.url_labels.get(url.id) or fallback_labels.get(url.id) or url.href
            rows.append((Button("🔗 " + label, url=url.href),))
        if not node.counsellor_prominent:
            rows.append((counsellor,))
        clear = self.clear_button(language)
        if node_id == content.root:
            rows.append((Button("🌐 " + _("Language"), ShowLanguages()), clear))
            rows.append((Button("🗑 " + _("Delete everything"), Forget()),))
        else:
            back = node.parent or content.root
            rows.append((Button("⬅️ " + _("Back"), GoTo(back)), Button("🏠 " + _("Main menu"), GoTo(content.root))))
            rows.append((clear,))
        return Screen(parts, tuple(rows))

    def languages(self, current: str) -> Screen:
        t = self._catalogs[current]
        rows = []
        for language in self._languages:
            name = self._catalogs[language].language_name
            mark = "✅ " if language == current else ""
            rows.append((Button(mark + name, SetLanguage(language)),))
        text = html.escape(t.gettext("Choose your language:"), quote=False)
        return Screen((text,), tuple(rows))

    def help(self, content: ContentSnapshot, language: str) -> Screen:
        _ = self._catalogs[language].gettext
        text = "\n\n".join([
            "<b>" + html.escape(_("How this bot works"), quote=False) + "</b>",
            html.escape(_("Choose a topic with the buttons. ⬅️ Back goes up one level, 🏠 Main menu goes to "
                          "the start. Press 💬 to ask for a counsellor."), quote=False),
            html.escape(_("Commands: /start opens the menu, /language changes the language, /help shows "
                          "this message."), quote=False),
            html.escape(_("This bot does not ask for your name and does not store your name, username or "
                          "phone number. Telegram itself can see this chat: delete the chat when you are done."),
                        quote=False),
        ])
        return Screen((text,), ((Button("🏠 " + _("Main menu"), GoTo(content.root)),),))

    def notice_text(self, language: str, notice: Notice) -> str:
        """A notice's words alone, as plain text (for a callback query's answer, which is not HTML)."""
        return _notice_text(self._catalogs[language], notice)

    def notice(self, content: ContentSnapshot, language: str, notice: Notice, node_id: str | None = None) -> Screen:
        t = self._catalogs[language]
        text = html.escape(_notice_text(t, notice), quote=False)
        if notice in (Notice.STALE_BUTTON, Notice.UNKNOWN_BUTTON):
            page = self.page(content, node_id or content.root, language)
            first = text + "\n\n" + page.parts[0]
            if telegram_html.visible_length(first) <= MESSAGE_LIMIT:
                return Screen((first, *page.parts[1:]), page.keyboard)
            return Screen((text, *page.parts), page.keyboard)
        _ = t.gettext
        rows: list[tuple[Button, ...]] = [(Button("🏠 " + _("Main menu"), GoTo(content.root)),)]
        if notice is not Notice.ERROR:
            rows.append((Button("💬 " + _("Talk to a counsellor"), AskCounsellor(node_id or content.root)),))
        rows.append((self.clear_button(language),))
        return Screen((text,), tuple(rows))

    def clear_button(self, language: str) -> Button:
        """Quick exit, on every menu: someone looking over a shoulder is one tap from an empty chat."""
        return Button("🧹 " + self._catalogs[language].gettext("Clear this chat"), ClearChat())
