"""JWT login and logout over the API [docs: authentication]: `POST /authentication` with
`{"strategy": "local", "email", "password"}` answers `{"accessToken", "authentication", "user"}`;
`DELETE /authentication` with the token as `Authorization: Bearer` ends it.

The requests go through the same plumbing as every other (deadlines, Feathers errors, the
profile's request budget), with no API key: a login sends none, a logout only its token. The
password is masked in whatever a failure says and is never kept; `switchboard login` keeps the
token (`logins`).
"""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path

from tui.core.budget import RequestBudget
from tui.core.client_base import HttpApi
from tui.core.config import Profile, ResolvedProfile, Secret, resolve
from tui.core.errors import AuthError, BadResponseError, ConfigError, SwitchboardError, TransportError
from tui.core.http import httpx
from tui.core.logins import LoginUser, StoredLogin, token_expiry, usable_token
from tui.core.text import one_line


def login_target(name: str, profile: Profile, where: Path | None = None) -> ResolvedProfile:
    """The profile as its login and logout see it: base_url, organization_id and plain http
    checked as for any request, and no key. The embedded sandbox's profile has no login."""
    if profile.sandbox:
        raise ConfigError(
            f"Profile {one_line(name, 40)} runs the embedded sandbox, which needs no login; to try a "
            "login, run `switchboard sandbox` and add a profile with its base_url and no key."
        )
    checked = resolve(name, profile.model_copy(update={"api_key": "-", "api_key_env": None}), where)
    return checked.model_copy(update={"api_key": Secret(""), "auth": "bearer", "login": None})


class LogoutOutcome(Enum):
    """What the server said to a logout (this machine forgets the token in every case)."""

    ENDED = "ended"  # the server ended the login
    ALREADY_ENDED = "already_ended"  # it had expired or been ended before (401)
    UNREACHABLE = "unreachable"  # no answer: the token stays valid there until it expires
    REFUSED = "refused"  # another error: the same


class LoginApi(HttpApi):
    """The two requests of a login's life, on a profile from `login_target`."""

    def __init__(
        self,
        profile: ResolvedProfile,
        *,
        budget: RequestBudget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(profile, budget=budget, transport=transport)
        self._http.headers.pop("Authorization", None)
        self._http.headers.pop("x-api-key", None)

    async def log_in(self, email: str, password: str) -> StoredLogin:
        """Log in; the login to keep. A refused email or password is an `AuthError` (exit 5)."""
        self._secrets = (password,)
        body = {"strategy": "local", "email": email, "password": password}
        path, name = self.paths.authentication, one_line(self.profile.name, 40)
        try:
            data = await self.request("POST", path, what="the login", json_body=body)
        except AuthError as exc:
            if exc.status != 401:
                raise
            raise AuthError(
                f"The server refused the email or password for profile {name} (401); check them and "
                "try again.",
                status=401,
                name=exc.name,
            ) from None
        token = data.get("accessToken") if isinstance(data, dict) else None
        if not usable_token(token):
            raise BadResponseError(
                f"The server's answer to the login has no usable accessToken; check that base_url of "
                f"profile {name} points at the AchieveApex API.",
                status=200,
            )
        return StoredLogin(
            profile=self.profile.name,
            base_url=self.profile.base_url,
            token=token,
            user=LoginUser.from_answer(data.get("user")),
            logged_in_at=time.time(),
            expires_at=token_expiry(token),
        )

    async def log_out(self, login: StoredLogin) -> tuple[LogoutOutcome, str]:
        """Ask the server to end the login: what it said, and the failure's sentence if any."""
        self._secrets = (login.token,)
        self._http.headers["Authorization"] = f"Bearer {login.token}"
        try:
            await self.request("DELETE", self.paths.authentication, what="the logout", allow_empty=True)
        except AuthError as exc:
            if exc.status == 401:
                return LogoutOutcome.ALREADY_ENDED, exc.sentence
            return LogoutOutcome.REFUSED, exc.sentence
        except TransportError as exc:
            return LogoutOutcome.UNREACHABLE, exc.sentence
        except SwitchboardError as exc:
            return LogoutOutcome.REFUSED, exc.sentence
        return LogoutOutcome.ENDED, ""
