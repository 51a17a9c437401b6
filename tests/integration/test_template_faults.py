"""The template list read template by template, on the sandbox over loopback with its template
faults (`--bad-template`, `--huge-template`): a malformed template is left out and counted, the
others stay sendable; one beyond WhatsApp's limits is refused in one sentence with nothing sent;
the largest one the limits allow goes out and the sandbox takes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CountingTransport
from tui.core.client import ApiClient
from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import PolicyRefusal
from tui.core.sender import send_draft
from tui.core.templates import TemplateValues
from tui.sandbox.seed import HANDY_IDS

WA = "/conversation-messages-transform-outgoing-whatsapp"
CID = HANDY_IDS["whatsapp_closed"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[object]:
    from tui.sandbox.runner import start_in_thread

    running = start_in_thread(data_dir=tmp_path / "sandbox", bad_template=True, huge_template=1000)
    try:
        yield running
    finally:
        running.stop()


def posts(transport: CountingTransport) -> int:
    return sum(1 for r in transport.requests if r.method == "POST" and r.url.path == WA)


async def test_a_malformed_template_is_left_out_and_counted(client: ApiClient) -> None:
    templates = await client.list_templates()
    names = {t.name for t in templates}
    assert {"order_update", "shipping_notice", "order_shipped", "huge_template"} <= names
    assert "broken_template" not in names
    (skipped,) = templates.skipped
    assert skipped.name == "broken_template" and skipped.why.startswith("components: ")
    held = await client.list_templates(max_age=60)  # the picker's read serves the send: still counted
    assert [s.name for s in held.skipped] == ["broken_template"]


async def test_the_other_templates_still_send(client: ApiClient) -> None:
    values = TemplateValues(named={"header.1": "A-7", "body.1": "Ana", "body.2": "Friday"})
    (sent,) = (
        await send_draft(client, CID, Draft(template=TemplateChoice("shipping_notice", None, values)))
    ).messages
    assert sent.message_type == "template"


async def test_the_malformed_and_the_huge_are_refused_in_one_sentence_with_nothing_sent(
    client: ApiClient, transport: CountingTransport
) -> None:
    broken = TemplateChoice("broken_template", None, TemplateValues(positional=["x"]))
    with pytest.raises(PolicyRefusal) as caught:
        await send_draft(client, CID, Draft(template=broken))
    assert caught.value.sentence.startswith("The template 'broken_template' could not be read (components: ")
    assert caught.value.sentence.endswith("pick another with `switchboard templates`.")
    huge = TemplateChoice("huge_template", None, TemplateValues(positional=["x"] * 1000))
    with pytest.raises(PolicyRefusal) as caught:
        await send_draft(client, CID, Draft(template=huge))
    assert caught.value.sentence == (
        "The template 'huge_template' has 1,000 buttons and WhatsApp allows at most 10, so it cannot "
        "be sent; fix it in WhatsApp Manager or pick another template."
    )
    assert posts(transport) == 0


async def test_the_largest_template_the_limits_allow_goes_out(
    client: ApiClient, sandbox: Any, transport: CountingTransport
) -> None:
    sandbox.set_faults(huge_template=(100, 2))
    values = TemplateValues(
        positional=[f"v{n}" for n in range(1, 101)], named={"first_name": "Ana"}, buttons=["A-1", "B-2"]
    )
    (sent,) = (
        await send_draft(client, CID, Draft(template=TemplateChoice("huge_template", None, values)))
    ).messages
    assert sent.message_text == "Values: " + " ".join(f"v{n}" for n in range(1, 101)) + "."
    assert sent.template is not None
    header, body, *buttons = sent.template["components"]
    assert header["parameters"] == [{"type": "text", "parameter_name": "first_name", "text": "Ana"}]
    assert len(body["parameters"]) == 100 and [b["index"] for b in buttons] == ["0", "1"]
    assert posts(transport) == 1
