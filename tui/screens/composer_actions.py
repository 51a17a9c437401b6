"""The composer's helpers that open another screen or program: attach files, pick a WhatsApp
template, write in $EDITOR. Mixed into the conversation screen (kept apart for its size)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.policy import check_channel, check_template_allowed

if TYPE_CHECKING:
    from tui.core.channels import ChannelSpec
    from tui.core.models import Conversation
    from tui.widgets.composer import Composer


class ComposerActions:
    conversation: Conversation
    spec: ChannelSpec | None
    ctx: Any
    app: Any

    @property
    def composer(self) -> Composer:
        raise NotImplementedError

    def _enqueue(self, draft: Draft, preview: str, draft_mode: str | None) -> None:
        raise NotImplementedError

    def action_attach(self) -> None:
        from tui.screens.file_picker import FilePickerScreen

        def picked(paths: list[Path] | None) -> None:
            if paths:
                self.composer.add_attachments(paths)
            self.composer.area.focus()

        self.app.push_screen(FilePickerScreen(self.spec, self.ctx.last_folder), picked)

    def action_template(self) -> None:
        from tui.screens.templates import TemplatePickerScreen

        try:
            check_template_allowed(check_channel(self.conversation, self.spec), has_files=False)
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
            return

        def chosen(choice: tuple[TemplateChoice, str] | None) -> None:
            if choice is not None:
                template_choice, body = choice
                self._enqueue(Draft(template=template_choice), body, None)

        self.app.push_screen(TemplatePickerScreen(self.conversation), chosen)

    def action_editor(self) -> None:
        from tui.editor import edit_in_editor

        try:
            self.composer.set_text(edit_in_editor(self.app, self.composer.text))
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        finally:
            self.composer.area.focus()
