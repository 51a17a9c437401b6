"""`switchboard login` and `switchboard logout`: a profile's JWT login [docs: authentication].

`login` asks for the email (or takes `--email`) and the password, never echoed (`getpass`; or the
first line of stdin with `--password-stdin`, for scripts), logs in, and keeps the token, never the
password, on this machine (`tui.core.logins`: a file of mode 0600 in the data folder). The
profile then sends it as `Authorization: Bearer` when it has no API key of its own; the login's
`user` says who the agent is. `logout` forgets the token and asks the server to end the login
(best effort: offline, the token is forgotten all the same, and that is said).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tui.cli_common import EXIT_OK, UsageError, _err, _out
from tui.cli_output import print_json

if TYPE_CHECKING:
    from tui.core.config import Profile
    from tui.core.logins import StoredLogin

LOGIN_DESCRIPTION = (
    "Log in to a profile with an agent's email and password (for a profile with no API key). The "
    "password is never echoed nor kept; the token the server answers is kept on this machine (a "
    "file only you can read, in the data folder) and sent as Authorization: Bearer until it expires."
)


def add_login_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "login",
        parents=[common],
        help="log in to a profile with email and password (a token instead of an API key)",
        description=LOGIN_DESCRIPTION,
    )
    p.add_argument("--email", metavar="EMAIL", help="the agent's email (asked for when not given)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin, for scripts (needs --email)",
    )
    p.add_argument("--json", action="store_true", help='print {"profile", "user"} as JSON (never the token)')
    p = sub.add_parser(
        "logout",
        parents=[common],
        help="end the profile's login and forget its token",
        description="Forget the profile's login token on this machine and ask the server to end it "
        "(offline, it is forgotten all the same and stays valid on the server until it expires).",
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")


def _ask_email(args: argparse.Namespace, remembered: str | None) -> str:
    email = (args.email or "").strip()
    if email:
        return email
    if args.password_stdin or not sys.stdin.isatty():
        raise UsageError("Give the email with --email: there is no terminal to ask for it on.")
    sys.stderr.write(f"Email [{remembered}]: " if remembered else "Email: ")
    sys.stderr.flush()
    email = sys.stdin.readline().strip() or (remembered or "")
    if not email:
        raise UsageError("No email given, so nothing was sent; give it with --email.")
    return email


def _ask_password(args: argparse.Namespace, email: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin found no password on stdin; pipe it in on the first line.")
        return password
    if not sys.stdin.isatty():
        raise UsageError("There is no terminal to ask for the password on; pipe it in with --password-stdin.")
    import getpass

    try:
        password = getpass.getpass(f"Password for {email}: ")
    except EOFError:
        password = ""
    if not password:
        raise UsageError("No password given, so nothing was sent.")
    return password


def _when(at: float | None) -> str:
    from tui.core.timefmt import due_at

    if at is None:
        return "?"
    now = datetime.now(UTC)
    return due_at(datetime.fromtimestamp(at, UTC), now)


def _who(login: StoredLogin) -> str:
    from tui.core.text import one_line

    user = login.user
    extra = [f"user {user.id}"] if user.id else []
    if user.name and user.email:
        extra.append(one_line(user.email, 60))
    return f"{user.display_name} ({', '.join(extra)})" if extra else user.display_name


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z") if at is not None else None


def _profile(args: argparse.Namespace) -> tuple[str, Profile]:
    from tui.core.config import chosen_profile_name, get_profile, load_config

    config = load_config()
    name = chosen_profile_name(config, args.profile)
    return name, get_profile(config, name)


async def cmd_login(args: argparse.Namespace) -> int:
    from contextlib import suppress

    from tui.core.budget import open_budget
    from tui.core.errors import ConfigError
    from tui.core.login_api import LoginApi, login_target
    from tui.core.logins import own_key, read_login, save_login
    from tui.core.text import one_line

    name, profile = _profile(args)
    target = login_target(name, profile)
    remembered = None
    with suppress(ConfigError):
        before = read_login(name, target.base_url, strict=False)
        remembered = before.user.email if before is not None else None
    email = _ask_email(args, remembered)
    password = _ask_password(args, email)
    budget = await asyncio.to_thread(open_budget, name)
    try:
        async with LoginApi(target, budget=budget) as api:
            masks = getattr(args, "masks", None)
            if masks is not None:
                masks.append(api.redact)  # the password, should a failure echo it
            login = await api.log_in(email, password)
    finally:
        await asyncio.to_thread(budget.flush)
        if budget.log is not None:
            budget.log.close()
    del password
    path = await asyncio.to_thread(save_login, login)
    shown = one_line(name, 40)
    if own_key(profile):
        _err(
            f"Profile {shown} also has an API key, which is sent instead of this login; remove api_key "
            f"and api_key_env from profiles.{shown} to use the login."
        )
    if args.json:
        print_json({"profile": name, "user": login.user.json(), "expires_at": _iso(login.expires_at)})
        return EXIT_OK
    until = f" until {_when(login.expires_at)}" if login.expires_at is not None else ""
    _out(f"Logged in to profile {shown} as {_who(login)}{until}; the token is kept in {path}.")
    return EXIT_OK


async def cmd_logout(args: argparse.Namespace) -> int:
    from tui.core.budget import open_budget
    from tui.core.login_api import LoginApi, LogoutOutcome, login_target
    from tui.core.logins import forget_login, read_login
    from tui.core.text import one_line

    name, profile = _profile(args)
    target = login_target(name, profile)
    shown = one_line(name, 40)
    login = read_login(name, target.base_url, strict=False)
    if login is None:
        if args.json:
            print_json({"profile": name, "logged_out": False, "server": None})
        else:
            _out(f"Profile {shown} has no login on this machine; nothing to do.")
        return EXIT_OK
    await asyncio.to_thread(forget_login, name, target.base_url)  # first: whatever the server says
    budget = await asyncio.to_thread(open_budget, name)
    try:
        async with LoginApi(target, budget=budget) as api:
            masks = getattr(args, "masks", None)
            if masks is not None:
                masks.append(api.redact)
            outcome, why = await api.log_out(login)
    finally:
        await asyncio.to_thread(budget.flush)
        if budget.log is not None:
            budget.log.close()
    sentence = {
        LogoutOutcome.ENDED: f"Logged out of profile {shown}: the server ended the login and this "
        "machine no longer keeps its token.",
        LogoutOutcome.ALREADY_ENDED: f"Logged out of profile {shown}: the login had already ended on "
        "the server, and this machine no longer keeps its token.",
        LogoutOutcome.UNREACHABLE: f"Forgot the login of profile {shown} on this machine, but the "
        "server could not be reached to end it, so its token stays valid there until it expires.",
        LogoutOutcome.REFUSED: f"Forgot the login of profile {shown} on this machine, but the server "
        "did not end it, so its token stays valid there until it expires.",
    }[outcome]
    if args.json:
        print_json({"profile": name, "logged_out": True, "server": outcome.value, "reason": why or None})
    else:
        _out(sentence)
    return EXIT_OK


def login_status(name: str, profile: Profile) -> tuple[str | None, dict[str, Any] | None]:
    """What `switchboard status` says of the profile's login (no request): a line, and its JSON."""
    from tui.core.logins import own_key, read_login
    from tui.core.text import one_line

    if profile.sandbox:
        return None, None
    shown = one_line(name, 40)
    login = read_login(name, profile.base_url)
    if login is None:
        if own_key(profile) or profile.api_key_env:
            return None, None
        return f"Not logged in; run `switchboard login --profile {shown}`.", None
    used = not own_key(profile)
    data = {
        "user": login.user.json(),
        "expires_at": _iso(login.expires_at),
        "expired": login.expired(),
        "used": used,
    }
    if login.expired():
        line = (
            f"The login as {_who(login)} expired at {_when(login.expires_at)}; run "
            f"`switchboard login --profile {shown}` again."
        )
    else:
        until = f" until {_when(login.expires_at)}" if login.expires_at is not None else ""
        line = f"Logged in as {_who(login)}{until}."
    if not used:
        line = line[:-1] + " (not used: the profile's own API key is sent instead)."
    return line, data
