"""The template picker and form, driven by the keyboard on the sandbox: the list says each
template's category, header kind and buttons; the form starts with the contact's name in place,
previews an empty variable as its `{{key}}`, takes the image header through the composer's file
picker (refusing a file the header cannot take), a URL button's value, and sends. And the
history's view of a sent template."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Button, Input, OptionList, Static

from tests.helpers import make_pdf, make_png
from tests.ui.conftest import notifications, wait_for
from tests.ui.test_flows import items, open_conversation, type_text
from tui.app import SwitchboardApp
from tui.core.models import Message


def shown(widget: Static) -> str:
    return str(widget.render())


async def test_pick_fill_and_send_an_order_template_with_an_image_header(
    make_app: Callable[..., SwitchboardApp], sandbox: Any, tmp_path: Path
) -> None:
    from tui.screens.file_picker import FilePickerScreen
    from tui.screens.templates import TemplateFormScreen, TemplatePickerScreen

    photo = make_png(tmp_path / "parcel.png")
    pdf = make_pdf(tmp_path / "statement.pdf")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_conversation(pilot, "whatsapp", "closed")
        first_name = screen.conversation.contact.first_name if screen.conversation.contact else None
        assert first_name
        app.last_folder = tmp_path  # type: ignore[attr-defined]
        await pilot.press("ctrl+t")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TemplatePickerScreen) and bool(app.screen.templates)
        )
        picker = app.screen
        listed = picker.query_one("#template-list", OptionList)
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert any("order_shipped" in p and "utility · image header · 2 buttons" in p for p in prompts)
        assert any("login_code" in p and "authentication" in p for p in prompts)
        assert any("product_tour" in p and "marketing · video header" in p for p in prompts)
        assert not any("spring_catalog" in p for p in prompts)  # PENDING: not offered
        await type_text(pilot, "order_shipped")
        preview = shown(picker.query_one("#template-preview", Static))
        assert (
            "[image: no file yet]" in preview
            and "[Track parcel → https://example.com/track/{{1}}]" in preview
        )
        await pilot.press("enter")  # one Enter picks the highlighted template
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateFormScreen))
        form: TemplateFormScreen = app.screen  # type: ignore[assignment]
        assert form.query_one("#slot-0", Input).value == first_name  # the contact's name, in place
        live = shown(form.query_one("#template-live", Static))
        assert f"Hi {first_name}, your order {{{{order_id}}}} has shipped and arrives {{{{date}}}}." in live
        assert form.query_one("#template-send", Button).disabled
        assert "image header file" in shown(form.query_one("#template-missing", Static))
        assert app.focused is form.query_one("#slot-1", Input)  # the first empty field
        await type_text(pilot, "A-1001")
        await pilot.press("tab")
        await type_text(pilot, "Friday")
        await pilot.press("tab")
        await type_text(pilot, "A-1001")
        assert form.query_one("#template-send", Button).disabled  # the header file is still missing

        assert not form.use_header_file(pdf)  # not an image: refused with the channel's sentence
        await wait_for(pilot, lambda: any("needs an image header" in n for n in notifications(app)))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePickerScreen))
        files = app.screen
        assert files.picker_tree.verdict(pdf.resolve()) is not None  # type: ignore[attr-defined]
        files.query_one("#picker-path", Input).value = str(photo)
        await pilot.press("enter", "ctrl+j")
        await wait_for(pilot, lambda: app.screen is form and form.header_file is not None)
        assert "parcel.png" in shown(form.query_one("#header-file", Static))
        live = shown(form.query_one("#template-live", Static))
        assert "[image: parcel.png]" in live and "track/A-1001]" in live
        assert not form.query_one("#template-send", Button).disabled
        await pilot.press("ctrl+j")
        await wait_for(
            pilot,
            lambda: (
                app.screen is screen
                and items(screen)[-1].pending is None
                and items(screen)[-1].message.message_type == "template"
            ),
            timeout=20,
        )
        sent = items(screen)[-1].message
        assert sent.template is not None
        header, _, button = sent.template["components"]
        assert header["parameters"][0]["image"]["link"].endswith("/parcel.png")
        assert button["parameters"] == [{"type": "text", "text": "A-1001"}]


def test_the_history_view_of_a_sent_template() -> None:
    from tui.widgets.template_view import template_text

    message = Message.model_validate(
        {
            "id": 9,
            "message_type": "template",
            "message_text": "Hi Ana, your order A-1 has shipped.",
            "template": {
                "name": "order_shipped",
                "components": [
                    {
                        "type": "header",
                        "parameters": [{"type": "image", "image": {"link": "https://h/media/k/box%201.png"}}],
                    },
                    {
                        "type": "button",
                        "sub_type": "url",
                        "index": "0",
                        "parameters": [{"type": "text", "text": "A-1"}],
                    },
                ],
            },
            "template_components": [
                {"type": "HEADER", "format": "IMAGE"},
                {"type": "BODY", "text": "Hi {{first_name}}, your order {{order_id}} has shipped."},
                {"type": "FOOTER", "text": "Reply STOP to opt out"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "URL", "text": "Track", "url": "https://example.com/t/{{1}}"},
                        {"type": "QUICK_REPLY", "text": "Stop"},
                    ],
                },
            ],
        }
    )
    assert template_text(message).plain == (
        "▣ image · box 1.png\nHi Ana, your order A-1 has shipped.\nReply STOP to opt out\n"
        "[Track → https://example.com/t/A-1]  [Stop]"
    )
    document = message.model_copy(
        update={
            "template": {
                "components": [
                    {
                        "type": "header",
                        "parameters": [{"type": "document", "document": {"link": "x", "filename": "s.pdf"}}],
                    }
                ]
            },
            "template_components": None,
        }
    )
    assert template_text(document).plain == "▣ document · s.pdf\nHi Ana, your order A-1 has shipped."


def test_the_history_view_of_a_text_header_and_hostile_parts() -> None:
    from tui.widgets.template_view import template_text

    message = Message.model_validate(
        {
            "id": 9,
            "message_type": "template",
            "message_text": "[bold]Body[/] \x1b[2J",
            "template": {
                "name": "t",
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "[red]A-7"}]},
                    "junk",
                ],
            },
            "template_components": [
                {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
                {"type": "FOOTER", "text": "\x1b]8;;http://x\x07f"},
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+1"}, 7],
                },
            ],
        }
    )
    text = template_text(message)
    assert text.plain.startswith("Order [red]A-7\n[bold]Body[/]")
    assert "\x1b" not in text.plain and "[Call → +1]" in text.plain
    assert not text.spans or all(s.style in ("bold", "dim", "italic") for s in text.spans)
