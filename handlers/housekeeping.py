"""The scheduled work that keeps little behind: chat clean-up, expiring and purging cases, retention.

Runs by itself every few minutes while the bot runs (and once at start, so a bot that was down catches
up). After purging, the WAL is checkpointed so deleted rows leave no copy in it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot

from bot.handoff import engine
from bot.privacy.audit import Event
from bot.services import Services
from handlers import team
from handlers.staff import delete_later

log = logging.getLogger("hotline.housekeeping")


@dataclass(frozen=True)
class HousekeepingReport:
    messages_deleted: int
    cases_expired: int
    cases_purged: int
    people_purged: int


async def housekeeping(bot: Bot, services: Services) -> HousekeepingReport:
    privacy = services.config.settings.privacy
    deleted = 0
    if privacy.chat_cleanup_hours:
        for chat in await services.chats.due(timedelta(hours=privacy.chat_cleanup_hours)):
            # What no counsellor has received yet stays: deleting it would lose it without anyone knowing.
            held = await services.cases.held_for_counsellors(chat.person)
            due = [m for m in chat.message_ids if m not in held]
            deleted += await delete_later(services, chat.address, due)
            await services.chats.cleared(chat.person, due)
    await services.chats.expire()

    expired = await services.cases.expire_waiting(timedelta(hours=privacy.waiting_case_hours))
    root = services.content.snapshot.root
    for case, address in expired:
        await engine.notify(services, address, services.privacy.expired(case.language, root))
        await services.audit.log(Event.EXPIRED, case_code=case.code)

    purged = await engine.purge(services, timedelta(days=privacy.closed_case_days))  # with their topics
    if purged:
        await services.audit.log(Event.PURGED)
    await engine.refresh_board(services)  # team mode: expired cases leave the board
    if services.team.enabled:  # settings can change while the bot runs: say so loudly, every round
        for problem in await team.check_group(bot, services):
            log.error("team: the group is no longer as the bot needs it: %s", problem)
    await services.cases.purge_blocks(timedelta(days=privacy.block_days))
    open_cases = {c.person for c in await services.cases.open_cases()}
    people = await services.people.purge_inactive(timedelta(days=privacy.inactive_person_days), keep=open_cases)
    await services.audit.purge(timedelta(days=privacy.audit_days))
    await services.stats.flush()
    await services.updates.prune()
    services.limits.messages.prune()
    services.limits.requests.prune()
    await services.database.checkpoint()
    report = HousekeepingReport(deleted, len(expired), purged, people)
    log.info("housekeeping: %d messages deleted, %d cases expired, %d purged, %d people purged",
             report.messages_deleted, report.cases_expired, report.cases_purged, report.people_purged)
    return report


async def housekeeping_loop(bot: Bot, services: Services, first_after: float = 1.0) -> None:
    """Housekeeping every ``privacy.housekeeping_minutes``; the first run ``first_after`` seconds after
    start, once the updates that waited while the bot was down had their turn."""
    interval = services.config.settings.privacy.housekeeping_minutes * 60
    await asyncio.sleep(first_after)
    while True:
        try:
            await housekeeping(bot, services)
        except Exception as exc:
            log.error("housekeeping failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)
