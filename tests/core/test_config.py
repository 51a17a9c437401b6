"""Config: where it lives, what it accepts, how it fails, how it is written."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from tui.core import paths
from tui.core.config import (
    Config,
    chosen_profile_name,
    get_profile,
    load_config,
    masked,
    resolve,
    save_config,
    save_setting,
    starter_config,
)
from tui.core.errors import ConfigError


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_default_location_follows_xdg(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.config_path() == isolated_home / ".config/switchboard/config.toml"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert paths.config_path() == isolated_home / ".config/switchboard/config.toml"
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(isolated_home / "elsewhere.toml"))
    assert paths.config_path() == isolated_home / "elsewhere.toml"


def test_no_file_means_sandbox() -> None:
    config = load_config()
    assert config == Config()
    name = chosen_profile_name(config, None)
    assert name == "sandbox"
    assert get_profile(config, name).sandbox


def test_explicit_missing_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config()


FULL = """
default_profile = "acme"
[profiles.acme]
base_url = "https://api.achieveapex.com/"
organization_id = 101
api_key_env = "ACME_API_KEY"
auth = "bearer"
media_base_url = "https://achieveapex-conversation-files.s3.amazonaws.com"
[profiles.acme.paths]
sms = "/v2/sms"
[profiles.acme.limits.whatsapp]
text_max = 1000
"""


def test_full_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "c.toml", FULL)
    config = load_config(path)
    monkeypatch.setenv("ACME_API_KEY", "k-123456")
    profile = resolve("acme", get_profile(config, "acme"), path)
    assert profile.base_url == "https://api.achieveapex.com"
    assert profile.paths.sms == "/v2/sms"
    assert profile.paths.whatsapp == "/conversation-messages-transform-outgoing-whatsapp"
    assert profile.limits == {"whatsapp": {"text_max": 1000}}
    assert profile.auth_headers() == {"Authorization": "Bearer k-123456"}
    assert "k-123456" not in repr(profile)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("default_profile = ", "is not valid TOML"),
        ("[profiles.a]\norganization_id = 'x'", "profiles.a.organization_id must be a whole number, not 'x'"),
        ("[profiles.a]\nbase_urll = 'https://x'", "profiles.a.base_urll is not a setting Switchboard knows"),
        ("[profiles.a]\nauth = 'basic'", "profiles.a.auth must be 'x-api-key' or 'bearer', not 'basic'"),
        ("[profiles.a]\nbase_url = 'ftp://x'", "profiles.a.base_url is invalid: must be a full http(s) URL"),
        ("[profiles.a.limits.telegram]\ntext_max = 3", "unknown channel 'telegram'"),
        ("[profiles.a.limits.whatsapp]\ntext_maxx = 3", "whatsapp.text_maxx"),
        (
            "[profiles.a.paths]\nsms = 'no-slash'",
            "profiles.a.paths.sms is invalid: a path must start with '/'",
        ),
        ("colour = 'red'", "colour is not a setting Switchboard knows"),
    ],
)
def test_bad_config_names_file_key_and_fix(tmp_path: Path, text: str, sentence: str) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in err.value.sentence
    assert sentence in err.value.sentence
    assert "\n" not in err.value.sentence


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b"default_profile = '\xff'")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", FULL)
    with pytest.raises(ConfigError) as err:
        get_profile(load_config(path), "acm", path)
    assert err.value.sentence == f"There is no profile 'acm' in {path}; use one of: acme, sandbox."


def test_unset_api_key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_API_KEY", raising=False)
    path = write(tmp_path / "c.toml", FULL)
    with pytest.raises(ConfigError) as err:
        resolve("acme", get_profile(load_config(path), "acme"), path)
    assert err.value.sentence == (
        "Profile 'acme' reads its API key from $ACME_API_KEY, which is not set; "
        "export ACME_API_KEY=... and try again."
    )


def test_missing_key_altogether(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[profiles.a]\nbase_url='https://x.io'\norganization_id=1\n")
    with pytest.raises(ConfigError, match="has no API key"):
        resolve("a", get_profile(load_config(path), "a"), path)


def test_missing_base_url(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[profiles.a]\norganization_id=1\napi_key_env='K'\n")
    with pytest.raises(ConfigError, match=r"profiles\.a\.base_url is required"):
        resolve("a", get_profile(load_config(path), "a"), path)


def test_key_in_a_readable_file_is_refused_like_ssh(tmp_path: Path) -> None:
    text = "[profiles.a]\nbase_url='https://x.io'\norganization_id=1\napi_key='sekret-key'\n"
    path = write(tmp_path / "c.toml", text, mode=0o644)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert f"chmod 600 {path}" in err.value.sentence
    assert "sekret-key" not in err.value.sentence
    path.chmod(0o600)
    profile = resolve("a", get_profile(load_config(path), "a"), path)
    assert profile.auth_headers() == {"x-api-key": "sekret-key"}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765", True),
        ("http://[::1]:8765", True),
        ("https://api.example.com", True),
        ("http://api.example.com", False),
        ("http://10.0.0.5", False),
    ],
)
def test_plain_http_only_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, ok: bool
) -> None:
    monkeypatch.setenv("K", "key-value")
    path = write(tmp_path / "c.toml", f"[profiles.a]\nbase_url='{url}'\norganization_id=1\napi_key_env='K'\n")
    profile = get_profile(load_config(path), "a")
    if ok:
        resolve("a", profile, path)
    else:
        with pytest.raises(ConfigError, match="allow_insecure_http = true"):
            resolve("a", profile, path)
        resolve("a", profile.model_copy(update={"allow_insecure_http": True}), path)


def test_save_is_atomic_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_config(starter_config(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text())
    assert data["default_profile"] == "sandbox"
    assert data["profiles"]["acme"] == {
        "base_url": "https://api.achieveapex.com",
        "organization_id": 101,
        "api_key_env": "ACME_API_KEY",
        "auth": "x-api-key",
        "media_base_url": "https://achieveapex-conversation-files.s3.amazonaws.com",
    }
    assert load_config(path) == starter_config()
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_save_leaves_old_file_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "config.toml", "theme = 'old'\n")

    def boom(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_config(Config(theme="new"), path)
    assert path.read_text() == "theme = 'old'\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_masked_hides_keys() -> None:
    config = Config.model_validate({"profiles": {"a": {"api_key": "sekret", "organization_id": 1}}})
    assert masked(config)["profiles"]["a"]["api_key"] == "****"


COMMENTED = """\
# Switchboard, set up by Ana on the support laptop.
default_profile = "acme"  # the real account
refresh_seconds = 20

# Themes: see the README.
theme = "nord"

[profiles.acme]
# Production. The key lives in the environment.
base_url = "https://api.achieveapex.com"
organization_id = 101
api_key_env = "ACME_API_KEY"
timeout_seconds = 15
"""


def test_save_setting_edits_one_value_and_keeps_comments_and_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED, mode=0o644)
    assert save_setting("theme", "gruvbox", path) == path
    assert path.read_text() == COMMENTED.replace('theme = "nord"', 'theme = "gruvbox"')
    assert "refresh_seconds = 20\n" in path.read_text()  # not 20.0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config(path).theme == "gruvbox"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left


def test_save_setting_adds_a_missing_key_among_the_top_level_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED.replace('theme = "nord"\n', ""))
    save_setting("theme", "gruvbox", path)
    config = load_config(path)
    assert config.theme == "gruvbox" and config.profiles["acme"].timeout_seconds == 15
    assert "# Production. The key lives in the environment." in path.read_text()


def test_save_setting_edits_a_nested_value_in_place(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED)
    save_setting("profiles.acme.timeout_seconds", 30, path)
    assert path.read_text() == COMMENTED.replace("timeout_seconds = 15", "timeout_seconds = 30")
    save_setting("theme", None, path)  # None removes the setting
    assert load_config(path).theme is None and "# Themes: see the README." in path.read_text()


def test_save_setting_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_setting("theme", "gruvbox", path)
    assert tomllib.loads(path.read_text()) == {"theme": "gruvbox"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_setting_refuses_what_would_break_the_file_and_leaves_it(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", COMMENTED)
    with pytest.raises(ConfigError) as err:
        save_setting("refresh_seconds", 1, path)
    assert "refresh_seconds" in err.value.sentence and str(path) in err.value.sentence
    with pytest.raises(ConfigError, match="not a table"):
        save_setting("theme.name", "x", path)
    assert path.read_text() == COMMENTED
    broken = write(tmp_path / "broken.toml", "theme = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_setting("theme", "x", broken)
    assert broken.read_text() == "theme = \n"


def test_save_setting_writes_through_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "config.toml", COMMENTED)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_setting("theme", "gruvbox", link)
    assert link.is_symlink() and load_config(real).theme == "gruvbox"


def test_save_setting_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "config.toml", COMMENTED)

    def boom(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError):
        save_setting("theme", "gruvbox", path)
    assert path.read_text() == COMMENTED
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]
