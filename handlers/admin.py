"""Admin commands, for the Telegram ids listed under `admins:` in config.yaml. Anyone else gets the same
answer as for any unknown command."""

from __future__ import annotations

import html

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, TelegramObject

from bot.handoff import access
from bot.identity.address import Address
from bot.identity.person import Person
from bot.services import Services
from bot.stats.tallies import render
from handlers.render import send
from handlers.staff import remove_counsellor


def is_admin(_event: TelegramObject, person: Person | None = None, services: Services | None = None) -> bool:
    return person is not None and services is not None and services.roster.is_admin(person.pseudonym)


async def audit(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    entries = await services.audit.recent(40)
    lines = [f"{e.day.isoformat()} {e.event.value}" + (f" {e.case_code}" if e.case_code else "")
             + (f" c:{e.counsellor[:8]}" if e.counsellor else "") for e in entries]
    text = "<b>audit</b>\n" + html.escape("\n".join(lines) or "(empty)", quote=False)
    await bot.send_message(chat_id=address.for_delivery(), text=text)


def _telegram_id(command: CommandObject) -> int | None:
    argument = (command.args or "").strip()
    return int(argument) if argument.isdigit() else None


async def revoke(message: Message, command: CommandObject, bot: Bot, services: Services, person: Person,
                 address: Address) -> None:
    """/revoke TELEGRAM_ID: the account loses every role now (counsellor and admin), and stays removed after
    restarts and key rotations."""
    _ = services.catalogs[person.language].gettext
    telegram_id = _telegram_id(command)
    if telegram_id is None:
        await send(bot, address, services.desk.message(person.language, _("Usage: /revoke TELEGRAM_ID")))
        return
    if services.roster.is_listed_restored(telegram_id):
        await send(bot, address, services.desk.message(person.language, _(
            "This id is listed under restored: in config.yaml, so it cannot be revoked here. Remove it there "
            "first.")))
        return
    counsellor = services.roster.for_telegram_user(telegram_id)
    was_admin = services.roster.is_admin(services.keys.pseudonym("user", telegram_id))
    await access.revoke(telegram_id, services.revocations, services.audit, services.roster)
    if counsellor is not None:
        await remove_counsellor(services, counsellor)
        done = _("Removed. Their cases are back in the queue.")
    elif was_admin:
        done = _("Revoked: this id is no longer an admin.")
    else:
        done = _("No such counsellor; noted anyway.")
    await send(bot, address, services.desk.message(person.language, done))


async def restore(message: Message, command: CommandObject, bot: Bot, services: Services, person: Person,
                  address: Address) -> None:
    """/restore TELEGRAM_ID: undo a /revoke; what config.yaml says about the account applies again."""
    _ = services.catalogs[person.language].gettext
    telegram_id = _telegram_id(command)
    if telegram_id is None:
        await send(bot, address, services.desk.message(person.language, _("Usage: /restore TELEGRAM_ID")))
        return
    if await access.restore(telegram_id, services.keys, services.revocations, services.audit, services.roster):
        done = _("Restored: what config.yaml says about this id applies again.")
    else:
        done = _("This id was not revoked.")
    await send(bot, address, services.desk.message(person.language, done))


async def reload(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    """/reload: publish the content folder if it passes the check; else say exactly what is wrong."""
    result = await services.content.reload(services.config)
    base = services.config.base_dir
    if result.snapshot is not None:
        text = (f"<b>content reloaded</b>: {len(result.snapshot.nodes)} pages, version {result.snapshot.version}, "
                f"{len(result.warnings)} warning(s)")
    else:
        shown = [p.render(base) for p in result.errors[:10]]
        more = f"\n… and {len(result.errors) - 10} more" if len(result.errors) > 10 else ""
        text = ("<b>content NOT reloaded</b>: the old content keeps serving. Fix these and /reload again:\n"
                + html.escape("\n".join(shown) + more, quote=False))
    await bot.send_message(chat_id=address.for_delivery(), text=text)


async def stats(message: Message, bot: Bot, services: Services, person: Person, address: Address) -> None:
    """/stats: the last seven days' anonymous counts."""
    report = await services.stats.report(7)
    content = services.content.snapshot
    titles = {node: content.page(node, content.fallback_language).text.title for node in content.nodes}
    text = render(report, titles)
    await bot.send_message(chat_id=address.for_delivery(), text="<pre>" + html.escape(text[:3900]) + "</pre>")


def build() -> Router:
    router = Router(name="admin")
    router.message.filter(is_admin)
    router.message.register(audit, Command("audit"))
    router.message.register(revoke, Command("revoke"))
    router.message.register(restore, Command("restore"))
    router.message.register(reload, Command("reload"))
    router.message.register(stats, Command("stats"))
    return router
