"""WhatsApp templates: pick an APPROVED one (search, preview), then fill every variable.

The form has one field per variable (header and body, positional and named) and a live preview
of the message as the customer will read it; Send stays disabled until every field is filled.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.drafts import TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.models import Conversation, Template
from tui.core.templates import Slot, TemplateValues, rendered_body, rendered_preview, slots
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal


def _guess(slot: Slot, conversation: Conversation) -> str:
    """A sensible first value for well-known variable names."""
    contact = conversation.contact
    if contact is None:
        return ""
    known = {
        "first_name": contact.first_name,
        "name": contact.display_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "email": contact.email,
    }
    return one_line(known.get(slot.key.lower()) or "")


class TemplatePickerScreen(BaseModal[tuple[TemplateChoice, str] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="templates.cancel")]

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.templates: list[Template] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="template-picker", classes="picker-box"):
            yield Label(
                " WhatsApp templates · approved only · enter chooses · esc cancels", classes="picker-title"
            )
            yield Input(placeholder="search templates", id="template-search", select_on_focus=False)
            with Horizontal(classes="picker-body"):
                yield OptionList(id="template-list")
                yield Static(id="template-preview", classes="preview")
        yield Footer()

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
        try:
            every = await backend.client.list_templates()
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            self.dismiss(None)
            return
        self.templates = [t for t in every if t.status == "APPROVED"]
        hidden = len(every) - len(self.templates)
        if hidden:
            self.query_one(
                "#template-search", Input
            ).placeholder = f"search templates ({hidden} not approved, hidden)"
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
            prompt.append(f"{one_line(t.language, 12)} · {one_line(t.category, 20).lower()}", style="dim")
            options.add_option(Option(prompt, id=str(index)))
        if options.option_count:
            options.highlighted = 0
        else:
            self.query_one("#template-preview", Static).update(Text("No approved template matches."))

    def on_key(self, event: events.Key) -> None:
        """Typing on the list searches: the letter goes to the search field (then Enter, Enter)."""
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
        self.query_one("#template-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#template-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        template = self.templates[int(event.option.id or 0)]
        text = Text()
        text.append(visible(rendered_preview(template, {})))
        variables = ", ".join(s.label for s in slots(template))
        text.append(f"\n\nvariables: {variables or 'none'}", style="dim")
        self.query_one("#template-preview", Static).update(text)

    @on(OptionList.OptionSelected, "#template-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        template = self.templates[int(event.option.id or 0)]

        def filled(result: tuple[TemplateChoice, str] | None) -> None:
            if result is not None:
                self.dismiss(result)

        self.app.push_screen(TemplateFormScreen(template, self.conversation), filled)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TemplateFormScreen(BaseModal[tuple[TemplateChoice, str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="template_form.cancel"),
        Binding("ctrl+j,alt+enter", "send", "Send", id="template_form.send", priority=True),
    ]

    def __init__(self, template: Template, conversation: Conversation) -> None:
        super().__init__()
        self.template = template
        self.conversation = conversation
        self.slots = slots(template)

    def compose(self) -> ComposeResult:
        with Vertical(id="template-form", classes="picker-box"):
            yield Label(
                Text(
                    f" {one_line(self.template.name)} · {one_line(self.template.language, 12)}"
                    " · fill every variable"
                ),
                classes="picker-title",
            )
            with Horizontal(classes="picker-body"):
                with VerticalScroll(id="template-fields"):
                    for i, slot in enumerate(self.slots):
                        yield Label(slot.label, classes="field-label")
                        yield Input(_guess(slot, self.conversation), id=f"slot-{i}", placeholder=slot.label)
                    if not self.slots:
                        yield Label("This template has no variables.")
                yield Static(id="template-live", classes="preview")
            with Horizontal(id="template-actions"):
                yield Button("Send template", id="template-send", variant="primary")
                yield Static(id="template-missing")
        yield Footer()

    def on_mount(self) -> None:
        inputs = list(self.query(Input))
        if inputs:
            inputs[0].focus()
        else:
            self.query_one("#template-send", Button).focus()
        self._update()

    def values(self) -> dict[Slot, str]:
        return {slot: self.query_one(f"#slot-{i}", Input).value for i, slot in enumerate(self.slots)}

    def _update(self) -> None:
        values = self.values()
        self.query_one("#template-live", Static).update(
            Text(visible(rendered_preview(self.template, values)))
        )
        missing = [s.label for s, v in values.items() if not v.strip()]
        self.query_one("#template-send", Button).disabled = bool(missing)
        self.query_one("#template-missing", Static).update(
            Text(f"missing: {', '.join(missing)}" if missing else "ready to send")
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        self._update()

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#template-send")
    def _pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        if self.query_one("#template-send", Button).disabled:
            self.app.bell()
            return
        values = self.values()
        named = {f"{s.component.lower()}.{s.key}": v for s, v in values.items()}
        choice = TemplateChoice(self.template.name, self.template.language, TemplateValues(named=named))
        self.dismiss((choice, rendered_body(self.template, values)))

    def action_cancel(self) -> None:
        self.dismiss(None)
