"""Snippets in the composer, against the sandbox: ctrl+r inserts one at the cursor mid-sentence
with its files attached; a missing or too-big file is named and the text still goes in; `//`
types a '/'; a variable the contact cannot fill is named in the picker, kept as a marker and
blocks the send; a team folder's snippets are offered with where they came from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.helpers import make_pdf, make_png, sandbox_profile
from tests.ui.conftest import notifications, wait_for
from tests.ui.test_flows import sandbox_messages, type_text
from tests.ui.test_quotes import open_id
from tui.app import SwitchboardApp
from tui.core.client import ApiClient
from tui.core.snippets import needs_sentence, snippets_path, unfilled_sentence
from tui.sandbox.seed import HANDY_IDS
from tui.screens.conversation import ConversationScreen
from tui.screens.snippets import SnippetScreen

WA = HANDY_IDS["whatsapp_open"]
MB = 1024 * 1024


def write_snippets(text: str) -> None:
    path = snippets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def pick(pilot: Pilot, query: str) -> SnippetScreen:
    """Open the picker with ctrl+r and filter it; returns the picker (Enter inserts)."""
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SnippetScreen))
    picker: SnippetScreen = pilot.app.screen  # type: ignore[assignment]
    await type_text(pilot, query)
    return picker


def preview(picker: SnippetScreen) -> str:
    return str(picker.query_one("#snippet-preview", Static).render())


async def insert(pilot: Pilot) -> None:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))


async def test_ctrl_r_inserts_a_snippet_mid_sentence_with_its_file(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    form = make_pdf(tmp_path / "returns.pdf")
    write_snippets(f'[snippets.returns]\ntext = "the returns form"\nfiles = ["{form}"]\n')
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        await type_text(pilot, "Here is for you")
        for _ in range(len("for you")):
            await pilot.press("left")
        picker = await pick(pilot, "returns")
        assert "📎 returns.pdf" in preview(picker)
        await insert(pilot)
        assert screen.composer.text == "Here is the returns formfor you"
        assert screen.composer.attachments == [form]
        assert screen.composer.area.cursor_location == (0, len("Here is the returns form"))


async def test_a_missing_or_too_big_file_is_named_and_the_text_goes_in(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    big = make_png(tmp_path / "huge.png", size=6 * MB)  # WhatsApp takes images up to 5 MB
    write_snippets(
        f'[snippets.photos]\ntext = "Photos attached."\nfiles = ["{tmp_path / "gone.pdf"}", "{big}"]\n'
    )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        await pick(pilot, "photos")
        await insert(pilot)
        assert screen.composer.text == "Photos attached."
        assert screen.composer.attachments == []
        said = notifications(app)
        assert any(s.startswith("The snippet went in without gone.pdf: ") for s in said), said
        assert any(s.startswith("The snippet went in without huge.png: ") for s in said), said


async def test_a_second_slash_types_a_slash(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetScreen))
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        assert screen.composer.text == "/"
        await type_text(pilot, "help")
        assert screen.composer.text == "/help" and isinstance(app.screen, ConversationScreen)
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press("slash")  # empty again: '/' opens the snippets as before
        await wait_for(pilot, lambda: isinstance(app.screen, SnippetScreen))


async def test_an_unfillable_variable_is_named_and_never_sent(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        rows = (await client.list_conversations()).data
    cid = next(c.id for c in rows if c.channel == "whatsapp" and c.contact and not c.contact.email)
    write_snippets('[snippets]\nmail = "We wrote to {{contact.email}} about {{order.number}}."\n')
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, cid)
        picker = await pick(pilot, "mail")
        assert "needs: contact.email, order.number (this contact has none)" in preview(picker)
        await insert(pilot)
        text = "We wrote to {{contact.email}} about {{order.number}}."
        assert screen.composer.text == text
        assert needs_sentence(["contact.email", "order.number"]) in notifications(app)
        before = [m.id for m in await sandbox_messages(sandbox, cid)]
        await pilot.press("ctrl+j")
        sentence = unfilled_sentence(["contact.email", "order.number"])
        await wait_for(pilot, lambda: sentence in notifications(app))
        assert screen.composer.text == text  # kept for the agent to fill in
        assert [m.id for m in await sandbox_messages(sandbox, cid)] == before


async def test_a_team_folder_is_offered_with_its_source(
    make_app: Callable[..., SwitchboardApp], tmp_path: Path
) -> None:
    team = tmp_path / "team"
    team.mkdir()
    (team / "support.toml").write_text('[snippets]\nrefund = "Refunds take 5 days."\ngreeting = "Team hi"\n')
    write_snippets('[snippets]\ngreeting = "My hi"\n')
    app = make_app(snippets_dir=str(team))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        picker = await pick(pilot, "")
        labels = [str(o.prompt) for o in picker.query_one(OptionList).options]
        assert labels[:2] == ["greeting  yours", "refund  team: support.toml"]
        assert all(label.endswith(("  team", "  team 📎")) for label in labels[2:])  # the server's
        await type_text(pilot, "refund")
        assert "from team: support.toml" in preview(picker)
        await insert(pilot)
        assert screen.composer.text == "Refunds take 5 days."
