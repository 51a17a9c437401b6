"""Canned replies from `snippets.toml` in the config dir and from a team folder (`snippets_dir`
in config.toml: every *.toml in it), with `{{contact.first_name}}`-style variables filled from
the conversation, files that go with them, and a small fuzzy matcher to find them by typing.

    [snippets]
    greeting = "Hi {{contact.first_name}}, thanks for writing to us!"

    [snippets.returns]
    text = "Here is our returns form, {{contact.first_name}}."
    files = ["~/docs/returns.pdf"]      # relative paths: from the snippet file's folder

A name in both the agent's file and the team's: the agent's own wins. A variable the contact
cannot fill (no email, or a name this module does not know) is never filled with nothing: it
stays as its `{{marker}}`, the picker names it before insertion, and the composer refuses to
send text that still holds one (`unfilled`), so it can never reach a customer raw.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tui.core import paths
from tui.core.channels import label
from tui.core.errors import ConfigError
from tui.core.models import Conversation

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")

#: Offered until the user writes their own file (and no team folder has any).
EXAMPLES = {
    "greeting": "Hi {{contact.first_name}}, thanks for reaching out! How can I help?",
    "on it": "Thanks {{contact.first_name}}, I'm looking into this now and will get back to you shortly.",
    "closing": "Glad we could help, {{contact.first_name}}. Have a great day!",
}
OWN = "yours"


@dataclass(frozen=True)
class Snippet:
    name: str
    text: str
    #: Files attached when it is inserted, as written (`~` and relative paths resolved by `file_paths`).
    files: tuple[str, ...] = ()
    #: Where it came from: "yours" (snippets.toml) or the team file's name; shown in the picker.
    source: str = field(default=OWN, compare=False)
    folder: Path | None = field(default=None, compare=False)

    def file_paths(self) -> list[Path]:
        out = []
        for name in self.files:
            path = Path(name).expanduser()
            if not path.is_absolute() and self.folder is not None:
                path = self.folder / path
            out.append(path)
        return out


@dataclass
class Loaded:
    """Every snippet the picker offers, and the team files that could not be read (one sentence each)."""

    snippets: list[Snippet]
    problems: list[str] = field(default_factory=list)


def snippets_path() -> Path:
    return paths.config_dir() / "snippets.toml"


def _parse(path: Path, source: str) -> list[Snippet]:
    """One snippets file; a `ConfigError` naming the file and the key when it is not right."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The snippets file {path} is not valid TOML ({exc}); fix the syntax.") from None
    except OSError as exc:
        raise ConfigError(f"The snippets file {path} cannot be read ({exc.strerror}).") from None
    table = data.get("snippets", {})
    if not isinstance(table, dict):
        raise ConfigError(f'In {path}, [snippets] must map names to text, like greeting = "Hi!".')
    return [_one(path, source, str(name), value) for name, value in table.items()]


def _one(path: Path, source: str, name: str, value: Any) -> Snippet:
    if isinstance(value, str):
        return Snippet(name, value, source=source, folder=path.parent)
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        files = value.get("files", [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ConfigError(f'In {path}, snippets.{name}.files must be a list of paths, like ["~/a.pdf"].')
        unknown = set(value) - {"text", "files"}
        if unknown:
            raise ConfigError(
                f"In {path}, snippets.{name}.{sorted(unknown)[0]} is not a snippet setting; "
                "use text and files."
            )
        return Snippet(name, value["text"], tuple(files), source=source, folder=path.parent)
    raise ConfigError(f'In {path}, [snippets] must map names to text, like greeting = "Hi!".')


def load_snippets(path: Path | None = None, team_dir: str | Path | None = None) -> list[Snippet]:
    """The agent's snippets, then the team's whose names the agent's do not take. A broken file
    of the agent's own raises `ConfigError`; see `load_all` for the team's problems too."""
    return load_all(path, team_dir).snippets


def load_all(path: Path | None = None, team_dir: str | Path | None = None) -> Loaded:
    path = path or snippets_path()
    try:
        own = _parse(path, OWN)
    except ConfigError:
        if path.exists():
            raise
        own = []
    loaded = Loaded(list(own))
    taken = {s.name for s in own}
    if team_dir:
        _add_team(Path(team_dir).expanduser(), loaded, taken)
    if not path.exists() and len(loaded.snippets) == 0:
        loaded.snippets = [Snippet(k, v) for k, v in EXAMPLES.items()]
    return loaded


def _add_team(folder: Path, loaded: Loaded, taken: set[str]) -> None:
    if not folder.is_dir():
        loaded.problems.append(
            f"The team snippets folder {folder} does not exist; fix snippets_dir in config.toml."
        )
        return
    try:
        files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError as exc:
        loaded.problems.append(f"The team snippets folder {folder} cannot be read ({exc.strerror}).")
        return
    for file in files:
        try:
            snippets = _parse(file, f"team: {file.name}")
        except ConfigError as exc:
            loaded.problems.append(exc.sentence)
            continue
        for snippet in snippets:
            if snippet.name not in taken:  # the agent's own (or an earlier team file's) wins
                taken.add(snippet.name)
                loaded.snippets.append(snippet)


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
    """Each variable with its value; one with no value (or unknown) stays as its marker."""
    return VARIABLE.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def needs(text: str, values: dict[str, str]) -> list[str]:
    """The variables of `text` this conversation cannot fill, in order, each once."""
    return list(dict.fromkeys(name for name in VARIABLE.findall(text) if not values.get(name)))


def unfilled(text: str) -> list[str]:
    """The `{{variable}}` markers still in a text about to be sent."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def _markers(names: list[str]) -> str:
    shown = [f"{{{{{n}}}}}" for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def unfilled_sentence(names: list[str]) -> str:
    return (
        f"Not sent: replace {_markers(names)} with the value first (this contact has none, so it "
        "would reach the customer as typed)."
    )


def needs_sentence(names: list[str]) -> str:
    """Said when such a snippet is inserted."""
    return (
        f"Inserted with {_markers(names)} left in: this contact has no value for it; "
        "replace it before sending."
    )


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


class Searchable(Protocol):
    """What the picker searches: a snippet, or one of the team's replies (`TeamReply`)."""

    @property
    def name(self) -> str: ...

    @property
    def text(self) -> str: ...


S = TypeVar("S", bound=Searchable)


def search(snippets: Sequence[S], query: str) -> list[S]:
    """Those whose name or text hold the query's letters in order, best first (a name's match
    above a text's)."""
    scored = []
    for s in snippets:
        score = fuzzy_score(query, s.name)
        body = fuzzy_score(query, s.text)
        best = max((x for x in (score, None if body is None else body - 5) if x is not None), default=None)
        if best is not None:
            scored.append((best, s))
    return [s for _, s in sorted(scored, key=lambda t: -t[0])]
