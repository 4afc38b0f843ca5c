"""The browser preview: a Telegram-like page on 127.0.0.1 in front of a running FakeTelegram.

Two phones side by side: a person chatting with the bot, and a counsellor. Everything shown comes from the
fake's chats, so it is exactly what the real bot sent over the Bot API; every action on the page is
something a Telegram client would do (send a text, tap a button). Editors also get a language picker, a
"go to page" box and a banner when the content they saved does not pass the check.

The page is plain files (HTML, CSS, dependency-free JavaScript) that poll one JSON endpoint. Message text
is turned into safe HTML here (bot.simulator.safe_html); the script puts nothing else into innerHTML.
Requests must come from the page itself: JSON bodies only and a loopback Host header, so another web site
open in the same browser cannot drive the preview.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from aiohttp import web

from bot.content.store import ContentStore
from bot.simulator.safe_html import message_html
from bot.simulator.server import FakeTelegram, FakeUser, SimMessage, serve_on

Side = Literal["person", "counsellor"]
SIDES: tuple[Side, ...] = ("person", "counsellor")
_STATIC = {
    "/": ("index.html", "text/html"),
    "/static/style.css": ("style.css", "text/css"),
    "/static/app.js": ("app.js", "text/javascript"),
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_REPLY_TIMEOUT = 10.0
_KIND_LABELS = {
    "photo": "🖼 Photo", "document": "📄 File", "sticker": "Sticker", "voice": "🎤 Voice message",
    "video": "🎬 Video", "audio": "🎵 Audio", "video_note": "⏺ Video message", "animation": "GIF",
    "location": "📍 Location", "venue": "📍 Place", "contact": "👤 Contact",
}


@dataclass(frozen=True)
class Navigation:
    """How menu buttons are made: the bot's own callback data, so a jump is a real button press."""

    data_for: Callable[[str], str]
    """Callback data of a button that opens a page."""
    node_of: Callable[[str], str | None]
    """The page a button's callback data opens, or None when it is not a page button."""


@dataclass(frozen=True)
class TeamView:
    """Team mode: the counsellor's phone shows the team's forum group, one topic at a time, instead of their
    private chat with the bot. The counsellor must be a member of the group."""

    group_id: int
    note_prefix: str
    """A member's message that starts with this is an internal note (as the bot's team mode reads it)."""
    title: str = "Counsellors"


@dataclass
class Banner:
    """What the page says about the content: refused (errors), loaded with warnings, or reloaded."""

    level: Literal["error", "warning", "ok"]
    title: str
    problems: list[str] = field(default_factory=list)


class PreviewPage:
    """The web page and the two pretend Telegram users behind it."""

    def __init__(
        self,
        fake: FakeTelegram,
        content: ContentStore,
        navigation: Navigation,
        *,
        languages: Sequence[str],
        language: str,
        counsellor_id: int,
        title: str = "hotline preview",
        team: TeamView | None = None,
    ) -> None:
        self.fake = fake
        self.content = content
        self.navigation = navigation
        self.languages = list(languages)
        self.title = title
        self.counsellor = fake.user(counsellor_id, "Counsellor", language_code=language)
        self._person_ids = itertools.count(1_000_001)
        self.person = self._new_person(language)
        self.node: str | None = None  # the page the person was last taken to, as far as the preview knows
        self.banner: Banner | None = None
        self._toasts: list[dict[str, Any]] = []
        self._pending: dict[str, Side] = {}  # callback query id -> who pressed, until the bot answers
        self._runner: web.AppRunner | None = None
        self._hosts: set[str] = set()
        self.url = ""
        self.team = team
        self.topic = 0
        """Team mode: the topic the counsellor's phone shows (0: General); a new topic is shown as it opens."""
        self._topics_seen: set[int] = set()

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the page; returns its URL. Opens the person's chat with /start, as Telegram's START does."""
        app = web.Application(middlewares=[self._guard])
        for path in _STATIC:
            app.router.add_get(path, self._static)
        app.router.add_get("/api/state", self._get_state)
        actions: dict[str, Callable[[dict[str, Any]], Awaitable[None]]] = {
            "send": self._send, "press": self._press, "language": self._language, "jump": self._jump,
            "restart": self._restart, "topic": self._open_topic,
        }
        for name, action in actions.items():
            app.router.add_post(f"/api/{name}", self._action(action))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        bound = await serve_on(self._runner, host, port)
        self._hosts = {f"{host}:{bound}", f"localhost:{bound}"}
        self.url = f"http://{host}:{bound}/"
        await self.fake.send_text(self.person, "/start")
        self.node = self.content.snapshot.root
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what editors do -------------------------------------------------------------------

    async def switch_language(self, language: str) -> None:
        """A new pretend person whose Telegram app is in ``language``, on the page the old one was on.

        A new person rather than the same one with another app language: the bot remembers a person's
        choice of language, and a stranger starting fresh is what the editor wants to see.
        """
        if language not in self.languages:
            raise ValueError(f"unknown language {language!r}; one of {', '.join(self.languages)}")
        node = self.node
        self.person = self._new_person(language)
        await self.fake.send_text(self.person, "/start")
        self.node = self.content.snapshot.root
        if node is not None and node != self.node and node in self.content.snapshot:
            await self.jump(node)

    async def jump(self, node: str) -> None:
        """Take the person to page ``node`` by pressing a menu button for it on their newest message.

        The button need not be on the message (Telegram lets a client send any callback data), so the bot
        answers exactly as it does to a tap in its menus: same handler, same screen, edited in place.
        """
        if node not in self.content.snapshot:
            raise ValueError(f"there is no page {node!r}")
        target = self._newest_bot_message(self.person)
        if target is None:
            await self.fake.send_text(self.person, "/start")
            await self.fake.wait_for(lambda: self._newest_bot_message(self.person) is not None, _REPLY_TIMEOUT)
            target = self._newest_bot_message(self.person)
            assert target is not None
        await self.fake.press(self.person, target.message_id, self.navigation.data_for(node), listed=False)
        self.node = node

    async def content_reloaded(self, errors: list[str], warnings: list[str]) -> None:
        """Tell the page about a reload; after a good one, show the person's page again in its new form."""
        if errors:
            self.banner = Banner("error", "The new content has errors, so the bot still shows the previous "
                                          "version. Fix these and save again:", errors)
            return
        at = time.strftime("%H:%M:%S")
        self.banner = Banner("warning", f"Content reloaded at {at}, with warnings:", warnings) if warnings else \
            Banner("ok", f"Content reloaded at {at}.")
        newest = self._newest_bot_message(self.person)
        on_a_page = newest is not None and any(
            self.navigation.node_of(str(b.get("callback_data", ""))) for b in newest.buttons())
        if on_a_page:
            with contextlib.suppress(LookupError, AssertionError):  # the chat moved on meanwhile: no matter
                await self.jump(self.content.locate(self.node))

    # --- what the page shows ---------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        snapshot = self.content.snapshot
        self._collect_answers()
        return {
            "title": self.title,
            "bot": self.fake.bot_first_name,
            "languages": self.languages,
            "language": self.person.language_code,
            "node": self.node,
            "nodes": sorted(snapshot.nodes),
            "content_version": snapshot.version,
            "banner": None if self.banner is None else {
                "level": self.banner.level, "title": self.banner.title, "problems": self.banner.problems},
            "toasts": self._toasts[-20:],
            "person": self._side_state(self.person),
            "counsellor": self._side_state(self.counsellor) if self.team is None else self._team_state(self.team),
        }

    def _side_state(self, user: FakeUser) -> dict[str, Any]:
        messages = [self._message_json(m) for m in self.fake.chat(user.id) if not m.deleted]
        return {"messages": messages, "commands": self._commands(user.id, user.language_code)}

    def _team_state(self, team: TeamView) -> dict[str, Any]:
        """The team's group as a member sees it: the topic list (the one with a pinned message first, then
        the newest) and the messages of the topic shown, with internal notes marked."""
        topics = self.fake.topics(team.group_id)
        ids = {int(topic["message_thread_id"]) for topic in topics}
        if ids - self._topics_seen:
            self.topic = max(ids - self._topics_seen)
        elif self.topic not in ids:
            self.topic = 0
        self._topics_seen = ids
        pins = set(self.fake.pinned(team.group_id))
        pinned = {m.thread_id or 0 for m in self.fake.chat(team.group_id) if m.message_id in pins}
        in_topic = [m for m in self.fake.chat(team.group_id) if (m.thread_id or 0) == self.topic]
        # A case's topic opens with the bot's "internal" marker; the topic with the pinned board is no case's.
        case_topic = self.topic != 0 and self.topic not in pinned
        marker = next((m.message_id for m in in_topic if m.from_bot and m.kind == "text"), None) if case_topic else None
        messages = [self._message_json(m, team, marker) for m in in_topic if not m.deleted]
        listed: list[dict[str, Any]] = [
            {"id": int(t["message_thread_id"]), "name": str(t["name"]), "closed": bool(t["is_closed"]),
             "pinned": int(t["message_thread_id"]) in pinned} for t in topics]
        listed.sort(key=lambda topic: (not topic["pinned"], -topic["id"]))
        name = next((topic["name"] for topic in listed if topic["id"] == self.topic), "General")
        return {"messages": messages, "commands": self._commands(team.group_id, self.counsellor.language_code),
                "team": {"title": team.title, "topics": listed, "topic": self.topic, "topic_name": name}}

    def _message_json(self, message: SimMessage, team: TeamView | None = None,
                      marker: int | None = None) -> dict[str, Any]:
        rows = (message.reply_markup or {}).get("inline_keyboard") or []
        reply = message.raw.get("reply_to_message")
        if isinstance(reply, dict) and message.thread_id is not None and reply.get("message_id") == message.thread_id:
            reply = None  # Telegram's apps do not show the implicit reply to a topic's opening message
        return {
            "id": message.message_id,
            "from_bot": message.from_bot,
            "html": message_html(message.text, message.parse_mode if message.from_bot else None),
            "media": _KIND_LABELS.get(message.kind, message.kind) if message.kind not in ("text", *_SERVICE) else None,
            "service": _service_line(message),
            "internal": team is not None and _internal(message, team.note_prefix, marker),
            "edited": message.edited,
            "date": message.raw.get("date", 0),
            "reply_to": _snippet(reply) if isinstance(reply, dict) else None,
            "keyboard": [[_button_json(button) for button in row] for row in rows],
        }

    def _commands(self, chat_id: int, language: str | None) -> list[dict[str, str]]:
        """The "/" menu as Telegram would show it in this chat: the chat's, else its kind's (groups),
        else the language's, else the default."""
        scope = {"type": "chat", "chat_id": chat_id}
        kind = {"type": "all_group_chats" if chat_id < 0 else "all_private_chats"}
        for commands in (self.fake.commands(scope, language or ""), self.fake.commands(scope),
                         self.fake.commands(kind, language or ""), self.fake.commands(kind),
                         self.fake.commands(None, language or ""), self.fake.commands()):
            if commands:
                return [{"command": str(c.get("command")), "description": str(c.get("description"))}
                        for c in commands]
        return []

    def _collect_answers(self) -> None:
        """Callback answers with text become toasts, as Telegram shows them over the chat."""
        for query_id, side in list(self._pending.items()):
            answer = self.fake.answered_callbacks.get(query_id)
            if answer is None:
                continue
            del self._pending[query_id]
            if answer.get("text"):
                self._toasts.append({"id": query_id, "side": side, "text": str(answer["text"]),
                                     "alert": answer.get("show_alert") is True})

    # --- HTTP ------------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        # A page on another site could reach 127.0.0.1 through DNS rebinding or a blind form post.
        if request.host not in self._hosts:
            return web.Response(status=421, text="wrong host")
        if request.method == "POST" and request.content_type != "application/json":
            return web.Response(status=415, text="JSON only")
        response = await handler(request)
        response.headers.update(_SECURITY_HEADERS)
        return response

    async def _static(self, request: web.Request) -> web.Response:
        name, content_type = _STATIC[request.path]
        body = resources.files("bot.simulator").joinpath("static", name).read_bytes()
        return web.Response(body=body, content_type=content_type, charset="utf-8")

    async def _get_state(self, request: web.Request) -> web.Response:
        body = json.dumps(self.state(), ensure_ascii=False, sort_keys=True)
        tag = hashlib.sha256(body.encode()).hexdigest()[:16]
        if request.query.get("tag") == tag:  # nothing changed: the page keeps what it shows
            return web.json_response({"tag": tag, "unchanged": True})
        return web.Response(text=f'{{"tag": "{tag}", "state": {body}}}', content_type="application/json")

    def _action(
        self, action: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object")
                await action(body)
            except (ValueError, LookupError, TypeError) as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=400)
            except AssertionError:  # the bot did not answer in time (wait_for's failure)
                return web.json_response({"ok": False, "error": "the bot did not answer in time"}, status=504)
            return web.json_response({"ok": True})

        return handle

    async def _send(self, body: dict[str, Any]) -> None:
        text = str(body.get("text", "")).strip()
        if not text:
            raise ValueError("nothing to send")
        side = _side(body)
        if side == "counsellor" and self.team is not None:
            await self.fake.post(self.counsellor, self.team.group_id, text, thread=self.topic or None)
            return
        user = self.person if side == "person" else self.counsellor
        await self.fake.send_text(user, text)
        if side == "person" and text.split(maxsplit=1)[0] == "/start":
            self.node = self.content.snapshot.root

    async def _press(self, body: dict[str, Any]) -> None:
        side = _side(body)
        user = self.person if side == "person" else self.counsellor
        data = str(body.get("data", ""))
        message_id = body.get("message_id")
        if not isinstance(message_id, int):
            raise ValueError("message_id must be a number")
        group = self.team.group_id if side == "counsellor" and self.team is not None else None
        query_id = await self.fake.press(user, message_id, data, group_id=group)
        self._pending[query_id] = side
        node = self.navigation.node_of(data)
        if side == "person" and node is not None:
            self.node = node

    async def _open_topic(self, body: dict[str, Any]) -> None:
        """Team mode: show another topic of the group (0: General)."""
        topic = body.get("topic")
        if self.team is None:
            raise ValueError("the preview is not in team mode")
        known = {int(t["message_thread_id"]) for t in self.fake.topics(self.team.group_id)}
        if not isinstance(topic, int) or (topic != 0 and topic not in known):
            raise LookupError("there is no such topic (any more)")
        self.topic = topic

    async def _language(self, body: dict[str, Any]) -> None:
        await self.switch_language(str(body.get("language", "")))

    async def _restart(self, _body: dict[str, Any]) -> None:
        self.person = self._new_person(self.person.language_code or self.languages[0])
        await self.fake.send_text(self.person, "/start")
        self.node = self.content.snapshot.root

    async def _jump(self, body: dict[str, Any]) -> None:
        await self.jump(str(body.get("node", "")).strip())

    # --- helpers ---------------------------------------------------------------------------

    def _new_person(self, language: str) -> FakeUser:
        return self.fake.user(next(self._person_ids), "Person", language_code=language)

    def _newest_bot_message(self, user: FakeUser) -> SimMessage | None:
        return next((m for m in reversed(self.fake.chat(user.id)) if m.from_bot and not m.deleted), None)


def _side(body: dict[str, Any]) -> Side:
    side = body.get("side")
    if side not in SIDES:
        raise ValueError("side must be person or counsellor")
    return "person" if side == "person" else "counsellor"


def _button_json(button: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": str(button.get("text", ""))}
    if "callback_data" in button:
        out["data"] = str(button["callback_data"])
    url = str(button.get("url", ""))
    if url.startswith(("https://", "http://")):  # anything else would not open in a browser anyway
        out["url"] = url
    return out


def _snippet(message: dict[str, Any]) -> str:
    """A one-line quote of the message replied to, as Telegram shows above a reply."""
    text = str(message.get("text") or message.get("caption") or "")  # already plain, as Telegram stores it
    if not text:
        kind = next((k for k in _KIND_LABELS if k in message), "")
        return _KIND_LABELS.get(kind, "")
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= 80 else line[:79] + "…"


_SERVICE = ("forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
            "pinned_message", "new_chat_members", "left_chat_member")


def _service_line(message: SimMessage) -> str | None:
    """The grey line a Telegram app shows for a service message, or None for any other message."""
    raw = message.raw
    if "forum_topic_created" in raw:
        return f"Topic «{raw['forum_topic_created'].get('name', '')}» created"
    if "forum_topic_edited" in raw:
        name = raw["forum_topic_edited"].get("name")
        return f"Topic renamed to «{name}»" if name else "Topic icon changed"
    if "forum_topic_closed" in raw:
        return "Topic closed"
    if "forum_topic_reopened" in raw:
        return "Topic reopened"
    if "pinned_message" in raw:
        return f"📌 Pinned «{_snippet(raw['pinned_message'])}»"
    if "new_chat_members" in raw:
        return " ".join(str(user.get("first_name", "")) for user in raw["new_chat_members"]) + " joined the group"
    if "left_chat_member" in raw:
        return f"{raw['left_chat_member'].get('first_name', '')} left the group"
    return None


def _internal(message: SimMessage, prefix: str, marker: int | None) -> bool:
    """The team's "internal" marker itself, or a member's note: starting with the prefix, or replying to
    the marker. Such messages stay in the group (the bot's team mode never passes them on)."""
    if message.from_bot:
        return marker is not None and message.message_id == marker
    text = str(message.raw.get("text") or message.raw.get("caption") or "")
    reply = message.raw.get("reply_to_message")
    replied = reply.get("message_id") if isinstance(reply, dict) else None
    return text.lstrip().startswith(prefix) or (marker is not None and replied == marker)
