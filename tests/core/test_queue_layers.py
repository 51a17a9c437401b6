"""The work queue's modules stay in their layer: the core's actions and queue load no Textual,
Rich or HTTP stack (the app's widgets import them before the first frame), and the CLI's
queue commands load nothing but argparse until they run (`switchboard --help` stays fast)."""

from __future__ import annotations

from tests.test_layers import loaded_after_import


def test_actions_and_the_queue_load_no_ui_and_no_http() -> None:
    loaded = loaded_after_import(["tui.core.actions", "tui.core.queue_state", "tui.core.filters"])
    assert not {"textual", "rich", "httpx", "tui.core.client", "tui.backend"} & loaded
    assert not {m for m in loaded if m.startswith("tui.sandbox")}


def test_the_cli_with_its_queue_commands_loads_no_pydantic_until_a_command_runs() -> None:
    loaded = loaded_after_import(["tui.cli", "tui.cli_queue", "tui.cli_send"])
    assert not {m for m in loaded if m.startswith(("pydantic", "httpx", "textual"))}
    # the neutraliser for a failure's sentence, and nothing else of the core
    assert {m for m in loaded if m.startswith("tui.core.")} <= {"tui.core.text"}
