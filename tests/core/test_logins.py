"""A profile's JWT login in the service layer: kept at mode 0600 by profile and base_url, never
with the password; sent as `Authorization: Bearer` only when the profile has no key of its own;
its user is who the agent is (no `/users/me`); a 401 on it says to log in again; the login and
logout requests themselves, against the sandbox."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.core.client import ApiClient
from tui.core.config import Profile, resolve
from tui.core.errors import AuthError, ConfigError
from tui.core.live import reason_for
from tui.core.live_socket import Failure
from tui.core.login_api import LoginApi, LogoutOutcome, login_target
from tui.core.logins import (
    LoginUser,
    StoredLogin,
    expired_sentence,
    forget_login,
    login_path,
    read_login,
    save_login,
    token_expiry,
)

BASE = "https://api.example.com"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6IjcifQ.c2lnbmF0dXJl"  # exp: 2100-01-01
EXPIRES = 4102444800.0
MARIA = LoginUser(id=7, name="Maria Silva", email="maria@example.com", organization_id=101)
SENTENCE = (
    "The login for profile acme has expired or was refused; run `switchboard login --profile acme` again."
)


def stored(profile: str = "acme", base_url: str = BASE) -> StoredLogin:
    return StoredLogin(profile, base_url, TOKEN, MARIA, 1.0, token_expiry(TOKEN))


def acme(**extra: Any) -> Profile:
    return Profile(base_url=BASE, organization_id=101, **extra)


def test_a_login_is_kept_private_by_profile_and_base_url(isolated_home: Path) -> None:
    path = save_login(stored())
    assert path == login_path("acme", BASE) and path.is_relative_to(
        isolated_home / ".local/share/switchboard"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    assert json.loads(path.read_text())["user"]["name"] == "Maria Silva"
    back = read_login("acme", BASE + "/")
    assert back is not None and back.token == TOKEN and back.user == MARIA and back.expires_at == EXPIRES
    assert TOKEN not in repr(back)
    assert read_login("acme", "https://other.example.com") is None  # another server: another login
    assert read_login("other", BASE) is None
    assert forget_login("acme", BASE) and not path.exists()
    assert not forget_login("acme", BASE)


def test_a_login_file_others_can_read_is_refused_but_a_logout_still_reads_it(isolated_home: Path) -> None:
    path = save_login(stored())
    path.chmod(0o644)
    with pytest.raises(ConfigError, match=r"readable by others \(mode 644\).*chmod 600"):
        read_login("acme", BASE)
    assert read_login("acme", BASE, strict=False) is not None


def test_a_damaged_login_file_is_no_login(isolated_home: Path) -> None:
    path = save_login(stored())
    path.write_text("{not json")
    assert read_login("acme", BASE) is None
    path.write_text(json.dumps({"profile": "acme", "base_url": BASE, "access_token": "two words"}))
    assert read_login("acme", BASE) is None


def test_the_login_answers_user_is_read_leniently() -> None:
    user = LoginUser.from_answer({"id": "7", "first_name": "Maria", "last_name": "Silva", "extra": [1]})
    assert (user.id, user.name, user.user_fields()) == (
        7,
        "Maria Silva",
        {"id": 7, "first_name": "Maria", "last_name": "Silva", "email": None, "organization_id": None},
    )
    named = LoginUser.from_answer({"id": 9, "name": "Ops Desk", "email": "ops@example.com"})
    assert named.user_fields() == {
        "id": 9,
        "first_name": "Ops Desk",
        "last_name": None,
        "email": "ops@example.com",
        "organization_id": None,
    }
    assert LoginUser.from_answer({"id": True}).user_fields() is None
    assert LoginUser.from_answer("nobody") == LoginUser()


def test_a_profile_without_a_key_sends_its_login_as_a_bearer(isolated_home: Path) -> None:
    save_login(stored())
    resolved = resolve("acme", acme())
    assert resolved.auth_headers() == {"Authorization": f"Bearer {TOKEN}"}
    assert resolved.login is not None and resolved.login.user == MARIA
    assert TOKEN not in repr(resolved)


def test_an_api_key_of_its_own_wins_over_a_login(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_login(stored())
    assert resolve("acme", acme(api_key="key-in-file")).auth_headers() == {"x-api-key": "key-in-file"}
    monkeypatch.setenv("ACME_KEY", "key-in-env")
    with_env = resolve("acme", acme(api_key_env="ACME_KEY", auth="bearer"))
    assert with_env.auth_headers() == {"Authorization": "Bearer key-in-env"} and with_env.login is None
    monkeypatch.delenv("ACME_KEY")  # the variable unset: the login is what it has
    assert resolve("acme", acme(api_key_env="ACME_KEY")).auth_headers() == {
        "Authorization": f"Bearer {TOKEN}"
    }


def test_a_profile_with_neither_key_nor_login_says_to_log_in(isolated_home: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve("acme", acme(), Path("/c/config.toml"))
    assert caught.value.sentence == (
        "Profile 'acme' in /c/config.toml has no API key and no login; run `switchboard login --profile "
        "acme`, or set api_key_env to the name of an environment variable that holds a key."
    )


async def test_requests_carry_the_bearer_the_login_says_who_i_am_and_a_401_says_log_in_again(
    isolated_home: Path,
) -> None:
    save_login(stored())
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"name": "NotAuthenticated", "message": "jwt expired", "code": 401})

    async with ApiClient(resolve("acme", acme()), transport=httpx.MockTransport(api)) as client:
        me = await client.get_me()
        assert (me.id, me.display_name, seen) == (7, "Maria Silva", [])  # no /users/me asked
        with pytest.raises(AuthError) as caught:
            await client.list_conversations()
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}" and "x-api-key" not in seen[0].headers
    assert (caught.value.sentence, caught.value.exit_code) == (SENTENCE, 5)
    assert TOKEN not in str(caught.value)


async def test_an_api_keys_401_keeps_its_own_sentence(isolated_home: Path) -> None:
    def api(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"name": "NotAuthenticated", "message": "Invalid API key", "code": 401}
        )

    async with ApiClient(
        resolve("acme", acme(api_key="k-123")), transport=httpx.MockTransport(api)
    ) as client:
        with pytest.raises(AuthError, match="refused the API key"):
            await client.list_conversations()


def test_a_refused_live_connection_on_a_login_says_log_in_again(isolated_home: Path) -> None:
    save_login(stored())
    state, sentence = reason_for(Failure.REFUSED, resolve("acme", acme()))
    assert (state.value, sentence) == ("polling", SENTENCE)
    assert sentence == expired_sentence("acme")
    keyed = reason_for(Failure.REFUSED, resolve("acme", acme(api_key="k-123")))[1]
    assert "API key" in keyed


async def test_login_and_logout_against_the_sandbox(sandbox: Any, isolated_home: Path) -> None:
    profile = Profile(base_url=sandbox.base_url, organization_id=sandbox.organization_id)
    target = login_target("local", profile)
    async with LoginApi(target) as api:
        with pytest.raises(AuthError) as refused:
            await api.log_in("aiko.tanaka@sandbox.example", "not-the-password")
        assert refused.value.sentence == (
            "The server refused the email or password for profile local (401); check them and try again."
        )
        login = await api.log_in("aiko.tanaka@sandbox.example", "sandbox")
    assert (login.user.id, login.user.name, login.base_url) == (12, "Aiko Tanaka", sandbox.base_url)
    assert login.expires_at is not None and 7.9 * 3600 < login.expires_at - login.logged_in_at <= 8 * 3600
    async with LoginApi(target) as api:
        assert (await api.log_out(login))[0] is LogoutOutcome.ENDED
    async with LoginApi(target) as api:
        assert (await api.log_out(login))[0] is LogoutOutcome.ALREADY_ENDED


def test_the_embedded_sandbox_profile_has_no_login() -> None:
    with pytest.raises(ConfigError, match="needs no login"):
        login_target("sandbox", Profile(sandbox=True))
