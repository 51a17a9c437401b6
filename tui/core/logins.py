"""A profile's JWT login (`switchboard login`): the token it gave, kept on this machine.

The password is never kept. The token, and who the login said the agent is, are kept in the
data folder (`$XDG_DATA_HOME/switchboard/logins/`), one file per profile name and base_url, at
mode 0600 in a folder only its owner can enter, written atomically: the same protection the
config's `api_key` has. The system keyring is not used (the `keyring` package is not a
dependency; a headless machine often has no keyring that answers).

Which credential a profile sends: its own API key wins (`api_key`, or `api_key_env` naming a
variable that is set); a profile with none sends its stored login as `Authorization: Bearer`,
and the login's `user` says who the agent is (no `GET /users/me`). A 401 on a login is said as
`expired_sentence`. Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from tui.core import paths
from tui.core.errors import AuthError, ConfigError, SwitchboardError
from tui.core.text import one_line

if TYPE_CHECKING:
    from tui.core.config import Profile, ResolvedProfile

#: The longest name or email kept from a login's answer.
MAX_FIELD = 200


def expired_sentence(profile: str) -> str:
    """What a refused login says, in the app and the CLI alike."""
    name = one_line(profile, 40)
    return (
        f"The login for profile {name} has expired or was refused; "
        f"run `switchboard login --profile {name}` again."
    )


@dataclass(frozen=True)
class LoginUser:
    """Who the login said the agent is (its answer's `user`); every field may be missing."""

    id: int | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    organization_id: int | None = None

    @classmethod
    def from_answer(cls, data: Any) -> LoginUser:
        if not isinstance(data, dict):
            return cls()

        def text(key: str) -> str | None:
            value = data.get(key)
            return (value.strip()[:MAX_FIELD] or None) if isinstance(value, str) else None

        def number(key: str) -> int | None:
            value = data.get(key)
            if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
                value = int(value)
            return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

        first, last = text("first_name"), text("last_name")
        name = text("name") or " ".join(p for p in (first, last) if p) or None
        return cls(number("id"), name, first, last, text("email"), number("organization_id"))

    @property
    def display_name(self) -> str:
        return one_line(self.name or self.email or (f"User {self.id}" if self.id else "an unnamed user"), 60)

    def json(self) -> dict[str, Any]:
        """As `--json` prints it and the file keeps it."""
        return {
            "id": self.id,
            "name": self.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "organization_id": self.organization_id,
        }

    def user_fields(self) -> dict[str, Any] | None:
        """The fields of a `models.User`, or None without an id (then `/users/me` is asked)."""
        if self.id is None:
            return None
        first, last = (self.first_name, self.last_name) if self.first_name else (self.name, None)
        return {
            "id": self.id,
            "first_name": first,
            "last_name": last,
            "email": self.email,
            "organization_id": self.organization_id,
        }


@dataclass(frozen=True)
class StoredLogin:
    """One profile's login on this machine. The token never shows in a repr."""

    profile: str
    base_url: str
    token: str = field(repr=False)
    user: LoginUser = field(default_factory=LoginUser)
    logged_in_at: float = 0.0
    #: The token's own `exp` (read, not verified: for saying when it ends), if it has one.
    expires_at: float | None = None

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now if now is not None else time.time()) >= self.expires_at


def token_expiry(token: str) -> float | None:
    """The `exp` of a JWT's payload, unverified; None when the token is not a JWT or has none."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def usable_token(token: Any) -> TypeGuard[str]:
    """A token that can go in a header as it is: printable ASCII, no spaces, of a sane length."""
    return (
        isinstance(token, str)
        and 0 < len(token) <= 8192
        and token.isascii()
        and token.isprintable()
        and " " not in token
    )


def logins_dir() -> Path:
    return paths.data_dir() / "logins"


def login_path(profile: str, base_url: str) -> Path:
    """The file of a profile's login: its name (made safe) and a hash of name and base_url."""
    digest = hashlib.sha256(f"{profile}\0{base_url.rstrip('/')}".encode()).hexdigest()[:16]
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", profile)[:40]
    return logins_dir() / f"{safe}-{digest}.json"


def save_login(login: StoredLogin) -> Path:
    """Write the login atomically (a temp file in the same folder, fsync, rename), mode 0600,
    in a folder of mode 0700."""
    path = login_path(login.profile, login.base_url)
    data = {
        "version": 1,
        "profile": login.profile,
        "base_url": login.base_url.rstrip("/"),
        "access_token": login.token,
        "user": login.user.json(),
        "logged_in_at": login.logged_in_at,
        "expires_at": login.expires_at,
    }
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".login-", suffix=".json", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SwitchboardError(
            f"The login could not be kept in {path.parent} ({exc.strerror or exc}); check that the "
            "folder is writable, then log in again."
        ) from None
    return path


def read_login(profile: str, base_url: str | None, *, strict: bool = True) -> StoredLogin | None:
    """The profile's stored login, or None (none, or a file that cannot be read as one: logging
    in again replaces it). A file others can read is refused, as a config holding a key is,
    unless not `strict` (a logout ends it all the same)."""
    if not base_url:
        return None
    path = login_path(profile, base_url)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        raw = path.read_bytes()
    except OSError:
        return None
    if mode & 0o077 and strict:
        raise ConfigError(
            f"The login of profile {one_line(profile, 40)} in {path} is readable by others (mode "
            f"{mode:o}); run `chmod 600 {path}`, or `switchboard logout` and log in again."
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("profile") != profile:
        return None
    token = data.get("access_token")
    if data.get("base_url") != base_url.rstrip("/") or not usable_token(token):
        return None
    expires = data.get("expires_at")
    at = data.get("logged_in_at")
    return StoredLogin(
        profile=profile,
        base_url=base_url.rstrip("/"),
        token=token,
        user=LoginUser.from_answer(data.get("user")),
        logged_in_at=float(at) if isinstance(at, int | float) else 0.0,
        expires_at=float(expires) if isinstance(expires, int | float) else None,
    )


def forget_login(profile: str, base_url: str | None) -> bool:
    """Delete the profile's stored login; whether there was one."""
    if not base_url:
        return False
    path = login_path(profile, base_url)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise SwitchboardError(
            f"The login in {path} could not be deleted ({exc.strerror or exc}); delete the file yourself."
        ) from None
    return True


def own_key(profile: Profile) -> bool:
    """Whether the profile has an API key of its own to send (which wins over a login)."""
    if profile.api_key and profile.api_key.strip():
        return True
    return bool(profile.api_key_env and os.environ.get(profile.api_key_env, "").strip())


def login_in_use(name: str, profile: Profile) -> StoredLogin | None:
    """The login a profile sends: its stored one, when it has no API key of its own."""
    return None if own_key(profile) else read_login(name, profile.base_url)


def explain_refusal(error: SwitchboardError, profile: ResolvedProfile) -> SwitchboardError:
    """A 401 on a profile that sends its login: said as the login ending (exit 5), not as a key."""
    if profile.login is not None and isinstance(error, AuthError) and error.status == 401:
        error.sentence = expired_sentence(profile.name)
        error.args = (error.sentence,)
    return error


__all__ = [
    "LoginUser",
    "StoredLogin",
    "expired_sentence",
    "explain_refusal",
    "forget_login",
    "login_in_use",
    "login_path",
    "own_key",
    "read_login",
    "save_login",
    "token_expiry",
]
