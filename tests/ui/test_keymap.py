"""A `[keymap]` id the app has no binding for is named once the screen is up, as an unknown theme
is, with the nearest real id; and the table of ids stays the app's real bindings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable

from textual.binding import Binding

import tui.screens
import tui.widgets
from tests.ui.conftest import notifications, wait_for
from tui.app import SwitchboardApp
from tui.keys import BINDING_IDS, keymap_problems


def declared_binding_ids() -> set[str]:
    """Every id in the BINDINGS of a class of the app, its screens or its widgets."""
    names = ["tui.app"] + [
        f"{package.__name__}.{module.name}"
        for package in (tui.screens, tui.widgets)
        for module in pkgutil.iter_modules(package.__path__)
    ]
    ids: set[str] = set()
    for name in names:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == name:
                ids.update(b.id for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id)
    return ids


def test_the_table_of_ids_is_every_binding_the_app_declares() -> None:
    assert declared_binding_ids() == BINDING_IDS


def test_a_known_id_is_no_problem_and_an_unknown_one_says_the_nearest() -> None:
    assert keymap_problems({"composer.send": "ctrl+s", "inbox.channel": "f"}) == []
    assert keymap_problems({"composer.sned": "ctrl+s"}) == [
        "The [keymap] id 'composer.sned' is not a key of the app, so it is ignored; "
        "did you mean 'composer.send'?"
    ]
    (far,) = keymap_problems({"zzz": "x"})
    assert "'zzz'" in far and "did you mean" not in far and far.endswith("F1 lists every key with its id.")
    (hostile,) = keymap_problems({"a\x1b[31mb\u202ec\nd": "x"})
    assert "\x1b" not in hostile and "\u202e" not in hostile and "\n" not in hostile


async def test_the_app_names_a_mistyped_keymap_id(make_app: Callable[..., SwitchboardApp]) -> None:
    app = make_app(keymap={"composer.sned": "ctrl+s", "inbox.channel": "f", "inbox.qiut": "ctrl+x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("[keymap]" in n for n in notifications(app)))
        problems = sorted(n for n in notifications(app) if "[keymap]" in n)
        assert problems == [
            "The [keymap] id 'composer.sned' is not a key of the app, so it is ignored; "
            "did you mean 'composer.send'?",
            "The [keymap] id 'inbox.qiut' is not a key of the app, so it is ignored; "
            "did you mean 'inbox.quit'?",
        ]
        severities = {n.severity for n in app._notifications if "[keymap]" in n.message}
        assert severities == {"warning"}  # as an unknown theme is said
