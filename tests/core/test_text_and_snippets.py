"""Untrusted text made visible; snippets filled and found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.models import Conversation
from tui.core.snippets import EXAMPLES, Snippet, context, fill, load_snippets, search
from tui.core.text import one_line, redact, visible


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain", "plain"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("\x1b]52;c;ZXZpbA==\x07", "␛]52;c;ZXZpbA==␇"),
        ("bell\x07", "bell␇"),
        ("c1\x9bcsi", "c1\ufffdcsi"),
        ("del\x7f", "del␡"),
        ("\u202eevil\u202c", "\ufffdevil\ufffd"),
        ("\u2066iso\u2069", "\ufffdiso\ufffd"),
        ("family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"),
        ("ZWNJ می\u200cخواهم", "ZWNJ می\u200cخواهم"),
        ("[bold]not bold[/]", "[bold]not bold[/]"),
        ("a\tb", "a    b"),
        ("line1\r\nline2", "line1\nline2"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_one_line() -> None:
    assert one_line("a\n\nb\x1b c", 20) == "a b␛ c"
    assert one_line("x" * 30, 10) == "x" * 9 + "…"
    assert one_line(None) == ""


def test_redact() -> None:
    assert redact("key sk_1234 leaked", "sk_1234") == "key **** leaked"
    assert redact("short ab", "ab") == "short ab"  # too short to be a key; never blank out words


CONV = Conversation.model_validate(
    {"id": 7, "channel": "whatsapp", "contact": {"first_name": "Ana", "last_name": "Lima", "phone": "+5511"}}
)


def test_fill_known_and_unknown_variables() -> None:
    values = context(CONV)
    assert fill("Hi {{contact.first_name}} {{ contact.last_name }}!", values) == "Hi Ana Lima!"
    assert fill("{{channel}} #{{conversation.id}}", values) == "WhatsApp #7"
    assert fill("{{nope.x}}", values) == "{{nope.x}}"
    assert context(Conversation(id=1))["contact.first_name"] == "there"


def test_load_snippets(isolated_home: Path) -> None:
    assert [s.name for s in load_snippets()] == list(EXAMPLES)
    path = isolated_home / ".config" / "switchboard" / "snippets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[snippets]\nrefund = "Your refund is on its way."\n')
    assert load_snippets() == [Snippet("refund", "Your refund is on its way.")]
    path.write_text("[snippets\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_snippets()
    path.write_text("[snippets]\nx = 3\n")
    with pytest.raises(ConfigError, match="must map names to text"):
        load_snippets()


def test_fuzzy_search() -> None:
    items = [Snippet("greeting", "Hello"), Snippet("refund issued", "Money back"), Snippet("closing", "Bye")]
    assert [s.name for s in search(items, "rf")] == ["refund issued"]
    assert search(items, "gre")[0].name == "greeting"
    assert search(items, "zzz") == []
    assert len(search(items, "")) == 3


def test_cell_width_and_fit_line_up_wide_characters() -> None:
    from tui.core.text import cell_width, fit

    assert cell_width("愛子 田中") == 9 and cell_width("Ana") == 3
    assert cell_width("e\u0301") == 1 and cell_width("👩\u200d💻") == 2
    assert fit("愛子 田中", 12) == "愛子 田中   " and cell_width(fit("愛子 田中", 12)) == 12
    assert fit("愛子 田中", 6) == "愛子 …" and cell_width(fit("愛子 田中", 6)) == 6
    assert fit("Ana Lima", 5) == "Ana …"
