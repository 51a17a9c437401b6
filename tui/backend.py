"""Opening a profile: read the config, start the embedded sandbox when the profile asks for it,
and hand out an `ApiClient`. Shared by the CLI and the app; never imports Textual.

The sandbox (uvicorn, starlette, SQLite) is imported only here and only when used.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.budget import RequestBudget, open_budget
from tui.core.client import ApiClient
from tui.core.config import (
    Config,
    Profile,
    ResolvedProfile,
    Secret,
    chosen_profile_name,
    get_profile,
    load_config,
    resolve,
)
from tui.core.errors import SwitchboardError
from tui.core.notices import first_time, legacy_messages_notice
from tui.core.paths import sandbox_data_dir
from tui.sandbox_process import SandboxProcess


@dataclass
class Backend:
    """An open profile: its settings, a client (which owns the profile's `ConversationCache`
    and spends from its `RequestBudget`), and the sandbox when one runs."""

    config: Config
    profile: ResolvedProfile
    client: ApiClient
    sandbox: Any = None
    #: Sentences to say once when the profile opens (an old config's messages path).
    notices: list[str] = field(default_factory=list)

    @property
    def budget(self) -> RequestBudget:
        return self.client.budget

    @property
    def description(self) -> str:
        if self.profile.is_sandbox:
            return f"{self.profile.name} · embedded sandbox at {self.profile.base_url}"
        return f"{self.profile.name} · {self.profile.base_url}"


def _start_sandbox(profile: Profile) -> Any:
    from tui.sandbox.runner import start_in_thread

    data = sandbox_data_dir(profile.sandbox_data)
    try:
        return start_in_thread(data_dir=data)
    except (OSError, RuntimeError) as exc:
        raise SwitchboardError(
            f"The embedded sandbox could not start in {data} ({exc}); check that folder is writable."
        ) from None


@asynccontextmanager
async def open_backend(
    profile_name: str | None = None,
    *,
    config_path: Path | None = None,
    config: Config | None = None,
    sandbox_process: SandboxProcess | None = None,
) -> AsyncIterator[Backend]:
    """Open a profile. A sandbox profile runs its sandbox in a thread for the block's lifetime,
    or uses `sandbox_process` (the app's child process, which its owner stops)."""
    config = config if config is not None else load_config(config_path)
    name = chosen_profile_name(config, profile_name)
    profile = get_profile(config, name, config_path)
    sandbox = None
    if profile.sandbox:
        if sandbox_process is not None:
            address: Any = await asyncio.to_thread(sandbox_process.wait_ready)
        else:
            address = sandbox = await asyncio.to_thread(_start_sandbox, profile)
        resolved = ResolvedProfile(
            name=name,
            base_url=address.base_url,
            organization_id=address.organization_id,
            api_key=Secret(address.api_key),
            auth="x-api-key",
            media_base_url=address.media_base_url,
            timeout_seconds=profile.timeout_seconds,
            paths=profile.paths,
            limits=profile.limits,
            is_sandbox=True,
            realtime=profile.realtime,
            send_reply_to=profile.send_reply_to,
        )
    else:
        resolved = resolve(name, profile, config_path)
    budget = await asyncio.to_thread(open_budget, name)
    client = ApiClient(resolved, budget=budget)
    notices = []
    if resolved.paths.legacy_messages and await asyncio.to_thread(
        first_time, f"legacy-messages:{name}:{resolved.paths.messages}"
    ):
        notices.append(legacy_messages_notice(name, resolved.paths.messages))
    try:
        yield Backend(config, resolved, client, sandbox or sandbox_process, notices)
    finally:
        await client.aclose()
        await asyncio.to_thread(budget.flush)
        if budget.log is not None:
            budget.log.close()
        if sandbox is not None:
            await asyncio.to_thread(sandbox.stop)
