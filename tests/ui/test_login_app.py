"""The app on a profile that logged in with email and password (no API key): it opens, shows the
inbox as the logged-in agent (who the login said, without asking `/users/me`), and a login the
server ended is said in the one sentence that says to log in again."""

from __future__ import annotations

from typing import Any

import httpx

from tests.ui.conftest import notifications, wait_for
from tui.app import SwitchboardApp
from tui.core.config import Config, Profile
from tui.core.login_api import LoginApi, login_target
from tui.core.logins import expired_sentence, save_login
from tui.screens.inbox import InboxScreen

AIKO = 12


async def logged_in_config(sandbox: Any) -> tuple[Config, str]:
    """A profile with no key, logged in as Aiko through the API; the config and the token."""
    profile = Profile(
        base_url=sandbox.base_url,
        organization_id=sandbox.organization_id,
        media_base_url=sandbox.media_base_url,
        realtime="off",
    )
    async with LoginApi(login_target("work", profile)) as api:
        login = await api.log_in("aiko.tanaka@sandbox.example", "sandbox")
    save_login(login)
    return Config(default_profile="work", profiles={"work": profile}), login.token


async def test_the_app_on_a_login_profile_shows_the_inbox_as_that_agent(sandbox: Any) -> None:
    config, _ = await logged_in_config(sandbox)
    sandbox.clear_requests()
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.me is not None and app.queue is not None and app.queue.read_at > 0)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        await wait_for(pilot, lambda: screen.list.total > 0)
        assert (app.me.id, app.me.display_name) == (AIKO, "Aiko Tanaka")
        assert app.backend is not None and app.backend.profile.auth == "bearer"
        assert "/users/me" not in [p for _, p, _ in sandbox.requests()]
        assert not [n for n in notifications(app) if "login" in n.lower()]


async def test_a_login_the_server_ended_says_to_log_in_again(sandbox: Any) -> None:
    config, token = await logged_in_config(sandbox)
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: isinstance(screen, InboxScreen) and screen.list.total > 0)
        httpx.delete(f"{sandbox.base_url}/authentication", headers={"Authorization": f"Bearer {token}"})
        await pilot.press("r")
        sentence = expired_sentence("work")
        assert sentence == (
            "The login for profile work has expired or was refused; "
            "run `switchboard login --profile work` again."
        )
        await wait_for(pilot, lambda: sentence in notifications(app))
