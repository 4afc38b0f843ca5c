"""The fake Bot API against the real aiogram client, and the terminal client on top of it."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Iterable
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ContentType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command, CommandObject
from aiogram.methods import SendMessage
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.simulator.server import DROPPED, FakeTelegram, FakeUser, FloodLimits
from bot.simulator.terminal import TerminalChat

COUNSELLOR = 900


def keyboard(*rows: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in rows])


def echo_router(kicked: list[int]) -> Router:
    """A trivial bot: enough behaviour to exercise every part of the fake."""
    router = Router()

    @router.message(Command("start"))
    async def start(message: Message) -> None:
        await message.answer(
            "<b>Welcome</b> &amp; hello\nPick one:",
            parse_mode="HTML",
            reply_markup=keyboard(
                [
                    InlineKeyboardButton(text="Yes", callback_data="yes"),
                    InlineKeyboardButton(text="No", callback_data="no"),
                ],
                [InlineKeyboardButton(text="Website", url="https://example.org")],
            ),
        )

    @router.message(Command("temp"))
    async def temporary(message: Message) -> None:
        await message.answer(
            "temporary", reply_markup=keyboard([InlineKeyboardButton(text="Delete", callback_data="del")])
        )

    @router.message(Command("slow"))
    async def slow(message: Message, command: CommandObject) -> None:
        await message.answer("working")
        await asyncio.sleep(int(command.args or "0") / 1000)  # like a database call
        await message.answer("finally")

    @router.callback_query(F.data == "del")
    async def delete(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.delete()
        await query.answer()

    @router.callback_query(F.data)
    async def pressed(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.answer(f"you chose {query.data}")
        await query.message.edit_text(f"You chose <i>{query.data}</i>", parse_mode="HTML")

    @router.edited_message(F.text)
    async def edited(message: Message) -> None:
        await message.answer(f"edited: {message.text}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.message(F.photo)
    async def photo(message: Message) -> None:
        await message.copy_to(COUNSELLOR, caption="from a <b>user</b>", parse_mode="HTML")
        await message.answer("got photo")

    @router.message()
    async def media(message: Message) -> None:
        await message.answer(f"got {ContentType(message.content_type).value}")

    @router.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        if update.new_chat_member.status == "kicked":
            kicked.append(update.chat.id)

    return router


@pytest.fixture
def kicked() -> list[int]:
    return []


@pytest.fixture
async def polling(fake: FakeTelegram, bot: Bot, kicked: list[int]) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router(kicked))
    task = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False))
    await fake.wait_for(lambda: fake.is_polling)
    yield dispatcher
    await dispatcher.stop_polling()
    await task


@pytest.fixture
def alice(fake: FakeTelegram) -> FakeUser:
    return fake.user(1, "Alice", username="alice", language_code="de")


def bot_texts(fake: FakeTelegram, chat_id: int) -> list[str | None]:
    return [m.text for m in fake.chat(chat_id) if m.from_bot and not m.deleted]


def calls(fake: FakeTelegram, method: str) -> list[dict[str, object]]:
    return [call.params for call in fake.calls if call.method.lower() == method.lower()]


# --- the wire protocol ----------------------------------------------------------------------


async def test_get_me_matches_the_token(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (bot.id, "hotline_test_bot", True)
    assert me.can_join_groups is False and me.supports_inline_queries is False
    assert fake.calls[-1].method == "getMe" and fake.calls[-1].status == 200


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    intruder = Bot("42:not-the-right-token", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await intruder.get_me()
    finally:
        await session.close()
    assert fake.calls[-1].status == 401


async def test_unknown_method_is_not_found(fake: FakeTelegram) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.base_url}/bot{fake.token}/sendTelepathy", data={"chat_id": "1"}) as response,
    ):
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_params_are_decoded(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    await bot.send_message(alice.id, "true", protect_content=True, disable_notification=False)
    (params,) = calls(fake, "sendMessage")
    assert params == {"chat_id": 1, "text": "true", "protect_content": True, "disable_notification": False}
    message = fake.chat(alice.id)[-1]
    assert message.protect_content and message.raw["has_protected_content"] is True


async def test_get_updates_long_polls_confirms_and_filters(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=["message"]))
    await fake.wait_for(lambda: fake.is_polling)
    started = asyncio.get_running_loop().time()
    await fake.send_text(alice, "/start now")
    (update,) = await waiting
    assert asyncio.get_running_loop().time() - started < 1  # returned on arrival, not on timeout
    assert update.message is not None and update.message.text == "/start now"
    assert update.message.entities is not None and update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")
    assert update.message.from_user is not None and update.message.from_user.language_code == "de"

    fake.feed_raw({"chat_member": {}})  # not asked for: Telegram drops it
    await fake.send_text(alice, "second")
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update.update_id, update.update_id + 2]  # unconfirmed stays
    rest = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    assert rest == []


async def test_webhook_blocks_get_updates(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == []


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    from aiogram.types import BotCommand

    assert await bot.set_my_commands([BotCommand(command="start", description="Begin")], language_code="de")
    assert fake.commands(language_code="de") == [{"command": "start", "description": "Begin"}]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["start"]
    assert await bot.get_my_commands() == []
    assert await bot.delete_my_commands(language_code="de")
    assert fake.commands(language_code="de") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Not Valid", description="x")])


# --- a bot polling the fake ------------------------------------------------------------------


@pytest.mark.usefixtures("polling")
async def test_text_is_echoed_and_recorded(fake: FakeTelegram, alice: FakeUser) -> None:
    sent = await fake.send_text(alice, "hello there")
    await fake.wait_idle()
    assert bot_texts(fake, alice.id) == ["hello there"]
    (call,) = [c for c in fake.calls_to(alice.id) if c.method == "sendMessage"]
    assert call.params == {"chat_id": 1, "text": "hello there"} and call.status == 200
    history = fake.chat(alice.id)
    assert [(m.message_id, m.from_bot) for m in history] == [
        (sent.message_id, False),
        (sent.message_id + 1, True),
    ]


@pytest.mark.usefixtures("polling")
async def test_start_sends_html_with_inline_buttons(fake: FakeTelegram, alice: FakeUser) -> None:
    await fake.send_text(alice, "/start")
    await fake.wait_idle()
    message = fake.chat(alice.id)[-1]
    assert message.text == "<b>Welcome</b> &amp; hello\nPick one:" and message.parse_mode == "HTML"
    assert message.raw["text"] == "Welcome & hello\nPick one:"
    assert [b["text"] for b in message.buttons()] == ["Yes", "No", "Website"]
    (params,) = calls(fake, "sendMessage")
    assert params["reply_markup"] == message.reply_markup
    assert message.raw["reply_markup"] == message.reply_markup


@pytest.mark.usefixtures("polling")
async def test_pressing_a_button_answers_and_edits(fake: FakeTelegram, alice: FakeUser) -> None:
    await fake.send_text(alice, "/start")
    await fake.wait_idle()
    menu = fake.chat(alice.id)[-1]
    query_id = await fake.press(alice, menu.message_id, "yes")
    await fake.wait_idle()
    assert fake.answered_callbacks[query_id] == {"callback_query_id": query_id, "text": "you chose yes"}
    assert menu.edited and menu.text == "You chose <i>yes</i>" and menu.reply_markup is None
    (edit,) = calls(fake, "editMessageText")
    assert edit["chat_id"] == alice.id and edit["message_id"] == menu.message_id
    with pytest.raises(LookupError):
        await fake.press(alice, menu.message_id, "yes")  # the keyboard is gone


@pytest.mark.usefixtures("polling")
async def test_user_edit_arrives_as_edited_message(fake: FakeTelegram, alice: FakeUser) -> None:
    sent = await fake.send_text(alice, "typo")
    await fake.edit(alice, sent.message_id, "fixed")
    await fake.wait_idle()
    assert bot_texts(fake, alice.id) == ["typo", "edited: fixed"]
    assert sent.edited and sent.text == "fixed"


@pytest.mark.usefixtures("polling")
@pytest.mark.parametrize(
    "kind",
    [
        "document",
        "sticker",
        "voice",
        "video",
        "audio",
        "video_note",
        "animation",
        "location",
        "venue",
        "contact",
    ],
)
async def test_media_updates_reach_the_bot(fake: FakeTelegram, alice: FakeUser, kind: str) -> None:
    await fake.send_media(alice, kind)
    await fake.wait_idle()
    assert bot_texts(fake, alice.id) == [f"got {kind}"]


@pytest.mark.usefixtures("polling")
async def test_photo_is_copied_to_another_chat(fake: FakeTelegram, alice: FakeUser) -> None:
    counsellor = fake.user(COUNSELLOR, "Chris")
    await fake.send_text(counsellor, "ready")
    photo = await fake.send_media(alice, "photo", caption="my caption")
    await fake.wait_idle()
    (copy,) = calls(fake, "copyMessage")
    assert copy["from_chat_id"] == alice.id and copy["message_id"] == photo.message_id
    copied = fake.chat(COUNSELLOR)[-1]
    assert copied.from_bot and copied.kind == "photo" and copied.text == "from a <b>user</b>"
    assert copied.raw["caption"] == "from a user" and "forward_origin" not in copied.raw
    assert copied.raw["photo"] == photo.raw["photo"]
    assert calls(fake, "forwardMessage") == []


@pytest.mark.usefixtures("polling")
async def test_wait_idle_waits_for_the_bots_own_word(fake: FakeTelegram, alice: FakeUser,
                                                     polling: Dispatcher) -> None:
    # The fake cannot see inside the bot; a bot under test says when it is busy (hotline counts its
    # updates in flight), and wait_idle waits for that however long a handler pauses.
    handling = 0

    async def count(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        nonlocal handling
        handling += 1
        try:
            return await handler(event, data)
        finally:
            handling -= 1

    polling.update.outer_middleware(count)
    fake.bot_busy = lambda: "handling" if handling else None
    await fake.send_text(alice, "/slow 300")
    await fake.wait_idle()
    assert bot_texts(fake, alice.id) == ["working", "finally"]


async def test_wait_idle_fails_usefully_without_a_polling_bot(fake: FakeTelegram, alice: FakeUser) -> None:
    await fake.send_text(alice, "anyone?")
    with pytest.raises(AssertionError, match="not fetched"):
        await fake.wait_idle(timeout=0.2)
    with pytest.raises(AssertionError, match="still false"):
        await fake.wait_for(lambda: False, timeout=0.05)


@pytest.mark.usefixtures("polling")
async def test_block_makes_sends_fail_and_tells_the_bot(
    fake: FakeTelegram, bot: Bot, alice: FakeUser, kicked: list[int]
) -> None:
    await fake.send_text(alice, "bye")
    await fake.wait_idle()
    fake.block(alice)
    await fake.wait_idle()
    assert kicked == [alice.id]
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "still there?")
    assert fake.calls[-1].status == 403


# --- Telegram's refusals ----------------------------------------------------------------------


async def test_telegram_errors_become_aiogram_exceptions(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: tag <div> is not supported"):
        await bot.send_message(alice.id, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "x" * 4097)
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags do not count
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(alice.id, "😀" * 2049)  # UTF-16 units
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(
            alice.id, "x", reply_markup=keyboard([InlineKeyboardButton(text="a", callback_data="ä" * 33)])
        )
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(12345, "nobody wrote from here")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
    assert [m.text for m in fake.chat(alice.id) if m.from_bot] == ["<b>" + "x" * 4096 + "</b>"]


async def test_edit_and_delete_refusals(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    mine = await fake.send_text(alice, "hi")
    sent = await bot.send_message(alice.id, "same")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="new", chat_id=alice.id, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(text="same", chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(text="new", chat_id=alice.id, message_id=mine.message_id)
    assert await bot.delete_message(alice.id, sent.message_id)
    assert fake.chat(alice.id)[-1].deleted
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="new", chat_id=alice.id, message_id=sent.message_id)


async def test_reply_markup_edits(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    markup = keyboard([InlineKeyboardButton(text="A", callback_data="a")])
    sent = await bot.send_message(alice.id, "pick", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id)
    assert fake.chat(alice.id)[-1].buttons() == []


async def test_forward_and_media_sends_are_recorded(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    document = await fake.send_media(alice, "document", file_name="notes.txt", mime_type="text/plain")
    assert document.raw["document"]["file_name"] == "notes.txt"
    forwarded = await bot.forward_message(alice.id, alice.id, document.message_id)
    assert forwarded.forward_origin is not None
    assert [c.method for c in fake.calls] == ["forwardMessage"]
    file_id = document.raw["document"]["file_id"]
    sent = await bot.send_document(alice.id, file_id, caption="<i>again</i>", parse_mode="HTML")
    assert sent.document is not None and sent.document.file_name == "notes.txt"
    assert sent.caption == "again"
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(alice.id, file_id)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_sticker(alice.id, "made-up")
    assert await bot.send_chat_action(alice.id, "typing")


async def test_injected_failures(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(alice.id, "x")
        assert caught.value.retry_after == 7
    await bot.send_message(alice.id, "x")
    assert [c.status for c in fake.calls if c.method == "sendMessage"] == [429, 429, 200]
    assert bot_texts(fake, alice.id) == ["x"]


async def test_answering_unknown_callback_query_fails(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("nope")


# --- the terminal client ----------------------------------------------------------------------


async def scripted(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line + "\n"


@pytest.mark.usefixtures("polling")
async def test_terminal_numbers_buttons_and_presses_them(fake: FakeTelegram, alice: FakeUser) -> None:
    out = io.StringIO()
    await TerminalChat(fake, alice, scripted("/start", "3", "9", "1", "/quit", "never sent"), out).run()
    text = out.getvalue()
    assert text.startswith("Type a message")
    assert "bot ▸ Welcome & hello\n      Pick one:\n      [1] Yes\n      [2] No\n" in text
    assert "[3] Website → https://example.org" in text
    assert "(this button opens https://example.org)" in text
    assert "(there is no button [9] to press)" in text
    assert "bot ▸ ✎ (edited) You chose yes" in text
    assert "ⓘ you chose yes" in text
    assert "\x1b[" not in text  # no ANSI when the output is not a terminal
    assert "never sent" not in [m.text for m in fake.chat(alice.id)]
    assert len(fake.answered_callbacks) == 1


@pytest.mark.usefixtures("polling")
async def test_terminal_shows_deletions_and_ends_on_eof(fake: FakeTelegram, alice: FakeUser) -> None:
    out = io.StringIO()
    await TerminalChat(fake, alice, scripted("/temp", "1"), out).run()
    text = out.getvalue()
    assert "bot ▸ temporary\n      [1] Delete\n" in text
    assert text.rstrip().endswith("✗ (a message was deleted)")


class TtyOutput(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("polling")
async def test_terminal_uses_ansi_only_on_a_terminal(fake: FakeTelegram, alice: FakeUser) -> None:
    out = TtyOutput()
    await TerminalChat(fake, alice, scripted("hello"), out).run()
    assert "\x1b[1mbot ▸ \x1b[0mhello" in out.getvalue()


# --- smaller pieces ---------------------------------------------------------------------------


async def test_feed_raw_numbers_updates(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    first = fake.feed_raw({"message": {"message_id": 1, "date": 0, "chat": alice.chat_json(), "text": "raw"}})
    assert fake.feed_raw({"update_id": first + 10, "inline_query": {}}) == first + 10
    assert fake.feed_raw({"message": {}}) == first + 11
    (update,) = await bot.get_updates(limit=1, timeout=0)
    assert update.update_id == first and update.message is not None and update.message.text == "raw"


async def test_unblock_and_bulk_delete(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    fake.block(alice)
    with pytest.raises(RuntimeError):
        await fake.send_text(alice, "blocked people cannot write")
    fake.unblock(alice)
    first = await bot.send_message(alice.id, "one")
    second = await bot.send_message(alice.id, "two")
    assert await bot.delete_messages(alice.id, [first.message_id, second.message_id, 999])
    assert [m.deleted for m in fake.chat(alice.id)] == [False, True, True]
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")


# --- webhook mode ------------------------------------------------------------------------------


class LocalServer:
    """An aiohttp app on a free loopback port, standing in for the bot's webhook server."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.runner = web.AppRunner(app, access_log=None)
        self.url = ""

    async def __aenter__(self) -> LocalServer:
        await self.runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self.runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.runner.cleanup()


@pytest.fixture
async def webhook(fake: FakeTelegram, bot: Bot, kicked: list[int]) -> AsyncIterator[LocalServer]:
    """The echo bot behind aiogram's own webhook handler, with a secret token, registered with the fake."""
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router(kicked))
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token="s3cret-Token_1").register(app, path="/hook")
    async with LocalServer(app) as server:
        assert await bot.set_webhook(f"{server.url}/hook", secret_token="s3cret-Token_1", max_connections=5)
        yield server
        await bot.delete_webhook()


@pytest.mark.usefixtures("webhook")
async def test_webhook_pushes_updates_to_the_bot(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    assert fake.is_pushing and not fake.is_polling
    await fake.send_text(alice, "/start")
    await fake.wait_idle()
    menu = fake.chat(alice.id)[-1]
    assert [b["text"] for b in menu.buttons()] == ["Yes", "No", "Website"]
    await fake.press(alice, menu.message_id, "no")
    await fake.wait_idle()
    assert menu.text == "You chose <i>no</i>"
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.max_connections == 5 and info.last_error_message is None
    assert fake.webhook_deliveries == 2 and fake.webhook_failures == 0
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates(timeout=0)


async def test_webhook_sends_the_secret_and_retries_until_accepted(fake: FakeTelegram, bot: Bot,
                                                                   alice: FakeUser) -> None:
    seen: list[tuple[str | None, int]] = []

    async def flaky(request: web.Request) -> web.Response:
        update = await request.json()
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update["update_id"]))
        return web.json_response({}, status=500 if len(seen) == 1 else 200)

    app = web.Application()
    app.router.add_post("/hook", flaky)
    async with LocalServer(app) as server:
        await bot.set_webhook(f"{server.url}/hook", secret_token="abc")
        await fake.send_text(alice, "hello")
        await fake.wait_for(lambda: fake.pending_updates == 0)
        info = await bot.get_webhook_info()
        await bot.delete_webhook()
    (first, second) = seen
    assert first == second and first[0] == "abc"  # the same update again, with the secret
    assert fake.webhook_failures == 1 and fake.webhook_deliveries == 1
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_webhook_pushes_one_update_per_chat_at_a_time(fake: FakeTelegram, bot: Bot) -> None:
    people = [fake.user(100 + n) for n in range(3)]
    busy: set[int] = set()
    order: list[tuple[int, str]] = []
    most_at_once = 0

    async def slow(request: web.Request) -> web.Response:
        nonlocal most_at_once
        message = (await request.json())["message"]
        chat = message["chat"]["id"]
        assert chat not in busy, "two updates of one chat were pushed at once"
        busy.add(chat)
        most_at_once = max(most_at_once, len(busy))
        await asyncio.sleep(0.02)
        order.append((chat, message["text"]))
        busy.discard(chat)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", slow)
    async with LocalServer(app) as server:
        for person in people:
            for n in range(3):
                await fake.send_text(person, f"m{n}")
        await bot.set_webhook(f"{server.url}/hook")
        await fake.wait_for(lambda: fake.pending_updates == 0)
        await bot.delete_webhook()
    assert most_at_once == 3  # chats in parallel
    for person in people:
        assert [text for chat, text in order if chat == person.id] == ["m0", "m1", "m2"]


async def test_webhook_answer_with_a_method_is_carried_out(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    router = Router()

    @router.message()
    async def answer_in_reply(message: Message) -> SendMessage:
        return message.answer("answered <b>in the reply</b>", parse_mode="HTML")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False).register(app, path="/hook")
    async with LocalServer(app) as server:
        await bot.set_webhook(f"{server.url}/hook")
        await fake.send_text(alice, "hi")
        await fake.wait_idle()
        await bot.delete_webhook()
    (call,) = [c for c in fake.calls if c.method.lower() == "sendmessage"]
    assert call.via_webhook_reply and call.status == 200
    assert bot_texts(fake, alice.id) == ["answered <b>in the reply</b>"]


async def test_webhook_rules(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://example.org/hook")  # plain HTTP only on this machine
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook("https://example.org/hook", secret_token="no spaces")
    await bot.set_webhook("https://example.org/hook")
    assert fake.webhook_url == "https://example.org/hook" and not fake.is_pushing  # never contacted
    await fake.send_text(alice, "waits")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook()
    (update,) = await bot.get_updates(timeout=0)  # polling again gets what was waiting
    assert update.message is not None and update.message.text == "waits"


# --- Telegram's flood limits, dropped connections, observers ------------------------------------


async def test_flood_limits_answer_429_per_chat_and_overall(fake: FakeTelegram, bot: Bot) -> None:
    alice, bob = fake.user(1), fake.user(2)
    await fake.send_text(alice, "hi")
    await fake.send_text(bob, "hi")
    fake.enforce(FloodLimits(per_chat=0.5, chat_burst=2, overall=0.5, overall_burst=3))
    await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")
    with pytest.raises(TelegramRetryAfter) as per_chat:
        await bot.send_message(alice.id, "three")
    assert per_chat.value.retry_after == 2  # whole seconds until the next token, at 0.5 a second
    await bot.send_message(bob.id, "one")
    with pytest.raises(TelegramRetryAfter):  # bob's chat is fine, but the bot is over its overall limit
        await bot.send_message(bob.id, "two")
    assert await bot.send_chat_action(bob.id, "typing")  # only sending methods are limited
    fake.enforce(None)
    await bot.send_message(alice.id, "three")
    assert bot_texts(fake, alice.id) == ["one", "two", "three"]


async def test_dropped_connections_lose_the_answer(fake: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    seen: list[tuple[str, int]] = []
    fake.observers.append(lambda call: seen.append((call.method, call.status)))
    fake.drop_connections(1.0, seed=1)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(alice.id, "never arrives")
    assert await bot.get_me()  # only sending methods are dropped
    fake.drop_connections(1.0, after_share=1.0)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(alice.id, "arrives, but the bot cannot know")
    fake.drop_connections(0.0)
    await bot.send_message(alice.id, "fine")
    assert bot_texts(fake, alice.id) == ["arrives, but the bot cannot know", "fine"]
    assert seen == [("sendMessage", DROPPED), ("getMe", 200), ("sendMessage", DROPPED), ("sendMessage", 200)]
    assert fake.dropped == 2


async def test_observers_see_results_and_calls_can_be_left_unrecorded(fake: FakeTelegram, bot: Bot,
                                                                      alice: FakeUser) -> None:
    await fake.send_text(alice, "hi")
    results: list[object] = []
    fake.observers.append(lambda call: results.append(call.result))
    fake.keep_calls = False
    sent = await bot.send_message(alice.id, "counted")
    assert fake.calls == []
    (result,) = results
    assert isinstance(result, dict) and result["message_id"] == sent.message_id
