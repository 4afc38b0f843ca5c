"""The `hotline` program itself, as a separate process: `run` against the fake Bot API, and the demo."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import new_secret_key
from bot.simulator.server import FakeTelegram
from tests.chat import last, text_of, visible
from tests.conftest import ROOT

HOTLINE = str(Path(sys.executable).parent / "hotline")
# Timeouts below only stop a hung test; they are generous because a loaded CI machine starts a process slowly.


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(extra)
    return env


async def test_hotline_run_polls_answers_and_stops_cleanly(fake: FakeTelegram, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        HOTLINE, "run", "--config", str(ROOT / "config.yaml"),
        env=_env(HOTLINE_BOT_TOKEN=fake.token, HOTLINE_SECRET_KEY=new_secret_key(),
                 HOTLINE_API_SERVER=fake.base_url,
                 HOTLINE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite'}"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: fake.is_polling, timeout=120)
        user = fake.user(123_456_789, language_code="de")
        await fake.send_text(user, "/start")
        # Another process: the fake cannot ask it whether it is busy, so wait for the answer itself.
        await fake.wait_for(lambda: bool(visible(fake, user)), timeout=60)
        assert "Informationen für Menschen, die nicht kämpfen wollen" in text_of(last(fake, user))
        assert last(fake, user).protect_content
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    log = err.decode()
    assert "polling started" in log
    assert fake.token not in log and fake.token.split(":")[1] not in log
    assert "123456789" not in log


async def test_demo_runs_the_bot_in_the_terminal() -> None:
    process = await asyncio.create_subprocess_exec(
        HOTLINE, "demo", "--config", str(ROOT / "config.yaml"), "--language", "ru",
        env=_env(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(b"1\n/language\n4\n/quit\n"), timeout=180)
    text = out.decode()
    assert process.returncode == 0, err.decode()
    assert "[1]" in text, "buttons are numbered"
    assert "Главное меню" in text, "the menu in the pretend Telegram language"
    assert "Hauptmenü" in text, "pressing 4 in the language menu switched to German"


async def test_sighup_reloads_the_content(fake: FakeTelegram, tmp_path: Path) -> None:
    import shutil

    from tests.conftest import FIXTURE_CONTENT

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    config = tmp_path / "config.yaml"
    config.write_text(f"languages: [ru, en, de]\ncontent: {{dir: '{content}'}}\nstorage: {{data_dir: '{tmp_path}'}}\n")
    process = await asyncio.create_subprocess_exec(
        HOTLINE, "run", "--config", str(config),
        env=_env(HOTLINE_BOT_TOKEN=fake.token, HOTLINE_SECRET_KEY=new_secret_key(), HOTLINE_API_SERVER=fake.base_url),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: fake.is_polling, timeout=120)
        nodes = content / "en" / "nodes.yml"
        nodes.write_text(nodes.read_text(encoding="utf-8").replace("EN-ROOT-BODY.", "EN-ROOT-BODY-SIGHUP."),
                         encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        user = fake.user(123_456_790, language_code="en")
        for _attempt in range(50):
            answered = len(visible(fake, user))
            await fake.send_text(user, "/start")
            await fake.wait_for(lambda: len(visible(fake, user)) > answered, timeout=60)  # noqa: B023
            if "SIGHUP" in text_of(last(fake, user)):
                break
            await asyncio.sleep(0.1)
        assert "EN-ROOT-BODY-SIGHUP" in text_of(last(fake, user))
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert "content reloaded" in err.decode()


async def test_hotline_webhook_serves_and_requires_its_secret(fake: FakeTelegram, tmp_path: Path,
                                                             unused_tcp_port: int) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"content: {{dir: '{ROOT / 'content'}'}}\nstorage: {{data_dir: '{tmp_path}'}}\n"
                      f"webhook: {{host: 127.0.0.1, port: {unused_tcp_port}, path: /tg}}\n")
    env = _env(HOTLINE_BOT_TOKEN=fake.token, HOTLINE_SECRET_KEY=new_secret_key(), HOTLINE_API_SERVER=fake.base_url)
    refused = await asyncio.create_subprocess_exec(HOTLINE, "webhook", "--config", str(config), env=env,
                                                   stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(refused.communicate(), timeout=120)
    assert refused.returncode == 2 and b"HOTLINE_WEBHOOK_SECRET" in err

    process = await asyncio.create_subprocess_exec(
        HOTLINE, "webhook", "--config", str(config),
        env={**env, "HOTLINE_WEBHOOK_SECRET": "a-webhook-secret-of-enough-length"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda: bool(fake.webhook_url), timeout=120)
        assert fake.webhook_url == f"http://127.0.0.1:{unused_tcp_port}/tg", "the token is not in the URL"
        user = fake.user(123_456_791, language_code="en")
        await fake.send_text(user, "/start")  # the fake pushes it to the webhook, with the secret header
        await fake.wait_for(lambda: bool(visible(fake, user)), timeout=60)
        assert "Information for people who refuse to fight" in text_of(last(fake, user))
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert "webhook serving" in err.decode() and fake.token.split(":")[1] not in err.decode()
