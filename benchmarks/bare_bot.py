"""The baseline: a bare aiogram bot that answers every message and every button press with one message.

    BARE_API=http://127.0.0.1:PORT BARE_TOKEN=... python -m benchmarks.bare_bot --mode polling|webhook [--port N]

Nothing else: no storage, no middlewares, no logging. Its one message carries one button, so the load
generator can press something next. It runs against the same fake Telegram and the same aiohttp client
as hotline, so the ratio of the two is what hotline's own work costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

NEXT = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="next", callback_data="next")]])
SECRET = "bare-benchmark-secret"


def router() -> Router:
    answers = Router()

    @answers.message()
    async def message(message: Message, bot: Bot) -> None:
        await bot.send_message(message.chat.id, "ok", reply_markup=NEXT)

    @answers.callback_query()
    async def press(query: CallbackQuery, bot: Bot) -> None:
        await bot.send_message(query.from_user.id, "ok", reply_markup=NEXT)

    return answers


async def run_webhook(dispatcher: Dispatcher, bot: Bot, port: int) -> None:
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=SECRET).register(app, path="/telegram")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=SECRET,
                          allowed_updates=dispatcher.resolve_used_update_types())
    await stop.wait()
    await runner.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--port", type=int, default=8444)
    args = parser.parse_args()
    bot = Bot(os.environ["BARE_TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BARE_API"])))
    dispatcher = Dispatcher()
    dispatcher.include_router(router())
    try:
        if args.mode == "polling":
            await bot.delete_webhook()
            await dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types())
        else:
            await run_webhook(dispatcher, bot, args.port)
    finally:
        await bot.session.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
