"""Several instances on one PostgreSQL (docs/multi-instance.md), as real `hotline` processes against the fake
Telegram: three webhook instances behind a round-robin front, and two pollers started by mistake. People in
open cases write without pause; the leader is killed with SIGKILL mid-load. Then, on the fake's ledger:
no message lost (but for a copy the new leader reports it could not be sure of), none copied twice, each
person's copies in order, no 429 from the fake's flood limits (set a little above the bot's pacing), and the
service back: a new person's /start answered. How long that took is printed (-s), not asserted tightly.

Run only where PostgreSQL is reachable (tests/backends.py; with CI=true a missing server fails).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import new_secret_key
from bot.simulator.server import FakeTelegram, FakeUser, FloodLimits
from tests.backends import create_database, drop_database, rows
from tests.chat import text_of, visible
from tests.conftest import FIXTURE_CONTENT

HOTLINE = str(Path(sys.executable).parent / "hotline")
COUNSELLOR = 9_100_000_009
PEOPLE = 4
MESSAGES = 12  # per person
SECRET = "a-webhook-secret-of-enough-length"
UNSURE = re.compile(r"(\d+) message\(s\) may or may not have reached Telegram")


@pytest.fixture
async def postgresql_url(postgresql_server: None) -> AsyncIterator[str]:
    url = await create_database()
    try:
        yield url
    finally:
        await drop_database(url)


@dataclass
class Instance:
    name: str
    process: asyncio.subprocess.Process
    log: Path
    url: str  # its webhook ("" for a poller)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def leading(self) -> bool:
        return "leading (epoch" in self.text()


def _config(tmp_path: Path, name: str, port: int) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"languages: [ru, en, de]\ndefault_language: ru\n"
        f"content: {{dir: '{FIXTURE_CONTENT}', fallback_language: en}}\n"
        f"organisation: {{name: 'Test Hotline', contacts: 'help@example.org'}}\n"
        f"storage: {{data_dir: '{tmp_path / name}'}}\n"
        f"webhook: {{host: 127.0.0.1, port: {port}, path: /tg}}\n"
        # Telegram allows about 1 a second into one chat; faster here (the fake's limits are raised to match)
        # so the test takes seconds, not minutes.
        f"delivery: {{per_second: 20, per_chat_per_second: 8, per_chat_burst: 3}}\n"
        f"limits: {{messages_per_minute: 600}}\n"
        f"counsellors:\n  - {{telegram_id: {COUNSELLOR}, languages: [ru, en, de], max_cases: {PEOPLE + 1}}}\n"
        "handoff:\n"
        "  working_hours: {timezone: UTC, days: [mon, tue, wed, thu, fri, sat, sun], start: '00:00', end: '23:59'}\n"
        "  notify_interval_seconds: 0\n",
        encoding="utf-8")
    return path


async def _start(tmp_path: Path, fake: FakeTelegram, database_url: str, command: str, name: str,
                 port: int, key: str) -> Instance:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(HOTLINE_BOT_TOKEN=fake.token, HOTLINE_SECRET_KEY=key, HOTLINE_API_SERVER=fake.base_url,
               HOTLINE_DATABASE_URL=database_url, HOTLINE_WEBHOOK_SECRET=SECRET)
    log = tmp_path / f"{name}.log"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            HOTLINE, command, "--config", str(_config(tmp_path, name, port)), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=sink)
    return Instance(name, process, log, f"http://127.0.0.1:{port}/tg" if command == "webhook" else "")


async def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: still not after {timeout} s"
        await asyncio.sleep(0.05)


def _screen(fake: FakeTelegram, user: FakeUser) -> list[str]:
    return [text_of(m) + repr(m.buttons()) for m in visible(fake, user)]


async def _act(fake: FakeTelegram, user: FakeUser, action: Callable[[], object]) -> None:
    """Do something as ``user`` and wait until the bot has visibly answered (another process: the fake
    cannot ask it), then until it has been quiet for a moment."""
    before = _screen(fake, user)
    result = action()
    if asyncio.iscoroutine(result):
        await result
    await _wait(lambda: _screen(fake, user) != before, 60, "an answer")
    await fake.wait_idle(timeout=60, quiet=0.3)


async def _tap(fake: FakeTelegram, user: FakeUser, label: str) -> None:
    menu = [m for m in visible(fake, user) if m.buttons()][-1]
    button = next(b for b in menu.buttons() if label in str(b["text"]) and "callback_data" in b)
    await _act(fake, user, lambda: fake.press(user, menu.message_id, str(button["callback_data"])))


async def _open_cases(fake: FakeTelegram) -> tuple[FakeUser, list[FakeUser]]:
    """One counsellor on duty holding a case of each person."""
    counsellor = fake.user(COUNSELLOR, "Olga", language_code="ru")
    await _act(fake, counsellor, lambda: fake.send_text(counsellor, "/on"))
    people = [fake.user(7_700_001 + n, f"P{n}", language_code="ru") for n in range(PEOPLE)]
    for person in people:
        await _act(fake, person, lambda p=person: fake.send_text(p, "/start"))  # type: ignore[misc]
        await _tap(fake, person, "💬")
        await _tap(fake, person, "✅")
    for _person in people:
        await _act(fake, counsellor, lambda: fake.send_text(counsellor, "/take"))
    return counsellor, people


def _copies(fake: FakeTelegram, counsellor: FakeUser) -> list[tuple[int, int]]:
    """(person's chat, message id) of every successful copy into the counsellor's chat, in call order."""
    found = []
    for call in fake.calls:
        if call.params.get("chat_id") != COUNSELLOR or call.status != 200:
            continue
        method = call.method.lower()
        if method == "copymessage":
            found.append((int(call.params["from_chat_id"]), int(call.params["message_id"])))
        elif method == "copymessages":
            found += [(int(call.params["from_chat_id"]), int(m)) for m in call.params["message_ids"]]
    return found


async def _load_and_kill(fake: FakeTelegram, counsellor: FakeUser, people: list[FakeUser],
                         instances: list[Instance]) -> None:
    """The people write MESSAGES each; a third of the way through the copies the leader is killed."""
    fake.flood = FloodLimits(per_chat=10.0, chat_burst=5, overall=30.0, overall_burst=30)
    before = len(_copies(fake, counsellor))
    sent: dict[int, list[int]] = {person.id: [] for person in people}

    async def write() -> None:
        for i in range(MESSAGES):
            for person in people:
                sent[person.id].append(fake.queue_text(person, f"message {i} from {person.first_name}").message_id)
            await asyncio.sleep(0.05)

    writing = asyncio.create_task(write())
    await _wait(lambda: len(_copies(fake, counsellor)) - before >= PEOPLE * MESSAGES // 3, 90, "copies before the kill")
    leaders = [i for i in instances if i.leading and i.process.returncode is None]
    assert len(leaders) == 1, [i.name for i in leaders]
    leader = leaders[0]
    leader.process.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    await leader.process.wait()
    await writing

    probe = fake.user(7_799_999, "Probe", language_code="ru")
    await fake.send_text(probe, "/start")
    await _wait(lambda: bool(visible(fake, probe)), 60, "service back after the kill (a new person's /start)")
    back = time.monotonic() - killed
    print(f"\nservice back {back:.1f} s after SIGKILL of {leader.name}")

    expected = {(pid, m) for pid, ids in sent.items() for m in ids}
    # An update's claim travels in its relay's transaction (issue 16): only a send the new leader reports
    # unsure (it may or may not have reached Telegram) may be missing.
    with contextlib.suppress(AssertionError):  # what is missing then is reported below
        await _wait(lambda: len(expected - set(_copies(fake, counsellor))) <= _unsure(instances), 90, "every copy")
        await fake.wait_idle(timeout=30, quiet=1.0)

    copies = [c for c in _copies(fake, counsellor) if c in expected]
    counts = Counter(copies)
    assert [c for c, n in counts.items() if n > 1] == [], "a message was copied twice"
    lost = expected - set(counts)
    assert len(lost) <= _unsure(instances), \
        f"{len(lost)} message(s) lost ({sorted(lost)}), {_unsure(instances)} reported unsure; {len(counts)} copied"
    for pid, ids in sent.items():
        order = [m for chat, m in copies if chat == pid]
        assert order == sorted(order), f"a person's messages arrived out of order: {order}"
        assert order == [m for m in ids if (pid, m) not in lost]
    notices = [m for person in people for m in visible(fake, person) if "могло не дойти" in text_of(m)]
    assert len(notices) == _unsure(instances), "each writer of a copy the new leader was unsure of is told"
    retries = [c for c in fake.calls if c.status == 429]
    assert retries == [], f"{len(retries)} request(s) over the fake's flood limits"
    print(f"{len(expected)} messages, {len(counts)} copied once, 0 twice, {len(lost)} missing "
          f"({_unsure(instances)} reported unsure by the new leader); leader {leader.name} killed")


def _unsure(instances: list[Instance]) -> int:
    return sum(int(n) for i in instances for n in UNSURE.findall(i.text()))


async def _stop(instances: list[Instance]) -> None:
    for instance in instances:
        if instance.process.returncode is None:
            instance.process.send_signal(signal.SIGTERM)
    for instance in instances:
        try:
            await asyncio.wait_for(instance.process.wait(), 30)
        except TimeoutError:
            instance.process.kill()
            await instance.process.wait()


def _no_identity_in_logs(fake: FakeTelegram, instances: list[Instance], people: list[FakeUser]) -> None:
    for instance in instances:
        text = instance.text()
        assert fake.token.split(":")[1] not in text
        assert all(str(person.id) not in text for person in people), f"a chat id in {instance.name}'s log"
        assert "message 1 from" not in text


async def _scenario(fake: FakeTelegram, database_url: str, tmp_path: Path, ports: Callable[[], int],
                    command: str, count: int) -> list[Instance]:
    """``count`` instances of ``hotline <command>`` on one database: cases opened, the load, the leader
    killed (see _load_and_kill), the others stopped. Returns them, stopped."""
    key = new_secret_key()
    instances = [await _start(tmp_path, fake, database_url, command, f"{command}{n}", ports(), key)
                 for n in range(count)]
    people: list[FakeUser] = []
    try:
        await _wait(lambda: all("webhook receiving" in i.text() or "standby" in i.text() or i.leading
                                for i in instances), 180, "every instance up")
        await _wait(lambda: bool(fake.webhook_url) or fake.is_polling, 180, "a leader taking updates")
        if command == "webhook":
            fake.balanced = [i.url for i in instances]
        counsellor, people = await _open_cases(fake)
        assert sum(i.leading for i in instances) == 1, "one leader"
        for standby in [i for i in instances if not i.leading]:  # it holds no content: nothing to reload
            standby.process.send_signal(signal.SIGHUP)
            await _wait(lambda s=standby: "standby: nothing to reload" in s.text(), 30,  # type: ignore[misc]
                        "a standby's answer to SIGHUP")
        await _load_and_kill(fake, counsellor, people, instances)
        assert sum(i.leading for i in instances if i.process.returncode is None) == 1, "a new leader"
    finally:
        await _stop(instances)
    for instance in instances:
        assert instance.process.returncode in (0, -signal.SIGKILL), instance.text()[-3000:]
    _no_identity_in_logs(fake, instances, people)
    return instances


async def test_three_webhook_instances_and_the_leader_killed(
        fake: FakeTelegram, postgresql_url: str, tmp_path: Path,
        unused_tcp_port_factory: Callable[[], int]) -> None:
    await _scenario(fake, postgresql_url, tmp_path, unused_tcp_port_factory, "webhook", 3)
    assert await rows(postgresql_url, "SELECT count(*) FROM inbox") == [(0,)], "handled rows are deleted"
    assert await rows(postgresql_url, "SELECT epoch FROM leadership") == [(2,)], "two leaders in turn"


async def test_two_pollers_started_by_mistake_and_the_leader_killed(
        fake: FakeTelegram, postgresql_url: str, tmp_path: Path,
        unused_tcp_port_factory: Callable[[], int]) -> None:
    instances = await _scenario(fake, postgresql_url, tmp_path, unused_tcp_port_factory, "run", 2)
    assert any("standby" in i.text() for i in instances), "the second poller waited"
    conflicts = [c for c in fake.calls if c.method.lower() == "getupdates" and c.status == 409]
    assert conflicts == [], "only the leader polls: Telegram would answer a second poller 409"
    assert await rows(postgresql_url, "SELECT count(*) FROM inbox") == [(0,)], "pollers use no inbox"
