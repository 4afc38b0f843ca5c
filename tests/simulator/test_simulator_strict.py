"""The fake Telegram refuses what Telegram refuses: old callback queries, old messages, uncopyable kinds,
and it can serve the updates Telegram sends that aiogram cannot decode."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import ClientDecodeError, TelegramBadRequest
from aiogram.types import ChatMemberBanned, ChatMemberMember, InlineKeyboardButton, InlineKeyboardMarkup

from bot.simulator.server import FakeTelegram, FakeUser
from bot.simulator.state import CALLBACK_QUERY_TIMEOUT, DELETE_WINDOW


@pytest.fixture
async def alice(fake: FakeTelegram) -> FakeUser:
    person = fake.user(1, "Alice")
    await fake.send_text(person, "hello")
    return person


async def tap(fake: FakeTelegram, bot: Bot, person: FakeUser) -> str:
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]])
    sent = await bot.send_message(person.id, "menu", reply_markup=markup)
    return await fake.press(person, sent.message_id, "go")


async def test_callback_query_expires_like_telegrams(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    assert fake.callback_timeout == CALLBACK_QUERY_TIMEOUT
    fresh = await tap(fake, bot, alice)
    fake.advance(CALLBACK_QUERY_TIMEOUT - 1)
    assert await bot.answer_callback_query(fresh)
    stale = await tap(fake, bot, alice)
    fake.advance(CALLBACK_QUERY_TIMEOUT)
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired"):
        await bot.answer_callback_query(stale)


async def test_callback_query_timeout_is_configurable(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    fake.callback_timeout = 0
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(await tap(fake, bot, alice))
    fake.callback_timeout = 3600
    query = await tap(fake, bot, alice)
    fake.advance(600)
    assert await bot.answer_callback_query(query)
    with pytest.raises(TelegramBadRequest, match="query is too old"):  # answered once only
        await bot.answer_callback_query(query)




async def test_member_updates_carry_until_date_when_kicked(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    confirmed = (await bot.get_updates())[-1].update_id
    fake.block(alice)
    fake.unblock(alice)
    blocked, unblocked = await bot.get_updates(offset=confirmed + 1)
    assert blocked.my_chat_member is not None and unblocked.my_chat_member is not None
    assert isinstance(blocked.my_chat_member.new_chat_member, ChatMemberBanned)
    assert isinstance(unblocked.my_chat_member.old_chat_member, ChatMemberBanned)
    assert isinstance(unblocked.my_chat_member.new_chat_member, ChatMemberMember)


async def test_messages_older_than_48_hours_cannot_be_deleted(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    old = await bot.send_message(alice.id, "old")
    older_mine = fake.chat(alice.id)[0]
    fake.advance(DELETE_WINDOW)
    new = await bot.send_message(alice.id, "new")
    for message_id in (old.message_id, older_mine.message_id):
        with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
            await bot.delete_message(alice.id, message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_messages(alice.id, [old.message_id, new.message_id])
    assert not any(m.deleted for m in fake.chat(alice.id))  # all or nothing
    assert await bot.delete_messages(alice.id, [new.message_id, 9999])  # missing ids are skipped
    assert fake.chat(alice.id)[-1].deleted


async def test_message_ids_are_checked_like_telegram(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="message identifiers are not specified"):
        await bot.delete_messages(alice.id, [])
    with pytest.raises(TelegramBadRequest, match="too many message identifiers specified"):
        await bot.delete_messages(alice.id, list(range(1, 102)))


async def test_undecodable_update_is_served_by_get_updates(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    confirmed = (await bot.get_updates())[-1].update_id
    await fake.send_undecodable(alice, "a secret text")
    with pytest.raises(ClientDecodeError):
        await bot.get_updates(offset=confirmed + 1)
    async with aiohttp.ClientSession() as http, http.get(
        f"{fake.base_url}/bot{fake.token}/getUpdates", params={"offset": str(confirmed + 1)}
    ) as response:
        (raw,) = (await response.json())["result"]
    assert raw["message"]["text"] == "a secret text"
    assert raw["message"]["forward_origin"]["type"] == "hidden_user"
    assert "sender_user_name" not in raw["message"]["forward_origin"]
