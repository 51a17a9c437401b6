"""Every channel and mode end to end: sender -> sandbox over real loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CountingTransport, find, make_pdf, make_png
from tui.core.client import ApiClient
from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import PolicyRefusal
from tui.core.sender import send_draft
from tui.core.templates import TemplateValues

pytestmark = pytest.mark.asyncio

TRANSFORM = ["whatsapp", "instagram", "messenger", "webchat"]


async def history(client: ApiClient, conversation_id: int, n: int = 10) -> list:
    return (await client.list_messages(conversation_id)).data[:n]


def sends(transport: CountingTransport) -> list[str]:
    return [r.url.path for r in transport.requests if r.method in ("POST", "PUT")]


@pytest.mark.parametrize("channel", [*TRANSFORM, "sms", "playground"])
async def test_text_reply(client: ApiClient, transport: CountingTransport, channel: str) -> None:
    conv = await find(client, channel, "open" if channel in ("whatsapp", "instagram", "messenger") else None)
    result = await send_draft(client, conv.id, Draft(text=f"Hello from {channel} ✓"))
    (msg,) = result.messages
    assert msg.message_text == f"Hello from {channel} ✓"
    assert msg.direction == "outbound"
    latest = (await history(client, conv.id, 1))[0]
    assert latest.id == msg.id
    expected_path = {
        "sms": "/conversation-messages-sms",
        "playground": "/conversation-messages-playground",
    }.get(channel, f"/conversation-messages-transform-outgoing-{channel}")
    assert sends(transport) == [expected_path]


@pytest.mark.parametrize("channel", TRANSFORM)
async def test_note_goes_even_when_the_window_is_closed(client: ApiClient, channel: str) -> None:
    window = "closed" if channel != "webchat" else None
    conv = await find(client, channel, window)
    result = await send_draft(client, conv.id, Draft(text="Called them; ships Monday.", note=True))
    (msg,) = result.messages
    assert msg.message_type == "note" and msg.is_note


@pytest.mark.parametrize("channel", ["whatsapp", "instagram", "messenger"])
async def test_reply_refused_before_any_request_on_closed_window(
    client: ApiClient, transport: CountingTransport, channel: str
) -> None:
    conv = await find(client, channel, "closed")
    before = await history(client, conv.id, 50)
    transport.requests.clear()
    with pytest.raises(PolicyRefusal) as err:
        await send_draft(client, conv.id, Draft(text="Are you there?"))
    assert err.value.reason == "window_closed"
    assert sends(transport) == []  # the list's fresh copy (or one read of it) decided
    assert {r.method for r in transport.requests} <= {"GET"} and len(transport.requests) <= 1
    assert await history(client, conv.id, 50) == before


async def test_never_opened_window_refused(client: ApiClient) -> None:
    conv = await find(client, "instagram", "never")
    with pytest.raises(PolicyRefusal, match="never written"):
        await send_draft(client, conv.id, Draft(text="Hi"))


@pytest.mark.parametrize("channel", [*TRANSFORM, "playground"])
async def test_image_with_caption(client: ApiClient, tmp_path: Path, channel: str) -> None:
    conv = await find(client, channel, "open" if channel in ("whatsapp", "instagram", "messenger") else None)
    png = make_png(tmp_path / "receipt photo.png")
    result = await send_draft(client, conv.id, Draft(text="Your receipt", attachments=[png]))
    image = next(m for m in result.messages if m.message_type == "image")
    assert image.file_name == "receipt photo.png"
    assert image.file_size == png.stat().st_size
    texts = [m.message_text for m in result.messages]
    if channel in ("instagram", "messenger"):
        assert texts == ["Your receipt", ""]  # the text travels as its own message
    else:
        assert texts == ["Your receipt"]


async def test_pdf_on_whatsapp(client: ApiClient, tmp_path: Path) -> None:
    conv = await find(client, "whatsapp", "open")
    pdf = make_pdf(tmp_path / "invoice 2026.pdf")
    (msg,) = (await send_draft(client, conv.id, Draft(attachments=[pdf]))).messages
    assert (msg.message_type, msg.file_type, msg.file_name) == ("file", "application/pdf", "invoice 2026.pdf")


async def test_several_files_on_whatsapp_one_message_each_caption_first(
    client: ApiClient, tmp_path: Path
) -> None:
    conv = await find(client, "whatsapp", "open")
    files = [make_png(tmp_path / "a.png"), make_pdf(tmp_path / "b.pdf"), make_png(tmp_path / "c.png")]
    result = await send_draft(client, conv.id, Draft(text="Three files", attachments=files))
    assert [(m.message_type, m.message_text) for m in result.messages] == [
        ("image", "Three files"),
        ("file", ""),
        ("image", ""),
    ]
    newest_first = await history(client, conv.id, 3)
    assert [m.id for m in reversed(newest_first)] == [m.id for m in result.messages]


async def test_mms_one_media_url_per_message(client: ApiClient, tmp_path: Path, sandbox: object) -> None:
    from tui.core.http import httpx

    conv = await find(client, "sms")
    files = [make_png(tmp_path / "ph oto.png"), make_pdf(tmp_path / "doc.pdf")]
    result = await send_draft(client, conv.id, Draft(text="Pics", attachments=files))
    assert [m.message_text for m in result.messages] == ["Pics", ""]
    first = result.messages[0]
    assert first.media_url and first.media_url.startswith(sandbox.media_base_url + "/")  # type: ignore[attr-defined]
    assert "ph%20oto.png" in first.media_url
    async with httpx.AsyncClient() as http:
        served = await http.get(first.media_url)
    assert served.status_code == 200
    assert served.content == files[0].read_bytes()
    assert served.headers["content-type"].startswith("image/png")


async def test_upload_puts_no_credentials_on_the_storage_request(
    client: ApiClient, transport: CountingTransport, tmp_path: Path
) -> None:
    conv = await find(client, "webchat")
    await send_draft(client, conv.id, Draft(attachments=[make_png(tmp_path / "x.png")]))
    (put,) = [r for r in transport.requests if r.method == "PUT"]
    assert "x-api-key" not in put.headers and "authorization" not in put.headers
    assert put.url.path.startswith("/_storage/")
    assert all("x-api-key" in r.headers for r in transport.requests if r.method != "PUT")
    assert [r.url.path for r in transport.requests if r.method == "POST"] == [
        "/s3-url-signing",
        "/conversation-files",
        "/conversation-messages-transform-outgoing-webchat",
    ]


async def test_oversize_image_refused_before_any_upload(
    client: ApiClient, transport: CountingTransport, tmp_path: Path
) -> None:
    conv = await find(client, "whatsapp", "open")
    big = make_png(tmp_path / "huge.png", size=5 * 1024 * 1024 + 1)
    transport.requests.clear()
    with pytest.raises(PolicyRefusal) as err:
        await send_draft(client, conv.id, Draft(text="look", attachments=[big]))
    assert err.value.reason == "file_too_big"
    assert sends(transport) == []


async def test_whatsapp_template_positional(client: ApiClient) -> None:
    conv = await find(client, "whatsapp", "closed")  # templates go outside the window
    draft = Draft(template=TemplateChoice("order_update", values=TemplateValues(["Ana", "A-1001"])))
    (msg,) = (await send_draft(client, conv.id, draft)).messages
    assert msg.message_type == "template"
    assert msg.message_text == "Hi Ana, your order A-1001 has shipped."


async def test_whatsapp_template_named(client: ApiClient) -> None:
    conv = await find(client, "whatsapp", "never")
    templates = {t.name: t for t in await client.list_templates(status="APPROVED")}
    assert "appointment_reminder" in templates
    draft = Draft(
        template=TemplateChoice(
            "appointment_reminder", values=TemplateValues(named={"first_name": "Ana", "date": "Dec 3"})
        )
    )
    (msg,) = (await send_draft(client, conv.id, draft)).messages
    assert "Ana" in (msg.message_text or "") and "Dec 3" in (msg.message_text or "")


async def test_template_with_a_header_variable(client: ApiClient) -> None:
    from tui.core.templates import slots

    templates = await client.list_templates(status="APPROVED")
    with_header = next(t for t in templates if any(s.component == "HEADER" for s in slots(t)))
    values = TemplateValues([f"v{i}" for i in range(len(slots(with_header)))])
    conv = await find(client, "whatsapp", "open")
    draft = Draft(template=TemplateChoice(with_header.name, with_header.language, values))
    (msg,) = (await send_draft(client, conv.id, draft)).messages
    assert msg.message_type == "template"


@pytest.mark.parametrize("status", ["PENDING", "REJECTED"])
async def test_unapproved_template_refused_before_send(
    client: ApiClient, transport: CountingTransport, status: str
) -> None:
    templates = await client.list_templates()
    bad = next(t for t in templates if t.status == status)
    conv = await find(client, "whatsapp", "open")
    transport.requests.clear()
    with pytest.raises(PolicyRefusal, match=status):
        await send_draft(client, conv.id, Draft(template=TemplateChoice(bad.name, bad.language)))
    assert sends(transport) == []


async def test_a_named_value_for_no_variable_is_refused_before_send(
    client: ApiClient, transport: CountingTransport
) -> None:
    """`--param-name nosuch=1` used to be accepted and do nothing."""
    conv = await find(client, "whatsapp", "closed")
    values = TemplateValues(["Ana", "A-1001"], named={"nosuch": "1"})
    transport.requests.clear()
    with pytest.raises(PolicyRefusal) as err:
        await send_draft(client, conv.id, Draft(template=TemplateChoice("order_update", values=values)))
    assert err.value.reason == "template_unknown_value"
    assert "'nosuch'" in err.value.sentence and "body {{1}} and body {{2}}" in err.value.sentence
    assert sends(transport) == []


async def test_template_refused_on_messenger(client: ApiClient) -> None:
    conv = await find(client, "messenger")
    with pytest.raises(PolicyRefusal, match="WhatsApp feature"):
        await send_draft(client, conv.id, Draft(template=TemplateChoice("order_update")))


async def test_server_enforces_the_window_itself(client: ApiClient) -> None:
    """The backend answers 409 when a client skips the check; we show it as a ConflictError."""
    from tui.core.errors import ConflictError

    conv = await find(client, "whatsapp", "closed")
    with pytest.raises(ConflictError, match="409"):
        await client.post_message(
            client.paths.whatsapp,
            {"conversation_id": conv.id, "message_text": "sneaky", "message_type": "text"},
        )


async def test_back_to_back_sends_share_one_read_of_the_conversation(
    client: ApiClient, transport: CountingTransport
) -> None:
    conv = await find(client, "webchat")
    client.cache.forget()  # not the list's fresh copy: the first send reads the conversation
    before = len(transport.requests)
    for i in range(3):
        await send_draft(client, conv.id, Draft(text=f"batch {i}"))
    reads = [r for r in transport.requests[before:] if r.method == "GET"]
    assert [r.url.path for r in reads] == [f"/conversations/{conv.id}"]
    # An explicit read is always fresh.
    await client.get_conversation(conv.id)
    assert sum(1 for r in transport.requests[before:] if r.method == "GET") == 2
