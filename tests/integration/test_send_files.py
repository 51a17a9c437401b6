"""Files whose bytes or names fooled the client before: sent through the sandbox over loopback."""

from __future__ import annotations

import os
import random
from pathlib import Path

from tests.helpers import find
from tui.core.client import ApiClient
from tui.core.drafts import Draft
from tui.core.outbox import Outbox
from tui.core.sender import send_draft
from tui.core.store import Store

UTF16_CSV = b"\xff\xfe" + "Name,Amount\nAna,12\n".encode("utf-16-le")


async def test_a_utf16_text_file_goes_on_whatsapp_as_a_document(client: ApiClient, tmp_path: Path) -> None:
    conv = await find(client, "whatsapp", "open")
    export = tmp_path / "export.txt"
    export.write_bytes(UTF16_CSV)
    (msg,) = (await send_draft(client, conv.id, Draft(attachments=[export]))).messages
    assert (msg.message_type, msg.file_type, msg.file_name) == ("file", "text/plain", "export.txt")


def latin1_named(tmp_path: Path) -> Path:
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9 menu.txt"))
    path.write_bytes(b"Soup of the day\n")
    return path


async def test_a_file_name_that_is_not_utf8_is_sent_with_a_safe_name(
    client: ApiClient, tmp_path: Path
) -> None:
    conv = await find(client, "webchat")
    path = latin1_named(tmp_path)
    (msg,) = (await send_draft(client, conv.id, Draft(text="Menu", attachments=[path]))).messages
    assert msg.file_name == "caf\ufffd menu.txt"
    assert msg.message_text == "Menu"


async def test_the_outbox_sends_and_stores_a_file_whose_name_is_not_utf8(
    client: ApiClient, tmp_path: Path
) -> None:
    store = Store(tmp_path / "store.sqlite3")
    outbox = Outbox(store, client, "sandbox", rng=random.Random(1))
    try:
        conv = await find(client, "webchat")
        path = latin1_named(tmp_path)
        entry = await outbox.submit(conv.id, Draft(attachments=[path]), "", draft_mode="reply")
        await outbox.wait_idle()
        done = store.get(entry.id)
        assert done is not None and done.state == "sent", done.reason if done else None
        page = await client.list_messages(conv.id)
        assert page.data[0].file_name == "caf\ufffd menu.txt"
    finally:
        await outbox.aclose()
        store.close()
