"""Canned replies from `snippets.toml` in the config dir, with `{{contact.first_name}}`-style
variables filled from the conversation, and a small fuzzy matcher to find them by typing.

    [snippets]
    greeting = "Hi {{contact.first_name}}, thanks for writing to us!"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tui.core import paths
from tui.core.channels import label
from tui.core.errors import ConfigError
from tui.core.models import Conversation

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")

#: Offered until the user writes their own file.
EXAMPLES = {
    "greeting": "Hi {{contact.first_name}}, thanks for reaching out! How can I help?",
    "on it": "Thanks {{contact.first_name}}, I'm looking into this now and will get back to you shortly.",
    "closing": "Glad we could help, {{contact.first_name}}. Have a great day!",
}


@dataclass(frozen=True)
class Snippet:
    name: str
    text: str


def snippets_path() -> Path:
    return paths.config_dir() / "snippets.toml"


def load_snippets(path: Path | None = None) -> list[Snippet]:
    path = path or snippets_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [Snippet(k, v) for k, v in EXAMPLES.items()]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The snippets file {path} is not valid TOML ({exc}); fix the syntax.") from None
    except OSError as exc:
        raise ConfigError(f"The snippets file {path} cannot be read ({exc.strerror}).") from None
    table = data.get("snippets", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f'In {path}, [snippets] must map names to text, like greeting = "Hi!".')
    return [Snippet(str(k), v) for k, v in table.items()]


def context(conversation: Conversation) -> dict[str, str]:
    contact = conversation.contact
    values = {
        "contact.first_name": (contact.first_name if contact else None) or "",
        "contact.last_name": (contact.last_name if contact else None) or "",
        "contact.name": conversation.contact_name,
        "contact.phone": (contact.phone if contact else None) or "",
        "contact.email": (contact.email if contact else None) or "",
        "conversation.id": str(conversation.id),
        "channel": label(conversation.channel),
    }
    if not values["contact.first_name"]:
        values["contact.first_name"] = "there"
    return values


def fill(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fuzzy_score(query: str, candidate: str) -> int | None:
    """Higher is better; None when the query's letters do not appear in order."""
    if not query:
        return 0
    q, c = query.lower(), candidate.lower()
    score, pos, streak = 0, 0, 0
    for ch in q:
        found = c.find(ch, pos)
        if found < 0:
            return None
        streak = streak + 1 if found == pos else 0
        score += 1 + 2 * streak + (3 if found == 0 or c[found - 1] in " _-." else 0)
        pos = found + 1
    return score - (len(c) // 20)


def search(snippets: list[Snippet], query: str) -> list[Snippet]:
    scored = []
    for s in snippets:
        score = fuzzy_score(query, s.name)
        body = fuzzy_score(query, s.text)
        best = max((x for x in (score, None if body is None else body - 5) if x is not None), default=None)
        if best is not None:
            scored.append((best, s))
    return [s for _, s in sorted(scored, key=lambda t: -t[0])]
