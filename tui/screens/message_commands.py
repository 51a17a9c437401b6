"""The palette's commands for the message in focus: its own keys (o, s, p, q, X), findable by name."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand

from tui.widgets.history_item import HistoryItem


def message_commands(item: HistoryItem) -> Iterable[SystemCommand]:
    """The commands the focused message offers now (its `check_action` says which)."""
    offered = (
        (
            "file",
            ("open",),
            "Open the message's file",
            "Download it and open it (o)",
            lambda: item.action_file("open"),
        ),
        (
            "file",
            ("save",),
            "Save the message's file…",
            "Save it where you say (s)",
            lambda: item.action_file("save"),
        ),
        ("preview", (), "Preview the message's image", "In the terminal (p)", item.action_preview),
        ("quote", (), "Quote the message in a reply", "The reply starts with it (q)", item.action_quote),
        ("delete", (), "Delete the message…", "After a yes; it shows as deleted (X)", item.action_delete),
    )
    for action, parameters, title, help_text, run in offered:
        if item.check_action(action, parameters):
            yield SystemCommand(title, help_text, run)
