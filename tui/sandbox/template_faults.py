"""The templates two fault options add to the sandbox's list (`tui.sandbox.faults`).

`--bad-template` adds `broken_template`, whose `components` is an object instead of a list: a
client that validates the page whole loses every template to it. `--huge-template VARS/BUTTONS`
adds `huge_template`: a text header with one variable (`{{first_name}}`), a body of VARS
positional variables, a footer, and BUTTONS URL buttons with a variable each. `100/2` is the
largest template WhatsApp's published limits allow in fields (103); `1000` is far beyond them.

They live in memory (`Sandbox.extra_templates`), after the seed's templates: listed, filtered
and paged like them, and found by a send's checks, but never written to the file, so a later
sandbox on the same data has none of them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sandbox.faults import Faults

BAD_TEMPLATE = "broken_template"
HUGE_TEMPLATE = "huge_template"
#: Their ids: after any seeded template.
BAD_TEMPLATE_ID = 9001
HUGE_TEMPLATE_ID = 9002
#: A template's columns, in the store's order.
COLUMNS = ("id", "name", "language", "category", "status", "components")


def huge_template(variables: int, buttons: int) -> dict[str, Any]:
    """`huge_template` with `variables` body variables and `buttons` URL buttons."""
    body = " ".join(f"{{{{{n}}}}}" for n in range(1, variables + 1))
    components: list[dict[str, Any]] = [
        {"type": "HEADER", "format": "TEXT", "text": "Order for {{first_name}}"},
        {"type": "BODY", "text": f"Values: {body}." if variables else "No values."},
        {"type": "FOOTER", "text": "Made by the sandbox's --huge-template"},
    ]
    if buttons:
        components.append(
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": f"Link {n}", "url": f"https://example.com/item/{n}/{{{{1}}}}"}
                    for n in range(1, buttons + 1)
                ],
            }
        )
    return {
        "id": HUGE_TEMPLATE_ID,
        "name": HUGE_TEMPLATE,
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": components,
    }


def broken_template() -> dict[str, Any]:
    """`broken_template`: its `components` is one object, not a list of them."""
    return {
        "id": BAD_TEMPLATE_ID,
        "name": BAD_TEMPLATE,
        "language": "en_US",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": {"type": "BODY", "text": "Hi {{1}}, this template is malformed."},
    }


def extra_templates(faults: Faults | None) -> list[dict[str, Any]]:
    """The templates `faults` add to the list, as the API serves them."""
    extra = []
    if faults is not None and faults.bad_template:
        extra.append(broken_template())
    if faults is not None and faults.huge_template is not None:
        extra.append(huge_template(*faults.huge_template))
    return extra


def source(extra: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """What a templates query reads FROM: the table, with `extra` after its rows (same columns,
    components as JSON text, as stored), and the values that go with it."""
    if not extra:
        return "templates", []
    rows = " UNION ALL ".join("SELECT ?, ?, ?, ?, ?, ?" for _ in extra)
    values = [
        json.dumps(t[c], ensure_ascii=False) if c == "components" else t[c] for t in extra for c in COLUMNS
    ]
    return f"(SELECT {', '.join(COLUMNS)} FROM templates UNION ALL {rows}) AS templates", values


def find(extra: list[dict[str, Any]], name: str, language: str) -> dict[str, Any] | None:
    """The extra template called `name` in `language`, or None."""
    return next((t for t in extra if t["name"] == name and t["language"] == language), None)
