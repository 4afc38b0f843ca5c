"""Benchmarks: the bot under load against the fake Telegram Bot API, beside a bare aiogram bot.

Run them all with ``.venv/bin/python -m benchmarks`` (see benchmarks/README.md). They print figures; they
assert nothing, so a slow machine never fails the test suite.
"""
