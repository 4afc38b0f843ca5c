"""Polling confirms a batch of updates (the next getUpdates) only once every update of it is handled, so that a
poller killed mid-batch leaves the batch to the next one instead of losing it (hotline/app.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram.methods import GetUpdates, SendMessage

from hotline.app import ConfirmWhenHandled, InFlight


async def test_the_next_get_updates_waits_for_the_updates_in_flight() -> None:
    in_flight = InFlight()
    made: list[str] = []

    async def make_request(bot: Any, method: Any) -> str:
        made.append(type(method).__name__)
        return "ok"

    middleware = ConfirmWhenHandled(in_flight)
    in_flight.enter()  # an update of the last batch, still being handled
    polling: asyncio.Task[Any] = asyncio.create_task(
        middleware(make_request, None, GetUpdates(offset=8)))  # type: ignore[arg-type]
    await middleware(make_request, None, SendMessage(chat_id=1, text="x"))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert made == ["SendMessage"], "other requests go straight on; getUpdates waits"
    in_flight.leave()
    assert await polling == "ok" and made == ["SendMessage", "GetUpdates"]


async def test_a_task_only_just_created_counts_as_in_flight() -> None:
    # aiogram creates the batch's last task and, in the same step, asks for the next batch.
    in_flight = InFlight()
    handled = asyncio.Event()

    async def handle() -> None:
        in_flight.enter()
        try:
            await asyncio.sleep(0.05)
            handled.set()
        finally:
            in_flight.leave()

    async def make_request(bot: Any, method: Any) -> str:
        assert handled.is_set(), "confirmed before the update was handled"
        return "ok"

    task = asyncio.create_task(handle())
    result: Any = await ConfirmWhenHandled(in_flight)(make_request, None, GetUpdates())  # type: ignore[arg-type]
    assert result == "ok"
    await task


async def test_a_stuck_update_does_not_stop_polling_for_everyone(caplog: pytest.LogCaptureFixture) -> None:
    in_flight = InFlight()
    in_flight.enter()

    async def make_request(bot: Any, method: Any) -> str:
        return "ok"

    confirm = ConfirmWhenHandled(in_flight, wait=0.05)
    result: Any = await confirm(make_request, None, GetUpdates())  # type: ignore[arg-type]
    assert result == "ok"
    assert "still being handled" in caplog.text
