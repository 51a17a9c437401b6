"""`switchboard sandbox` serves live updates: its delivery flags move statuses on the wire, a bad
value is refused in one sentence, and killed with SIGKILL it starts again at once on the same port
and data folder, where a client that reconnects hears it."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
import socketio

from tui.sandbox.live import message_event
from tui.sandbox.seed import HANDY_IDS

from .commands import WAIT, run_sandbox_command
from .test_live_connect import Reconnecting

WHATSAPP = HANDY_IDS["whatsapp_open"]
MESSAGE_CREATED = message_event("whatsapp", "created")
MESSAGE_PATCHED = message_event("whatsapp", "patched")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_the_delivery_flags_move_statuses(tmp_path: Path, sandbox_command: Any) -> None:
    # No failures: the command's default rate (5%) failed this WhatsApp send now and then, and a
    # failed message is patched once (failed), not twice (delivered, read).
    command = sandbox_command(
        "--data", str(tmp_path), "--port", "0", "--delivery-seconds", "0.05", "--delivery-failure-rate", "0"
    )
    seen = command.announcement()
    client = socketio.AsyncClient(reconnection=False)
    heard: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    async def note(event: str, data: dict[str, Any]) -> None:
        await heard.put((event, data))

    client.on("*", note)
    await client.connect(seen["base_url"], headers={"x-api-key": seen["api_key"]}, wait_timeout=WAIT)
    try:
        async with httpx.AsyncClient(
            base_url=seen["base_url"], headers={"x-api-key": seen["api_key"]}
        ) as api:
            answer = await api.post(
                "/conversation-messages-transform-outgoing-whatsapp",
                json={"conversation_id": WHATSAPP, "message_text": "hi", "message_type": "text"},
            )
        sent = answer.json()
        statuses = []
        while len(statuses) < 2:
            event, data = await asyncio.wait_for(heard.get(), WAIT)
            if event == MESSAGE_PATCHED:
                statuses.append((data["_id"], data["status"]))
        assert statuses == [(sent["_id"], "delivered"), (sent["_id"], "read")]
    finally:
        await client.disconnect()
    code, stderr = command.finish()
    assert code in (0, 130) and stderr == ""


@pytest.mark.parametrize(
    ("flag", "value", "sentence"),
    [
        ("--delivery-seconds", "-1", "delivery_seconds must be at least 0, got -1.0"),
        ("--delivery-failure-rate", "1.5", "delivery_failure_rate must be 0-1, got 1.5"),
    ],
)
def test_a_bad_delivery_value_is_one_sentence(tmp_path: Path, flag: str, value: str, sentence: str) -> None:
    done = run_sandbox_command("--data", str(tmp_path), "--port", "0", flag, value)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines()[-1].endswith(f"{sentence} (see `switchboard sandbox --help`).")
    assert "Traceback" not in done.stderr


async def test_killed_and_started_again_on_its_port_it_is_heard_again(
    tmp_path: Path, sandbox_command: Any
) -> None:
    port = str(free_port())
    first = sandbox_command("--data", str(tmp_path), "--port", port)
    seen = first.announcement()
    http = aiohttp.ClientSession()
    listener = Reconnecting(http)
    try:
        await listener.client.connect(
            seen["base_url"], headers={"x-api-key": seen["api_key"]}, wait_timeout=WAIT
        )
        await asyncio.wait_for(listener.connects.get(), WAIT)
        first.proc.send_signal(signal.SIGKILL)
        await asyncio.wait_for(listener.drops.get(), WAIT)
        first.finish()
        second = sandbox_command("--data", str(tmp_path), "--port", port)
        again = second.announcement()
        assert (again["base_url"], again["api_key"]) == (seen["base_url"], seen["api_key"])
        await asyncio.wait_for(listener.connects.get(), WAIT)
        async with httpx.AsyncClient(
            base_url=again["base_url"], headers={"x-api-key": again["api_key"]}
        ) as api:
            answer = await api.post(
                "/conversation-messages-transform-outgoing-whatsapp",
                json={"conversation_id": WHATSAPP, "message_text": "after the kill", "message_type": "text"},
            )
        assert await listener.until(lambda e, d: e == MESSAGE_CREATED) == (MESSAGE_CREATED, answer.json())
    finally:
        await listener.client.shutdown()
        await http.close()
