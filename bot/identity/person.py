"""A person as the core sees them: a pseudonym and preferences, never a Telegram identity."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    pseudonym: str  # HMAC-SHA256 of the Telegram user id under the secret key
    language: str  # the language to answer in, always one the bot supports
    node: str | None  # the menu page they were last on
    chose_language: bool  # True once they picked a language themselves


def pick_language(chosen: str | None, telegram_hint: str | None, supported: list[str], default: str) -> str:
    """Their own choice first, then what their Telegram app is set to, then the configured default."""
    if chosen is not None and chosen in supported:
        return chosen
    if telegram_hint:
        base = telegram_hint.lower().replace("_", "-").split("-")[0]
        if base in supported:
            return base
    return default
