"""The composer's helpers that open another screen or program: attach files, pick a WhatsApp
template or a snippet, write in $EDITOR; and (from `QuoteActions`) quoted replies. Mixed into the
conversation screen (kept apart for its size)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import SwitchboardError
from tui.core.files import inspect_file
from tui.core.policy import check_channel, check_file, check_template_allowed
from tui.core.snippets import needs_sentence
from tui.core.text import one_line
from tui.screens.quote_actions import QuoteActions

if TYPE_CHECKING:
    from tui.core.channels import ChannelSpec
    from tui.core.models import Conversation
    from tui.screens.snippets import SnippetChoice
    from tui.widgets.composer import Composer


class ComposerActions(QuoteActions):
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
                # A quote in the composer goes with the template too (then it is used up).
                self._enqueue(Draft(template=template_choice, reply_to=self.composer.reply_to), body, None)
                self.composer.clear_quote()

        self.app.push_screen(TemplatePickerScreen(self.conversation), chosen)

    def action_editor(self) -> None:
        from tui.editor import edit_in_editor

        try:
            self.composer.set_text(edit_in_editor(self.app, self.composer.text))
        except SwitchboardError as exc:
            self.ctx.notify_error(exc)
        finally:
            self.composer.area.focus()

    # -- snippets -------------------------------------------------------------------------------

    def on_composer_snippet_wanted(self, event: Composer.SnippetWanted) -> None:
        from tui.screens.snippets import SnippetScreen

        event.stop()

        def chosen(choice: SnippetChoice | None) -> None:
            if choice is not None:
                self.insert_snippet(choice)
            self.composer.area.focus()

        picker = SnippetScreen(
            self.conversation, self.ctx.config.snippets_dir, draft=self.composer.text, spec=self.spec
        )
        self.app.push_screen(picker, chosen)

    def insert_snippet(self, choice: SnippetChoice) -> None:
        """The text at the cursor, whatever happens to its files: each is checked like a picked
        one, and one that cannot go (missing, too big, a type the channel refuses) is said."""
        files = []
        for path in choice.files:
            try:
                info = inspect_file(path)
                if self.spec is not None:
                    check_file(info, self.spec)
            except SwitchboardError as exc:
                name = one_line(path.name, 40)
                self.ctx.notify_error(f"The snippet went in without {name}: {exc.sentence}")
                continue
            files.append(path)
        self.composer.insert_snippet(choice.text, files)
        if choice.needs:
            self.ctx.notify_error(needs_sentence(choice.needs))
