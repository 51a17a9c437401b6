"""A template's button text and variable names are the server's: markup in them is shown as
typed, never parsed (found in review: `[/bold]` in a URL button's text raised MarkupError and
closed the app)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label

from tui.core.models import Conversation, Template
from tui.screens.templates import TemplateFormScreen


async def test_markup_in_a_buttons_text_is_shown_as_typed() -> None:
    template = Template.model_validate(
        {
            "id": 1,
            "name": "order_shipped",
            "language": "en_US",
            "status": "APPROVED",
            "components": [
                {"type": "BODY", "text": "Hi {{first_name}}, order {{[red]id}} shipped."},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "URL", "text": "Track [/bold] it", "url": "https://t.example/{{1}}"}
                    ],
                },
            ],
        }
    )
    conversation = Conversation.model_validate(
        {"id": 1, "channel": "whatsapp", "contact": {"id": 3, "first_name": "Ana"}}
    )
    app: App[None] = App()
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(TemplateFormScreen(template, conversation))
        await pilot.pause()
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert any("Track [/bold] it" in text for text in labels), labels
