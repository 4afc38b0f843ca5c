"""Input the menus cannot use: each gets a clear answer in the person's language, never a crash or silence."""

from __future__ import annotations

import pytest

from bot.menus.callbacks import NavCallback
from bot.simulator.server import FakeTelegram
from tests.chat import labels, last, say, tap, text_of, visible
from tests.conftest import RunningBot

# A phrase of each answer, per language: proof the answer is in the person's language.
MEDIA = {"en": "only work with the buttons", "ru": "понимаю только кнопки", "de": "verstehe ich nur die Knöpfe"}
STALE = {"en": "has been updated", "ru": "оно изменилось", "de": "inzwischen aktualisiert"}
UNKNOWN_BUTTON = {"en": "no longer works", "ru": "больше не работает", "de": "funktioniert nicht mehr"}
LOCATION = {"en": "never send your location", "ru": "не присылайте сюда своё местоположение",
            "de": "nie deinen Standort"}
EDITED = {"en": "edited messages", "ru": "Исправленные сообщения", "de": "Bearbeitete Nachrichten"}
COMMAND = {"en": "don't know that command", "ru": "Такой команды нет", "de": "Diesen Befehl kenne ich nicht"}
LANGUAGES = ["ru", "en", "de"]


def _user(fake: FakeTelegram, language: str, offset: int) -> object:
    return fake.user(10_000 + offset * 10 + LANGUAGES.index(language), language_code=language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_free_text_and_very_long_text(running: RunningBot, fake: FakeTelegram, language: str) -> None:
    user = fake.user(20_000 + LANGUAGES.index(language), language_code=language)
    await say(fake, user, "повестка пришла что делать")
    # Typed text is searched (tests/e2e/test_search.py): the summons pages come back as buttons.
    answer = last(fake, user)
    assert any("summons" in str(b.get("callback_data")) for b in answer.buttons())
    assert any("💬" in b for b in labels(answer)), "the counsellor stays one tap away"
    await say(fake, user, "x" * 4096)
    assert text_of(last(fake, user)), "a 4096-character message still gets an answer"
    assert len(visible(fake, user)) == 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "video", "video_note", "animation"])
async def test_media_gets_a_clear_answer(running: RunningBot, fake: FakeTelegram, language: str, kind: str) -> None:
    user = fake.user(30_000 + LANGUAGES.index(language) * 100 + hash(kind) % 97, language_code=language)
    await fake.send_media(user, kind)
    await fake.wait_idle()
    assert MEDIA[language] in text_of(last(fake, user))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["location", "venue", "contact"])
async def test_location_and_contact_are_deleted_and_warned_about(running: RunningBot, fake: FakeTelegram,
                                                                language: str, kind: str) -> None:
    user = fake.user(40_000 + LANGUAGES.index(language) * 10 + len(kind), language_code=language)
    sent = await fake.send_media(user, kind)
    await fake.wait_idle()
    assert LOCATION[language] in text_of(last(fake, user))
    assert next(m for m in fake.chat(user.id) if m.message_id == sent.message_id).deleted


@pytest.mark.parametrize("language", LANGUAGES)
async def test_stale_button_from_older_content(running: RunningBot, fake: FakeTelegram, language: str) -> None:
    user = fake.user(50_000 + LANGUAGES.index(language), language_code=language)
    await say(fake, user, "/start")
    await tap(fake, user, {"en": "I got a summons", "ru": "Мне пришла повестка",
                           "de": "Ich habe eine Einberufung"}[language])
    menu = last(fake, user)
    # A button from an older content version, pointing at a page that no longer exists.
    old = NavCallback(node="removed_page", v="000000").pack()
    menu.reply_markup = {"inline_keyboard": [[{"text": "old", "callback_data": old}]]}
    await fake.press(user, menu.message_id, old)
    await fake.wait_idle()
    answer = text_of(last(fake, user))
    assert STALE[language] in answer
    assert f"{language.upper()}-SUMMONS-BODY" in answer, "they stay where they were"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("data", ["garbage", "n:../../etc", "n:" + "a" * 40 + ":123456", "l:xx", "zzz:1:2:3"])
async def test_unknown_callback_data(running: RunningBot, fake: FakeTelegram, language: str, data: str) -> None:
    user = fake.user(60_000 + LANGUAGES.index(language) * 100 + hash(data) % 89, language_code=language)
    await say(fake, user, "/start")
    menu = last(fake, user)
    menu.reply_markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    query = await fake.press(user, menu.message_id, data)
    await fake.wait_idle()
    assert query in fake.answered_callbacks, "the button stops spinning"
    text = text_of(last(fake, user))
    assert UNKNOWN_BUTTON[language] in text or f"{language.upper()}-ROOT-BODY" in text


@pytest.mark.parametrize("language", LANGUAGES)
async def test_edited_message_and_unknown_command(running: RunningBot, fake: FakeTelegram, language: str) -> None:
    user = fake.user(70_000 + LANGUAGES.index(language), language_code=language)
    sent = await say(fake, user, "hello")
    await fake.edit(user, sent.message_id, "hello again")
    await fake.wait_idle()
    assert EDITED[language] in text_of(last(fake, user))
    await say(fake, user, "/nonsense")
    assert COMMAND[language] in text_of(last(fake, user))


async def test_unsupported_update_types_do_not_stop_the_bot(running: RunningBot, fake: FakeTelegram) -> None:
    user = fake.user(80_001, language_code="en")
    fake.feed_raw({"inline_query": {"id": "q1", "from": user.to_json(), "query": "x", "offset": ""}})
    fake.feed_raw({"some_future_update": {"id": 1}})
    fake.feed_raw({"channel_post": {"message_id": 1, "date": 0, "chat": {"id": -100123, "type": "channel"},
                                    "text": "hi"}})
    fake.feed_raw({"message": {"message_id": 5, "date": 0, "chat": {"id": -555, "type": "group", "title": "g"},
                               "from": user.to_json(), "text": "/start"}})
    await fake.wait_idle()
    answered = [c for c in fake.calls if c.method.lower() == "answerinlinequery"]
    assert answered and answered[0].params["results"] == []
    assert not [c for c in fake.calls if c.params.get("chat_id") in (-100123, -555)], "no answers in groups"
    await say(fake, user, "/start")
    assert "EN-ROOT-BODY" in text_of(last(fake, user)), "still working afterwards"


async def test_a_failing_handler_still_answers(running: RunningBot, fake: FakeTelegram,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert running.app is not None
    screens = running.app.services.screens

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom with SECRET-CONTENT")

    monkeypatch.setattr(screens, "help", broken)
    user = fake.user(80_002, language_code="ru")
    await say(fake, user, "/help")
    assert "что-то сломалось" in text_of(last(fake, user))
