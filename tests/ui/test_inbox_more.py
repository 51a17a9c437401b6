"""The conversation list's rows and the inbox beyond the main flows."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import Static

from tests.ui.conftest import wait_for
from tests.ui.test_flows import inbox_ready
from tui.app import SwitchboardApp
from tui.core.models import Contact, Conversation
from tui.screens.help import HelpScreen
from tui.screens.inbox import InboxScreen
from tui.widgets.conversation_list import PAGE
from tui.widgets.rows import fit_cells, row_text

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def conversation(first: str, last: str, unread: int = 0, preview: str = "Hello there") -> Conversation:
    return Conversation(
        id=1,
        channel="whatsapp",
        unread_count=unread,
        contact=Contact(id=1, first_name=first, last_name=last),
        last_message_text=preview,
        last_message_at=NOW - timedelta(minutes=5),
        last_inbound_message_at=NOW - timedelta(hours=1),
    )


def column_of(text: str, needle: str) -> int:
    """The terminal cell where `needle` starts in `text`."""
    return cell_len(text[: text.index(needle)])


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(
    ("first", "last"),
    [("愛子", "田中"), ("😀", "Emoji"), ("Zoë", "Ångström"), ("王小明王小明王小明王小明", "長い名前")],
)
def test_wide_names_keep_the_columns(first: str, last: str, width: int) -> None:
    plain = row_text(conversation("Ana", "Silva"), NOW, width, {}).plain
    wide = row_text(conversation(first, last), NOW, width, {}).plain
    assert cell_len(plain) == cell_len(wide) == width - 1
    for column in ("left", "5m", "Hello there"):
        assert column_of(wide, column) == column_of(plain, column), column


def test_a_wide_preview_fills_the_row_exactly() -> None:
    text = row_text(conversation("Ana", "Silva", preview="こんにちは" * 20), NOW, 80, {})
    assert cell_len(text.plain) == 79
    assert text.plain.endswith("…")


@pytest.mark.parametrize("width", [1, 2, 5, 16])
def test_fit_cells_is_exact(width: int) -> None:
    for name in ("愛子 田中", "abc", "😀😀😀😀😀😀😀😀😀😀", "a愛b子c田d中" * 3):
        fitted = fit_cells(name, width)
        assert cell_len(fitted) == width, (name, fitted)


def test_fit_cells_marks_a_cut() -> None:
    assert fit_cells("愛子田中愛子田中愛子田中", 16).endswith("…")
    assert fit_cells("愛子 田中", 16).rstrip() == "愛子 田中"


# -- the inbox on the sandbox ----------------------------------------------------------------------


def add_conversations(sandbox: Any, copies: int) -> int:
    """Clone the seeded conversations `copies` times, older each time; returns the new total."""
    db = sqlite3.connect(sandbox.data_dir / "sandbox.db")
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(conversations)")]
        rows = [dict(zip(columns, row, strict=True)) for row in db.execute("SELECT * FROM conversations")]
        (top,) = db.execute("SELECT MAX(id) FROM conversations").fetchone()
        for k in range(1, copies + 1):
            for row in rows:
                top += 1
                shift = 86400 * 40 * k
                clone = {
                    **row,
                    "id": top,
                    "last_message_text": f"copy {k}",
                    "last_message_at": (row["last_message_at"] or 0) - shift,
                    "last_interaction_at": (row["last_interaction_at"] or 0) - shift,
                    "last_inbound_message_at": (
                        row["last_inbound_message_at"] - shift if row["last_inbound_message_at"] else None
                    ),
                }
                marks = ", ".join("?" * len(columns))
                db.execute(
                    f"INSERT INTO conversations ({', '.join(columns)}) VALUES ({marks})",
                    [clone[c] for c in columns],
                )
        db.commit()
        (total,) = db.execute("SELECT COUNT(*) FROM conversations").fetchone()
        return int(total)
    finally:
        db.close()


async def test_more_pages_load_as_you_scroll(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    total = add_conversations(sandbox, 5)
    assert total > 3 * PAGE
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await inbox_ready(pilot)
        assert rows.total == total
        assert rows.held_pages == [0]
        await pilot.press("pagedown", "pagedown", "pagedown")
        assert rows.cursor > 50
        await wait_for(pilot, lambda: PAGE in rows.held_pages and rows.row(rows.cursor) is not None)
        await pilot.press("G")
        await wait_for(pilot, lambda: rows.row(total - 1) is not None)
        assert rows.cursor == total - 1
        last = rows.row(total - 1)
        assert last is not None and last.last_message_text == "copy 5"
        await pilot.press("k", "k")
        assert rows.cursor == total - 3
        await pilot.press("g")
        await wait_for(pilot, lambda: rows.row(0) is not None)
        assert rows.cursor == 0


async def test_refresh_keeps_the_cursor_on_its_conversation(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await inbox_ready(pilot)
        await pilot.press("j", "j", "j")
        chosen = rows.current
        assert chosen is not None
        # A conversation further down gets a new message and moves to the top.
        mover = next(
            c
            for i in range(5, rows.total)
            if (c := rows.row(i)) is not None and c.channel in ("webchat", "sms", "playground")
        )
        db = sqlite3.connect(sandbox.data_dir / "sandbox.db")
        with db:
            db.execute(
                "UPDATE conversations SET last_message_text = 'bumped', "
                "last_message_at = (SELECT MAX(last_message_at) FROM conversations) + 60, "
                "last_interaction_at = (SELECT MAX(last_interaction_at) FROM conversations) + 60 "
                "WHERE id = ?",
                (mover.id,),
            )
        db.close()
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        screen.refresh_held_pages()
        await wait_for(pilot, lambda: rows.row(0) is not None and rows.row(0).id == mover.id)  # type: ignore[union-attr]
        assert rows.current is not None and rows.current.id == chosen.id
        assert rows.cursor == 4


async def test_question_mark_opens_help_with_grouped_keys(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=80, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-table", Static).content)
        text = console.export_text()
        assert "id (for [keymap])" in text
        down = next(line for line in text.splitlines() if "list.down" in line)
        assert "j" in down and "↓" in down
        assert sum("list.down" in line for line in text.splitlines()) == 1
        await pilot.press("question_mark")
        assert isinstance(app.screen, InboxScreen)


@pytest.mark.parametrize("theme", ["switchboard-day", "switchboard-night", "textual-light"])
async def test_muted_columns_are_readable(make_app: Callable[..., SwitchboardApp], theme: str) -> None:
    app = make_app(theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await inbox_ready(pilot)
        background = rows.rich_style.bgcolor
        assert background is not None
        for name, style in rows._styles().items():
            color = style.color  # type: ignore[union-attr]
            assert color is not None, name
            assert color.get_truecolor() != background.get_truecolor(), name
            assert color.get_truecolor() != (255, 255, 255) or app.current_theme.dark, name


async def test_summary_says_one_conversation(make_app: Callable[..., SwitchboardApp], sandbox: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await inbox_ready(pilot)
        first = rows.row(0)
        assert first is not None and first.contact is not None
        await pilot.press("slash")
        for ch in f"{first.contact.first_name} {first.contact.last_name}":
            await pilot.press("space" if ch == " " else ch)
        await wait_for(pilot, lambda: rows.loaded and rows.total == 1)
        summary = str(app.screen.query_one("#filter-summary", Static).render())
        assert summary.endswith("· 1 conversation")


async def test_notifications_are_plain_text(make_app: Callable[..., SwitchboardApp]) -> None:
    """A sentence quoting "[snippets]" or "[@click=app.quit]" shows as written and does nothing."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_ready(pilot)
        app.notify_error("In /x/snippets.toml, [snippets] must map names to text [@click=app.quit]y[/].")
        await pilot.pause(0.1)
        last = list(app._notifications)[-1]
        assert last.markup is False
        assert "[snippets]" in last.message
        assert app.is_running


async def palette_search(pilot: Any, query: str) -> None:
    """Open the command palette once the backend is up and type `query` into it."""
    from textual.command import CommandPalette

    app = pilot.app
    await wait_for(pilot, lambda: app.backend is not None)
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    for ch in query:
        await pilot.press(ch)


async def test_the_palette_opens_a_conversation_by_contact(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    from textual.command import CommandList

    from tui.screens.conversation import ConversationScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await palette_search(pilot, "Zoë")

        def prompts() -> list[str]:
            options = app.screen.query_one(CommandList)
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        await wait_for(pilot, lambda: any(p.startswith("Open Zoë Müller") for p in prompts()))
        await pilot.press("down")
        await wait_for(pilot, lambda: app.screen.query_one(CommandList).highlighted == 0)
        assert prompts()[0].startswith("Open Zoë Müller · WhatsApp")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
        assert app.screen.conversation.contact_name == "Zoë Müller"  # type: ignore[attr-defined]
        # Textual's own commands are still there.
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConversationScreen))


async def test_a_new_query_keeps_the_last_rows_until_its_own_arrive(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = await inbox_ready(pilot)
        await pilot.pause(0.2)

        def first_line() -> str:
            return "".join(segment.text for segment in rows.render_line(0))

        shown = first_line()
        first = rows.row(0)
        assert first is not None and first.contact is not None and first.contact.first_name in shown
        rows.reset()  # a search or filter was typed; its first page is on its way
        assert not rows.loaded and rows.row(0) is None
        assert first_line() == shown  # no blank flash in between
        new = conversation("Zed", "New").model_copy(update={"id": 999})
        app.backend.client.cache.record(new)  # as the client's list read leaves it
        rows.store_page(0, [new], 1, rows.generation)
        assert "Zed New" in first_line() and rows.loaded
        rows.reset(keep_shown=False)  # another backend: its rows must not linger
        assert first_line().strip() == ""


async def test_the_palette_shows_customer_text_as_text(
    make_app: Callable[..., SwitchboardApp], sandbox: Any
) -> None:
    from textual.command import CommandList

    db = sandbox.state.store
    db.execute(
        "UPDATE conversations SET last_message_text = ? WHERE id = 3", ("[@click=app.quit]x[/] [/oops]",)
    )
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await palette_search(pilot, "Zoë")
        options = app.screen.query_one(CommandList)

        def hits() -> list[str]:
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        await wait_for(pilot, lambda: any(p.startswith("Open Zoë Müller") for p in hits()))
        await pilot.pause(0.1)
        shown = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in shown and app.is_running
