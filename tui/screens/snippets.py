"""Canned replies: a fuzzy list of the agent's own snippets (and a team folder's) and the
organization's shared replies, each saying where it came from ("yours", "team: file.toml",
"team reply"); the preview names the files that go with it and the variables this contact cannot
fill. The chosen one, with its variables filled, goes to the composer at the cursor. A `/` typed
into the empty filter (so `//` in an empty composer) types a literal `/` instead.

The team's replies come from the server (`tui.core.team_replies`): read once per profile and kept
ten minutes, so opening the picker again costs nothing; ctrl+r reads them again. A media reply's
file is checked against the channel by its type (a refusal is one sentence, and the text still
goes in), then fetched and attached as a picked file is. ctrl+n saves the composer's text as a
new team reply, ctrl+e changes the highlighted one, f8 deletes it (once confirmed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.channels import ChannelSpec
from tui.core.errors import SwitchboardError
from tui.core.models import Conversation, TeamReply
from tui.core.snippets import OWN, Snippet, context, fill, load_all, needs, search, snippets_path
from tui.core.team_replies import TeamReplyBook, book_for
from tui.core.team_reply_media import file_name
from tui.core.text import clip, one_line, visible
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

#: How the list marks the team's shared replies (a word, not a colour alone; "team reply" in the preview).
TEAM_MARK = "team"


@dataclass
class SnippetChoice:
    """What goes into the composer: the filled text, the snippet's files, and the variables
    left as markers because this contact has no value for them."""

    text: str
    files: list[Path] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


#: '//' in an empty composer: a literal slash, not a snippet.
SLASH = SnippetChoice("/")


def quoted(reply: TeamReply) -> str:
    return f"“{clip(one_line(reply.name), 50)}”"


class SnippetScreen(BaseModal[SnippetChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snippets.cancel"),
        Binding("down", "move(1)", show=False, id="snippets.down"),
        Binding("up", "move(-1)", show=False, id="snippets.up"),
        Binding("ctrl+r", "refresh", "Refresh", id="snippets.refresh"),
        Binding("ctrl+n", "new", "New team reply", id="snippets.new"),
        Binding("ctrl+e", "edit", "Edit", id="snippets.edit", priority=True),
        Binding("f8", "delete", "Delete", id="snippets.delete"),
        # A modal hides the app's f1: these keys are listed from here (the palette has them too).
        Binding("f1", "app.help", "Help", show=False, id="snippets.help"),
    ]

    def __init__(
        self,
        conversation: Conversation,
        team_dir: str | None = None,
        *,
        draft: str = "",
        spec: ChannelSpec | None = None,
    ) -> None:
        super().__init__()
        self.team_dir = team_dir
        self.values = context(conversation)
        #: The composer's text: what ctrl+n offers to save as a team reply.
        self.draft = draft
        self.spec = spec
        self.snippets: list[Snippet] = []
        self.team: list[TeamReply] = []
        self.shown: list[Snippet | TeamReply] = []
        self.fetching = False

    def compose(self) -> ComposeResult:
        with Vertical(id="snippet-picker", classes="picker-box"):
            yield Label(" Snippets · type to filter · enter inserts · esc cancels", classes="picker-title")
            yield Input(placeholder="/", id="snippet-search")
            note = Static(id="snippet-note")  # reading the team's replies, fetching a file
            note.display = False
            yield note
            with Horizontal(classes="picker-body"):
                yield OptionList(id="snippet-list")
                yield Static(id="snippet-preview", classes="preview")
        yield KeyBar()

    def on_mount(self) -> None:
        try:
            loaded = load_all(team_dir=self.team_dir)
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        else:
            self.snippets = loaded.snippets
            for problem in loaded.problems:  # a broken team file hides only its own snippets
                self.ctx.notify_error(problem)
        self._fill("")
        self.query_one("#snippet-search", Input).focus()
        self.load_team()

    # -- the team's replies ---------------------------------------------------------------------

    def _book(self) -> TeamReplyBook | None:
        backend = self.ctx.backend
        return book_for(backend.client) if backend is not None else None

    def _note(self, sentence: str | None) -> None:
        note = self.query_one("#snippet-note", Static)
        note.update(Text(sentence or "", style="italic"))
        note.display = bool(sentence)

    @work(exit_on_error=False, group="team-replies", exclusive=True)
    async def load_team(self, refresh: bool = False) -> None:
        book = self._book()
        if book is None:
            self._note("Not connected: the team's replies are not here, your own snippets are.")
            return
        kept = None if refresh else book.fresh()
        if kept is None:
            self._note("Reading the team's replies…")
            try:
                kept = await book.load(refresh=refresh)
            except SwitchboardError as exc:
                self._note(None)
                self.ctx.notify_error(f"The team's replies are not listed: {exc.sentence}")
                return
        count = len(book.skipped)
        self._note(
            f"{count} team repl{'y' if count == 1 else 'ies'} could not be read and "
            f"{'is' if count == 1 else 'are'} not shown."
            if count
            else None
        )
        self.team = list(kept)
        self._fill(self.query_one("#snippet-search", Input).value.strip())

    # -- the list -------------------------------------------------------------------------------

    def _fill(self, query: str, keep: TeamReply | None = None) -> None:
        entries: list[Snippet | TeamReply] = [*self.snippets, *self.team]
        self.shown = search(entries, query)
        options = self.query_one("#snippet-list", OptionList)
        options.clear_options()
        mixed = bool(self.team) or any(s.source != OWN for s in self.snippets)  # each says its source
        options.add_options([Option(self._label(s, mixed), id=str(i)) for i, s in enumerate(self.shown)])
        if self.shown:
            at = next((i for i, s in enumerate(self.shown) if keep is not None and s is keep), 0)
            options.highlighted = at
        self._preview()

    @staticmethod
    def _label(entry: Snippet | TeamReply, mixed: bool) -> Text:
        """Its name, and (when more than the agent's own are listed) where it came from."""
        text = Text(one_line(entry.name, 40))
        if isinstance(entry, TeamReply):
            text.append(f"  {TEAM_MARK}{' 📎' if entry.has_media else ''}", style="dim")
        elif mixed:
            text.append(f"  {one_line(entry.source, 30)}", style="dim")
        return text

    def _highlighted(self) -> Snippet | TeamReply | None:
        options = self.query_one("#snippet-list", OptionList)
        if self.shown and options.highlighted is not None and options.highlighted < len(self.shown):
            return self.shown[options.highlighted]
        return None

    def _preview(self) -> None:
        chosen = self._highlighted()
        if chosen is not None:
            text = Text(visible(fill(chosen.text, self.values)))
            if isinstance(chosen, TeamReply):
                shown_id = clip(one_line(str(chosen.id)), 20)
                text.append(f"\n\nteam reply {shown_id}, shared by your organization", style="dim")
                files = [file_name(chosen)] if chosen.has_media else []
            else:
                if chosen.source != OWN:
                    text.append(f"\n\nfrom {one_line(chosen.source, 40)}", style="dim")
                files = [path.name for path in chosen.file_paths()]
            for name in files:
                text.append(f"\n📎 {one_line(name, 40)}", style="italic")
            missing = needs(chosen.text, self.values)
            if missing:
                text.append(f"\nneeds: {', '.join(missing)} (this contact has none)", style="bold")
        elif self.snippets or self.team:
            text = Text("No snippet matches.")
        else:  # the path lives here, not in the title: a long one would wrap the title at 80 columns
            text = Text(f"No snippets yet. Add them to {snippets_path()}.")
        self.query_one("#snippet-preview", Static).update(text)

    @on(Input.Changed, "#snippet-search")
    def _typed(self, event: Input.Changed) -> None:
        if event.value == "/":  # the second '/' of '//': the agent wants the character itself
            self.dismiss(SLASH)
            return
        self._fill(event.value.strip())

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self._preview()
        self.refresh_bindings()  # edit and delete are for the team's replies only

    def action_move(self, delta: int) -> None:
        options = self.query_one("#snippet-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    # -- inserting ------------------------------------------------------------------------------

    @on(Input.Submitted, "#snippet-search")
    @on(OptionList.OptionSelected)
    def _choose(self) -> None:
        chosen = self._highlighted()
        if self.fetching:
            return  # a media reply's file is on its way: Enter again changes nothing
        if chosen is None:
            self.dismiss(None)
            return
        choice = SnippetChoice(fill(chosen.text, self.values), [], needs(chosen.text, self.values))
        if isinstance(chosen, Snippet):
            choice.files = chosen.file_paths()
        elif chosen.has_media:
            self._with_file(chosen, choice)
            return
        self.dismiss(choice)

    def _with_file(self, reply: TeamReply, choice: SnippetChoice) -> None:
        """The text goes in whatever happens; the file only if the channel takes its type."""
        from tui.core.team_reply_media import check_media

        if self.spec is not None:
            try:
                check_media(reply, self.spec)
            except SwitchboardError as exc:
                name = one_line(file_name(reply), 40)
                self.ctx.notify_error(f"The team reply went in without {name}: {exc.sentence}")
                self.dismiss(choice)
                return
        self.fetching = True
        self._note(f"Fetching {one_line(file_name(reply), 40)}…")
        self.fetch(reply, choice)

    @work(exit_on_error=False, group="team-reply-file", exclusive=True)
    async def fetch(self, reply: TeamReply, choice: SnippetChoice) -> None:
        from tui.core.team_reply_media import fetch_file

        backend = self.ctx.backend
        try:
            if backend is None:
                raise SwitchboardError("Not connected to a backend; try again once connected.")
            choice.files = [await fetch_file(reply, backend.profile)]
        except SwitchboardError as exc:
            name = one_line(file_name(reply), 40)
            self.ctx.notify_error(f"The team reply went in without {name}: {exc.sentence}")
        self.fetching = False
        self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- changing the team's replies ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete"):
            return isinstance(self._highlighted(), TeamReply)
        return True

    def action_refresh(self) -> None:
        self.load_team(refresh=True)

    def action_new(self) -> None:
        from tui.screens.team_reply_form import TeamReplyFormScreen

        def saved(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.change("create", None, *result)

        self.app.push_screen(TeamReplyFormScreen("New team reply", "", self.draft), saved)

    def action_edit(self) -> None:
        from tui.screens.team_reply_form import TeamReplyFormScreen

        reply = self._highlighted()
        if not isinstance(reply, TeamReply):
            return

        def saved(result: tuple[str, str] | None) -> None:
            if result is not None:
                title, text = result
                self.change("edit", reply, title if title != reply.title else None, text)

        form = TeamReplyFormScreen(
            f"Edit team reply {clip(one_line(str(reply.id)), 20)}",
            reply.title,
            reply.content,
            needs_text=not reply.has_media,
        )
        self.app.push_screen(form, saved)

    def action_delete(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        reply = self._highlighted()
        if not isinstance(reply, TeamReply):
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.change("delete", reply, None, None)

        question = f"Delete the team reply {quoted(reply)} for everyone in your organization?"
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(exit_on_error=False, group="team-reply-change")
    async def change(self, kind: str, reply: TeamReply | None, title: str | None, text: str | None) -> None:
        """Create, edit or delete through the book (one request each); the list follows."""
        book = self._book()
        if book is None:
            self.ctx.notify_error("Not connected to a backend; the team's replies cannot change now.")
            return
        keep: TeamReply | None = None
        said = ""
        try:
            if reply is None:
                keep = await book.create(title or "", text or "")
                said = f"Saved as a team reply: {quoted(keep)}."
            elif kind == "edit":
                content = text if text != reply.content else None
                if title is None and content is None:
                    return  # nothing changed: no request
                keep = await book.edit(reply.id, title=title, content=content)
                said = f"Team reply {quoted(keep)} changed."
            else:
                await book.remove(reply.id)
                said = f"Team reply {quoted(reply)} deleted."
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        self.team = list(book.replies)
        self._fill(self.query_one("#snippet-search", Input).value.strip(), keep)
        if said:
            self.ctx.notify_plain(said)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh the team's replies", "Read them again (ctrl+r)", self.action_refresh)
        yield SystemCommand(
            "Save as a team reply", "The composer's text, shared with your team (ctrl+n)", self.action_new
        )
        if isinstance(self._highlighted(), TeamReply):
            yield SystemCommand("Edit this team reply", "Its title and text (ctrl+e)", self.action_edit)
            yield SystemCommand(
                "Delete this team reply", "For everyone, once confirmed (f8)", self.action_delete
            )
