"""Revoking and restoring access. A revocation covers every role (counsellor and admin) and outlives
restarts and key rotations; an admin's /restore or the operator's `restored:` list in config.yaml undoes it,
and both leave an audit event."""

from __future__ import annotations

from bot.config import Settings
from bot.handoff.roster import Roster
from bot.identity.crypto import KeyRing
from bot.identity.revocations import Revocations, revocation_key
from bot.privacy.audit import Audit, Event


async def lift_listed(settings: Settings, keys: KeyRing, revocations: Revocations, audit: Audit,
                      roster: Roster | None = None) -> int:
    """Lift the revocations of the ids listed under `restored:` in config.yaml; returns how many."""
    lifted = 0
    for telegram_id in settings.restored:
        if await revocations.remove(telegram_id):
            lifted += 1
            await audit.log(Event.RESTORED, counsellor=revocation_key(keys, telegram_id))
            if roster is not None:
                roster.restore(telegram_id)
    return lifted


async def revoke(telegram_id: int, revocations: Revocations, audit: Audit, roster: Roster) -> None:
    """Record the revocation, drop every role at once, and audit it (the caller removes a counsellor's cases)."""
    key = await revocations.add(telegram_id)
    roster.revoke(telegram_id)
    await audit.log(Event.REVOKED, counsellor=key)


async def restore(telegram_id: int, keys: KeyRing, revocations: Revocations, audit: Audit,
                  roster: Roster) -> bool:
    """Undo a revocation; True if there was one."""
    if not await revocations.remove(telegram_id):
        return False
    roster.restore(telegram_id)
    await audit.log(Event.RESTORED, counsellor=revocation_key(keys, telegram_id))
    return True
