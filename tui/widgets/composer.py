"""The composer: a multi-line editor with a reply/note mode, attachment chips, the quoted
message a reply answers, a live counter for the channel, a window banner and upload progress.

It only collects what the agent wants to send and posts `Composer.Submitted`; the screen sends.
A snippet is asked for with `Composer.SnippetWanted` (`/` in an empty composer, or ctrl+r
anywhere) and goes in at the cursor with `insert_snippet`. Text still holding a `{{variable}}`
(a snippet's value the contact does not have) is never sent: the send is refused, naming it.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Label, Static, TextArea
from textual.widgets.text_area import Edit, EditResult

from tui.core.channels import ChannelSpec
from tui.core.errors import SwitchboardError
from tui.core.files import LocalFile, human_size, inspect_file
from tui.core.images import is_image_name
from tui.core.models import Message as ApiMessage
from tui.core.policy import check_file
from tui.core.snippets import unfilled, unfilled_sentence
from tui.core.text import one_line
from tui.core.textcount import measure
from tui.widgets.quote import composer_quote
from tui.widgets.rows import URGENCY_MARKS

PLACEHOLDERS = {
    "reply": "Reply to the customer… ({keys} sends)",
    "note": "Internal note, only your team sees it… ({keys} saves)",
}
DEFAULT_SEND_KEYS = "ctrl+j or alt+enter"


class ComposerArea(TextArea):
    """The editor. Enter is a newline; ctrl+j and alt+enter send (both survive SSH and tmux)."""

    BINDINGS = [
        Binding("ctrl+j,alt+enter,ctrl+enter", "submit", "Send", id="composer.send", priority=True),
        # A snippet at the cursor (the help lists it; the footer has no room at 80 columns).
        Binding("ctrl+r", "snippet", "Snippet", show=False, id="composer.snippet"),
    ]

    class Submit(Message):
        pass

    def action_submit(self) -> None:
        self.post_message(self.Submit())

    def action_snippet(self) -> None:
        self.post_message(Composer.SnippetWanted())

    def edit(self, edit: Edit) -> EditResult:
        """Count as part of the edit, so the new text and its count are drawn in one frame
        (the `Changed` message would come a frame later)."""
        result = super().edit(edit)
        if isinstance(self.parent, Composer):
            self.parent.update_counter()
        return result


class Chip(Button):
    """An attached file; Delete, Backspace, Enter or a click removes it; p previews an image."""

    BINDINGS = [
        Binding("delete,backspace", "press", "Remove file", id="composer.remove_file"),
        Binding("p", "preview", "Preview", id="composer.preview_file"),
    ]

    class PreviewRequested(Message):
        """The agent wants to see this image before sending it (the screen opens the preview)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, path: Path, label: str) -> None:
        super().__init__(Text(label), classes="chip", compact=True)  # a file name is not markup
        self.path = path

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_image_name(self.path.name) if action == "preview" else True

    def action_preview(self) -> None:
        self.post_message(self.PreviewRequested(self.path))


class QuoteLine(Button):
    """The message the reply quotes, above the text; Delete, Backspace, Escape, Enter or a click
    drops the quote (the text stays)."""

    DEFAULT_CSS = """
    QuoteLine { display: none; width: 1fr; height: 1; }
    QuoteLine.-shown { display: block; text-align: left; content-align: left middle; padding: 0 1; }
    """
    BINDINGS = [Binding("delete,backspace,escape", "press", "Drop quote", id="composer.drop_quote")]


class Composer(Vertical):
    mode: reactive[str] = reactive("reply")

    class Submitted(Message):
        def __init__(
            self,
            text: str,
            note: bool,
            attachments: list[Path | LocalFile],
            reply_to: int | str | None = None,
        ) -> None:
            super().__init__()
            self.text = text
            self.note = note
            self.attachments = attachments
            #: The id of the quoted message (`Draft.reply_to`), or None.
            self.reply_to = reply_to

    class SnippetWanted(Message):
        """`/` in an empty composer or ctrl+r anywhere: pick a snippet to insert at the cursor."""

    class DraftChanged(Message):
        """The text or the attachments of the current mode changed: time to save the draft."""

    def __init__(self, spec: ChannelSpec | None, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.spec = spec
        self.attachments: list[Path] = []
        # Each file as it was when attached: a file changed before the send is refused, not sent.
        self.picked: dict[Path, LocalFile] = {}
        # The other mode's draft while it is not shown: reply and note are separate drafts.
        self.stashed: dict[str, tuple[str, list[Path]]] = {}
        self._counter_width = -1
        self._counter_shown = ""
        self._progress = ""
        self.send_keys = DEFAULT_SEND_KEYS
        #: The message this reply quotes (shown above the text), or None.
        self.quoting: ApiMessage | None = None
        self._slash_typed = False  # a literal '/' (from '//') that must not open the snippets
        self._before = ""  # the text before the latest change

    def compose(self) -> ComposeResult:
        with Horizontal(id="composer-top"):
            yield Label("REPLY", id="mode-label")
            yield Static("", id="window-banner")
        yield Horizontal(id="chips")
        yield QuoteLine("", id="composer-quote", compact=True)
        yield ComposerArea(
            id="composer-area",
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=PLACEHOLDERS["reply"].format(keys=self.send_keys),
        )
        with Horizontal(id="composer-bottom"):
            yield Static("", id="progress")
            yield Static("", id="counter")

    def on_mount(self) -> None:
        self.watch_mode(self.mode)
        self.update_counter()

    @property
    def area(self) -> ComposerArea:
        return self.query_one(ComposerArea)

    @property
    def text(self) -> str:
        return self.area.text

    def set_text(self, text: str) -> None:
        self.area.load_text(text)
        self.area.move_cursor(self.area.document.end)

    def watch_mode(self, mode: str) -> None:
        if not self.is_mounted:
            return
        label = self.query_one("#mode-label", Label)
        label.update("NOTE" if mode == "note" else "REPLY")
        self.set_class(mode == "note", "-note")
        self.area.placeholder = PLACEHOLDERS[mode].format(keys=self.send_keys)
        self.update_counter()

    def set_send_keys(self, keys: str) -> None:
        """The send keys as the keymap has them, for the placeholder ("ctrl+s sends")."""
        self.send_keys = keys
        if self.is_mounted:
            self.area.placeholder = PLACEHOLDERS[self.mode].format(keys=keys)

    def toggle_mode(self) -> None:
        """Swap to the other mode's draft, keeping this one aside."""
        other = "reply" if self.mode == "note" else "note"
        self.stashed[self.mode] = (self.text, list(self.attachments))
        text, files = self.stashed.pop(other, ("", []))
        self.mode = other
        self.load_draft(text, files)

    def load_draft(self, text: str, attachments: list[Path]) -> None:
        self.clear_attachments()
        self.set_text(text)
        self.add_attachments(attachments)

    def draft_of(self, mode: str) -> tuple[str, list[Path]]:
        """The draft of either mode, shown or stashed."""
        if mode == self.mode:
            return self.text, list(self.attachments)
        return self.stashed.get(mode, ("", []))

    def set_banner(self, text: Text | str, kind: str) -> None:
        """The window banner, coloured by kind; urgency also in a glyph (NO_COLOR keeps it)."""
        banner = self.query_one("#window-banner", Static)
        mark = URGENCY_MARKS.get(kind)
        banner.update(Text.assemble(mark, text) if mark else text)
        for k in ("open", "soon", "urgent", "closed", "none"):
            banner.set_class(k == kind, f"-{k}")

    @property
    def progress(self) -> str:
        return self._progress

    def set_progress(self, text: str) -> None:
        # The progress line takes the width the counter leaves: no new layout for a new text.
        if text != self._progress:
            self._progress = text
            self.query_one("#progress", Static).update(Text(text), layout=False)

    # -- the quote -----------------------------------------------------------------------------

    def set_quote(self, original: ApiMessage) -> None:
        """Quote `original` in this reply: its sender and first line above the text."""
        self.quoting = original
        line = self.query_one(QuoteLine)
        line.label = composer_quote(original)
        line.add_class("-shown")

    def clear_quote(self) -> None:
        self.quoting = None
        self.query_one(QuoteLine).remove_class("-shown")

    @property
    def reply_to(self) -> int | str | None:
        return self.quoting.id if self.quoting is not None else None

    @on(Button.Pressed, "#composer-quote")
    def _drop_quote(self, event: Button.Pressed) -> None:
        event.stop()
        self.clear_quote()
        self.area.focus()

    # -- snippets --------------------------------------------------------------------------------

    def insert_snippet(self, text: str, files: list[Path]) -> None:
        """A snippet's text at the cursor (replacing a selection), its files as attachments."""
        if text == "/" and not self.text:
            self._slash_typed = True  # '//' types a '/', which must not open the snippets again
        start, end = sorted(self.area.selection)
        self.area.replace(text, start, end)
        if files:
            self.add_attachments(files)

    # -- attachments --------------------------------------------------------------------------

    def add_attachments(self, paths: list[Path]) -> None:
        chips = self.query_one("#chips", Horizontal)
        for path in paths:
            if path in self.attachments:
                continue
            refused = False
            try:
                info = self.picked[path] = inspect_file(path)
                label = f"📎 {one_line(info.name, 28)} {human_size(info.size)} ✕"
                if self.spec is not None:
                    check_file(info, self.spec)
            except SwitchboardError:  # unreadable, or a file this channel cannot take
                refused = True
                label = f"✗ {one_line(path.name, 28)} cannot go ✕"
            self.attachments.append(path)
            chip = Chip(path, label)
            chip.set_class(refused, "-refused")
            chips.mount(chip)
        chips.set_class(bool(self.attachments), "-has-files")
        self.update_counter()
        self.post_message(self.DraftChanged())

    def clear_attachments(self) -> None:
        self.attachments.clear()
        self.picked.clear()
        chips = self.query_one("#chips", Horizontal)
        chips.remove_children()
        chips.remove_class("-has-files")
        self.post_message(self.DraftChanged())

    @on(Button.Pressed, ".chip")
    def _remove_chip(self, event: Button.Pressed) -> None:
        event.stop()
        chip = event.button
        assert isinstance(chip, Chip)
        self.attachments.remove(chip.path)
        self.picked.pop(chip.path, None)
        chip.remove()
        self.query_one("#chips", Horizontal).set_class(bool(self.attachments), "-has-files")
        self.update_counter()
        self.post_message(self.DraftChanged())
        self.area.focus()

    # -- counter and submit -------------------------------------------------------------------

    @on(TextArea.Changed)
    def _changed(self) -> None:
        before, self._before = self._before, self.text
        if self.text == "/" and not before and not self._slash_typed:
            # '/' typed into an empty composer opens the snippets ('//' types one; backspacing
            # "/x" to "/" does not).
            self.area.load_text("")
            self.post_message(self.SnippetWanted())
            return
        if self.text != "/":
            self._slash_typed = False
        self.update_counter()
        self.post_message(self.DraftChanged())

    def update_counter(self) -> None:
        if self.spec is None or not self.is_mounted:
            return
        limits = self.spec.limits
        cap = limits.caption_max if self.attachments and limits.caption_max and self.mode == "reply" else None
        m = measure(self.text, limits, limit=cap)
        shown = m.describe() + (" (caption)" if cap else "")
        if shown == self._counter_shown:
            return
        self._counter_shown = shown
        counter = self.query_one("#counter", Static)
        # A layout pass reflows the whole screen (the history too): only when the width changes,
        # not on every keystroke.
        counter.update(Text(shown), layout=len(shown) != self._counter_width)
        self._counter_width = len(shown)
        counter.set_class(m.over, "-over")

    @on(ComposerArea.Submit)
    def _submit(self, event: ComposerArea.Submit) -> None:
        event.stop()
        names = unfilled(self.text)
        if names:  # a snippet's variable the contact could not fill: never sent raw
            self.notify(unfilled_sentence(names), severity="error", timeout=8)
            return
        files = [self.picked.get(p, p) for p in self.attachments]
        self.post_message(self.Submitted(self.text, self.mode == "note", files, self.reply_to))
