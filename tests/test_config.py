"""config.yaml is validated at start: a bad file names the key and the line and stops the program."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, new_secret_key, parse_secret_key
from hotline.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config.yaml", environ={})
    assert config.settings.languages == ["ru", "uk", "en", "de"]
    assert config.api_server == "https://api.telegram.org"
    assert config.database_url.endswith("/data/hotline.sqlite")
    assert config.secrets.bot_token is None


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "languages: [ru, en]\ntelegram:\n  api_server: https://x.example\n  pollin_timeout: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.problems == [
        f"{path}:4: telegram.pollin_timeout: unknown setting (check the spelling; see config.yaml in the "
        "repository for all settings)"
    ]


def test_wrong_value_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "languages: [ru, en]\ndefault_language: en\ntelegram:\n  polling_timeout: 600\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:4: telegram.polling_timeout:")
    assert "60" in problem


def test_default_language_must_be_offered(tmp_path: Path) -> None:
    path = write(tmp_path, "languages: [en, de]\ndefault_language: ru\n")
    with pytest.raises(ConfigError, match="default_language 'ru' is not in languages"):
        load_config(path, environ={})


def test_a_reopen_window_longer_than_closed_cases_are_kept_is_refused(tmp_path: Path) -> None:
    """A person is told they may write back within the reopen window: the case must still exist then."""
    path = write(tmp_path, "privacy:\n  closed_case_days: 1\n")  # the default window is 72 hours
    with pytest.raises(ConfigError, match=r"reopen_window_hours \(72\) is longer than privacy.closed_case_days"):
        load_config(path, environ={})
    fits = write(tmp_path, "privacy:\n  closed_case_days: 1\nhandoff:\n  reopen_window_hours: 24\n")
    assert load_config(fits, environ={}).settings.privacy.closed_case_days == 1


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "languages: [ru, en\ndefault_language: en\n")
    with pytest.raises(ConfigError, match=rf"{path}:2: YAML syntax error"):
        load_config(path, environ={})


def test_bad_config_exits_non_zero_with_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "languages: [ru, en]\nstorage:\n  data_dri: x\n")
    assert main(["run", "--config", str(path)]) == 2
    assert "storage.data_dri" in capsys.readouterr().err


def test_environment_overrides_and_secrets(tmp_path: Path) -> None:
    key = new_secret_key()
    path = write(tmp_path, "storage: {data_dir: d}\n")
    config = load_config(path, environ={
        "HOTLINE_BOT_TOKEN": "123:abc", "HOTLINE_SECRET_KEY": key,
        "HOTLINE_API_SERVER": "http://127.0.0.1:9/", "HOTLINE_DATABASE_URL": "sqlite+aiosqlite:///:memory:",
    })
    assert config.api_server == "http://127.0.0.1:9"
    assert config.database_url == "sqlite+aiosqlite:///:memory:"
    assert config.secrets.secret_key == parse_secret_key(key)
    assert "123:abc" not in repr(config) and key not in repr(config)


def test_default_database_is_a_file_in_the_data_dir(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "storage: {data_dir: somewhere}\n"), environ={})
    assert config.database_url == f"sqlite+aiosqlite:///{tmp_path / 'somewhere' / 'hotline.sqlite'}"


@pytest.mark.parametrize("bad", ["not base64 !!", "c2hvcnQ", "A" * 60])
def test_bad_secret_key_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_secret_key(bad)
    assert bad not in str(caught.value)
    assert "hotline keygen" in str(caught.value)


def test_run_refuses_to_start_without_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_BOT_TOKEN", raising=False)
    monkeypatch.delenv("HOTLINE_SECRET_KEY", raising=False)
    assert main(["run", "--config", str(ROOT / "config.yaml")]) == 2
    err = capsys.readouterr().err
    assert "HOTLINE_BOT_TOKEN and HOTLINE_SECRET_KEY not set" in err


def test_keygen_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keygen"]) == 0
    first = capsys.readouterr().out.strip()
    assert len(parse_secret_key(first)) == 32
    main(["keygen"])
    assert capsys.readouterr().out.strip() != first


def test_team_mode_is_off_by_default_and_checked_when_on(tmp_path: Path) -> None:
    assert load_config(ROOT / "config.yaml", environ={}).settings.team.enabled is False
    path = write(tmp_path, "languages: [ru, en]\nteam:\n  enabled: true\n")
    with pytest.raises(ConfigError, match=r"team: team mode needs group_id"):
        load_config(path, environ={})
    path = write(tmp_path, "languages: [ru, en]\nteam:\n  enabled: true\n  group_id: 1234\n")
    with pytest.raises(ConfigError, match=r"team\.group_id: Input should be less than 0"):
        load_config(path, environ={})
    path = write(tmp_path, "languages: [ru, en]\nteam:\n  enabled: true\n  group_id: -1001\n  note_prefix: /n\n")
    with pytest.raises(ConfigError, match=r"team\.note_prefix: must not"):
        load_config(path, environ={})
    path = write(tmp_path, "languages: [ru, en]\nteam: {enabled: true, group_id: -1001, note_prefix: '!!'}\n")
    team = load_config(path, environ={}).settings.team
    assert (team.enabled, team.group_id, team.note_prefix) == (True, -1001, "!!")
