"""The template picker and form on a sandbox whose list holds a malformed template and a huge one
(`--bad-template`, `--huge-template`), driven by the keyboard over loopback: the picker says in
one line what it could not read, marks the template beyond WhatsApp's limits as unusable and
refuses it in one sentence; one Enter after a filter picks the first match; and the form of the
largest template the limits allow asks for no layout and reads no widget as the agent types."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from tests.ui.conftest import notifications, wait_for
from tests.ui.test_flows import open_conversation, type_text
from tui.app import SwitchboardApp

TOO_BIG = (
    "The template 'huge_template' has 1,000 buttons and WhatsApp allows at most 10, so it cannot be "
    "sent; fix it in WhatsApp Manager or pick another template."
)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """The sandbox with the template faults a test asks for (indirect parametrize), else the
    malformed template and one of 1,000 variables and buttons."""
    from tui.sandbox.runner import start_in_thread

    faults = getattr(request, "param", {"bad_template": True, "huge_template": 1000})
    running = start_in_thread(data_dir=tmp_path / "sandbox", **faults)
    try:
        yield running
    finally:
        running.stop()


async def open_picker(pilot: Pilot) -> Any:
    from tui.screens.templates import TemplatePickerScreen

    await open_conversation(pilot, "whatsapp", "closed")
    await pilot.press("ctrl+t")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, TemplatePickerScreen) and bool(app.screen.templates))
    return app.screen


def shown(widget: Static) -> str:
    return str(widget.render())


async def test_the_picker_counts_the_unreadable_and_refuses_the_huge(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    from tui.screens.templates import TemplateFormScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot)
        note = picker.query_one("#template-note", Static)
        assert note.display and shown(note) == "1 template could not be read and is not shown."
        listed = picker.query_one("#template-list", OptionList)
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert any(p.startswith("order_shipped") for p in prompts)  # the others are all there
        (huge,) = [p for p in prompts if p.startswith("huge_template")]
        assert "1000 buttons" in huge and "unusable: over WhatsApp's limits" in huge
        assert not any("broken_template" in p for p in prompts)
        await type_text(pilot, "huge")
        assert shown(picker.query_one("#template-preview", Static)).startswith(TOO_BIG)
        await pilot.press("enter")
        await wait_for(pilot, lambda: TOO_BIG in notifications(app))
        assert app.screen is picker and not any(isinstance(s, TemplateFormScreen) for s in app.screen_stack)
        listed.focus()  # Enter on the list refuses it too
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker and notifications(app).count(TOO_BIG) == 2


async def test_one_enter_after_a_filter_picks_the_first_match(
    make_app: Callable[..., SwitchboardApp],
) -> None:
    from tui.screens.templates import TemplateFormScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot)
        await type_text(pilot, "shipping")
        assert picker.focused is picker.query_one("#template-search", Input)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        assert app.screen.template.name == "shipping_notice"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is picker)
        search = picker.query_one("#template-search", Input)
        search.value = ""
        await type_text(pilot, "order")
        listed = picker.query_one("#template-list", OptionList)
        assert picker.focused is search and listed.option_count > 1
        second = picker.templates[int(listed.get_option_at_index(1).id or 0)].name
        await pilot.press("down", "enter")  # down moves the highlight from the search field
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        assert app.screen.template.name == second  # type: ignore[attr-defined]


@pytest.mark.parametrize("sandbox", [{"huge_template": (100, 2)}], indirect=True)
async def test_the_largest_allowed_form_types_without_layouts_or_lookups(
    make_app: Callable[..., SwitchboardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.screens.templates import TemplateFormScreen

    layouts: list[Screen[Any]] = []
    refresh_layout = Screen._refresh_layout

    def counting(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(screen)
        refresh_layout(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await open_picker(pilot)
        await type_text(pilot, "huge_template")
        picker.query_one("#template-list", OptionList).focus()
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        form: TemplateFormScreen = app.screen  # type: ignore[assignment]
        assert picker is not form and len(form.query(Input)) == 103  # 1 header, 100 body, 2 buttons
        first = form.query_one("#slot-1", Input)  # body {{1}}: the header holds the contact's name
        await wait_for(pilot, lambda: app.focused is first)
        await pilot.press("A")  # the field is filled now: the missing line changes once
        await pilot.pause()
        lookups: list[str] = []
        for name in ("query", "query_one", "query_exactly_one"):
            real = getattr(form, name)
            monkeypatch.setattr(
                form, name, lambda *a, _real=real, _name=name, **k: (lookups.append(_name), _real(*a, **k))[1]
            )
        layouts.clear()
        await type_text(pilot, "BCDEFGHIJK")
        await pilot.pause()
        assert lookups == []  # no widget is looked up on a keystroke
        live = shown(form.query_one("#template-live", Static))
        assert (
            "Values: ABCDEFGHIJK {{2}} {{3}}" in live
            and "[Link 1 → https://example.com/item/1/{{1}}]" in live
        )
        assert len(layouts) <= 2, len(layouts)  # only when the preview's height changes
        await pilot.press("tab")
        await type_text(pilot, "Z")
        await pilot.pause()
        assert "Values: ABCDEFGHIJK Z {{3}}" in shown(form.query_one("#template-live", Static))
