"""Logs at every level, from our code and from aiogram, aiohttp and SQLAlchemy, carry no one's identity,
no message text, no pseudonym and no token, even when a handler fails with the person's words in the error."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from bot.config import Config
from bot.identity.crypto import KeyRing
from bot.logs import RedactTokens, make_handler
from bot.simulator.server import FakeTelegram
from tests.chat import last, say, tap, text_of
from tests.conftest import COUNSELLOR_RU, TEST_KEY, RunningBot
from tests.e2e.test_handoff import CODE
from tests.privacy.canary import (
    CANARY_FIRST_NAME,
    CANARY_ID,
    CANARY_LAST_NAME,
    CANARY_TEXT,
    CANARY_USERNAME,
)
from tests.privacy.modes import MODES, SETTLE, Side, desk_in
from tests.privacy.scanner import needles, scan


@pytest.fixture(params=MODES)
async def desk(request: pytest.FixtureRequest, fake: FakeTelegram,
               make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """Private-chat mode and team mode (issue 19) alike."""
    async with desk_in(request.param, fake, make_config) as bot:
        yield bot


def identity_needles(fake: FakeTelegram) -> dict[str, bytes]:
    wanted = needles([CANARY_ID, COUNSELLOR_RU], [CANARY_FIRST_NAME, CANARY_LAST_NAME, CANARY_USERNAME,
                                                  "CANARY-TEXT-93f1", "Olga"])
    # Binary forms of ids only matter in binary files; in text, the decimal and hash forms are what count.
    wanted = {k: v for k, v in wanted.items() if "-byte" not in k and " raw" not in k}
    wanted["pseudonym"] = KeyRing(TEST_KEY).pseudonym("user", CANARY_ID).encode()
    wanted["token"] = fake.token.encode()
    wanted["token secret"] = fake.token.split(":", 1)[1].encode()
    return wanted


async def test_a_whole_conversation_logged_at_debug_leaks_nothing(desk: RunningBot, fake: FakeTelegram,
                                                                 caplog: pytest.LogCaptureFixture,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    handler = make_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        olga = Side(fake, desk, fake.user(COUNSELLOR_RU, "Olga", language_code="ru"))
        person = fake.user(CANARY_ID, CANARY_FIRST_NAME, last_name=CANARY_LAST_NAME, username=CANARY_USERNAME,
                           language_code="ru")
        await olga.on()
        await say(fake, person, "/start")
        await tap(fake, person, "💬")
        await tap(fake, person, "✅")
        code = CODE.search(text_of(last(fake, person)))
        assert code is not None
        await say(fake, person, CANARY_TEXT)
        await fake.wait_idle(timeout=SETTLE)
        await olga.take(code.group(0))
        await olga.say(code.group(0), "ответ")

        assert desk.app is not None

        def fail(*_args: object, **_kwargs: object) -> None:
            raise ValueError(f"could not parse {CANARY_TEXT!r} from user {CANARY_ID} ({CANARY_USERNAME})")

        monkeypatch.setattr(desk.app.services.screens, "help", fail)
        await say(fake, person, "/help")
        await say(fake, person, "/forget")
        await tap(fake, person, "Да, удалить всё")
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)

    output = stream.getvalue()
    assert "handler failed: ValueError" in output, "the failure itself is logged, as a type"
    assert "Update id=" in output, "aiogram's own loggers were captured too"
    assert scan(output.encode(), identity_needles(fake)) == []
    raw_messages = "\n".join(record.getMessage() for record in caplog.records)
    assert scan(raw_messages.encode(), identity_needles(fake)) == [], "not even before the filter"


def test_the_filter_masks_tokens_and_exception_text() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("hotline.test.redaction")
    logger.propagate = False
    logger.addHandler(make_handler(stream))
    try:
        # Built at run time so the repository holds nothing shaped like a real token.
        token = "123456789:" + "AAE3xmpl-TOKEN_" + "abcdefghijklmnopqrstuv"
        logger.error("request to https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError("the person wrote CANARY-TEXT-93f1")
        except RuntimeError:
            logger.exception("something broke")
    finally:
        logger.handlers.clear()
    output = stream.getvalue()
    assert "AAE3xmpl" not in output and "<token>" in output
    assert "CANARY-TEXT-93f1" not in output and "something broke (RuntimeError)" in output


def test_the_filter_is_on_the_handler_the_program_installs() -> None:
    assert any(isinstance(f, RedactTokens) for f in make_handler().filters)


def test_sqlalchemy_does_not_echo_statements(desk: RunningBot) -> None:
    assert desk.app is not None
    assert desk.app.services.database.engine.echo is False
