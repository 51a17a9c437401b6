"""The sandbox's state: its store, its agents, its objects folder and its options, one per app."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.sandbox.agents import Agent, load_agents, seed_agents
from tui.sandbox.seed import CONTACTS, assign_seeded, seed
from tui.sandbox.seed_contacts import ensure_contact_details, seed_reactions
from tui.sandbox.seed_files import ensure_seed_files
from tui.sandbox.seed_team_replies import ensure_team_replies
from tui.sandbox.seed_templates import add_missing as add_missing_templates
from tui.sandbox.store import Store
from tui.sandbox.tokens import agent_of_token, is_token

if TYPE_CHECKING:
    from starlette.requests import Request


class Sandbox:
    """The app's state: the store, the agents, the objects folder and the options.

    `options["documented_fields_only"]`: conversations are served without the contract's [ours]
    fields (`records.OUR_FIELDS`), over REST and live alike; the sandbox's own checks still read
    them (`Store.conversation_json(..., full=True)`)."""

    def __init__(self, data_dir: Path, clock: Callable[[], float], options: dict[str, Any]) -> None:
        self.data_dir = data_dir
        self.clock = clock
        self.options = options
        self.store = Store(data_dir / "sandbox.db", clock)
        self.store.documented_only = bool(options.get("documented_fields_only", False))
        self.store.open(seed)
        ensure_seed_files(self.store)  # a file seeded before inbound files gets them once
        ensure_team_replies(self.store)  # a new file, or one of before schema 7: once
        add_missing_templates(self.store)  # a file seeded before every kind of template existed
        ensure_contact_details(self.store, CONTACTS)  # a file of before schema 6: the contacts' details
        seed_reactions(self.store)  # and the customers' reactions
        if seed_agents(self.store):
            assign_seeded(self.store)
        self.store.track_changes()  # from here on, other sandboxes on the file hear of our writes
        self.agents: tuple[Agent, ...] = load_agents(self.store)
        self.objects = data_dir / "objects"
        self.objects.mkdir(parents=True, exist_ok=True)
        #: Templates listed after the stored ones, never stored (`tui.sandbox.template_faults`).
        self.extra_templates: list[dict[str, Any]] = []

    @property
    def default_agent(self) -> Agent:
        """The agent of the key the sandbox always had (Maria Silva)."""
        return self.agents[0]

    def agent(self, user_id: int) -> Agent | None:
        return next((a for a in self.agents if a.id == user_id), None)

    def agent_by_key(self, key: str) -> Agent | None:
        """The agent of an API key, or of a login's token (`tokens`); None for anything else."""
        if is_token(key):
            return agent_of_token(self, key)[0]
        given = key.encode("utf-8", "surrogateescape")
        found = None
        for agent in self.agents:  # every key compared, in constant time each
            if secrets.compare_digest(given, agent.api_key.encode()):
                found = agent
        return found

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)


def state(request: Request) -> Sandbox:
    """The sandbox serving this request."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
