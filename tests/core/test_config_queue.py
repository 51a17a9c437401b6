"""Config keys of the work queue: a profile's `user_id` (who the agent is when the server has no
`GET /users/me`), the top-level `mark_read`, and the users paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.config import get_profile, load_config, resolve, save_setting
from tui.core.errors import ConfigError

PROFILE = """
[profiles.acme]
base_url = "https://api.achieveapex.com"
organization_id = 101
api_key_env = "ACME_KEY"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_user_id_reaches_the_resolved_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "k-123456")
    path = write(tmp_path, PROFILE + "user_id = 7\n")
    config = load_config(path)
    resolved = resolve("acme", get_profile(config, "acme", path), path)
    assert resolved.user_id == 7


def test_without_user_id_it_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_KEY", "k-123456")
    path = write(tmp_path, PROFILE)
    config = load_config(path)
    assert resolve("acme", get_profile(config, "acme", path), path).user_id is None


@pytest.mark.parametrize(
    ("value", "words"), [('"7"', "whole number"), ("0", "greater than 0"), ("7.5", "whole number")]
)
def test_a_bad_user_id_is_refused_naming_the_key(tmp_path: Path, value: str, words: str) -> None:
    path = write(tmp_path, PROFILE + f"user_id = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "profiles.acme.user_id" in caught.value.sentence and words in caught.value.sentence


def test_mark_read_defaults_to_open_and_takes_reply(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, PROFILE)).mark_read == "open"
    assert load_config(write(tmp_path, 'mark_read = "reply"\n' + PROFILE)).mark_read == "reply"


def test_mark_read_refuses_anything_else(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, 'mark_read = "never"\n'))
    assert "mark_read must be 'open' or 'reply', not 'never'" in caught.value.sentence


def test_mark_read_can_be_saved_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, "# mine\n" + PROFILE)
    save_setting("mark_read", "reply", path)
    assert load_config(path).mark_read == "reply"
    assert path.read_text().startswith("# mine")


def test_the_users_paths_can_be_overridden(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILE + '[profiles.acme.paths]\nusers = "/agents"\nusers_me = "/agents/me"\n')
    paths = get_profile(load_config(path), "acme", path).paths
    assert (paths.users, paths.users_me) == ("/agents", "/agents/me")
    assert get_profile(load_config(write(tmp_path, PROFILE)), "acme").paths.users_me == "/users/me"
