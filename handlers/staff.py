"""Counsellors coming and going while the bot runs: config.yaml edits and admins' /revoke.

A counsellor whose phone is seized, or who turns out to be a plant, must lose access on their very next
update: their cases go back to the queue and the bot deletes what it still can from their chat.
"""

from __future__ import annotations

import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.config import ConfigError, load_settings
from bot.handoff import engine
from bot.handoff.access import lift_listed
from bot.handoff.roster import Counsellor
from bot.identity.address import Address
from bot.privacy.audit import Event
from bot.services import Services

log = logging.getLogger("hotline.staff")
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


async def delete_now(bot: Bot, address: Address, message_ids: list[int]) -> int:
    """Delete what Telegram still allows, at once (the person asked for it); returns how many ids."""
    done = 0
    for start in range(0, len(message_ids), DELETE_BATCH):
        batch = message_ids[start:start + DELETE_BATCH]
        try:
            await bot.delete_messages(chat_id=address.for_delivery(), message_ids=batch)
            done += len(batch)
        except TelegramAPIError as exc:
            log.info("some messages could not be deleted: %s", type(exc).__name__)
    return done


async def delete_later(services: Services, address: Address, message_ids: list[int]) -> int:
    """Delete through the outbox (clean-up the bot does by itself); returns how many ids were queued."""
    for start in range(0, len(message_ids), DELETE_BATCH):
        await services.outbox.put(address, "deleteMessages", {"message_ids": message_ids[start:start + DELETE_BATCH]})
    return len(message_ids)


async def remove_counsellor(services: Services, counsellor: Counsellor) -> None:
    """Revoked or removed from config.yaml: their cases go back to the queue, their chat is cleared."""
    await engine.counsellor_gone(services, counsellor.key, counsellor, reachable=True)


class ConfigWatcher:
    """Re-reads config.yaml when it changes (checked at most once a second) and applies counsellor changes."""

    def __init__(self, services: Services, interval: float = 1.0) -> None:
        self._services = services
        self._interval = interval
        self._checked = 0.0
        self._mtime = self._stat()

    def _stat(self) -> float:
        try:
            return self._services.config.path.stat().st_mtime
        except OSError:
            return 0.0

    async def check(self, bot: Bot) -> None:
        now = time.monotonic()
        if now - self._checked < self._interval:
            return
        self._checked = now
        mtime = self._stat()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        try:
            settings = load_settings(self._services.config.path)
        except ConfigError as exc:
            log.warning("config.yaml changed but has %d problem(s); keeping the counsellors as they were",
                        len(exc.problems))
            return
        services = self._services
        await lift_listed(settings, services.keys, services.revocations, services.audit, services.roster)
        change = services.roster.reload(settings)
        for counsellor in change.removed:
            await remove_counsellor(self._services, counsellor)
        for counsellor in change.added:
            await self._services.audit.log(Event.COUNSELLOR_ADDED, counsellor=counsellor.key)
        if change.added or change.removed:
            log.info("counsellors changed: %d added, %d removed", len(change.added), len(change.removed))
