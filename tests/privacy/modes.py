"""The two ways counsellors work, for privacy tests that must hold in both: private chats with the bot
(the default) and team mode (each case a topic in the counsellors' forum group, issue 19).

A test written against `Side` runs the same scenario in either mode: `Side.take`, `say`, `note`, `send`
and `close` act in the counsellor's private chat or in the case's topic; `calls` and `messages` are what the
bot sent to where counsellors read (their chat, or the whole group).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.config import Config
from bot.identity.crypto import KeyRing
from bot.simulator.server import ApiCall, FakeTelegram, FakeUser, SimMessage
from tests.chat import say
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, TEAM_GROUP, RunningBot, counsellors_yaml, team_yaml

MODES = ("private", "team")
SETTLE = 60.0  # seconds: the group takes about one message a second


@asynccontextmanager
async def desk_in(mode: str, fake: FakeTelegram, make_config: Callable[..., Config],
                  keys: KeyRing | None = None) -> AsyncIterator[RunningBot]:
    """The bot with the two counsellors of conftest, in private-chat or team mode, running."""
    if mode == "team":
        olga = fake.user(COUNSELLOR_RU, "Olga", language_code="ru")
        anna = fake.user(COUNSELLOR_DE, "Anna", language_code="de")
        fake.forum_group([olga, anna], group_id=TEAM_GROUP)
    bot = RunningBot(fake, make_config(extra_yaml=team_yaml() if mode == "team" else counsellors_yaml()),
                     keys=keys)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


class Side:
    """A counsellor acting in either mode; `code` names the case where team mode needs its topic."""

    def __init__(self, fake: FakeTelegram, desk: RunningBot, user: FakeUser) -> None:
        self.fake, self.user = fake, user
        self.team = desk.config.settings.team.enabled

    def thread(self, code: str) -> int:
        found = [t["message_thread_id"] for t in self.fake.topics(TEAM_GROUP) if str(t["name"]).startswith(code)]
        assert found, f"no topic for case {code}"
        return int(found[0])

    def has_topic(self, code: str) -> bool:
        return any(str(t["name"]).startswith(code) for t in self.fake.topics(TEAM_GROUP))

    async def command(self, code: str, text: str) -> None:
        if self.team:
            await self.fake.post(self.user, TEAM_GROUP, text, thread=self.thread(code))
            await self.fake.wait_idle(timeout=SETTLE)
        else:
            await say(self.fake, self.user, text)

    say = command  # a plain message goes the same way

    async def on(self) -> None:
        if not self.team:  # team mode has no shifts: the group shows every case
            await say(self.fake, self.user, "/on")

    async def take(self, code: str) -> None:
        await self.command(code, "/take")

    async def note(self, code: str, text: str) -> None:
        await self.command(code, f"/note {text}")

    async def close(self, code: str) -> None:
        await self.command(code, "/close")

    def calls(self) -> list[ApiCall]:
        """The bot's requests to where counsellors read."""
        where = TEAM_GROUP if self.team else self.user.id
        return [c for c in self.fake.calls if c.params.get("chat_id") == where]

    def messages(self) -> list[SimMessage]:
        """The bot's messages still held where counsellors read (every topic of the group, in team mode)."""
        if not self.team:
            return [m for m in self.fake.chat(self.user.id) if m.from_bot]
        return [m for t in self.fake.topics(TEAM_GROUP)
                for m in self.fake.topic_messages(TEAM_GROUP, int(t["message_thread_id"])) if m.from_bot]

    def everything(self) -> list[dict[str, Any]]:
        """Every message the fake holds where counsellors read, anyone's, as raw JSON."""
        if not self.team:
            return [m.raw for m in self.fake.chat(self.user.id)]
        return [m.raw for t in self.fake.topics(TEAM_GROUP)
                for m in self.fake.topic_messages(TEAM_GROUP, int(t["message_thread_id"]))]
