"""The fake Telegram's copyMessages, sendMediaGroup and editMessageCaption, with Telegram's limits and errors."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputMediaAudio, InputMediaDocument, InputMediaLivePhoto, InputMediaPhoto, InputMediaVideo

from bot.simulator.server import FakeTelegram, FakeUser

Album = list[InputMediaAudio | InputMediaDocument | InputMediaLivePhoto | InputMediaPhoto | InputMediaVideo]

COUNSELLOR = 900


@pytest.fixture
async def alice(fake: FakeTelegram) -> FakeUser:
    person = fake.user(1, "Alice")
    await fake.send_text(person, "hello")
    await fake.send_text(fake.user(COUNSELLOR, "Counsellor"), "/start")
    return person


async def photo_ids(fake: FakeTelegram, person: FakeUser, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        sent = await fake.send_media(person, "photo")
        ids.append(sent.raw["photo"][-1]["file_id"])
    return ids


async def test_copy_messages_copies_in_order_and_skips_what_it_cannot_copy(
    fake: FakeTelegram, bot: Bot, alice: FakeUser
) -> None:
    first = await fake.send_text(alice, "first")
    service = await fake.send_media(alice, "pinned_message")
    photo = await fake.send_media(alice, "photo", caption="a photo")
    copied = await bot.copy_messages(COUNSELLOR, alice.id, [first.message_id, service.message_id,
                                                            photo.message_id, 9999])
    assert len(copied) == 2  # the service message and the missing id are skipped, as Telegram does
    texts = [message.raw.get("text") or message.raw.get("caption") for message in fake.chat(COUNSELLOR)[-2:]]
    assert texts == ["first", "a photo"]
    assert [m.message_id for m in fake.chat(COUNSELLOR)[-2:]] == [c.message_id for c in copied]


async def test_copy_messages_refuses_what_telegram_refuses(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="message identifiers are not specified"):
        await bot.copy_messages(COUNSELLOR, alice.id, [])
    with pytest.raises(TelegramBadRequest, match="too many message identifiers specified"):
        await bot.copy_messages(COUNSELLOR, alice.id, list(range(1, 102)))
    with pytest.raises(TelegramBadRequest, match="invalid message identifier specified"):
        await bot.copy_messages(COUNSELLOR, alice.id, [0])
    assert len(await bot.copy_messages(COUNSELLOR, alice.id, list(range(1, 101)))) == 1  # 100 is allowed


async def test_copy_messages_keeps_an_album_together(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    album = await bot.send_media_group(alice.id, [InputMediaPhoto(media=f) for f in await photo_ids(fake, alice, 2)])
    copied = await bot.copy_messages(COUNSELLOR, alice.id, [m.message_id for m in album])
    groups = {fake.chat(COUNSELLOR)[-1].raw["media_group_id"], fake.chat(COUNSELLOR)[-2].raw["media_group_id"]}
    assert len(copied) == 2 and len(groups) == 1 and groups != {album[0].media_group_id}


@pytest.mark.parametrize("kind", ["pinned_message", "paid_media", "quiz"])
async def test_copy_message_refuses_kinds_telegram_will_not_copy(
    fake: FakeTelegram, bot: Bot, alice: FakeUser, kind: str
) -> None:
    sent = await fake.send_media(alice, kind)
    with pytest.raises(TelegramBadRequest, match="message can't be copied"):
        await bot.copy_message(COUNSELLOR, alice.id, sent.message_id)


async def test_copy_message_copies_a_regular_poll(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    sent = await fake.send_media(alice, "poll")
    await bot.copy_message(COUNSELLOR, alice.id, sent.message_id)
    assert fake.chat(COUNSELLOR)[-1].raw["poll"]["question"] == "Question?"


async def test_send_media_group_sends_one_album(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    files = await photo_ids(fake, alice, 3)
    media: Album = [InputMediaPhoto(media=files[0], caption="<b>one</b>", parse_mode="HTML"),
             InputMediaPhoto(media=files[1]), InputMediaVideo(media="https://example.org/v.mp4")]
    sent = await bot.send_media_group(alice.id, media, protect_content=True)
    assert [m.content_type for m in sent] == ["photo", "photo", "video"]
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].media_group_id is not None
    assert sent[0].caption == "one" and sent[1].caption is None
    assert all(m.has_protected_content for m in sent)


async def test_send_media_group_refuses_what_telegram_refuses(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    (photo,) = await photo_ids(fake, alice, 1)
    document = (await fake.send_media(alice, "document")).raw["document"]["file_id"]
    audio = (await fake.send_media(alice, "audio")).raw["audio"]["file_id"]
    cases: list[tuple[Album, str]] = [
        ([InputMediaPhoto(media=photo)], "too few messages to send as an album"),
        ([InputMediaPhoto(media=photo)] * 11, "too many messages to send as an album"),
        ([InputMediaPhoto(media=photo), InputMediaDocument(media=document)], "document can't be mixed"),
        ([InputMediaAudio(media=audio), InputMediaPhoto(media=photo)], "audio can't be mixed"),
        ([InputMediaPhoto(media=photo), InputMediaPhoto(media="no-such-file")], "wrong file identifier"),
        ([InputMediaPhoto(media=photo), InputMediaPhoto(media=photo, caption="x" * 1025)], "caption is too long"),
    ]
    before = len(fake.chat(alice.id))
    for media, error in cases:
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.send_media_group(alice.id, media)
    assert len(fake.chat(alice.id)) == before  # a refused album sends nothing
    assert len(await bot.send_media_group(alice.id, [InputMediaPhoto(media=photo)] * 10)) == 10


async def test_edit_message_caption(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    (photo,) = await photo_ids(fake, alice, 1)
    sent = await bot.send_photo(alice.id, photo, caption="old")
    edited = await bot.edit_message_caption(chat_id=alice.id, message_id=sent.message_id,
                                            caption="<i>new</i>", parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.caption == "new" and fake.chat(alice.id)[-1].edited
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_caption(chat_id=alice.id, message_id=sent.message_id,
                                       caption="<i>new</i>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.edit_message_caption(chat_id=alice.id, message_id=sent.message_id, caption="x" * 1025)
    removed = await bot.edit_message_caption(chat_id=alice.id, message_id=sent.message_id)
    assert not isinstance(removed, bool) and removed.caption is None
    text = await bot.send_message(alice.id, "text")
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=alice.id, message_id=text.message_id, caption="x")
    mine = fake.chat(alice.id)[0]
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_caption(chat_id=alice.id, message_id=mine.message_id, caption="x")
