"""The sandbox's agents: who each API key belongs to.

Four agents of the seeded organization and one of another organization (for 403s), each with
its own API key. The first, Maria Silva, holds the key the sandbox always had (`meta.api_key`),
so profiles written before agents existed keep working as her. The other keys are drawn once,
when the file first meets this table, and kept in it: a file keeps its keys across restarts.

| id | name | organization |
|----|------|--------------|
| 7  | Maria Silva (the default key) | 1 |
| 11 | Tom Becker | 1 |
| 12 | Aiko Tanaka | 1 |
| 13 | Jonas Weber | 1 |
| 21 | Eve Marsh | 2 (another organization) |
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from tui.sandbox.store import Store

ORGANIZATION_ID = 1
OTHER_ORGANIZATION_ID = 2
DEFAULT_AGENT_ID = 7

#: (id, organization_id, first_name, last_name); the first is the default key's agent.
AGENTS: tuple[tuple[int, int, str, str], ...] = (
    (DEFAULT_AGENT_ID, ORGANIZATION_ID, "Maria", "Silva"),
    (11, ORGANIZATION_ID, "Tom", "Becker"),
    (12, ORGANIZATION_ID, "Aiko", "Tanaka"),
    (13, ORGANIZATION_ID, "Jonas", "Weber"),
    (21, OTHER_ORGANIZATION_ID, "Eve", "Marsh"),
)


@dataclass(frozen=True)
class Agent:
    """One agent of an organization and the API key that acts as them."""

    id: int
    organization_id: int
    first_name: str
    last_name: str
    email: str
    api_key: str

    @property
    def name(self) -> str:
        """As outbound messages carry it in `sender_name`."""
        return f"{self.first_name} {self.last_name}"

    def json(self) -> dict[str, Any]:
        """The `/users` document: never the key."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "organization_id": self.organization_id,
        }


def new_key() -> str:
    return "sbx_" + secrets.token_urlsafe(24)


def seed_agents(store: Store) -> bool:
    """Give a file without agents its agents (a new file, or one of before schema 3); whether
    it had none."""
    if store.one("SELECT id FROM users LIMIT 1") is not None:
        return False
    statements = []
    for index, (uid, org, first, last) in enumerate(AGENTS):
        key = store.api_key if index == 0 else new_key()
        email = f"{first.lower()}.{last.lower()}@sandbox.example"
        statements.append(
            (
                "INSERT OR IGNORE INTO users (id, organization_id, first_name, last_name, email, api_key) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (uid, org, first, last, email, key),
            )
        )
    store.script(statements)
    return True


def load_agents(store: Store) -> tuple[Agent, ...]:
    """Every agent on the file, the default one first."""
    rows = store.query("SELECT * FROM users ORDER BY id = ? DESC, organization_id, id", (DEFAULT_AGENT_ID,))
    return tuple(
        Agent(
            id=r["id"],
            organization_id=r["organization_id"],
            first_name=r["first_name"],
            last_name=r["last_name"],
            email=r["email"],
            api_key=r["api_key"],
        )
        for r in rows
    )
