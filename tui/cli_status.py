"""`switchboard status`: the profile's request budget, read from this machine's log alone, and
who its stored login says the agent is (`cli_login`); the command itself sends no request, so
asking costs the team nothing."""

from __future__ import annotations

import argparse
from datetime import timedelta

from tui.cli_common import EXIT_OK, _out
from tui.cli_login import login_status
from tui.cli_output import print_json


async def cmd_status(args: argparse.Namespace) -> int:
    import asyncio

    from tui.core.budget import LIMIT, WINDOW_SECONDS, open_budget
    from tui.core.config import chosen_profile_name, get_profile, load_config
    from tui.core.text import clip, one_line
    from tui.core.timefmt import human_duration

    config = load_config()
    name = chosen_profile_name(config, args.profile)
    profile = get_profile(config, name)  # an unknown profile is said as every command says it
    login_line, login = login_status(name, profile)
    budget = await asyncio.to_thread(open_budget, name)
    used, wait = budget.used(), budget.blocked_for()
    if budget.log is not None:
        budget.log.close()
    if args.json:
        print_json(
            {
                "profile": name,
                "requests_last_hour": used,
                "limit": LIMIT,
                "window_seconds": int(WINDOW_SECONDS),
                "share": round(used / LIMIT, 4),
                "blocked_seconds": round(wait),
                "blocked_reason": one_line(budget.blocked_said) if wait else None,
                "login": login,
            }
        )
        return EXIT_OK
    _out(
        f"{clip(one_line(name), 40)}: {used:,} of {LIMIT:,} requests in the last hour from this machine "
        f"({100 * used / LIMIT:.0f}% of the organization's budget, which every agent of the team shares)."
    )
    if wait:
        said = clip(one_line(budget.blocked_said), 120)
        _out(f"The server refused more: requests wait {human_duration(timedelta(seconds=wait))} ({said}).")
    if login_line:
        _out(login_line)
    return EXIT_OK
