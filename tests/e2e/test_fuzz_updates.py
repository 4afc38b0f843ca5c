"""Fuzzing both transports with updates Telegram might send tomorrow or by mistake: unknown kinds, unknown
fields, required fields missing, values of the wrong type. After each, a well-formed update is still answered,
and nothing from the odd one is in any log record or warning."""

from __future__ import annotations

import copy
import itertools
import logging
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.simulator.server import FakeTelegram
from tests.chat import visible
from tests.conftest import RunningBot
from tests.e2e.transports import WEBHOOK_SECRET, WebhookBot, either  # noqa: F401 - the fixture

MARKER = "FUZZ-b41d"
_people = itertools.count(8_100_000)

marked_text = st.text(max_size=20).map(lambda s: MARKER + s)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | marked_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(marked_text, inner, max_size=3),
    max_leaves=6,
)
# Where a field can go missing or change type, as paths into a message update.
PATHS = [("message", "message_id"), ("message", "date"), ("message", "chat"), ("message", "chat", "id"),
         ("message", "chat", "type"), ("message", "from"), ("message", "from", "id"),
         ("message", "from", "is_bot"), ("message", "from", "first_name"), ("message", "text"),
         ("message", "entities"), ("message", "forward_origin"), ("message", "forward_origin", "type"),
         ("message", "forward_origin", "sender_user_name"), ("message", "forward_origin", "date")]


def well_formed(person_id: int) -> dict[str, Any]:
    user = {"id": person_id, "is_bot": False, "first_name": MARKER + "Name", "language_code": "en"}
    return {"message": {"message_id": 5, "date": 0, "chat": {"id": person_id, "type": "private",
                                                             "first_name": MARKER + "Name"},
                        "from": user, "text": MARKER + " words", "entities": [],
                        "forward_origin": {"type": "hidden_user", "sender_user_name": MARKER, "date": 0}}}


def parent_of(update: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = update
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


@st.composite
def odd_updates(draw: st.DrawFn) -> dict[str, Any]:
    update = well_formed(draw(st.integers(100_000, 2**40)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["unknown kind", "unknown field", "missing", "wrong type"]))
        if how == "unknown kind":
            kind = draw(st.sampled_from(["message_of_the_future", "business_thing", "x"]))
            update[kind] = update.pop("message", None) or draw(json_values)
            if draw(st.booleans()):  # beside a known kind, or alone
                update["message"] = copy.deepcopy(update[kind])
        elif how == "unknown field":
            path = draw(st.sampled_from([("x",), ("message", "x"), ("message", "chat", "x"),
                                         ("message", "from", "x"), ("message", "forward_origin", "x")]))
            parent = parent_of(update, path)
            if parent is not None:
                parent[draw(st.sampled_from(["new_field", "is_premium", "paid", MARKER]))] = draw(json_values)
        else:
            path = draw(st.sampled_from(PATHS))
            parent = parent_of(update, path)
            if parent is not None:
                if how == "missing":
                    parent.pop(path[-1], None)
                else:
                    parent[path[-1]] = draw(json_values)
    return update


async def deliver(bot: RunningBot, fake: FakeTelegram, update: dict[str, Any]) -> None:
    """Through the transport: the fake queues it (Telegram drops kinds the bot did not ask for), and a webhook
    also gets it posted straight, since a webhook can be sent anything."""
    fake.feed_raw(copy.deepcopy(update))
    if isinstance(bot, WebhookBot):
        async with aiohttp.ClientSession() as http, http.post(
            f"{bot.url}/telegram", json={"update_id": 900_000_000, **update},
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        ) as response:
            assert response.status == 200


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(update=odd_updates())
async def test_odd_updates_stop_nothing_and_reach_no_log(
    either: RunningBot, fake: FakeTelegram, caplog: pytest.LogCaptureFixture,  # noqa: F811
    recwarn: pytest.WarningsRecorder, update: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    await deliver(either, fake, update)
    person = fake.user(next(_people), language_code="en")
    answered = len(visible(fake, person))
    await fake.send_text(person, "/start")
    await fake.wait_idle(timeout=30)
    assert len(visible(fake, person)) > answered, "a well-formed update after it is still answered"
    logged = caplog.text + "\n".join(str(w.message) for w in recwarn)
    assert MARKER not in logged and MARKER.lower() not in logged
    sender = parent_of(update, ("message", "from", "id"))
    sender_id = sender.get("id") if sender else None
    if isinstance(sender_id, int) and sender_id >= 100_000:
        assert str(sender_id) not in logged
    assert fake.errors == []
