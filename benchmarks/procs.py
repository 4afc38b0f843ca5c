"""The bots under test, each in its own process: hotline through its real command line, or the bare
aiogram bot; long polling or webhook. Also what the operating system says about them: memory and CPU."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings, load_config, new_secret_key
from bot.simulator.server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
COUNSELLOR_BASE = 9_000_000_000
WEBHOOK_PATH = "/telegram"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def counsellor_ids(count: int) -> list[int]:
    return [COUNSELLOR_BASE + n for n in range(1, count + 1)]


def _supported(name: str) -> bool:
    """Whether this version of the settings knows a section: the benchmark runs on older trees too."""
    return name in Settings.model_fields


def hotline_settings(data_dir: Path, *, counsellors: int, webhook_port: int | None = None,
                     delivery: dict[str, Any] | None = None) -> dict[str, Any]:
    """config.yaml for a benchmark run: the shipped content and organisation, counsellors for handoffs,
    working hours always open, and the per-person limits raised so the load is not refused as a flood."""
    shipped = load_config(ROOT / "config.yaml", environ={}).settings
    settings: dict[str, Any] = {
        "languages": list(shipped.languages),
        "default_language": shipped.default_language,
        "content": {"dir": str(ROOT / "content"), "fallback_language": shipped.content.fallback_language},
        "organisation": shipped.organisation.model_dump(),
        "counsellors": [{"telegram_id": telegram_id, "languages": ["en", *[x for x in shipped.languages
                                                                            if x != "en"]],
                         "max_cases": 3} for telegram_id in counsellor_ids(counsellors)],
        "handoff": {
            "working_hours": {"timezone": "UTC", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                              "start": "00:00", "end": "23:59"},
            "notify_interval_seconds": 3600,
        },
        "privacy": {"housekeeping_minutes": 60},
        "limits": {"messages_per_minute": 600, "requests_per_hour": 60, "new_cases_per_hour": 100_000},
        "storage": {"data_dir": str(data_dir)},
        "log_level": shipped.log_level,
    }
    if delivery is not None and _supported("delivery"):
        settings["delivery"] = delivery
    if webhook_port is not None and _supported("webhook"):
        base = f"http://127.0.0.1:{webhook_port}"
        settings["webhook"] = {"host": "127.0.0.1", "port": webhook_port, "path": WEBHOOK_PATH, "public_url": base}
    return settings


UNTHROTTLED_DELIVERY = {"per_second": 1000, "per_chat_per_second": 100, "per_chat_burst": 100}
"""The bot's own pacing raised to the highest the settings allow, for the throughput runs: the fake
enforces no limits there, so pacing would only measure the setting."""


def hotline_has_webhook() -> bool:
    result = subprocess.run([sys.executable, "-m", "hotline.cli", "webhook", "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    return result.returncode == 0


@dataclass
class BotProcess:
    """One bot under test. ``start()`` returns once it takes updates (polls, or has set its webhook)."""

    kind: str  # "hotline" or "bare"
    mode: str  # "polling" or "webhook"
    fake: FakeTelegram
    workdir: Path
    counsellors: int = 0
    delivery: dict[str, Any] | None = None
    key: str = field(default_factory=new_secret_key)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    profile: Path | None = None
    """Run the bot under cProfile, writing the profile here when it exits."""
    _log: Any = None

    @property
    def database(self) -> Path:
        return self.workdir / "data" / "hotline.sqlite"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.kind}-{self.mode}.log"

    def _command(self, port: int | None) -> tuple[list[str], dict[str, str]]:
        # The bot as installed: its bytecode cached (pip compiles it), so a start does not compile hotline's own
        # modules from source again (a shell with PYTHONDONTWRITEBYTECODE would have it do so on every start).
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_") and k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = str(ROOT)
        if self.kind == "bare":
            env |= {"BARE_API": self.fake.base_url, "BARE_TOKEN": self.fake.token}
            command = [sys.executable, "-m", "benchmarks.bare_bot", "--mode", self.mode]
            if port is not None:
                command += ["--port", str(port)]
            return command, env
        config = self.workdir / "config.yaml"
        settings = hotline_settings(self.workdir / "data", counsellors=self.counsellors, webhook_port=port,
                                    delivery=self.delivery)
        # JSON is YAML: no need for a YAML writer here.
        config.write_text(json.dumps(settings, indent=1), encoding="utf-8")
        env |= {
            "HOTLINE_API_SERVER": self.fake.base_url,
            "HOTLINE_BOT_TOKEN": self.fake.token,
            "HOTLINE_SECRET_KEY": self.key,
            "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{self.database}",
        }
        if self.mode == "webhook":
            env["HOTLINE_WEBHOOK_SECRET"] = "benchmark-" + new_secret_key()[:16].replace("_", "-")
        profiler = ["-m", "cProfile", "-o", str(self.profile)] if self.profile is not None else []
        return [sys.executable, *profiler, "-m", "hotline.cli", "--config", str(config),
                "run" if self.mode == "polling" else "webhook"], env

    async def start(self, timeout: float = 180.0) -> None:  # noqa: ASYNC109
        self.workdir.mkdir(parents=True, exist_ok=True)
        port = free_port() if self.mode == "webhook" else None
        command, env = self._command(port)
        self._log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(*command, cwd=self.workdir, env=env,
                                                            stdin=subprocess.DEVNULL, stdout=self._log,
                                                            stderr=self._log)
        self.starts += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._ready():
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.kind} ({self.mode}) exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            if loop.time() > deadline:
                raise RuntimeError(f"{self.kind} ({self.mode}) did not start in {timeout:.0f}s:\n" + self.log_tail())
            await asyncio.sleep(0.02)

    def _ready(self) -> bool:
        if self.mode == "polling":
            return self.fake.is_polling
        return self.fake.is_pushing

    async def stop(self, sig: int = signal.SIGTERM, grace: float = 20.0) -> float:
        """Signal the bot and wait for it to exit (killing it after ``grace``); returns seconds it took."""
        process, self.process = self.process, None
        started = time.monotonic()
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return time.monotonic() - started

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    @property
    def pid(self) -> int:
        assert self.process is not None, "the bot is not running"
        return self.process.pid

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (the peak) of the bot process, in bytes."""
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) * 1024
        return found

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the bot process so far (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def database_bytes(self) -> int:
        return sum(path.stat().st_size for path in self._database_files())

    def _database_files(self) -> Iterator[Path]:
        for suffix in ("", "-wal"):
            path = self.database.with_name(self.database.name + suffix)
            if path.exists():
                yield path


def harness_cpu_seconds() -> float:
    return time.process_time()


def machine_cpu_seconds() -> float:
    """CPU time all processes on the machine have used (from /proc/stat): what is left after the bot and
    the harness is other work, which makes the figures worth less."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {"cpus": str(os.cpu_count()), "cpu": model, "memory": memory, "python": sys.version.split()[0]}


def describe_machine(info: dict[str, str] | None = None, extra: Sequence[str] = ()) -> str:
    info = info or machine()
    return ", ".join([f"{info['cpus']} CPUs ({info['cpu']})", f"{info['memory']} RAM",
                      f"Python {info['python']}", *extra])
