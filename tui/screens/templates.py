"""WhatsApp templates: pick an APPROVED one (search, preview), then fill it in (`template_form`).

The list shows each template's category, header kind and buttons. One beyond WhatsApp's published
limits is listed as unusable, its preview says why, and choosing it is refused in that sentence
(no form is built for a thousand buttons). Templates the server sent but that could not be read
are counted in one line under the search. Enter in the search picks the highlighted template, as
in the snippet picker; up and down move the highlight from there.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.channels import ChannelSpec, channel_spec
from tui.core.drafts import TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.models import Conversation, Template
from tui.core.template_parts import limit_problem
from tui.core.templates import button_slots, buttons, header_format, rendered_preview, skipped_line, slots
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal
from tui.screens.template_form import TemplateFormScreen
from tui.widgets.key_bar import KeyBar

__all__ = ["TemplateFormScreen", "TemplatePickerScreen", "kind_line"]

#: How much of an unusable template's preview is shown under the reason.
UNUSABLE_PREVIEW_CHARS = 2000


def kind_line(template: Template) -> str:
    """ "utility · image header · 2 buttons": what the list says of each template."""
    parts = [one_line(template.category or "no category", 20).lower()]
    fmt = header_format(template)
    if fmt is not None:
        parts.append(f"{one_line(fmt, 12).lower()} header")
    count = len(buttons(template))
    if count:
        parts.append(f"{count} button{'s' if count != 1 else ''}")
    return " · ".join(parts)


class TemplatePickerScreen(BaseModal[tuple[TemplateChoice, str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="templates.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="templates.down"),
        Binding("up", "move(-1)", "Up", show=False, id="templates.up"),
    ]

    def __init__(self, conversation: Conversation, spec: ChannelSpec | None = None) -> None:
        super().__init__()
        self.conversation = conversation
        self.spec = spec
        self.templates: list[Template] = []
        #: Why each template (by index) cannot be sent, for those beyond WhatsApp's limits.
        self.unusable: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="template-picker", classes="picker-box"):
            yield Label(
                " WhatsApp templates · approved only · enter chooses · esc cancels", classes="picker-title"
            )
            yield Input(placeholder="search templates", id="template-search", select_on_focus=False)
            note = Static(id="template-note")  # shown when some templates could not be read
            note.display = False
            yield note
            with Horizontal(classes="picker-body"):
                yield OptionList(id="template-list")
                yield Static(id="template-preview", classes="preview")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#template-list", OptionList).focus()
        self.load()

    @work(exit_on_error=False)
    async def load(self) -> None:
        backend = self.ctx.backend
        if backend is None:
            self.ctx.notify_error("Not connected to a backend.")
            self.dismiss(None)
            return
        if self.spec is None:
            self.spec = channel_spec(self.conversation.channel, backend.client.profile.limits)
        try:
            every = await backend.client.list_templates(max_age=300.0)  # templates change rarely
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            self.dismiss(None)
            return
        self.templates = [t for t in every if t.status == "APPROVED"]
        self.unusable = {i: p for i, t in enumerate(self.templates) if (p := limit_problem(t)) is not None}
        hidden = len(every) - len(self.templates)
        if hidden:
            self.query_one(
                "#template-search", Input
            ).placeholder = f"search templates ({hidden} not approved, hidden)"
        if skipped := skipped_line(len(every.skipped)):
            note = self.query_one("#template-note", Static)
            note.update(Text(skipped, style="bold"))
            note.display = True
        self._fill("")

    def _fill(self, query: str) -> None:
        options = self.query_one("#template-list", OptionList)
        options.clear_options()
        q = query.lower()
        for index, t in enumerate(self.templates):
            body = t.component("BODY")
            haystack = f"{t.name} {t.language} {t.category or ''} {body.text if body else ''}".lower()
            if q and q not in haystack:
                continue
            prompt = Text(f"{one_line(t.name, 40)}  ")
            prompt.append(f"{one_line(t.language, 12)} · {kind_line(t)}", style="dim")
            if index in self.unusable:
                prompt.append(" · unusable: over WhatsApp's limits", style="bold")
            options.add_option(Option(prompt, id=str(index)))
        if options.option_count:
            options.highlighted = 0
        else:
            self.query_one("#template-preview", Static).update(Text("No approved template matches."))

    def on_key(self, event: events.Key) -> None:
        """Typing on the list searches: the letter goes to the search field (then Enter picks)."""
        search = self.query_one("#template-search", Input)
        if self.focused is not search and event.is_printable and event.character and event.key != "space":
            event.stop()
            event.prevent_default()
            search.focus()
            search.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#template-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    @on(Input.Submitted, "#template-search")
    def _search_enter(self) -> None:
        """One Enter picks the highlighted (first matching) template, as in the snippet picker."""
        options = self.query_one("#template-list", OptionList)
        if options.highlighted is None or not options.option_count:
            self.app.bell()
            return
        self._choose(int(options.get_option_at_index(options.highlighted).id or 0))

    def action_move(self, delta: int) -> None:
        """Up and down from the search field move the list's highlight."""
        options = self.query_one("#template-list", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    @on(OptionList.OptionHighlighted, "#template-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        index = int(event.option.id or 0)
        template = self.templates[index]
        text = Text()
        if (problem := self.unusable.get(index)) is not None:
            text.append(problem, style="bold")  # one_line'd by limit_problem
            text.append("\n\n")
            text.append(visible(rendered_preview(template, {})[:UNUSABLE_PREVIEW_CHARS]))
            self.query_one("#template-preview", Static).update(text)
            return
        text.append(one_line(kind_line(template)), style="bold")
        text.append("\n\n")
        text.append(visible(rendered_preview(template, {})))
        variables = ", ".join([s.label for s in slots(template)] + [b.label for b in button_slots(template)])
        text.append(f"\n\nvariables: {one_line(variables) or 'none'}", style="dim")
        self.query_one("#template-preview", Static).update(text)

    @on(OptionList.OptionSelected, "#template-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(int(event.option.id or 0))

    def _choose(self, index: int) -> None:
        """Fill the template in; one beyond WhatsApp's limits is refused in one sentence."""
        if (problem := self.unusable.get(index)) is not None:
            self.ctx.notify_error(problem)
            return
        template = self.templates[index]

        def filled(result: tuple[TemplateChoice, str] | None) -> None:
            if result is not None:
                self.dismiss(result)

        self.app.push_screen(TemplateFormScreen(template, self.conversation, self.spec), filled)

    def action_cancel(self) -> None:
        self.dismiss(None)
