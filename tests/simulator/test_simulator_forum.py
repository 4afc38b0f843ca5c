"""The fake Telegram's supergroups and forum topics, through aiogram's real client: topics made, used, edited,
closed and deleted with everything in them; pinning; what getChat and getChatMember tell; the refusals with
Telegram's texts."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    ChatFullInfo,
    ChatMemberAdministrator,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)

from bot.simulator.server import FakeTelegram, FakeUser, FloodLimits

GROUP = -1001000000001


@pytest.fixture
def ana(fake: FakeTelegram) -> FakeUser:
    return fake.user(501, "Ana", username="ana_counsels")


@pytest.fixture
def ben(fake: FakeTelegram) -> FakeUser:
    return fake.user(502, "Ben")


@pytest.fixture
def group(fake: FakeTelegram, ana: FakeUser, ben: FakeUser) -> int:
    return fake.forum_group([ana, ben], group_id=GROUP, admins=[ana])


async def test_a_topic_opens_with_a_service_message_whose_id_is_the_thread_id(
    fake: FakeTelegram, bot: Bot, group: int
) -> None:
    topic = await bot.create_forum_topic(group, "K7QM · ru · Call-up", icon_color=0xFB6F5F)
    assert topic.name == "K7QM · ru · Call-up" and topic.icon_color == 0xFB6F5F
    opening = fake.topic_messages(group, topic.message_thread_id)
    assert [m.message_id for m in opening] == [topic.message_thread_id]
    assert opening[0].raw["forum_topic_created"] == {"name": "K7QM · ru · Call-up", "icon_color": 0xFB6F5F}
    assert fake.topics(group) == [topic.model_dump(exclude_none=True) | {"is_closed": False}]
    second = await bot.create_forum_topic(group, "second")
    assert second.message_thread_id > topic.message_thread_id and second.icon_color == 0x6FB9F0


async def test_create_forum_topic_refuses_what_telegram_refuses(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="name must be non-empty"):
        await bot.create_forum_topic(group, " \u200b ")
    with pytest.raises(TelegramBadRequest, match="invalid icon color specified"):
        await bot.create_forum_topic(group, "x", icon_color=0x123456)
    plain = fake.forum_group([ana], group_id=-1001000000002, is_forum=False)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(plain, "x")
    await fake.send_text(ana, "/start")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(ana.id, "x")
    fake.set_bot_rights(group, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(group, "x")
    assert fake.topics(group) == []


async def test_a_long_topic_name_is_cut_to_128_characters(bot: Bot, group: int) -> None:
    topic = await bot.create_forum_topic(group, "n" * 200)
    assert topic.name == "n" * 128


async def test_messages_sent_into_a_topic_land_there_as_replies_to_its_opening(
    fake: FakeTelegram, bot: Bot, group: int
) -> None:
    topic = await bot.create_forum_topic(group, "case")
    thread = topic.message_thread_id
    sent = await bot.send_message(group, "hello", message_thread_id=thread)
    assert sent.message_thread_id == thread and sent.is_topic_message
    # Telegram shows a topic's message that replies to nothing as a reply to the topic's opening message.
    assert sent.reply_to_message is not None and sent.reply_to_message.message_id == thread
    answer = await bot.send_message(group, "answer", reply_parameters=ReplyParameters(message_id=sent.message_id))
    assert answer.message_thread_id == thread  # a reply goes into its message's topic
    assert answer.reply_to_message is not None and answer.reply_to_message.message_id == sent.message_id
    outside = await bot.send_message(group, "general")
    assert outside.message_thread_id is None and outside.reply_to_message is None
    assert fake.read_topic(group, thread) == ["hello", "answer"]


async def test_copies_media_and_albums_go_into_the_topic_named(
    fake: FakeTelegram, bot: Bot, group: int
) -> None:
    person = fake.user(1, "Person")
    photo = await fake.send_media(person, "photo", caption="a photo")
    text = await fake.send_text(person, "words")
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    await bot.copy_message(group, person.id, text.message_id, message_thread_id=thread)
    await bot.copy_messages(group, person.id, [photo.message_id], message_thread_id=thread)
    file_id = photo.raw["photo"][-1]["file_id"]
    await bot.send_photo(group, file_id, caption="sent", message_thread_id=thread)
    await bot.send_media_group(group, [InputMediaPhoto(media=file_id), InputMediaPhoto(media=file_id)],
                               message_thread_id=thread)
    assert fake.read_topic(group, thread) == ["words", "a photo", "sent", "[photo]", "[photo]"]
    assert all(m.raw["has_protected_content"] for m in fake.topic_messages(group, thread))


async def test_message_thread_id_must_name_an_open_topic(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "x", message_thread_id=999)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "x", message_thread_id=1)  # the General topic is named by no id
    await fake.send_text(ana, "/start")
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(ana.id, "x", message_thread_id=5)
    plain = fake.forum_group([ana], group_id=-1001000000002, is_forum=False)
    sent = await bot.send_message(plain, "x", message_thread_id=5)  # a group that is no forum ignores it
    assert sent.message_thread_id is None


async def test_a_member_posting_in_a_topic_reaches_the_bot_like_telegram(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser, ben: FakeUser
) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    bots = await bot.send_message(group, "internal marker", message_thread_id=thread)
    posted = await fake.post(ana, group, "I take it", thread=thread)
    replied = await fake.reply(ben, group, bots.message_id, "note")
    command = await fake.post(ana, group, "/take", thread=thread)
    updates = await bot.get_updates()
    messages = [update.message for update in updates if update.message is not None]
    assert [m.message_id for m in messages] == [posted.message_id, replied.message_id, command.message_id]
    first, second, third = messages
    assert first.message_thread_id == thread and first.is_topic_message
    assert first.from_user is not None and first.from_user.id == ana.id
    assert first.reply_to_message is not None and first.reply_to_message.forum_topic_created is not None
    assert second.reply_to_message is not None and second.reply_to_message.message_id == bots.message_id
    assert second.message_thread_id == thread
    assert third.entities is not None and third.entities[0].type == "bot_command"
    assert first.chat.is_forum and first.chat.type == "supergroup"


async def test_only_members_post_and_only_admins_post_in_a_closed_topic(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser, ben: FakeUser
) -> None:
    stranger = fake.user(666, "Stranger")
    with pytest.raises(PermissionError):
        await fake.post(stranger, group, "let me in")
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    await bot.close_forum_topic(group, thread)
    with pytest.raises(PermissionError):
        await fake.post(ben, group, "closed?", thread=thread)
    await fake.post(ana, group, "admins may", thread=thread)
    with pytest.raises(LookupError):
        await fake.post(ana, group, "nowhere", thread=4242)
    assert fake.read_topic(group, thread) == ["admins may"]


async def test_joining_and_leaving_shows_in_the_group_and_in_get_chat_member(
    fake: FakeTelegram, bot: Bot, group: int
) -> None:
    newcomer = fake.user(777, "New")
    joined = await fake.join(group, newcomer)
    assert joined.raw["new_chat_members"][0]["id"] == newcomer.id
    assert (await bot.get_chat_member(group, newcomer.id)).status == "member"
    await fake.post(newcomer, group, "hi")
    await fake.leave(group, newcomer)
    assert (await bot.get_chat_member(group, newcomer.id)).status == "left"
    with pytest.raises(PermissionError):
        await fake.post(newcomer, group, "again")
    kinds = [update.message.new_chat_members is not None or update.message.left_chat_member is not None
             for update in await bot.get_updates() if update.message is not None]
    assert kinds == [True, False, True]


async def test_delete_forum_topic_removes_the_topic_and_every_message_in_it(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    keep = (await bot.create_forum_topic(group, "other")).message_thread_id
    sent = await bot.send_message(group, "secret", message_thread_id=thread)
    await fake.post(ana, group, "also secret", thread=thread)
    await bot.pin_chat_message(group, sent.message_id)
    await bot.send_message(group, "stays", message_thread_id=keep)
    await bot.delete_forum_topic(group, thread)
    assert [topic["message_thread_id"] for topic in fake.topics(group)] == [keep]
    assert fake.topic_messages(group, thread) == []
    texts = [m.raw.get("text") for m in fake.chat(group)]
    assert "secret" not in texts and "also secret" not in texts and "stays" in texts
    assert fake.pinned(group) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(group, "x", message_thread_id=thread)
    for again in (bot.delete_forum_topic, bot.close_forum_topic):
        with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
            await again(group, thread)


async def test_delete_forum_topic_needs_can_delete_messages(fake: FakeTelegram, bot: Bot, group: int) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    fake.set_bot_rights(group, can_delete_messages=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to delete the topic"):
        await bot.delete_forum_topic(group, thread)
    assert len(fake.topics(group)) == 1
    with pytest.raises(TelegramBadRequest, match="invalid forum topic identifier specified"):
        await bot.delete_forum_topic(group, 0)


async def test_edit_forum_topic_renames_and_refuses_no_change(fake: FakeTelegram, bot: Bot, group: int) -> None:
    thread = (await bot.create_forum_topic(group, "K7QM · ru")).message_thread_id
    assert await bot.edit_forum_topic(group, thread, name="K7QM · ru · Ana")
    assert fake.topics(group)[0]["name"] == "K7QM · ru · Ana"
    assert fake.topic_messages(group, thread)[-1].raw["forum_topic_edited"] == {"name": "K7QM · ru · Ana"}
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(group, thread, name="K7QM · ru · Ana")
    assert await bot.edit_forum_topic(group, thread)  # nothing asked, nothing done
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.edit_forum_topic(group, 999, name="x")


async def test_a_members_topic_needs_can_manage_topics_but_the_bots_own_does_not(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    own = (await bot.create_forum_topic(group, "own")).message_thread_id
    theirs = await fake.member_topic(ana, group, "theirs")
    fake.set_bot_rights(group, can_manage_topics=False)
    assert await bot.edit_forum_topic(group, own, name="own 2")
    assert await bot.close_forum_topic(group, own)
    with pytest.raises(TelegramBadRequest, match="not enough rights to edit the topic"):
        await bot.edit_forum_topic(group, theirs, name="mine now")
    with pytest.raises(TelegramBadRequest, match="not enough rights to close or open the topic"):
        await bot.close_forum_topic(group, theirs)


async def test_close_and_reopen(fake: FakeTelegram, bot: Bot, group: int) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    await bot.close_forum_topic(group, thread)
    assert fake.topics(group)[0]["is_closed"] is True
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(group, thread)
    await bot.send_message(group, "a bot that manages topics still writes", message_thread_id=thread)
    fake.set_bot_rights(group, can_manage_topics=False)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(group, "x", message_thread_id=thread)
    await bot.reopen_forum_topic(group, thread)
    await bot.send_message(group, "open again", message_thread_id=thread)
    kinds = [m.kind for m in fake.topic_messages(group, thread)]
    assert kinds == ["forum_topic_created", "forum_topic_closed", "text", "forum_topic_reopened", "text"]


async def test_pinning_in_a_topic(fake: FakeTelegram, bot: Bot, group: int) -> None:
    thread = (await bot.create_forum_topic(group, "Queue")).message_thread_id
    board = await bot.send_message(group, "queue: 2 waiting", message_thread_id=thread)
    assert await bot.pin_chat_message(group, board.message_id, disable_notification=True)
    service = fake.topic_messages(group, thread)[-1]
    assert service.raw["pinned_message"]["message_id"] == board.message_id  # in the same topic
    with pytest.raises(TelegramBadRequest, match="CHAT_NOT_MODIFIED"):
        await bot.pin_chat_message(group, board.message_id)
    chat = await bot.get_chat(group)
    assert chat.pinned_message is not None and chat.pinned_message.message_id == board.message_id
    edited = await bot.edit_message_text("queue: 1 waiting", chat_id=group, message_id=board.message_id)
    assert not isinstance(edited, bool) and edited.message_thread_id == thread
    assert fake.read_topic(group, thread) == ["queue: 1 waiting"]
    assert await bot.unpin_chat_message(group)
    with pytest.raises(TelegramBadRequest, match="message to unpin not found"):
        await bot.unpin_chat_message(group)
    with pytest.raises(TelegramBadRequest, match="CHAT_NOT_MODIFIED"):
        await bot.unpin_chat_message(group, message_id=board.message_id)
    with pytest.raises(TelegramBadRequest, match="message to pin not found"):
        await bot.pin_chat_message(group, 9999)
    fake.set_bot_rights(group, can_pin_messages=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages in the chat"):
        await bot.pin_chat_message(group, board.message_id)


async def test_get_chat_and_members_tell_the_setting_and_the_bots_rights(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser, ben: FakeUser
) -> None:
    chat = await bot.get_chat(group)
    assert isinstance(chat, ChatFullInfo)
    assert chat.is_forum and chat.has_protected_content and chat.type == "supergroup"
    fake.set_protected(group, False)
    assert not (await bot.get_chat(group)).has_protected_content
    me = await bot.get_chat_member(group, bot.id)
    assert isinstance(me, ChatMemberAdministrator)
    assert me.can_manage_topics and me.can_delete_messages and me.can_pin_messages
    fake.set_bot_rights(group, can_delete_messages=False)
    me = await bot.get_chat_member(group, bot.id)
    assert isinstance(me, ChatMemberAdministrator) and not me.can_delete_messages
    assert (await bot.get_chat_member(group, ana.id)).status == "creator"
    assert (await bot.get_chat_member(group, ben.id)).status == "member"
    admins = await bot.get_chat_administrators(group)
    assert [member.user.id for member in admins] == [ana.id, bot.id]
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(group, 123456789)
    updates = [u.my_chat_member for u in await bot.get_updates() if u.my_chat_member is not None]
    assert len(updates) == 1 and updates[0].new_chat_member.status == "administrator"


async def test_a_bot_outside_the_group_is_refused(fake: FakeTelegram, bot: Bot, ana: FakeUser) -> None:
    left = fake.forum_group([ana], group_id=-1001000000005, bot_status="left")
    kicked = fake.forum_group([ana], group_id=-1001000000006, bot_status="kicked")
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.send_message(left, "x")
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.get_chat(kicked)
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.create_forum_topic(left, "x")
    await fake.post(ana, left, "unseen")
    assert await bot.get_updates() == []


async def test_a_member_bot_in_privacy_mode_sees_only_commands_and_replies(
    fake: FakeTelegram, bot: Bot, ana: FakeUser
) -> None:
    group = fake.forum_group([ana], bot_status="member")
    mine = await bot.send_message(group, "from the bot")
    await fake.post(ana, group, "chatter")
    command = await fake.post(ana, group, "/queue")
    reply = await fake.reply(ana, group, mine.message_id, "answer")
    seen = [u.message.message_id for u in await bot.get_updates() if u.message is not None]
    assert seen == [command.message_id, reply.message_id]


async def test_nothing_is_forwarded_out_of_a_protected_group_but_a_bot_may_copy(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    person = fake.user(1, "Person")
    await fake.send_text(person, "/start")
    note = await fake.post(ana, group, "reply to the person")
    assert note.raw["has_protected_content"] is True
    with pytest.raises(TelegramBadRequest, match="message has protected content and can't be forwarded"):
        await bot.forward_message(person.id, group, note.message_id)
    await bot.copy_message(person.id, group, note.message_id)
    assert fake.chat(person.id)[-1].raw["text"] == "reply to the person"


async def test_deleting_a_members_message_needs_can_delete_messages(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    first = await fake.post(ana, group, "one")
    second = await fake.post(ana, group, "two")
    own = await bot.send_message(group, "mine")
    assert await bot.delete_message(group, first.message_id)
    fake.set_bot_rights(group, can_delete_messages=False)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(group, second.message_id)
    assert await bot.delete_message(group, own.message_id)
    assert [m.deleted for m in fake.chat(group)] == [True, False, True]


async def test_unpin_all_forum_topic_messages_leaves_other_topics_pinned(
    fake: FakeTelegram, bot: Bot, group: int
) -> None:
    first = (await bot.create_forum_topic(group, "one")).message_thread_id
    second = (await bot.create_forum_topic(group, "two")).message_thread_id
    a = await bot.send_message(group, "a", message_thread_id=first)
    b = await bot.send_message(group, "b", message_thread_id=second)
    await bot.pin_chat_message(group, a.message_id)
    await bot.pin_chat_message(group, b.message_id)
    assert await bot.unpin_all_forum_topic_messages(group, first)
    assert fake.pinned(group) == [b.message_id]


async def test_a_copy_takes_the_place_it_is_sent_to_not_the_one_it_came_from(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    person = fake.user(1, "Person")
    await fake.send_text(person, "/start")
    first = (await bot.create_forum_topic(group, "one")).message_thread_id
    second = (await bot.create_forum_topic(group, "two")).message_thread_id
    answer = await fake.post(ana, group, "an answer", thread=first)
    await bot.copy_message(person.id, group, answer.message_id)
    copied = fake.chat(person.id)[-1].raw
    assert "message_thread_id" not in copied and "is_topic_message" not in copied and "reply_to_message" not in copied
    moved = await bot.copy_message(group, group, answer.message_id, message_thread_id=second)
    assert fake.topic_messages(group, second)[-1].message_id == moved.message_id
    assert fake.read_topic(group, first) == ["an answer"]


async def test_a_member_taps_a_button_on_a_bot_message_in_a_topic(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="take:K7QM")]])
    card = await bot.send_message(group, "new case", message_thread_id=thread, reply_markup=markup)
    query_id = await fake.press(ana, card.message_id, "take:K7QM", group_id=group)
    [update] = await bot.get_updates()
    assert update.callback_query is not None and update.callback_query.id == query_id
    assert update.callback_query.from_user.id == ana.id
    message = update.callback_query.message
    assert message is not None and message.chat.id == group
    with pytest.raises(PermissionError):
        await fake.press(fake.user(666), card.message_id, "take:K7QM", group_id=group)


async def test_a_group_takes_no_more_than_its_messages_a_minute(fake: FakeTelegram, bot: Bot, group: int) -> None:
    person = fake.user(1, "Person")
    await fake.send_text(person, "/start")
    fake.enforce(FloodLimits(per_chat=100.0, chat_burst=100, group_per_minute=3))
    for n in range(3):
        await bot.send_message(group, f"case {n}")
    with pytest.raises(TelegramRetryAfter) as limited:
        await bot.send_message(group, "one too many")
    assert limited.value.retry_after == 20  # one message every 20 seconds at 3 a minute
    await bot.send_message(person.id, "a private chat is not a group")
    fake.enforce(None)
    await bot.send_message(group, "later")


async def test_a_member_edits_their_message_in_a_topic(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser, ben: FakeUser
) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    posted = await fake.post(ana, group, "first words", thread=thread)
    with pytest.raises(LookupError):
        await fake.edit(ben, posted.message_id, "not yours", group_id=group)
    await fake.edit(ana, posted.message_id, "better words", group_id=group)
    edited = [u.edited_message for u in await bot.get_updates() if u.edited_message is not None]
    assert len(edited) == 1 and edited[0].text == "better words" and edited[0].message_thread_id == thread
    assert fake.read_topic(group, thread) == ["better words"]


async def test_media_counts_and_unpinning_everything(
    fake: FakeTelegram, bot: Bot, group: int, ana: FakeUser
) -> None:
    thread = (await bot.create_forum_topic(group, "case")).message_thread_id
    photo = await fake.post_media(ana, group, "photo", thread=thread, caption="a document photo")
    assert photo.thread_id == thread and photo.raw["photo"][-1]["file_id"]
    with pytest.raises(ValueError):
        await fake.post_media(ana, group, "pinned_message")  # a service message is no member's to send
    assert await bot.get_chat_member_count(group) == 3  # two members and the bot
    assert await bot.send_chat_action(group, "typing", message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_chat_action(group, "typing", message_thread_id=thread + 100)
    await bot.pin_chat_message(group, photo.message_id)
    assert await bot.unpin_all_chat_messages(group)
    assert fake.pinned(group) == [] and (await bot.get_chat(group)).pinned_message is None
    await fake.send_text(ana, "/start")
    mine = await bot.send_message(ana.id, "pinned in a private chat")
    assert await bot.pin_chat_message(ana.id, mine.message_id)
    private = await bot.get_chat(ana.id)
    assert private.pinned_message is not None and private.pinned_message.message_id == mine.message_id
    assert private.has_protected_content is None  # a setting of groups
