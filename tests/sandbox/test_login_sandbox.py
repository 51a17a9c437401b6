"""The sandbox's JWT login [docs: authentication]: `POST /authentication` with an agent's email
and the sandbox's password answers a signed token that every API route and the live handshake
accept as that agent; a wrong password is Feathers' 401; the token expires (`jwt_seconds`) and
`DELETE /authentication` ends it."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest
import socketio

from tui.sandbox.runner import RunningSandbox
from tui.sandbox.tokens import PASSWORD

from .test_live_events import WAIT, WEBCHAT, Listener, created, rest, send

TOM = 11


def login(sandbox: RunningSandbox, email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
    body = {"strategy": "local", "email": email, "password": password, **extra}
    return httpx.post(f"{sandbox.base_url}/authentication", json=body, timeout=WAIT)


def token_of(sandbox: RunningSandbox, user_id: int) -> str:
    answer = login(sandbox, sandbox.agent(user_id).email)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["accessToken"]
    return token


def me(sandbox: RunningSandbox, token: str) -> httpx.Response:
    return httpx.get(
        f"{sandbox.base_url}/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=WAIT
    )


def test_an_agent_logs_in_with_email_and_password_and_the_token_acts_as_them(
    sandbox: RunningSandbox,
) -> None:
    tom = sandbox.agent(TOM)
    answer = login(sandbox, tom.email.upper())  # an email in any case
    assert answer.status_code == 201
    data = answer.json()
    assert set(data) == {"accessToken", "authentication", "user"}
    assert data["authentication"] == {"strategy": "local"}
    assert data["user"] == {
        "id": TOM,
        "first_name": "Tom",
        "last_name": "Becker",
        "email": tom.email,
        "organization_id": 1,
        "name": "Tom Becker",
    }
    assert tom.api_key not in answer.text and "password" not in answer.text
    mine = me(sandbox, data["accessToken"])
    assert mine.status_code == 200 and mine.json()["id"] == TOM
    listed = httpx.get(
        f"{sandbox.base_url}/conversations",
        params={"organization_id": 1, "assigned_user_id": TOM},
        headers={"Authorization": f"Bearer {data['accessToken']}"},
        timeout=WAIT,
    )
    assert listed.status_code == 200 and listed.json()["data"]


@pytest.mark.parametrize(
    ("email", "password", "extra", "message"),
    [
        ("tom.becker@sandbox.example", "wrong", {}, "Invalid login"),
        ("nobody@sandbox.example", PASSWORD, {}, "Invalid login"),
        ("tom.becker@sandbox.example", "", {}, "Invalid login"),
        (
            "tom.becker@sandbox.example",
            PASSWORD,
            {"strategy": "magic"},
            "Invalid authentication information (strategy not allowed in authStrategies)",
        ),
    ],
)
def test_a_wrong_login_is_feathers_not_authenticated(
    sandbox: RunningSandbox, email: str, password: str, extra: dict[str, str], message: str
) -> None:
    answer = login(sandbox, email, password, **extra)
    assert answer.status_code == 401
    assert answer.json() == {
        "name": "NotAuthenticated",
        "message": message,
        "code": 401,
        "className": "not-authenticated",
        "data": {},
        "errors": {},
    }


def test_a_token_is_refused_once_changed_or_expired(start: Any) -> None:
    sandbox = start(jwt_seconds=3)  # seconds enough for a loaded machine to use it before it ends
    token = token_of(sandbox, TOM)
    head, body, signature = token.split(".")
    forged = me(sandbox, f"{head}.{body}.{signature[::-1]}")
    assert forged.status_code == 401 and forged.json()["message"] == "invalid signature"
    assert me(sandbox, token).status_code == 200
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    time.sleep(max(0.0, claims["exp"] - time.time()) + 0.2)
    expired = me(sandbox, token)
    assert (expired.status_code, expired.json()["message"]) == (401, "jwt expired")


def test_a_token_lasts_eight_hours_by_default(sandbox: RunningSandbox) -> None:
    import base64
    import json

    body = token_of(sandbox, TOM).split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["exp"] - claims["iat"] == 8 * 3600
    assert claims["sub"] == str(TOM)


def test_logout_ends_the_login_for_rest_and_a_second_logout_is_refused(sandbox: RunningSandbox) -> None:
    token = token_of(sandbox, TOM)
    headers = {"Authorization": f"Bearer {token}"}
    ended = httpx.delete(f"{sandbox.base_url}/authentication", headers=headers, timeout=WAIT)
    assert ended.status_code == 200 and ended.json()["user"]["id"] == TOM
    refused = me(sandbox, token)
    assert refused.status_code == 401 and "logged out" in refused.json()["message"]
    again = httpx.delete(f"{sandbox.base_url}/authentication", headers=headers, timeout=WAIT)
    assert again.status_code == 401
    assert me(sandbox, token_of(sandbox, TOM)).status_code == 200  # a new login works


def test_a_token_survives_a_restart_on_the_same_file(start: Any, tmp_path: Any) -> None:
    from tui.sandbox.runner import start_in_thread

    first = start_in_thread(tmp_path / "same")
    token = token_of(first, TOM)
    first.stop()
    second = start_in_thread(tmp_path / "same")
    try:
        assert me(second, token).json()["id"] == TOM
    finally:
        second.stop()


async def test_the_live_handshake_takes_the_token_and_refuses_an_ended_one(sandbox: RunningSandbox) -> None:
    token = token_of(sandbox, TOM)
    listener = Listener()
    await listener.client.connect(
        sandbox.base_url,
        headers={"Authorization": f"Bearer {token}"},
        transports=["websocket"],
        wait_timeout=WAIT,
    )
    try:
        async with rest(sandbox, 12) as aiko:
            sent = await send(aiko, "webchat", WEBCHAT, "heard over a login")
        assert await listener.next() == (created("webchat"), sent)
    finally:
        await listener.client.disconnect()
    httpx.delete(f"{sandbox.base_url}/authentication", headers={"Authorization": f"Bearer {token}"})
    refused = Listener()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.client.connect(
            sandbox.base_url, auth={"accessToken": token}, transports=["websocket"], wait_timeout=WAIT
        )
    await refused.client.disconnect()
    assert refused.refusal["data"]["code"] == 401
    assert "logged out" in refused.refusal["message"]
