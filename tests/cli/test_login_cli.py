"""`switchboard login` and `logout` against the sandbox on a real loopback port: the password from
stdin, the token kept at mode 0600 without the password, every request then sent with the login
(and `me` from it), an expired or ended login said in one sentence (exit 5), logout forgetting it
even offline."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import httpx

from tests.cli.test_cli import one_sentence, run, write_config

EMAIL = "tom.becker@sandbox.example"
TOM = 11
PASSWORD = "sandbox"


def login_profile(home: Path, sandbox: Any, extra: str = "") -> dict[str, str]:
    """A profile on `sandbox` with no key, as the default; the env without any key variable."""
    write_config(
        home,
        f"default_profile='work'\n[profiles.work]\nbase_url='{sandbox.base_url}'\n"
        f"organization_id={sandbox.organization_id}\n{extra}",
    )
    return dict(os.environ)


def login(env: dict[str, str], *extra: str, password: str = PASSWORD) -> Any:
    return run("login", "--email", EMAIL, "--password-stdin", *extra, stdin=password + "\n", env=env)


def the_login_file(home: Path) -> Path:
    files = list((home / ".local/share/switchboard/logins").glob("*.json"))
    assert len(files) == 1, files
    return files[0]


def test_login_keeps_the_token_privately_and_every_request_is_then_tom_s(
    isolated_home: Path, sandbox: Any
) -> None:
    env = login_profile(isolated_home, sandbox)
    before = run("conversations", env=env)
    assert "run `switchboard login --profile work`" in one_sentence(before)
    assert (
        run("status", env=env).stdout.splitlines()[-1]
        == "Not logged in; run `switchboard login --profile work`."
    )

    proc = login(env, "--json")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["profile"] == "work"
    assert shown["user"] == {
        "id": TOM,
        "name": "Tom Becker",
        "first_name": "Tom",
        "last_name": "Becker",
        "email": EMAIL,
        "organization_id": 1,
    }
    path = the_login_file(isolated_home)
    token = json.loads(path.read_text())["access_token"]
    assert token not in proc.stdout + proc.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PASSWORD not in path.read_text().replace("@sandbox.example", "")

    sandbox.clear_requests()
    mine = run("conversations", "--mine", "--json", env=env)
    assert mine.returncode == 0, mine.stderr
    rows = json.loads(mine.stdout)["data"]
    assert rows and {r["assigned_user_id"] for r in rows} == {TOM}
    assert [p for _, p, _ in sandbox.requests()] == ["/conversations"]  # `me` came from the login

    status = run("status", env=env)
    assert status.stdout.splitlines()[-1].startswith(f"Logged in as Tom Becker (user {TOM}, {EMAIL}) until ")
    data = json.loads(run("status", "--json", env=env).stdout)["login"]
    assert (data["user"]["id"], data["used"], data["expired"]) == (TOM, True, False)

    # the server ends that token: the very next request is refused, so it is what was sent
    httpx.delete(f"{sandbox.base_url}/authentication", headers={"Authorization": f"Bearer {token}"})
    ended = run("conversations", env=env)
    assert ended.returncode == 5
    assert one_sentence(ended) == (
        "The login for profile work has expired or was refused; run `switchboard login --profile work` again."
    )


def test_a_wrong_password_is_one_sentence_and_keeps_nothing(isolated_home: Path, sandbox: Any) -> None:
    env = login_profile(isolated_home, sandbox)
    proc = login(env, password="hunter2-wrong")
    assert proc.returncode == 5
    assert one_sentence(proc) == (
        "The server refused the email or password for profile work (401); check them and try again."
    )
    assert "hunter2" not in proc.stdout + proc.stderr
    assert not (isolated_home / ".local/share/switchboard/logins").exists()
    refused = login(env, "--json", password="hunter2-wrong")
    assert json.loads(refused.stdout)["error"]["exit_code"] == 5


def test_without_a_terminal_the_password_must_come_with_password_stdin(
    isolated_home: Path, sandbox: Any
) -> None:
    env = login_profile(isolated_home, sandbox)
    proc = run("login", "--email", EMAIL, stdin=PASSWORD + "\n", env=env)
    assert proc.returncode == 2
    assert one_sentence(proc) == (
        "There is no terminal to ask for the password on; pipe it in with --password-stdin."
    )
    assert one_sentence(run("login", "--password-stdin", stdin="x\n", env=env)).startswith("Give the email")


def test_an_expired_login_says_so_in_one_sentence(isolated_home: Path, faulty: Any) -> None:
    sandbox, _ = faulty(jwt_seconds=1)
    env = login_profile(isolated_home, sandbox)
    assert login(env).returncode == 0
    time.sleep(1.2)
    proc = run("conversations", "--json", env=env)
    assert proc.returncode == 5
    sentence = (
        "The login for profile work has expired or was refused; run `switchboard login --profile work` again."
    )
    assert one_sentence(proc) == sentence
    assert json.loads(proc.stdout)["error"]["message"] == sentence
    status = run("status", env=env).stdout.splitlines()[-1]
    assert status.startswith("The login as Tom Becker") and "expired at" in status


def test_logout_ends_the_login_and_forgets_it_even_offline(isolated_home: Path, faulty: Any) -> None:
    sandbox, _ = faulty()
    env = login_profile(isolated_home, sandbox)
    assert login(env).returncode == 0
    token = json.loads(the_login_file(isolated_home).read_text())["access_token"]
    proc = run("logout", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "Logged out of profile work: the server ended the login and this machine no longer keeps its token."
    )
    assert not list((isolated_home / ".local/share/switchboard/logins").glob("*.json"))
    refused = httpx.get(f"{sandbox.base_url}/users/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    again = run("logout", "--json", env=env)
    assert json.loads(again.stdout) == {"profile": "work", "logged_out": False, "server": None}

    assert login(env).returncode == 0
    sandbox.stop()
    offline = run("logout", "--json", env=env)
    assert offline.returncode == 0
    data = json.loads(offline.stdout)
    assert (data["logged_out"], data["server"]) == (True, "unreachable")
    assert not list((isolated_home / ".local/share/switchboard/logins").glob("*.json"))


def test_an_api_key_of_the_profile_wins_and_login_says_so(isolated_home: Path, sandbox: Any) -> None:
    env = login_profile(isolated_home, sandbox, "api_key_env='SB_LOGIN_KEY'\n")
    env["SB_LOGIN_KEY"] = sandbox.api_key  # Maria's key
    proc = login(env)
    assert proc.returncode == 0
    assert proc.stderr.strip() == (
        "Profile work also has an API key, which is sent instead of this login; remove api_key and "
        "api_key_env from profiles.work to use the login."
    )
    status = run("status", env=env).stdout.splitlines()[-1]
    assert status.endswith("(not used: the profile's own API key is sent instead).")
    mine = json.loads(run("conversations", "--mine", "--json", env=env).stdout)["data"]
    assert {r["assigned_user_id"] for r in mine} == {7}  # Maria, the key's agent


def test_the_sandbox_profile_needs_no_login() -> None:
    proc = run("login", "--profile", "sandbox", "--email", EMAIL, "--password-stdin", stdin="x\n")
    assert proc.returncode == 3
    assert "needs no login" in one_sentence(proc)
