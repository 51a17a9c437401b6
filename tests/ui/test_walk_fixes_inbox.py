"""Issue 19, a working day in the inbox: the palette opens a contact by name before its fuzzy
commands, help and quit stay in the key bar at 80 columns, `q` asks before quitting, and Enter
on a search's single row opens it even while the server is still answering (and a search typed
in one burst after `/` lands in the search, not on the list's letter keys)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from tests.ui.conftest import notifications, wait_for
from tui.app import SwitchboardApp
from tui.screens.conversation import ConversationScreen
from tui.screens.inbox import InboxScreen
from tui.widgets.key_bar import KeyBar


async def inbox_loaded(app: SwitchboardApp, pilot: Any) -> InboxScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.list.loaded)
    await wait_for(pilot, lambda: app.screen.list.row(0) is not None)  # type: ignore[attr-defined]
    assert isinstance(app.screen, InboxScreen)
    return app.screen


async def conversation_shown(app: SwitchboardApp, pilot: Any) -> str:
    """The contact of the conversation that opened, once its history is drawn."""
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen))
    screen = app.screen
    assert isinstance(screen, ConversationScreen)
    await wait_for(pilot, lambda: len(screen.history.children) > 0)
    return screen.conversation.contact_name


def options(app: SwitchboardApp) -> list[str]:
    listed = app.screen.query_one(CommandList)
    return [str(listed.get_option_at_index(i).prompt).split("\n")[0] for i in range(listed.option_count)]


async def test_the_palette_puts_a_contact_above_fuzzy_commands(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    """`zoe` is also a fuzzy match for "Snooze… (conversation …)": the contact Zoë comes first,
    in the first batch of hits for the query (no wait for the server), and Enter opens her."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_loaded(app, pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("z", "o", "e")
        await wait_for(pilot, lambda: any("Zoë" in o for o in options(app)))
        assert options(app)[0].startswith("Open Zoë Müller"), options(app)
        assert any(o.startswith("Snooze") for o in options(app))  # the fuzzy match, below her
        await pilot.pause(1.0)  # the server's answer adds no second Zoë above or beside her
        shown = options(app)
        assert shown[0].startswith("Open Zoë Müller") and sum("Zoë" in o for o in shown) == 1, shown
        await pilot.press("enter")
        assert await conversation_shown(app, pilot) == "Zoë Müller"


async def test_help_and_quit_are_in_the_inbox_key_bar_at_80_columns(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_loaded(app, pilot)
        await pilot.pause(0.1)
        bar = str(app.screen.query_one(KeyBar).render())
        assert " f1 Help " in bar and " ^q Quit " in bar, bar
        assert bar.startswith(" ⏎ Open ") and bar.rstrip().endswith("^p palette"), bar


async def test_q_quits_only_when_pressed_again(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inbox_loaded(app, pilot)
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.return_code is None, "q quit at once"
        assert "Press q again to quit (ctrl+q quits at once)." in notifications(app)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code == 0)


async def test_q_again_after_a_pause_asks_again(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await inbox_loaded(app, pilot)
        await pilot.press("q")
        screen.quit_asked_at -= 10  # the first q was long ago
        await pilot.press("q")
        await pilot.pause(0.1)
        assert app.return_code is None
        assert notifications(app).count("Press q again to quit (ctrl+q quits at once).") == 2


async def test_enter_on_one_search_hit_opens_it_while_the_server_answers(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    """A real server takes a moment: Enter pressed while the search is asked (the one row still
    on screen) opens that row once the answer confirms it, the first time."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await inbox_loaded(app, pilot)
        client = app.backend.client  # type: ignore[union-attr]
        ask = client.list_conversations

        async def slow(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0.6)
            return await ask(*args, **kwargs)

        client.list_conversations = slow  # type: ignore[method-assign]
        await pilot.press("slash", *"fatima")
        await wait_for(pilot, lambda: screen.search == "fatima")  # asked; its answer is on its way
        assert not screen.list.loaded
        await pilot.press("enter")
        assert await conversation_shown(app, pilot) == "Fatima Zahra"


async def test_enter_on_a_search_with_several_rows_opens_nothing(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await inbox_loaded(app, pilot)
        await pilot.press("slash", *"ana", "enter")
        await wait_for(pilot, lambda: screen.search == "ana" and screen.list.loaded)
        await pilot.pause(0.3)
        assert screen.list.total > 1 and app.screen is screen and app.focused is screen.list


async def test_a_search_typed_in_one_burst_goes_into_the_search(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    """A fast typist (or a paste) sends "/zoe" in one read: the letters after `/` must not reach
    the list, where `z` snoozes, `a` assigns and `t` takes over."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await inbox_loaded(app, pilot)
        search = screen.query_one("#search", Input)
        driver = app._driver
        assert driver is not None
        for last in ("", "fatima"):  # the last query is replaced, as when typed slowly
            search.value = last
            screen.list.focus()
            await pilot.pause(0.1)
            for key, char in (("slash", "/"), ("z", "z"), ("o", "o"), ("e", "e")):
                event = events.Key(key, char)
                event.set_sender(app)
                driver.send_message(event)  # all queued before the first is handled
            await pilot.pause(0.3)
            assert app.screen is screen, f"a letter reached the list: {app.screen}"
            assert search.value == "zoe"
        await pilot.press("escape", "slash", "a", "n", "a")  # typed slowly: as before
        assert search.value == "ana"
        screen.list.focus()
        await pilot.press("slash", "x")  # the old query selected: replaced
        assert search.value == "x"
