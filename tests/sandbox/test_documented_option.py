"""`documented_fields_only` reaches the sandbox from every way of starting one: `switchboard
sandbox --documented-fields-only` (in its help and its start-up lines) and the app's child process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tui.sandbox.records import OUR_FIELDS

from .commands import run_sandbox_command


def test_the_help_names_the_option_and_the_services() -> None:
    done = run_sandbox_command("--help")
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    assert "--documented-fields-only" in text and "last_message_at" in text
    assert "/conversation-messages-{whatsapp,instagram,messenger,webchat,sms,playground}" in text
    assert "/contacts" in text and "at most 50" in text


def test_the_command_serves_documented_fields_only(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0", "--documented-fields-only")
    seen = command.announcement()
    assert any("documented fields only" in line for line in command.seen)
    assert any("/conversation-messages-{" in line for line in command.seen)
    with httpx.Client(base_url=seen["base_url"], headers={"x-api-key": seen["api_key"]}) as api:
        one = api.get("/conversations/1").json()
        page = api.get("/conversations", params={"organization_id": 1}).json()["data"]
    assert not set(OUR_FIELDS) & set(one) and all(not set(OUR_FIELDS) & set(c) for c in page)
    assert command.finish()[1] == ""


def test_by_default_the_command_serves_our_fields_too(tmp_path: Path, sandbox_command: Any) -> None:
    command = sandbox_command("--data", str(tmp_path), "--port", "0")
    seen = command.announcement()
    assert not any("documented fields only" in line for line in command.seen)
    with httpx.Client(base_url=seen["base_url"], headers={"x-api-key": seen["api_key"]}) as api:
        assert set(OUR_FIELDS) <= set(api.get("/conversations/1").json())


def test_the_child_process_takes_the_option(tmp_path: Path) -> None:
    from tui.sandbox_process import start_sandbox_process

    for documented in (True, False):
        process = start_sandbox_process(
            str(tmp_path / f"data-{documented}"), documented_fields_only=documented
        )
        try:
            address = process.wait_ready()
            with httpx.Client(base_url=address.base_url, headers={"x-api-key": address.api_key}) as api:
                fields = set(api.get("/conversations/1").json())
        finally:
            process.stop()
        assert bool(set(OUR_FIELDS) & fields) is not documented
