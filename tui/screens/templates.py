"""WhatsApp templates: pick an APPROVED one (search, preview), then fill it in.

The list shows each template's category, header kind and buttons. The form has one field per
variable (header and body, positional and named; the contact's name, phone and email already in
place), a file pick for an image, video or document header (the composer's file picker, showing
only what the channel takes for that kind), a field per URL button variable, and a live preview
in which an empty variable shows as its `{{1}}`. Send stays disabled until everything is filled.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.channels import ChannelSpec, channel_spec
from tui.core.drafts import TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.files import LocalFile, human_size
from tui.core.models import Conversation, Template
from tui.core.template_parts import check_header_file, header_spec
from tui.core.templates import (
    Slot,
    TemplateValues,
    button_slots,
    buttons,
    contact_value,
    header_format,
    media_header,
    rendered_body,
    rendered_preview,
    slots,
)
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar


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
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="templates.cancel")]

    def __init__(self, conversation: Conversation, spec: ChannelSpec | None = None) -> None:
        super().__init__()
        self.conversation = conversation
        self.spec = spec
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
            prompt.append(f"{one_line(t.language, 12)} · {kind_line(t)}", style="dim")
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
        text.append(one_line(kind_line(template)), style="bold")
        text.append("\n\n")
        text.append(visible(rendered_preview(template, {})))
        variables = ", ".join([s.label for s in slots(template)] + [b.label for b in button_slots(template)])
        text.append(f"\n\nvariables: {one_line(variables) or 'none'}", style="dim")
        self.query_one("#template-preview", Static).update(text)

    @on(OptionList.OptionSelected, "#template-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        template = self.templates[int(event.option.id or 0)]

        def filled(result: tuple[TemplateChoice, str] | None) -> None:
            if result is not None:
                self.dismiss(result)

        self.app.push_screen(TemplateFormScreen(template, self.conversation, self.spec), filled)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TemplateFormScreen(BaseModal[tuple[TemplateChoice, str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="template_form.cancel"),
        Binding("ctrl+j,alt+enter", "send", "Send", id="template_form.send", priority=True),
        Binding("ctrl+o", "pick_header", "Header file", id="template_form.header", priority=True),
    ]

    def __init__(
        self, template: Template, conversation: Conversation, spec: ChannelSpec | None = None
    ) -> None:
        super().__init__()
        self.template = template
        self.conversation = conversation
        self.spec = spec or channel_spec(conversation.channel)
        self.slots = slots(template)
        self.button_slots = button_slots(template)
        self.media = media_header(template)
        self.header_file: LocalFile | None = None

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
                    if self.media is not None:
                        yield Label(f"{self.media.lower()} header file (ctrl+o)", classes="field-label")
                        yield Button(f"Pick the {self.media.lower()}…", id="header-pick")
                        yield Static(Text("no file yet"), id="header-file")
                    contact = self.conversation.contact
                    for i, slot in enumerate(self.slots):
                        yield Label(Text(slot.label), classes="field-label")
                        yield Input(contact_value(slot.key, contact), id=f"slot-{i}", placeholder=slot.label)
                    for i, b in enumerate(self.button_slots):
                        yield Label(Text(one_line(b.label)), classes="field-label")  # server text
                        yield Input(id=f"button-{i}", placeholder=one_line(b.button.url or ""))
                    if not (self.slots or self.button_slots or self.media):
                        yield Label("This template has no variables.")
                yield Static(id="template-live", classes="preview")
            with Horizontal(id="template-actions"):
                yield Button("Send template", id="template-send", variant="primary")
                yield Static(id="template-missing")
        yield KeyBar()

    def on_mount(self) -> None:
        inputs = list(self.query(Input))
        empty = [i for i in inputs if not i.value]
        if empty:
            empty[0].focus()
        elif self.media is not None:
            self.query_one("#header-pick", Button).focus()
        elif inputs:
            inputs[0].focus()
        else:
            self.query_one("#template-send", Button).focus()
        self._update()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+o only where the header takes a file (hidden from the footer elsewhere)."""
        return self.media is not None if action == "pick_header" else True

    def values(self) -> dict[Slot, str]:
        return {slot: self.query_one(f"#slot-{i}", Input).value for i, slot in enumerate(self.slots)}

    def button_values(self) -> list[str]:
        return [self.query_one(f"#button-{i}", Input).value for i in range(len(self.button_slots))]

    def _update(self) -> None:
        values = self.values()
        by_index = {b.index: v for b, v in zip(self.button_slots, self.button_values(), strict=True)}
        name = self.header_file.name if self.header_file else None
        preview = rendered_preview(self.template, values, header_file=name, button_values=by_index)
        self.query_one("#template-live", Static).update(Text(visible(preview)))
        missing = [s.label for s, v in values.items() if not v.strip()]
        missing += [b.label for b in self.button_slots if not by_index[b.index].strip()]
        if self.media is not None and self.header_file is None:
            missing.insert(0, f"{self.media.lower()} header file")
        self.query_one("#template-send", Button).disabled = bool(missing)
        self.query_one("#template-missing", Static).update(
            Text(f"missing: {one_line(', '.join(missing))}" if missing else "ready to send")
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

    @on(Button.Pressed, "#header-pick")
    def _pick_pressed(self) -> None:
        self.action_pick_header()

    def action_pick_header(self) -> None:
        """The composer's file picker, judging files as this header's kind on this channel."""
        from tui.screens.file_picker import FilePickerScreen

        if self.media is None or self.spec is None:
            self.app.bell()
            return

        def picked(paths: list[Path] | None) -> None:
            if paths:
                self.use_header_file(paths[0], more=len(paths) - 1)

        self.app.push_screen(
            FilePickerScreen(header_spec(self.spec, self.media), self.ctx.last_folder), picked
        )

    def use_header_file(self, path: Path, *, more: int = 0) -> bool:
        """Check the file against the channel's limits for this header; keep it or say why not."""
        assert self.spec is not None
        try:
            local = check_header_file(self.template, self.spec, path)
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            return False
        self.header_file = local
        if local is not None:
            shown = Text(f"{one_line(local.name, 40)} · {human_size(local.size)} · {local.mime}")
            self.query_one("#header-file", Static).update(shown)
        if more:
            self.ctx.notify_plain(f"A header takes one file; {one_line(path.name, 40)} is used.")
        self._update()
        return True

    def action_send(self) -> None:
        if self.query_one("#template-send", Button).disabled:
            self.app.bell()
            return
        values = self.values()
        named = {f"{s.component.lower()}.{s.key}": v for s, v in values.items()}
        choice = TemplateChoice(
            self.template.name,
            self.template.language,
            TemplateValues(named=named, buttons=self.button_values()),
            header_file=self.header_file,
        )
        self.dismiss((choice, rendered_body(self.template, values)))

    def action_cancel(self) -> None:
        self.dismiss(None)
