"""The team's replies in the snippet picker, against the sandbox: listed beside the agent's own
snippets and marked "team" (📎 with a file), found by the same fuzzy search, inserted with Enter;
a media reply's file fetched and attached (and sent like a picked file), or refused up front in
one sentence where the channel refuses its type; one read per profile however often the picker
opens, ctrl+r to read again; ctrl+n saves the composer's text as a new one, ctrl+e changes one,
f8 deletes one once confirmed; a role that may not is told so in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TextArea

from tests.helpers import sandbox_profile
from tests.ui.conftest import notifications, sandbox_config, wait_for
from tests.ui.test_flows import sandbox_messages, type_text
from tests.ui.test_quotes import open_id
from tui.app import SwitchboardApp
from tui.core import team_replies
from tui.core.client import ApiClient
from tui.core.files import inspect_file
from tui.core.paths import cache_dir
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.seed_team_replies import RETURNS_FORM
from tui.screens.confirm import ConfirmScreen
from tui.screens.conversation import ConversationScreen
from tui.screens.snippets import SnippetScreen
from tui.screens.team_reply_form import TeamReplyFormScreen

WA = HANDY_IDS["whatsapp_open"]
IG = HANDY_IDS["instagram_open"]
PATH = "/conversation-predefined-messages"


def labels(picker: SnippetScreen) -> list[str]:
    return [str(o.prompt) for o in picker.query_one(OptionList).options]


def preview(picker: SnippetScreen) -> str:
    return str(picker.query_one("#snippet-preview", Static).render())


def reads(sandbox: Any) -> int:
    return sum(1 for method, path, _ in sandbox.requests() if method == "GET" and path == PATH)


async def team_picker(pilot: Pilot) -> SnippetScreen:
    """ctrl+r in the composer; the picker once the team's replies are in."""
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SnippetScreen))
    picker: SnippetScreen = pilot.app.screen  # type: ignore[assignment]
    await wait_for(pilot, lambda: any("  team" in label for label in labels(picker)))
    return picker


async def back_in_conversation(pilot: Pilot) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationScreen))


async def server_titles(sandbox: Any) -> list[str]:
    async with ApiClient(sandbox_profile(sandbox)) as client:
        return [r.title for r in await client.list_team_replies()]


async def test_listed_marked_searched_and_inserted(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        picker = await team_picker(pilot)
        shown = labels(picker)
        assert shown[:3] == ["greeting  yours", "on it  yours", "closing  yours"]  # the agent's own first
        assert "Address change  team" in shown and "How to pack a return  team 📎" in shown
        assert "Returns form  team 📎" in shown and len(shown) == 3 + 12
        await type_text(pilot, "refund pol")
        assert labels(picker)[0] == "Refund policy  team"
        assert "team reply" in preview(picker) and "shared by your organization" in preview(picker)
        await pilot.press("enter")
        await back_in_conversation(pilot)
        assert screen.composer.text.startswith("Refunds go back to the card you paid with")
        assert screen.composer.attachments == []


async def test_a_search_finds_a_reply_by_its_text(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        picker = await team_picker(pilot)
        await type_text(pilot, "harbour street")  # in "Store location"'s text, not its title
        assert labels(picker)[0] == "Store location  team"
        await pilot.press("enter")
        await back_in_conversation(pilot)
        assert "12 Harbour Street" in screen.composer.text


async def test_a_media_reply_attaches_its_file_and_sends_it(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, WA)
        picker = await team_picker(pilot)
        await type_text(pilot, "returns form")
        assert labels(picker)[0] == "Returns form  team 📎" and "📎 returns-form.pdf" in preview(picker)
        await pilot.press("enter")
        await back_in_conversation(pilot)
        assert screen.composer.text.startswith("Here is our returns form, Ana: ")  # the contact's name
        [path] = screen.composer.attachments
        assert path.name == "returns-form.pdf" and path.read_bytes() == RETURNS_FORM
        assert path.is_relative_to(cache_dir() / "team-replies")
        await pilot.press("ctrl+j")  # sent as a picked file is: uploaded to the conversation
        await wait_for(
            pilot,
            lambda: not screen.composer.attachments,
            timeout=15,
        )
    sent = [m for m in await sandbox_messages(sandbox, WA) if m.file_name == "returns-form.pdf"]
    assert sent and sent[0].direction == "outbound" and sent[0].file_size == len(RETURNS_FORM)


async def test_a_type_the_channel_refuses_goes_without_its_file(
    make_app: Callable[..., SwitchboardApp], sandbox: Any, tmp_path: Path
) -> None:
    care = tmp_path / "care.txt"
    care.write_text("Wash at 30 degrees.\n")
    async with ApiClient(sandbox_profile(sandbox)) as client:
        await team_replies.create(client, "Care notes", "Our care notes", inspect_file(care))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_id(pilot, IG)  # Instagram takes PDFs, not text files
        await team_picker(pilot)
        await type_text(pilot, "care notes")
        await pilot.press("enter")
        await back_in_conversation(pilot)
        assert screen.composer.text == "Our care notes" and screen.composer.attachments == []
        said = notifications(app)
        assert any(
            s.startswith("The team reply went in without care.txt: Instagram does not take text/plain")
            for s in said
        ), said
    assert not (cache_dir() / "team-replies").exists()  # refused before any download


async def test_one_read_per_profile_and_ctrl_r_reads_again(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_id(pilot, WA)
        sandbox.clear_requests()
        await team_picker(pilot)
        await pilot.press("escape")
        await back_in_conversation(pilot)
        picker = await team_picker(pilot)  # opened again: the replies read a moment ago
        assert reads(sandbox) == 1
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: reads(sandbox) == 2)
        await wait_for(pilot, lambda: not picker.query_one("#snippet-note").display)
        assert len(labels(picker)) == 15


async def test_save_edit_and_delete_a_team_reply(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_id(pilot, WA)
        await type_text(pilot, "Back on Monday")
        picker = await team_picker(pilot)
        await pilot.press("ctrl+n")  # the composer's text as a new team reply: asks for a title
        await wait_for(pilot, lambda: isinstance(app.screen, TeamReplyFormScreen))
        assert app.screen.query_one(TextArea).text == "Back on Monday"
        await pilot.press("ctrl+s")  # no title yet: said in the form, nothing sent
        problem = app.screen.query_one("#team-reply-problem", Static)
        assert "Give it a title" in str(problem.render()) and isinstance(app.screen, TeamReplyFormScreen)
        await type_text(pilot, "Holidays")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved as a team reply: “Holidays”." in notifications(app))
        assert "Holidays" in await server_titles(sandbox)
        assert picker.query_one(OptionList).highlighted is not None
        assert labels(picker)[picker.query_one(OptionList).highlighted or 0] == "Holidays  team"
        await pilot.press("ctrl+e")  # the highlighted one: the new reply
        await wait_for(pilot, lambda: isinstance(app.screen, TeamReplyFormScreen))
        title = app.screen.query_one(Input)
        assert title.value == "Holidays"
        await type_text(pilot, " 2026")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Team reply “Holidays 2026” changed." in notifications(app))
        assert "Holidays 2026" in await server_titles(sandbox)
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Team reply “Holidays 2026” deleted." in notifications(app))
        assert "Holidays 2026" not in await server_titles(sandbox)
        assert not any(label.startswith("Holidays") for label in labels(picker))


async def test_edit_and_delete_are_for_the_teams_replies_only(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_id(pilot, WA)
        picker = await team_picker(pilot)
        assert labels(picker)[0] == "greeting  yours"
        await pilot.press("f8", "ctrl+e")
        await pilot.pause()
        assert app.screen is picker  # nothing asked: a personal snippet lives in snippets.toml
        assert not picker.check_action("delete", ()) and picker.check_action("new", ())
        commands = [c.title for c in picker.palette_commands()]
        assert commands == ["Refresh the team's replies", "Save as a team reply"]
        await pilot.press("down", "down", "down")
        assert [c.title for c in picker.palette_commands()][2:] == [
            "Edit this team reply",
            "Delete this team reply",
        ]


async def test_a_role_that_may_not_change_them_is_told_so(sandbox: Any) -> None:
    config = sandbox_config(sandbox)
    local = config.profiles["local"]
    config.profiles["local"] = local.model_copy(update={"api_key": sandbox.agent(12).api_key})
    app = SwitchboardApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_id(pilot, WA)
        await type_text(pilot, "Mine")
        picker = await team_picker(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamReplyFormScreen))
        await type_text(pilot, "My reply")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: any("may not add to the team's replies" in s for s in notifications(app))
        )
        sentence = next(s for s in notifications(app) if "may not add" in s)
        assert sentence == (
            "Your account may not add to the team's replies (403: the organization keeps that to "
            "some roles); ask an admin of your organization, or keep it as a personal snippet in "
            "snippets.toml."
        )
        assert app.screen is picker and "My reply  team" not in labels(picker)


async def test_f1_in_the_picker_lists_its_keys(make_app: Callable[..., SwitchboardApp]) -> None:
    """A modal hides the app's f1: the picker has its own, and the help lists the picker's keys."""
    from tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_id(pilot, WA)
        await team_picker(pilot)
        await pilot.press("down", "down", "down", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(app.screen.query_one("#help-table", Static).content)
        table = console.export_text()
        for binding_id in ("snippets.refresh", "snippets.new", "snippets.edit", "snippets.delete"):
            assert binding_id in table, binding_id
