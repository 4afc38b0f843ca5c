"""The program: the composition root and the command line."""

from bot.telegram import lazy_models

# Before hotline.app imports aiogram (bot/telegram/lazy_models.py).
lazy_models.install()
