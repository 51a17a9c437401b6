"""Filling in a WhatsApp template: one field per variable, a header file, a live preview.

The form has one field per variable (header and body, positional and named; the contact's name,
phone and email already in place), a file pick for an image, video or document header (the
composer's file picker, showing only what the channel takes for that kind), a field per URL button
variable, and a live preview in which an empty variable shows as its `{{1}}`. Send stays disabled
until everything is filled.

A template may hold about a hundred fields (`template_parts.WHATSAPP_LIMITS`), and a layout of
the screen costs in proportion to its widgets, so a keystroke asks for none: the fields'
boxes never change with their values (`FieldInput`), the form keeps its inputs and their values
(no lookup per key), re-renders only the preview part the changed field belongs to (header, body
or buttons) and asks for a layout only when the preview's height changes, and redraws the
missing line only when a field turns empty or filled.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Button, Input, Label, Static

from tui.core.channels import ChannelSpec, channel_spec
from tui.core.drafts import TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.files import LocalFile, human_size
from tui.core.models import Conversation, Template
from tui.core.template_parts import check_header_file, header_spec
from tui.core.templates import (
    Slot,
    TemplateValues,
    button_lines,
    button_slots,
    contact_value,
    header_line,
    media_header,
    render,
    rendered_body,
    slots,
)
from tui.core.text import one_line, visible
from tui.screens.base import BaseModal
from tui.widgets.key_bar import KeyBar

#: A field: ("slot", index into `slots`) or ("button", index into `button_slots`).
Field = tuple[str, int]


class FieldInput(Input):
    """An Input whose value never asks for a layout of the screen.

    Textual's Input sets its virtual size to its text's width on every change, and that reactive
    asks for a layout: with a hundred fields, most of a keystroke's cost. A field's box is fixed
    (full width, three rows), so only the Input itself scrolls, which needs no layout."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


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
        contact = conversation.contact
        self._slot_values = [contact_value(s.key, contact) for s in self.slots]
        self._button_values = ["" for _ in self.button_slots]
        self._inputs: dict[Input, Field] = {}
        self._empty: set[Field] = set()
        #: The preview's parts, each already made safe to show (`visible`), in reading order.
        self._parts: dict[str, str] = {}
        self._missing_text = ""
        self._preview_height = -1
        self._live = Static(id="template-live", classes="preview")
        self._send = Button("Send template", id="template-send", variant="primary")
        self._missing = Static(id="template-missing")

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
                    for i, slot in enumerate(self.slots):
                        yield Label(Text(slot.label), classes="field-label")
                        yield self._field(("slot", i), self._slot_values[i], slot.label)
                    for i, b in enumerate(self.button_slots):
                        yield Label(Text(one_line(b.label)), classes="field-label")  # server text
                        yield self._field(("button", i), "", one_line(b.button.url or ""))
                    if not (self.slots or self.button_slots or self.media):
                        yield Label("This template has no variables.")
                yield self._live
            with Horizontal(id="template-actions"):
                yield self._send
                yield self._missing
        yield KeyBar()

    def _field(self, field: Field, value: str, placeholder: str) -> Input:
        kind, index = field
        widget = FieldInput(value, id=f"{kind}-{index}", placeholder=placeholder)
        self._inputs[widget] = field
        if not value.strip():
            self._empty.add(field)
        return widget

    def on_mount(self) -> None:
        empty = [w for w, field in self._inputs.items() if not w.value]
        if empty:
            empty[0].focus()
        elif self.media is not None:
            self.query_one("#header-pick", Button).focus()
        elif self._inputs:
            next(iter(self._inputs)).focus()
        else:
            self._send.focus()
        for part in ("header", "body", "footer", "buttons"):
            self._render_part(part)
        self._show_preview()
        self._show_missing()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+o only where the header takes a file (hidden from the footer elsewhere)."""
        return self.media is not None if action == "pick_header" else True

    def values(self) -> dict[Slot, str]:
        return dict(zip(self.slots, self._slot_values, strict=True))

    def button_values(self) -> list[str]:
        return list(self._button_values)

    # -- what changed, redrawn alone --

    def _render_part(self, part: str) -> None:
        """One part of the preview from the values held (no widget is read)."""
        if part in ("header", "body"):
            component = part.upper()
            comp = self.template.component(component)
            fmt = (comp.format or "TEXT") if comp is not None else None
            if comp is not None and comp.text and (component == "BODY" or fmt == "TEXT"):
                filled = {
                    s: v
                    for s, v in zip(self.slots, self._slot_values, strict=True)
                    if s.component == component
                }
                text = render(comp.text, component, filled)
            elif component == "HEADER":
                text = header_line(self.template, self.header_file.name if self.header_file else None) or ""
            else:
                text = ""
        elif part == "footer":
            footer = self.template.component("FOOTER")
            text = (footer.text or "") if footer is not None else ""
        else:
            by_index = {b.index: v for b, v in zip(self.button_slots, self._button_values, strict=True)}
            text = "\n".join(button_lines(self.template, by_index))
        self._parts[part] = visible(text)

    def _show_preview(self) -> None:
        """The preview from its parts; a layout only when its height changed (its box is fixed,
        so only what it scrolls over can)."""
        live = self._live
        live.update(Text("\n\n".join(p for p in self._parts.values() if p)), layout=False)
        width = live.scrollable_content_region.width
        height = live.get_content_height(live.container_size, self.app.size, width) if width > 0 else -1
        if height < 0 or height != self._preview_height:
            live.refresh(layout=True)
        self._preview_height = height

    def _show_missing(self) -> None:
        """Send's state and the missing line, redrawn only when what is missing changed."""
        missing = [s.label for i, s in enumerate(self.slots) if ("slot", i) in self._empty]
        missing += [b.label for i, b in enumerate(self.button_slots) if ("button", i) in self._empty]
        if self.media is not None and self.header_file is None:
            missing.insert(0, f"{self.media.lower()} header file")
        text = f"missing: {one_line(', '.join(missing))}" if missing else "ready to send"
        self._send.disabled = bool(missing)
        if text != self._missing_text:
            self._missing_text = text
            self._missing.update(Text(text))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field = self._inputs.get(event.input)
        if field is None:
            return
        kind, index = field
        if kind == "slot":
            self._slot_values[index] = event.value
            part = self.slots[index].component.lower()
        else:
            self._button_values[index] = event.value
            part = "buttons"
        was_empty = field in self._empty
        if event.value.strip():
            self._empty.discard(field)
        else:
            self._empty.add(field)
        self._render_part(part)
        self._show_preview()
        if was_empty != (field in self._empty):
            self._show_missing()

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
        self._render_part("header")
        self._show_preview()
        self._show_missing()
        return True

    def action_send(self) -> None:
        if self._send.disabled:
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
