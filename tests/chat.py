"""Small verbs for end-to-end tests: what a person does and sees in the fake Telegram."""

from __future__ import annotations

from bot.simulator.server import FakeTelegram, FakeUser, SimMessage
from bot.telegram.html import to_plain


def visible(fake: FakeTelegram, user: FakeUser) -> list[SimMessage]:
    """The bot's messages still in the person's chat, oldest first."""
    return [m for m in fake.chat(user.id) if m.from_bot and not m.deleted]


def last(fake: FakeTelegram, user: FakeUser) -> SimMessage:
    messages = visible(fake, user)
    assert messages, "the bot has not answered"
    return messages[-1]


def text_of(message: SimMessage) -> str:
    return to_plain(message.text or "")


def labels(message: SimMessage) -> list[str]:
    return [str(b["text"]) for b in message.buttons()]


async def say(fake: FakeTelegram, user: FakeUser, text: str) -> SimMessage:
    sent = await fake.send_text(user, text)
    await fake.wait_idle()
    return sent


async def tap(fake: FakeTelegram, user: FakeUser, label: str) -> SimMessage:
    """Press the button whose label contains `label` on the newest message that has buttons."""
    menus = [m for m in visible(fake, user) if m.buttons()]
    assert menus, "no message with buttons"
    menu = menus[-1]
    for button in menu.buttons():
        if label in str(button["text"]) and "callback_data" in button:
            await fake.press(user, menu.message_id, str(button["callback_data"]))
            await fake.wait_idle()
            return menu
    raise AssertionError(f"no button {label!r} in {labels(menu)}")
