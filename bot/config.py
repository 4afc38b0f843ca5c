"""Settings: `config.yaml` for everything an operator may share, the environment for secrets.

The file is validated at start; a bad file stops the bot with messages that name the key and the line,
because a helpline that starts with half its settings silently defaulted is worse than one that refuses.
Secrets never come from the file: a config file gets copied, committed and pasted into bug reports.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from datetime import time as time_of_day
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from bot.yamlsource import YamlSyntaxError, load_yaml

TELEGRAM_API = "https://api.telegram.org"
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2, as CLDR has them


class ConfigError(Exception):
    """Raised with every problem found, each naming the file, line and key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContentSettings(_Strict):
    dir: Path = Path("content")
    # A node missing in a language is shown from this one, with a "not yet translated" line.
    fallback_language: LanguageCode = "en"
    # Reload by itself when a content file changes (otherwise: /reload, or SIGHUP to the process).
    watch: bool = False


class OrganisationSettings(_Strict):
    """The deploying organisation's details; content refers to them as {org_name} and so on. The contacts and
    hours are one text for every language, or a text per language (`{ru: "...", en: "..."}`): a language
    without its own gets the content's fallback language's, or else the first one given."""

    name: str = "the hotline"
    website: str = ""
    contacts: str | dict[LanguageCode, str] = ""
    hours: str | dict[LanguageCode, str] = ""


def in_language(value: str | Mapping[str, str], language: str, fallback: str) -> str:
    """`value` itself if it is one text; else its `language` text, its `fallback` one, or its first."""
    if isinstance(value, str):
        return value
    return value.get(language) or value.get(fallback) or next(iter(value.values()), "")


class CounsellorSettings(_Strict):
    """A counsellor, by Telegram id. Ids live here, in the operator's file, never in the database."""

    telegram_id: int = Field(gt=0)
    languages: list[LanguageCode] = Field(min_length=1)
    max_cases: int = Field(default=3, ge=1, le=20)
    alias: str | None = Field(default=None, max_length=32)  # what people see instead of "Counsellor"


class WorkingHours(_Strict):
    timezone: str = "Europe/Berlin"
    days: list[Weekday] = Field(default_factory=lambda: list(WORKDAYS), min_length=1)
    start: time_of_day = time_of_day(10, 0)
    end: time_of_day = time_of_day(18, 0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Berlin") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError("end must be later than start")
        return self


class HandoffSettings(_Strict):
    working_hours: WorkingHours = WorkingHours()
    # How long after a case is closed a new message from the person reopens it.
    reopen_window_hours: int = Field(default=72, ge=0, le=24 * 30)
    # A rough time a counsellor spends per case, for the wait estimate people are given.
    minutes_per_case: int = Field(default=20, ge=1, le=240)
    # At most one "new case" notification per counsellor in this many seconds.
    notify_interval_seconds: int = Field(default=60, ge=0, le=3600)
    # What a waiting case holds for the next counsellor: beyond it the person is told to wait. Without a cap
    # one person could pile up thousands of messages that then go out to a counsellor at one a second.
    max_waiting_messages: int = Field(default=30, ge=1, le=500)


# No setting may keep data longer than this, whatever config.yaml says: the longer data is kept, the more
# a seizure yields.
MAX_RETENTION_DAYS = 30
# Telegram lets a bot delete messages in a private chat for 48 hours only; clean up well before that.
TELEGRAM_DELETE_WINDOW_HOURS = 48


class PrivacySettings(_Strict):
    closed_case_days: int = Field(default=7, ge=1, le=MAX_RETENTION_DAYS)  # closed cases, their notes and ledger
    waiting_case_hours: int = Field(default=72, ge=1, le=MAX_RETENTION_DAYS * 24)  # nobody took it: expire
    inactive_person_days: int = Field(default=7, ge=1, le=MAX_RETENTION_DAYS)  # menu state of people gone quiet
    audit_days: int = Field(default=30, ge=1, le=MAX_RETENTION_DAYS)
    block_days: int = Field(default=30, ge=1, le=MAX_RETENTION_DAYS)
    # Delete the bot's and the person's messages from their chat once they are this old; 0 turns it off.
    chat_cleanup_hours: int = Field(default=24, ge=0, le=TELEGRAM_DELETE_WINDOW_HOURS - 6)
    housekeeping_minutes: int = Field(default=10, ge=1, le=60)  # how often clean-up and purges run


class LimitSettings(_Strict):
    messages_per_minute: int = Field(default=60, ge=1, le=600)  # per person; taps included
    requests_per_hour: int = Field(default=3, ge=1, le=60)  # counsellor requests per person
    new_cases_per_hour: int = Field(default=200, ge=1, le=100_000)  # all people together
    max_file_mb: int = Field(default=20, ge=1, le=2000)  # files larger than this are not passed on


class DeliverySettings(_Strict):
    """Telegram's published limits for messages a bot sends: stay under them instead of collecting 429s."""

    per_second: float = Field(default=30.0, gt=0, le=1000)  # all chats together
    per_chat_per_second: float = Field(default=1.0, gt=0, le=100)
    per_chat_burst: int = Field(default=3, ge=1, le=100)  # a short burst allowed in one chat
    # Into one group (team mode's forum): Telegram allows about 20 messages a minute (Bot FAQ).
    per_group_per_minute: float = Field(default=20.0, gt=0, le=6000)
    max_attempts: int = Field(default=50, ge=1, le=1000)  # then a message is dropped with a log event


class WebhookSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    path: str = "/telegram"
    public_url: str = ""  # the https:// address Telegram calls, without the path

    @field_validator("path")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value


class TelegramSettings(_Strict):
    api_server: str = TELEGRAM_API
    polling_timeout: int = Field(default=30, ge=1, le=60)

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a server on this machine)")
        return value.rstrip("/")


class SearchSettings(_Strict):
    """When typed questions get pages: CONTENT.md ("How the search works") explains each to editors."""

    # The no-match floor: a page is offered only if the chance that it (or one of the next two) answers the
    # question is at least this (0..1). The chance is weighed from how much of the question the best page
    # explains, how strongly, and how near the questions no page answers come (bot/search/calibration.py), and is
    # calibrated on the content's own questions: at 0.65, cross-validated on them on 2026-12-01, the right page is
    # offered for more answerable questions than the rules before it (2,016 of 2,099, was 2,011), and 38 of 725
    # questions no page answers get a page (was 64). Higher: fewer wrong pages, more "no page on that" (CONTENT.md).
    # A question of one word that means something is a topic to browse: its pages are offered at any chance.
    min_chance: float = Field(default=0.65, ge=0, le=1)
    # ... and never a page whose words are only mentioned in passing: its words must be in it at least this
    # strongly (about 1 when they are merely mentioned in its text, 2.5 and more in its title or keywords), or
    # it must explain 70% of the question.
    floor: float = Field(default=0.9, ge=0, le=10)
    # The menu sections whose pages a reader in this language sees first, when they search from the main
    # menu (inside a section, that section's pages come first). Unknown section ids are ignored.
    prefer_sections: dict[LanguageCode, list[str]] = Field(default_factory=lambda: {"uk": ["ukraine"]})
    # The countries the helpline's people come from (ISO 3166 codes): a page about one of them (its law, its
    # call-up) holds wherever the person is. A page about another country (its title names it) is not
    # offered for a question set in a country the page never names: "health insurance in Germany" does not
    # get the Georgia page. A page about one of them is not offered for a question about another that it
    # never names (Ukraine's student deferment for a question about Russia's).
    home_countries: frozenset[CountryCode] = frozenset({"RU", "BY", "UA"})


class StorageSettings(_Strict):
    data_dir: Path = Path("data")
    database_url: str | None = None  # default: a SQLite file in data_dir


class TeamSettings(_Strict):
    """Team mode: each case is a topic in the counsellors' private forum supergroup, deleted when the case
    ends. Off by default (private-chat mode: each counsellor talks to the bot alone). README explains both."""

    enabled: bool = False
    # The forum supergroup's id (negative, like -1001234567890): "restrict saving content" on, the bot an
    # admin that may manage topics, delete and pin messages (checked at start).
    group_id: int | None = Field(default=None, lt=0)
    # A member's message that starts with this stays in the team as a note; it never reaches the person.
    note_prefix: str = Field(default="#", min_length=1, max_length=8)

    @field_validator("note_prefix")
    @classmethod
    def _visible(cls, value: str) -> str:
        if value.strip() != value or value.startswith("/"):
            raise ValueError("must not start or end with a space, nor start with / (commands do)")
        return value

    @model_validator(mode="after")
    def _group_given(self) -> TeamSettings:
        if self.enabled and self.group_id is None:
            raise ValueError("team mode needs group_id: the forum supergroup's id (negative)")
        return self


class Settings(_Strict):
    languages: list[LanguageCode] = Field(default_factory=lambda: ["ru", "en", "de"], min_length=1)
    default_language: LanguageCode = "ru"
    content: ContentSettings = ContentSettings()
    organisation: OrganisationSettings = OrganisationSettings()
    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    counsellors: list[CounsellorSettings] = Field(default_factory=list)
    admins: list[int] = Field(default_factory=list)  # Telegram ids of people who may run admin commands
    # Telegram ids whose /revoke is lifted, and who cannot be revoked while listed: the operator's undo, for
    # when a seized admin phone revoked the wrong people.
    restored: list[int] = Field(default_factory=list)
    handoff: HandoffSettings = HandoffSettings()
    privacy: PrivacySettings = PrivacySettings()
    limits: LimitSettings = LimitSettings()
    delivery: DeliverySettings = DeliverySettings()
    webhook: WebhookSettings = WebhookSettings()
    search: SearchSettings = SearchSettings()
    team: TeamSettings = TeamSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("languages")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @model_validator(mode="after")
    def _languages_known(self) -> Settings:
        if self.default_language not in self.languages:
            raise ValueError(f"default_language {self.default_language!r} is not in languages")
        if self.content.fallback_language not in self.languages:
            raise ValueError(f"content.fallback_language {self.content.fallback_language!r} is not in languages")
        ids = [c.telegram_id for c in self.counsellors]
        if len(set(ids)) != len(ids):
            raise ValueError("a counsellor is listed twice")
        for counsellor in self.counsellors:
            unknown = [lang for lang in counsellor.languages if lang not in self.languages]
            if unknown:
                raise ValueError(f"a counsellor's language {unknown[0]!r} is not in languages")
        # A closed case tells the person they may write back within the reopen window; deleting the case
        # sooner would turn their next message into a search nobody reads.
        if self.handoff.reopen_window_hours > self.privacy.closed_case_days * 24:
            raise ValueError(
                f"handoff.reopen_window_hours ({self.handoff.reopen_window_hours}) is longer than "
                f"privacy.closed_case_days ({self.privacy.closed_case_days} × 24 hours): a closed case would be "
                "deleted while the person is still told they can write back; shorten the window or keep closed "
                "cases longer")
        return self


class Secrets(BaseModel):
    """Values that only ever come from the environment. repr() never shows them."""

    model_config = ConfigDict(frozen=True)

    bot_token: str | None = Field(default=None, repr=False)
    secret_key: bytes | None = Field(default=None, repr=False)
    webhook_secret: str | None = Field(default=None, repr=False)
    previous_keys: tuple[bytes, ...] = Field(default=(), repr=False)


class Config(BaseModel):
    """Everything the program needs to start, resolved: paths are absolute, env overrides applied."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    settings: Settings
    secrets: Secrets
    path: Path  # the config file, watched for counsellor changes
    base_dir: Path
    content_dir: Path
    data_dir: Path
    database_url: str
    api_server: str


def parse_secret_key(value: str, name: str = "HOTLINE_SECRET_KEY") -> bytes:
    """Decode a key from the environment. The error never repeats the value."""
    text = value.strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ConfigError([f"{name} is not valid base64; make a new key with `hotline keygen`"]) from None
    if len(key) != 32:
        raise ConfigError([f"{name} must decode to 32 bytes, not {len(key)}; make one with `hotline keygen`"])
    return key


def new_secret_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii").rstrip("=")


# Settings a release took out, with what an operator upgrading does about them.
_CALIBRATED = ("replaced on 2026-12-01 by `search: min_chance`, the chance that a page answers, calibrated on the "
               "content's questions (CONTENT.md, the no-match floor): remove this line")
_REMOVED = {f"search.{name}": _CALIBRATED for name in (
    "min_coverage", "min_coverage_by_language", "strong", "strong_coverage", "very_strong", "very_strong_coverage",
    "long_question", "long_words", "long_coverage", "long_strength")}


def _describe(errors: ValidationError, path: Path, line_of: Any) -> list[str]:
    problems = []
    for error in errors.errors():
        loc = list(error["loc"])
        key = ".".join(str(part) for part in loc) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = _REMOVED.get(key, "unknown setting (check the spelling; see config.yaml in the repository for "
                                        "all settings)")
        message = message.removeprefix("Value error, ")
        line = line_of(loc)
        where = f"{path}:{line}" if line else str(path)
        problems.append(f"{where}: {key}: {message}")
    return problems


def load_settings(path: Path) -> Settings:
    try:
        document = load_yaml(path)
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (pass --config PATH)"]) from None
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise ConfigError([f"{where}: {exc.message}"]) from None
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1: the file must be a mapping of settings (key: value)"])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, document.line_of)) from None


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read config.yaml and the environment. Raises ConfigError listing every problem."""
    env = os.environ if environ is None else environ
    path = path.resolve()
    settings = load_settings(path)
    base = path.parent

    secret_key = parse_secret_key(env["HOTLINE_SECRET_KEY"]) if env.get("HOTLINE_SECRET_KEY") else None
    webhook_secret = env.get("HOTLINE_WEBHOOK_SECRET") or None
    if webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
        raise ConfigError(["HOTLINE_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - "
                           "(Telegram's rule); make one with `hotline keygen`"])
    previous = tuple(parse_secret_key(k, "HOTLINE_PREVIOUS_KEYS")
                     for k in env.get("HOTLINE_PREVIOUS_KEYS", "").split(",") if k.strip())
    token = env.get("HOTLINE_BOT_TOKEN") or None
    api_server = (env.get("HOTLINE_API_SERVER") or settings.telegram.api_server).rstrip("/")
    if not api_server.startswith(("http://", "https://")):
        raise ConfigError(["HOTLINE_API_SERVER must start with https:// or http://"])

    data_dir = (base / settings.storage.data_dir).resolve()
    database_url = env.get("HOTLINE_DATABASE_URL") or settings.storage.database_url
    if not database_url:
        database_url = f"sqlite+aiosqlite:///{data_dir / 'hotline.sqlite'}"
    return Config(
        settings=settings,
        secrets=Secrets(bot_token=token, secret_key=secret_key, previous_keys=previous,
                        webhook_secret=webhook_secret),
        path=path,
        base_dir=base,
        content_dir=(base / settings.content.dir).resolve(),
        data_dir=data_dir,
        database_url=database_url,
        api_server=api_server,
    )
