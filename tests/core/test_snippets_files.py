"""Snippets that carry files, from the agent's file and a team folder, and variables the contact
cannot fill: named before insertion, kept as markers, never filled with nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.errors import ConfigError
from tui.core.models import Contact, Conversation
from tui.core.snippets import (
    EXAMPLES,
    OWN,
    Snippet,
    context,
    fill,
    load_all,
    load_snippets,
    needs,
    snippets_path,
    unfilled,
    unfilled_sentence,
)

NO_EMAIL = Conversation(id=7, channel="whatsapp", contact=Contact(id=1, first_name="Ana", phone="+1555"))


def own(text: str) -> Path:
    path = snippets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_snippet_may_list_files(tmp_path: Path, isolated_home: Path) -> None:
    path = own(
        "[snippets]\n"
        'hi = "Hello"\n'
        "[snippets.returns]\n"
        'text = "Here is the form, {{contact.first_name}}."\n'
        'files = ["~/docs/returns.pdf", "label.png", "/abs/terms.pdf"]\n'
    )
    hi, returns = load_snippets()
    assert hi == Snippet("hi", "Hello") and hi.files == ()
    assert returns.text == "Here is the form, {{contact.first_name}}."
    assert returns.file_paths() == [
        isolated_home / "docs" / "returns.pdf",  # ~ is the agent's home
        path.parent / "label.png",  # relative: next to the snippets file
        Path("/abs/terms.pdf"),
    ]
    assert returns.source == OWN


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        ('[snippets.x]\ntext = "t"\nfiles = "a.pdf"\n', "snippets.x.files must be a list of paths"),
        ('[snippets.x]\ntext = "t"\nfile = ["a.pdf"]\n', "snippets.x.file is not a snippet setting"),
        ('[snippets.x]\nfiles = ["a.pdf"]\n', "must map names to text"),
    ],
)
def test_a_wrong_snippet_is_named(toml: str, match: str) -> None:
    own(toml)
    with pytest.raises(ConfigError, match=match):
        load_snippets()


def test_a_team_folder_adds_snippets_and_the_agents_own_win(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    (team / "support.toml").write_text(
        '[snippets]\ngreeting = "Team hello"\nrefund = "Refunds take 5 days."\n', encoding="utf-8"
    )
    (team / "sales.toml").write_text(
        '[snippets.pricing]\ntext = "Our prices"\nfiles = ["prices.pdf"]\n', encoding="utf-8"
    )
    (team / "notes.txt").write_text("not a snippets file")
    own('[snippets]\ngreeting = "My own hello"\n')
    loaded = load_all(team_dir=team)
    assert loaded.problems == []
    by_name = {s.name: s for s in loaded.snippets}
    assert list(by_name) == ["greeting", "pricing", "refund"]  # own first, then files by name
    assert by_name["greeting"].text == "My own hello" and by_name["greeting"].source == OWN
    assert by_name["refund"].source == "team: support.toml"
    assert by_name["pricing"].file_paths() == [team / "prices.pdf"]


def test_a_broken_team_file_hides_only_its_own(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    (team / "a.toml").write_text("[snippets\n")
    (team / "b.toml").write_text('[snippets]\nok = "Still here"\n')
    loaded = load_all(team_dir=team)
    assert [s.name for s in loaded.snippets] == ["ok"]  # no examples once the team has some
    (problem,) = loaded.problems
    assert "a.toml is not valid TOML" in problem
    missing = load_all(team_dir=tmp_path / "nowhere")
    assert [s.name for s in missing.snippets] == list(EXAMPLES)
    assert missing.problems == [
        f"The team snippets folder {tmp_path / 'nowhere'} does not exist; fix snippets_dir in config.toml."
    ]


def test_variables_the_contact_cannot_fill_are_named_and_kept() -> None:
    values = context(NO_EMAIL)
    text = "Hi {{contact.first_name}}, we wrote to {{contact.email}} about {{order.number}}."
    assert needs(text, values) == ["contact.email", "order.number"]
    filled = fill(text, values)
    assert filled == "Hi Ana, we wrote to {{contact.email}} about {{order.number}}."
    assert unfilled(filled) == ["contact.email", "order.number"]
    assert unfilled("Order {{1}} is fine: templates' numbers are not snippet variables") == []
    assert unfilled_sentence(["contact.email"]) == (
        "Not sent: replace {{contact.email}} with the value first (this contact has none, so it "
        "would reach the customer as typed)."
    )
    assert needs("Hi {{contact.first_name}}", context(Conversation(id=1))) == []  # "there"
