"""The TOML config: profiles, endpoint paths and limit overrides.

Read with tomllib, validated with pydantic (every error names the file, the key and the fix),
written atomically at mode 0600; one setting is changed in place with tomlkit, comments kept.
With no config file at all, the built-in `sandbox` profile runs the embedded backend.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tui.core import paths
from tui.core.channels import CHANNELS, merge_limits
from tui.core.errors import ConfigError
from tui.core.hosts import is_loopback
from tui.core.logins import StoredLogin, login_in_use

SANDBOX = "sandbox"
DEFAULT_MEDIA_BASE = "https://achieveapex-conversation-files.s3.amazonaws.com"


#: The messages of a conversation are read from one service per channel [docs].
MESSAGES_TEMPLATE = "/conversation-messages-{channel}"


class Paths(BaseModel):
    """Every endpoint path; any may be overridden per profile."""

    model_config = ConfigDict(extra="forbid")

    conversations: str = "/conversations"
    #: Read, get one, delete: `{channel}` is the conversation's channel. A plain path (an older
    #: config's single service) still works for every channel (`legacy_messages`).
    messages: str = MESSAGES_TEMPLATE
    contacts: str = "/contacts"
    templates: str = "/message-templates"
    sign_upload: str = "/s3-url-signing"
    files: str = "/conversation-files"
    whatsapp: str = "/conversation-messages-transform-outgoing-whatsapp"
    instagram: str = "/conversation-messages-transform-outgoing-instagram"
    messenger: str = "/conversation-messages-transform-outgoing-messenger"
    webchat: str = "/conversation-messages-transform-outgoing-webchat"
    sms: str = "/conversation-messages-sms"
    playground: str = "/conversation-messages-playground"
    users: str = "/users"
    users_me: str = "/users/me"
    predefined_messages: str = "/conversation-predefined-messages"  # the team's canned replies
    bulk_actions: str = "/conversations-bulk-actions"
    ai_assistants: str = "/ai-assistants"
    automations: str = "/automations"  # [ours]: which automations to offer
    automation_executions: str = "/automations-executions"
    authentication: str = "/authentication"  # JWT login (POST) and logout (DELETE)

    @field_validator("*")
    @classmethod
    def _slash(cls, v: str) -> str:
        if not v.startswith("/"):
            raise ValueError("a path must start with '/'")
        return v

    @field_validator("messages")
    @classmethod
    def _template(cls, v: str) -> str:
        rest = v.replace("{channel}", "")
        if "{" in rest or "}" in rest:
            raise ValueError("the only placeholder a messages path may hold is {channel}")
        return v

    @property
    def legacy_messages(self) -> bool:
        """An older config's single messages path (no `{channel}`): used for every channel."""
        return "{channel}" not in self.messages

    def messages_for(self, channel: str) -> str:
        """The messages service of a channel (its name as the server spells it, made safe for a
        path: an unknown channel's service is still asked, never a path built from markup)."""
        safe = "".join(ch for ch in channel.lower() if ch.isascii() and (ch.isalnum() or ch in "-_"))
        return self.messages.replace("{channel}", safe or "unknown")


class Profile(BaseModel):
    """One backend to talk to. `sandbox = true` runs the embedded backend instead."""

    model_config = ConfigDict(extra="forbid")

    sandbox: bool = False
    sandbox_data: str | None = None
    base_url: str | None = None
    organization_id: int | None = Field(default=None, strict=True)
    #: Who the agent is when the server has no `GET /users/me` (it answers 404).
    user_id: int | None = Field(default=None, strict=True, gt=0)
    api_key_env: str | None = None
    api_key: str | None = None
    auth: Literal["x-api-key", "bearer"] = "x-api-key"
    media_base_url: str = DEFAULT_MEDIA_BASE
    allow_insecure_http: bool = False
    timeout_seconds: float = Field(default=30.0, gt=0)
    paths: Paths = Field(default_factory=Paths)
    limits: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: Live updates over Socket.IO ("auto": when the server has them) or none ("off": polling).
    realtime: Literal["auto", "off"] = "auto"
    #: Whether send bodies carry `reply_to_message_id`; off for a backend that refuses the field
    #: (a quote then stays in the app only).
    send_reply_to: bool = True

    @field_validator("limits")
    @classmethod
    def _limits(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for channel, override in v.items():
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}")
            try:
                merge_limits(CHANNELS[channel].limits, override)
            except ValidationError as exc:
                err = exc.errors()[0]
                key = ".".join(str(p) for p in err["loc"])
                raise ValueError(f"{channel}.{key}: {err['msg'].lower()}") from None
        return v

    @field_validator("base_url", "media_base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be a full http(s) URL such as https://api.achieveapex.com")
        return v.rstrip("/")


class Notifications(BaseModel):
    """`[notifications]`: when the terminal is told about a customer (see `tui.core.notify`)."""

    model_config = ConfigDict(extra="forbid")

    #: Which conversations' new messages notify: "all", "mine" (mine or unassigned), "none".
    rule: Literal["all", "mine", "none"] = "mine"
    #: Remind once when a reply window closes within this many minutes on a draft (0: never).
    window_minutes: int = Field(default=15, ge=0, le=1440, strict=True)
    show_text: bool = Field(default=False, strict=True)  # the message's text, not just the name
    bell: bool = Field(default=True, strict=True)
    #: OSC 9 and OSC 777 ("both", or true), one of them ("osc9", "osc777"), or none ("off", false).
    desktop: Literal["both", "osc9", "osc777", "off"] = "both"
    title: bool = Field(default=True, strict=True)  # the unread count in the terminal's title

    @field_validator("desktop", mode="before")
    @classmethod
    def _desktop(cls, v: Any) -> Any:
        return {True: "both", False: "off"}.get(v, v) if isinstance(v, bool) else v


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_profile: str | None = None
    profiles: dict[str, Profile] = Field(default_factory=dict)
    theme: str | None = None
    refresh_seconds: float = Field(default=20.0, ge=2)
    keymap: dict[str, str] = Field(default_factory=dict)
    #: When a conversation is marked read: on "open" (opening it) or only on "reply".
    mark_read: Literal["open", "reply"] = "open"
    #: A team folder of snippet files (every *.toml in it), beside the agent's own snippets.toml.
    snippets_dir: str | None = None
    notifications: Notifications = Field(default_factory=Notifications)


class Secret(str):
    """A string that never shows itself in a repr, a log line or a traceback."""

    def __repr__(self) -> str:
        return "Secret('****')"


class ResolvedProfile(BaseModel):
    """A profile ready to use: credentials read, URLs checked."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    base_url: str
    organization_id: int
    api_key: Secret
    auth: Literal["x-api-key", "bearer"]
    media_base_url: str
    timeout_seconds: float
    paths: Paths
    limits: dict[str, dict[str, Any]]
    is_sandbox: bool = False
    user_id: int | None = None
    realtime: Literal["auto", "off"] = "auto"
    send_reply_to: bool = True
    login: StoredLogin | None = None  # the JWT login sent as its key (`logins`)

    def auth_headers(self) -> dict[str, str]:
        if self.auth == "bearer":
            return {"Authorization": f"Bearer {self.api_key}"}
        return {"x-api-key": str(self.api_key)}


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    key = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
    kind = error["type"]
    if kind == "extra_forbidden":
        return key, "is not a setting Switchboard knows; remove it or check its spelling"
    if kind == "missing":
        return key, "is required; add it"
    if kind in ("bool_type", "bool_parsing"):
        return key, f"must be true or false, not {error.get('input')!r}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return key, f"must be a whole number, not {error.get('input')!r}"
    if kind == "literal_error":
        return key, f"must be {error['ctx']['expected']}, not {error.get('input')!r}"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return key, f"is invalid: {message}"


def _validation_sentence(path: Path, exc: ValidationError) -> str:
    errors = exc.errors()
    key, why = _describe(errors[0])
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"In {path}, {key} {why}{more}."


def load_config(path: Path | None = None) -> Config:
    """The config at `path` (default: the usual place); an empty Config when there is no file."""
    path = path or paths.config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if os.environ.get("SWITCHBOARD_CONFIG"):
            raise ConfigError(
                f"SWITCHBOARD_CONFIG points at {path}, which does not exist; create it with "
                "`switchboard config init` or unset the variable."
            ) from None
        return Config()
    except IsADirectoryError:
        raise ConfigError(f"The config path {path} is a directory; point it at a TOML file.") from None
    except OSError as exc:
        raise ConfigError(
            f"The config file {path} cannot be read ({exc.strerror}); check its permissions."
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix the syntax.") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_sentence(path, exc)) from None
    if any(p.api_key for p in config.profiles.values()):
        _require_private(path)
    return config


def _require_private(path: Path) -> None:
    """A file holding a key must be 0600, as ssh insists for a private key."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} holds an api_key but is readable by others (mode {mode:o}); "
            f"run `chmod 600 {path}` or move the key to an environment variable (api_key_env)."
        )


def _write_private(path: Path, data: bytes) -> None:
    """Atomically: a temp file in the same folder, fsync, rename; mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the whole config (`config init`); comments are not kept. To change one setting of
    an existing file, use `save_setting`."""
    path = path or paths.config_path()
    import tomli_w

    data = config.model_dump(mode="json", exclude_unset=True)
    _write_private(path, tomli_w.dumps(data).encode("utf-8"))
    return path


def save_setting(key: str, value: Any, path: Path | None = None) -> Path:
    """Set one setting in the config file in place, keeping every comment, the layout and the
    number types of the rest (tomlkit); `None` removes it. `key` is dotted for tables
    ("theme", "profiles.acme.timeout_seconds"). The result is validated before it is written,
    atomically at mode 0600 (through a symlink to its target); a missing file is created."""
    import tomlkit  # only when a setting is saved: it is not on the way to the first rows
    from tomlkit.exceptions import TOMLKitError

    path = path or paths.config_path()
    target = path.resolve() if path.is_symlink() else path
    try:
        text = target.read_bytes().decode("utf-8")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text; save it as UTF-8.") from None
    except OSError as exc:
        raise ConfigError(
            f"The config file {path} cannot be read ({exc.strerror or exc}); check its permissions."
        ) from None
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix the syntax.") from None
    *tables, name = key.split(".")
    table: Any = doc
    for i, part in enumerate(tables):
        inner = table.get(part)
        if inner is None:
            inner = tomlkit.table(is_super_table=i < len(tables) - 1)
            table[part] = inner
        elif not isinstance(inner, dict):
            where = ".".join(tables[: i + 1])
            raise ConfigError(f"In {path}, {where} is not a table, so {key} cannot be set; fix the file.")
        table = inner
    if value is None:
        table.pop(name, None)
    elif isinstance(table.get(name), dict) and not isinstance(value, dict):
        raise ConfigError(f"In {path}, {key} is a table, not a single value; fix the file.")
    else:
        table[name] = value
    try:
        Config.model_validate(doc.unwrap())
    except ValidationError as exc:
        raise ConfigError(_validation_sentence(path, exc)) from None
    _write_private(target, tomlkit.dumps(doc).encode("utf-8"))
    return path


def profile_names(config: Config) -> list[str]:
    names = list(config.profiles)
    return names if SANDBOX in names else [*names, SANDBOX]


def chosen_profile_name(config: Config, requested: str | None) -> str:
    return requested or config.default_profile or SANDBOX


def get_profile(config: Config, name: str, path: Path | None = None) -> Profile:
    if name in config.profiles:
        return config.profiles[name]
    if name == SANDBOX:
        return Profile(sandbox=True)
    where = path or paths.config_path()
    known = ", ".join(profile_names(config))
    raise ConfigError(f"There is no profile {name!r} in {where}; use one of: {known}.")


def resolve(name: str, profile: Profile, path: Path | None = None) -> ResolvedProfile:
    """Check a real (non-sandbox) profile and read its key."""
    where = path or paths.config_path()
    missing = [k for k in ("base_url", "organization_id") if getattr(profile, k) is None]
    if missing:
        raise ConfigError(f"In {where}, profiles.{name}.{missing[0]} is required; add it.")
    assert profile.base_url is not None and profile.organization_id is not None
    parts = urlsplit(profile.base_url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or "") and not profile.allow_insecure_http:
        raise ConfigError(
            f"Profile {name!r} uses plain http to {parts.hostname}, which would send the API key in "
            f"clear; use https, or set allow_insecure_http = true in profiles.{name} if you must."
        )
    login = login_in_use(name, profile)  # only without a key of its own
    key = login.token if login is not None else _read_key(name, profile, where)
    return ResolvedProfile(
        name=name,
        base_url=profile.base_url,
        organization_id=profile.organization_id,
        api_key=Secret(key),
        auth="bearer" if login is not None else profile.auth,
        media_base_url=profile.media_base_url,
        timeout_seconds=profile.timeout_seconds,
        paths=profile.paths,
        limits=profile.limits,
        user_id=profile.user_id,
        realtime=profile.realtime,
        send_reply_to=profile.send_reply_to,
        login=login,
    )


def _read_key(name: str, profile: Profile, where: Path) -> str:
    if profile.api_key_env:
        value = os.environ.get(profile.api_key_env, "").strip()
        if not value:
            raise ConfigError(
                f"Profile {name!r} reads its API key from ${profile.api_key_env}, which is not set; "
                f"export {profile.api_key_env}=... and try again."
            )
        return value
    if profile.api_key:
        return profile.api_key.strip()
    raise ConfigError(
        f"Profile {name!r} in {where} has no API key and no login; run `switchboard login --profile "
        f"{name}`, or set api_key_env to the name of an environment variable that holds a key."
    )


def starter_config() -> Config:
    """What `switchboard config init` writes: the sandbox by default, and a profile to fill in."""
    return Config(
        default_profile=SANDBOX,
        profiles={
            "acme": Profile(
                base_url="https://api.achieveapex.com",
                organization_id=101,
                api_key_env="ACME_API_KEY",
                auth="x-api-key",
                media_base_url=DEFAULT_MEDIA_BASE,
            )
        },
    )


def masked(config: Config) -> dict[str, Any]:
    """The config as `config show` prints it: every api_key masked."""
    data = config.model_dump(mode="json", exclude_unset=True)
    for profile in data.get("profiles", {}).values():
        if profile.get("api_key"):
            profile["api_key"] = "****"
    return data
