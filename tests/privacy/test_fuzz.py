"""Property-based fuzzing: any well-formed update, with any content, from anyone, in any chat, is handled
without an exception escaping the dispatcher, and nothing that came from the input reaches the logs."""

from __future__ import annotations

import io
import logging
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.logs import make_handler
from bot.simulator.server import FakeTelegram
from tests.conftest import COUNSELLOR_RU, TEAM_GROUP, RunningBot

# Long enough that a hit in the log is the input, not a coincidence with a log word.
MARKER = "FUZZ-7c2e"

ids = st.one_of(st.integers(1, 2**31), st.integers(2**31, 2**52), st.just(COUNSELLOR_RU))
texts = st.one_of(st.text(max_size=300), st.text(min_size=3000, max_size=4096),
                  st.sampled_from(["/start", "/take", "/forget", "/send start", "/note x", "/end", "/language"]))
names = st.text(min_size=1, max_size=40)


@st.composite
def users(draw: st.DrawFn) -> dict[str, Any]:
    return {"id": draw(ids), "is_bot": draw(st.booleans()), "first_name": MARKER + draw(names),
            "username": draw(st.none() | st.just(MARKER.lower().replace("-", "_") + "user")),
            "language_code": draw(st.none() | st.sampled_from(["ru", "uk", "en", "de", "be", "zz", "pt-BR"]))}


@st.composite
def messages(draw: st.DrawFn, user: dict[str, Any]) -> dict[str, Any]:
    chat_type = draw(st.sampled_from(["private", "private", "private", "group", "supergroup", "channel"]))
    chat = {"id": user["id"] if chat_type == "private" else -draw(ids), "type": chat_type}
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10**6)), "date": 0, "chat": chat, "from": user}
    kind = draw(st.sampled_from(["text", "text", "photo", "sticker", "location", "contact", "dice", "document"]))
    if kind == "text":
        message["text"] = MARKER + " " + draw(texts)
    elif kind == "photo":
        message["photo"] = [{"file_id": "AgAC-x", "file_unique_id": "u", "width": 1, "height": 1}]
        message["caption"] = MARKER + draw(texts)[:1000]
    elif kind == "sticker":
        message["sticker"] = {"file_id": "CAAC-x", "file_unique_id": "u", "type": "regular", "width": 1,
                              "height": 1, "is_animated": False, "is_video": False}
    elif kind == "location":
        message["location"] = {"latitude": draw(st.floats(-90, 90)), "longitude": draw(st.floats(-180, 180))}
    elif kind == "contact":
        message["contact"] = {"phone_number": "+7999" + str(draw(st.integers(10**6, 10**7))),
                              "first_name": MARKER + draw(names)}
    elif kind == "dice":
        message["dice"] = {"emoji": "🎲", "value": 3}
    else:
        message["document"] = {"file_id": "BQAC-x", "file_unique_id": "u", "file_name": MARKER + ".pdf",
                               "file_size": draw(st.integers(0, 2**31))}
    return message


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(users())
    kind = draw(st.sampled_from(["message", "edited_message", "callback_query", "inline_query", "my_chat_member"]))
    update: dict[str, Any] = {"update_id": draw(st.integers(1, 99_999))}  # apart from the user ids checked
    if kind in ("message", "edited_message"):
        message = draw(messages(user))
        if kind == "edited_message":
            message["edit_date"] = 1
        update[kind] = message
    elif kind == "callback_query":
        data = draw(st.one_of(st.text(max_size=64), st.sampled_from(
            ["n:start:000000", "hc:start", "hx", "he", "hr:ABC-DEF:good", "cf:ABC-DEF", "x", "fg:1", "l:ru"])))
        update[kind] = {"id": str(draw(st.integers(1, 10**9))), "from": user, "chat_instance": "1", "data": data,
                        "message": draw(messages(user))}
    elif kind == "inline_query":
        update[kind] = {"id": "q", "from": user, "query": MARKER + draw(st.text(max_size=200)), "offset": ""}
    else:
        update[kind] = {"chat": {"id": user["id"], "type": "private"}, "from": user, "date": 0,
                        "old_chat_member": {"status": "member", "user": user},
                        "new_chat_member": {"status": draw(st.sampled_from(["kicked", "member"])), "until_date": 0,
                                            "user": user}}
    return update


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(update=updates())
async def test_random_updates_never_crash_and_never_reach_the_logs(desk: RunningBot, fake: FakeTelegram,
                                                                  update: dict[str, Any]) -> None:
    assert desk.app is not None
    stream = io.StringIO()
    handler = make_handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        # Straight into the dispatcher, like a webhook would: no exception may come out.
        await desk.app.dispatcher.feed_raw_update(desk.app.bot, update)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    output = stream.getvalue()
    assert MARKER not in output and MARKER.lower() not in output
    for field in ("message", "edited_message", "callback_query", "inline_query"):
        sender = update.get(field, {}).get("from")
        if sender and sender["id"] >= 100_000:  # shorter numbers occur in any log line (times, durations)
            assert str(sender["id"]) not in output
    assert fake.errors == []


@st.composite
def team_updates(draw: st.DrawFn) -> dict[str, Any]:
    """Any update, and often one from the team's forum group: by a member or a stranger, in any topic."""
    update = draw(updates())
    for field in ("message", "edited_message"):
        if field in update and draw(st.booleans()):
            update[field]["chat"] = {"id": TEAM_GROUP, "type": "supergroup", "title": "x", "is_forum": True}
            if draw(st.booleans()):
                update[field]["message_thread_id"] = draw(st.integers(1, 40))
                update[field]["is_topic_message"] = True
    return update


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(update=team_updates())
async def test_random_updates_in_team_mode_never_crash_and_never_reach_the_logs(
        team_desk: RunningBot, fake: FakeTelegram, update: dict[str, Any]) -> None:
    await test_random_updates_never_crash_and_never_reach_the_logs.hypothesis.inner_test(  # type: ignore[attr-defined]
        team_desk, fake, update)
