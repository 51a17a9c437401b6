"""Pick files to attach: a directory tree and a typed path with completion.

The highlighted file's size and type are shown, and any entry the conversation's channel cannot
take is marked with the reason, before anything is uploaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import DirectoryTree, Input, Label, Static
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

from tui.core.channels import ChannelSpec
from tui.core.errors import SwitchboardError
from tui.core.files import LocalFile, human_size, inspect_file
from tui.core.policy import check_file
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar


class PathSuggester(Suggester):
    """Completes the last segment of a typed path from what is on disk."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        expanded = Path(os.path.expanduser(value))
        folder, stem = (expanded, "") if value.endswith("/") else (expanded.parent, expanded.name)
        try:
            names = sorted(
                p.name
                for p in folder.iterdir()
                if p.name.startswith(stem) and (stem or not p.name.startswith("."))
            )
        except OSError:
            return None
        if not names:
            return None
        choice = names[0]
        suffix = "/" if (folder / choice).is_dir() else ""
        return value + choice[len(stem) :] + suffix


def shown_path(path: Path) -> str:
    """`~/…` for paths under the home folder: shorter, and the same on every machine."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home)) if path != home else "~"
    except ValueError:
        return str(path)


def judge(path: Path, spec: ChannelSpec | None) -> tuple[LocalFile | None, str | None]:
    """(the inspected file, the reason it cannot go) — reason None when it can."""
    try:
        info = inspect_file(path)
    except SwitchboardError as exc:
        return None, exc.sentence
    if spec is None:
        return info, "This conversation's channel takes no files."
    try:
        check_file(info, spec)
    except SwitchboardError as exc:
        return info, exc.sentence
    return info, None


class PickerTree(DirectoryTree):
    BINDINGS = [
        Binding("space", "mark", "Mark", id="picker.mark"),
        Binding("full_stop", "toggle_hidden", "Hidden files", id="picker.hidden"),
        Binding("backspace", "parent", "Up a folder", id="picker.parent"),
    ]

    def process_label(self, label: str | Text) -> Text:
        """A file name is data: never markup, never escapes (Tree would parse a str as markup)."""
        plain = label.plain if isinstance(label, Text) else str(label)
        return Text(visible(plain, multiline=False), no_wrap=True, overflow="ellipsis")

    def __init__(self, path: Path, spec: ChannelSpec | None, **kw: object) -> None:
        self.show_hidden = False
        self.spec = spec
        self.marked: list[Path] = []
        self._verdicts: dict[Path, str | None] = {}
        super().__init__(path, **kw)  # type: ignore[arg-type]

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if self.show_hidden or not p.name.startswith(".")]

    def verdict(self, path: Path) -> str | None:
        if path not in self._verdicts:
            self._verdicts[path] = judge(path, self.spec)[1]
        return self._verdicts[path]

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        path = node.data.path if node.data is not None else None
        if path is None or path.is_dir():
            return label
        if path in self.marked:
            label = Text("✓ ", style="bold") + label
        if self.verdict(path):
            label.stylize("dim strike")
            label.append("  ✗", style="dim")
        return label

    def action_mark(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None or node.data.path.is_dir():
            return
        path = node.data.path
        if path in self.marked:
            self.marked.remove(path)
        elif (reason := self.verdict(path)) is not None:
            self.app.bell()  # a file the channel cannot take is never marked
            self.post_message(FilePickerScreen.Refused(reason))
            return
        else:
            self.marked.append(path)
        node.refresh()  # the mark shows at once, under the cursor too
        self.post_message(FilePickerScreen.Marked())

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.reload()

    def action_parent(self) -> None:
        self.path = Path(self.path).resolve().parent
        self.post_message(FilePickerScreen.Moved(Path(self.path)))


class FilePickerScreen(BaseModal[list[Path] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("ctrl+j,alt+enter", "confirm", "Attach marked", id="picker.confirm", priority=True),
    ]

    class Marked(Message):
        """The tree's marked set changed."""

    class Refused(Message):
        """The agent tried to mark a file the channel cannot take."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Moved(Message):
        """The tree now shows another folder."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, spec: ChannelSpec | None, start: Path | None = None) -> None:
        super().__init__()
        self.spec = spec
        # The folder the agent picked from last time, else home: never the process's own folder.
        self.start = (start if start is not None and start.is_dir() else Path.home()).resolve()

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(" Attach files · enter attaches · space marks · esc cancels", id="picker-title")
            yield Input(shown_path(self.start) + "/", id="picker-path", suggester=PathSuggester())
            with Horizontal(id="picker-body"):
                yield PickerTree(self.start, self.spec, id="picker-tree")
                yield Static(id="picker-info")
            yield Static(id="picker-marked")
        yield KeyBar()

    @property
    def picker_tree(self) -> PickerTree:
        return self.query_one(PickerTree)

    def on_mount(self) -> None:
        self.picker_tree.show_root = False  # the path field above says where we are
        path_box = self.query_one("#picker-path", Input)
        path_box.focus()  # type a path at once; tab moves to the tree
        path_box.cursor_position = len(path_box.value)
        self._show_marked()

    def on_file_picker_screen_refused(self, message: Refused) -> None:
        self.notify(message.reason, severity="warning", timeout=6, markup=False)

    def on_file_picker_screen_moved(self, message: Moved) -> None:
        self.query_one("#picker-path", Input).value = shown_path(message.path) + "/"

    @on(DirectoryTree.NodeHighlighted)
    def _highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        data = event.node.data
        if data is not None:
            self._describe(data.path)

    def _describe(self, path: Path) -> None:
        info_box = self.query_one("#picker-info", Static)
        if path.is_dir():
            info_box.update(Text(f"{one_line(path.name, 40)}/\nfolder"))
            return
        info, reason = judge(path, self.spec)
        text = Text()
        text.append(one_line(path.name, 60), style="bold")
        if info is not None:
            text.append(f"\n{human_size(info.size)} · {info.mime}")
        if reason:
            text.append(f"\n\n✗ {one_line(reason)}", style="bold")
        elif self.spec is not None:
            text.append(f"\n\n✓ {self.spec.label} takes this file")
        info_box.update(text)
        info_box.set_class(bool(reason), "-refused")

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        path = event.path
        reason = self.picker_tree.verdict(path)
        if reason is not None and path not in self.picker_tree.marked:
            self.app.bell()
            self.notify(reason, severity="warning", timeout=6, markup=False)
            return
        if path not in self.picker_tree.marked:
            self.picker_tree.marked.append(path)
        self.action_confirm()

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        path = Path(os.path.expanduser(event.value.strip()))
        if path.is_dir():
            self.picker_tree.path = path.resolve()
            self.picker_tree.focus()
        elif path.is_file():
            self._describe(path)
            reason = self.picker_tree.verdict(path.resolve())
            if reason is not None:
                self.app.bell()
                self.notify(reason, severity="warning", timeout=6, markup=False)
            elif path.resolve() not in self.picker_tree.marked:
                self.picker_tree.marked.append(path.resolve())
            self._show_marked()
        else:
            self.app.notify(f"{one_line(str(path), 80)} does not exist.", severity="warning")

    def on_file_picker_screen_marked(self) -> None:
        self._show_marked()

    def _show_marked(self) -> None:
        marked = self.picker_tree.marked
        text = Text(
            f" {len(marked)} marked"
            + (": " + ", ".join(one_line(p.name, 24) for p in marked) if marked else "")
        )
        self.query_one("#picker-marked", Static).update(text)

    def action_confirm(self) -> None:
        self.ctx.last_folder = Path(self.picker_tree.path)
        self.dismiss(list(self.picker_tree.marked) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
