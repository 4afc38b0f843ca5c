"""The case lifecycle's state table, pair by pair: for every (state, event), a case is brought into that state
through the real use cases, the event is applied through the real use case, and the case must end in the
state the table names (and a refusal must be a refusal). The table is bot/handoff/machine.py; its words are
in the bot/handoff package docstring."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from itertools import count

import pytest

from bot.config import Config
from bot.handoff import engine
from bot.handoff.engine import Incoming, Result
from bot.handoff.machine import TABLE, Event, State
from bot.identity.address import Address
from bot.simulator.server import FakeTelegram
from handlers.housekeeping import housekeeping
from tests.conftest import COUNSELLOR_DE, COUNSELLOR_RU, RunningBot, counsellors_yaml

# Refusals the counsellor sees as an answer (the person's side answers with a screen either way).
ANSWERED = {Event.TAKE, Event.REPLY, Event.REPLY_OTHER, Event.NOTE, Event.SEND_PAGE, Event.RELEASE,
            Event.CLOSE, Event.BLOCK}


def test_the_table_has_an_outcome_for_every_state_and_event() -> None:
    assert {(s, e) for s in State for e in Event} == set(TABLE)
    assert all(outcome.effect for outcome in TABLE.values())


def test_the_package_docstring_shows_the_table() -> None:
    import bot.handoff

    doc = bot.handoff.__doc__ or ""
    for (state, event), outcome in TABLE.items():
        assert f"| {state.value} | {event.value} | {outcome.state.value} |" in doc, (state, event)


@pytest.fixture
async def desk(fake: FakeTelegram, make_config: Callable[..., Config]) -> AsyncIterator[RunningBot]:
    """Two counsellors; delivery paced fast, since every pair writes to Olga's chat."""
    fast = "delivery: {per_chat_per_second: 100, per_chat_burst: 100, per_second: 1000}\n"
    bot = RunningBot(fake, make_config(extra_yaml=counsellors_yaml() + fast))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_every_state_and_event_ends_where_the_table_says(desk: RunningBot, fake: FakeTelegram) -> None:
    people = count(8_100_000)
    message_ids = count(900_000)
    wrong: list[str] = []
    for state in State:
        for event in Event:
            assert desk.app is not None
            services = desk.app.services
            olga = services.roster.for_telegram_user(COUNSELLOR_RU)
            anna = services.roster.for_telegram_user(COUNSELLOR_DE)
            assert olga is not None and anna is not None
            await services.cases.set_duty(olga.key, True)
            user = fake.user(next(people), language_code="ru")
            person = services.keys.pseudonym("user", user.id)
            address = Address(user.id)
            root = services.content.snapshot.root

            # --- bring a fresh case into `state` (the ask screen first: a confirm without it opens nothing) ---
            await engine.ask(services, person, "ru", root)
            await engine.confirm(services, person, address, "ru", root)
            case = await services.cases.current(person)
            assert case is not None
            code = case.code
            if state in (State.ACTIVE, State.CLOSED):
                assert (await engine.take(services, olga, code)).done
            if state is State.CLOSED:
                assert (await engine.close(services, olga, None, block=False)).done
            if state is State.GONE:
                await engine.forget(services, person)

            # --- apply `event` ---
            def text(body: str) -> Incoming:
                return Incoming(next(message_ids), "text", body)

            result: Result | None = None
            if event is Event.ASK:
                await engine.ask(services, person, "ru", root)
                result = await engine.confirm(services, person, address, "ru", root)
            elif event is Event.TAKE:
                result = await engine.take(services, olga, code)
            elif event is Event.WRITE:
                if state is State.CLOSED:  # a write after the reopen window
                    services.clock.offset = timedelta(hours=services.config.settings.handoff.reopen_window_hours + 2)
                result = await engine.write(services, person, "ru", text("hello"))
                services.clock.offset = timedelta(0)
            elif event is Event.REOPEN:
                result = await engine.write(services, person, "ru", text("again"))
            elif event is Event.REPLY:
                result = await engine.reply(services, olga, text("answer"))
            elif event is Event.REPLY_OTHER:
                result = await engine.reply(services, anna, text("answer"))
            elif event is Event.EDIT:
                await engine.edit(services, person, text("edited"))
            elif event is Event.NOTE:
                result = await engine.note(services, olga, None, "a note")
            elif event is Event.SEND_PAGE:
                result = await engine.send_page(services, olga, None, root)
            elif event is Event.RELEASE:
                result = await engine.release(services, olga, None)
            elif event in (Event.CLOSE, Event.BLOCK):
                result = await engine.close(services, olga, None, block=event is Event.BLOCK)
            elif event is Event.RATE:
                await engine.rate(services, person, "ru", code, "good")
            elif event is Event.CANCEL:
                await engine.cancel(services, person, "ru")
            elif event is Event.FORGET:
                await engine.forget(services, person)
            elif event in (Event.REVOKE, Event.REMOVED):
                await engine.counsellor_gone(services, olga.key, olga, reachable=True)
            elif event is Event.COUNSELLOR_BLOCKED:
                await engine.counsellor_gone(services, olga.key, olga, reachable=False)
            elif event is Event.PERSON_BLOCKED:
                await engine.person_left(services, person=person)
            elif event is Event.CLEAN_UP:
                await housekeeping(desk.app.bot, services)
            elif event is Event.PURGE:
                await services.cases.expire_waiting(timedelta(hours=-1))  # past the waiting age
                if state is not State.WAITING:  # (an expired case is purged later, not at once)
                    await services.cases.purge_closed(timedelta(hours=-2))
            elif event is Event.RESTART:
                await desk.stop()
                await desk.start()
                assert desk.app is not None
                services = desk.app.services

            # --- where did it end? ---
            expected = TABLE[(state, event)]
            after = await services.cases.by_code(code)
            landed = State.GONE if after is None else State(after.status)
            if landed is not expected.state:
                wrong.append(f"{state.value} + {event.value}: {landed.value}, table says {expected.state.value}")
            if event in ANSWERED and result is not None and result.done == expected.refused:
                wrong.append(f"{state.value} + {event.value}: refused={not result.done}, table says "
                             f"refused={expected.refused}")
            if event is Event.RATE and state is State.CLOSED and (after is None or after.rating != "good"):
                wrong.append("closed + rate: the rating was not kept")
            if event is Event.BLOCK and not expected.refused and not await services.cases.is_blocked(person):
                wrong.append(f"{state.value} + block: the person is not blocked")
            await engine.forget(services, person)  # frees Olga's capacity for the next pair
    await fake.wait_idle(timeout=60)
    assert wrong == []
