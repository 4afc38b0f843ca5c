"""hotline's core: the feature packages (docs/architecture.md)."""

from bot.telegram import lazy_models

# Before anything imports aiogram: its models are built on first use, not all at import (bot/telegram/lazy_models.py).
lazy_models.install()
