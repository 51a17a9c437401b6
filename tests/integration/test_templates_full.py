"""Every kind of WhatsApp template through the sandbox over loopback: a media header uploaded with
the three steps and sent as its public URL, URL buttons with their values, the contact's name
already in place; and the sandbox refusing what a strict backend would."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import CountingTransport, make_pdf, make_png
from tui.core.client import ApiClient
from tui.core.drafts import Draft, TemplateChoice
from tui.core.errors import PolicyRefusal
from tui.core.files import inspect_file
from tui.core.models import Template
from tui.core.outbox import Outbox
from tui.core.sender import send_draft
from tui.core.store import Store
from tui.core.templates import TemplateValues, contact_value, slots
from tui.sandbox.seed import HANDY_IDS

WA = "/conversation-messages-transform-outgoing-whatsapp"
CID = HANDY_IDS["whatsapp_closed"]  # templates go outside the reply window too


def make_mp4(path: Path, size: int = 4096) -> Path:
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (size - 12))
    return path


async def template(client: ApiClient, name: str) -> Template:
    return next(t for t in await client.list_templates() if t.name == name)


async def test_order_template_with_image_header_tracking_button_and_contact_name(
    client: ApiClient, sandbox: Any, tmp_path: Path
) -> None:
    await client.fill_contacts([await client.get_conversation(CID)])  # as the screen does
    conv = await client.get_conversation(CID, max_age=60)
    order = await template(client, "order_shipped")
    # What the form prefills: the variables the contact can fill.
    named = {s.key: contact_value(s.key, conv.contact) for s in slots(order)}
    assert named["first_name"] == conv.contact.first_name if conv.contact else False
    named |= {"order_id": "A-1001", "date": "Friday"}
    photo = make_png(tmp_path / "parcel photo.png")
    choice = TemplateChoice("order_shipped", "en_US", TemplateValues(named=named, buttons=["A-1001"]), photo)
    (sent,) = (await send_draft(client, CID, Draft(template=choice))).messages
    assert sent.message_type == "template"
    assert sent.message_text == f"Hi {named['first_name']}, your order A-1001 has shipped and arrives Friday."
    assert sent.template is not None
    header, body, button = sent.template["components"]
    link = header["parameters"][0]["image"]["link"]
    assert link.startswith(sandbox.media_base_url + "/") and link.endswith("/parcel%20photo.png")
    async with httpx.AsyncClient() as storage:  # the public URL serves the very bytes uploaded
        assert (await storage.get(link)).content == photo.read_bytes()
    assert body["parameters"][0] == {
        "type": "text",
        "parameter_name": "first_name",
        "text": named["first_name"],
    }
    assert button == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "A-1001"}],
    }
    # Read back, the message keeps the object and the template's components for the history.
    again = (await client.list_messages(CID)).data[0]
    assert again.template == sent.template
    kinds = [c["type"] for c in again.template_components or []]
    assert kinds == ["HEADER", "BODY", "FOOTER", "BUTTONS"]


@pytest.mark.parametrize(
    ("name", "values", "make", "kind"),
    [
        ("product_tour", TemplateValues(["Ana", "blender"]), make_mp4, "video"),
        (
            "statement_ready",
            TemplateValues(named={"first_name": "Ana", "month": "November"}),
            make_pdf,
            "document",
        ),
    ],
)
async def test_video_and_document_headers(
    client: ApiClient, tmp_path: Path, name: str, values: TemplateValues, make: Any, kind: str
) -> None:
    path = make(tmp_path / f"header.{'mp4' if kind == 'video' else 'pdf'}")
    (sent,) = (
        await send_draft(client, CID, Draft(template=TemplateChoice(name, "en_US", values, path)))
    ).messages
    assert sent.template is not None
    media = sent.template["components"][0]["parameters"][0][kind]
    assert media["link"].endswith(path.name)
    assert ("filename" in media) == (kind == "document")


@pytest.mark.parametrize("name", ["support_contact", "login_code"])
async def test_text_header_and_buttons_without_files(client: ApiClient, name: str) -> None:
    values = (
        TemplateValues(named={"first_name": "Ana"})
        if name == "support_contact"
        else TemplateValues(["4821"], buttons=["4821"])
    )
    (sent,) = (await send_draft(client, CID, Draft(template=TemplateChoice(name, "en_US", values)))).messages
    assert sent.message_type == "template"


async def test_a_header_file_over_the_limit_is_refused_before_any_upload(
    client: ApiClient, transport: CountingTransport, tmp_path: Path
) -> None:
    big = make_png(tmp_path / "huge.png", 5 * 1024 * 1024 + 1)
    choice = TemplateChoice(
        "order_shipped",
        "en_US",
        TemplateValues(named={"first_name": "A", "order_id": "1", "date": "2"}, buttons=["1"]),
        big,
    )
    with pytest.raises(PolicyRefusal, match="over the 5 MB WhatsApp allows"):
        await send_draft(client, CID, Draft(template=choice))
    assert not [r for r in transport.requests if r.method == "POST"]


async def test_the_outbox_remembers_the_header_file(client: ApiClient, tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    outbox = Outbox(store, client, "sandbox", rng=random.Random(1))
    try:
        photo = inspect_file(make_png(tmp_path / "box.png"))  # as the form's file pick gives it
        values = TemplateValues(
            named={"first_name": "Ana", "order_id": "A-7", "date": "today"}, buttons=["A-7"]
        )
        draft = Draft(template=TemplateChoice("order_shipped", "en_US", values, photo))
        entry = await outbox.submit(CID, draft, "Hi Ana", draft_mode="template")
        stored = store.get(entry.id)
        assert stored is not None and stored.draft["template"]["header_file"]["name"] == "box.png"
        await outbox.wait_idle()
        done = store.get(entry.id)
        assert done is not None and done.state == "sent", done.reason if done else None
        last = (await client.list_messages(CID)).data[0]
        assert (
            last.template is not None
            and "box.png" in last.template["components"][0]["parameters"][0]["image"]["link"]
        )
    finally:
        await outbox.aclose()
        store.close()


# -- the sandbox refuses what a strict backend would --------------------------------------------


def order_body(components: list[dict[str, Any]], name: str = "order_shipped") -> dict[str, Any]:
    return {
        "conversation_id": CID,
        "message_text": "x",
        "message_type": "template",
        "template": {"name": name, "language": {"code": "en_US"}, "components": components},
    }


BODY = {
    "type": "body",
    "parameters": [
        {"type": "text", "parameter_name": k, "text": "v"} for k in ("first_name", "order_id", "date")
    ],
}
BUTTON = {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A-1"}]}


def image(link: str) -> dict[str, Any]:
    return {"type": "header", "parameters": [{"type": "image", "image": {"link": link}}]}


async def test_the_sandbox_refuses_bad_template_sends(
    client: ApiClient, sandbox: Any, tmp_path: Path
) -> None:
    # A real object of the wrong kind, uploaded as a document header would be.
    pdf = make_pdf(tmp_path / "a.pdf")
    (doc,) = (
        await send_draft(
            client,
            CID,
            Draft(
                template=TemplateChoice(
                    "statement_ready", "en_US", TemplateValues(named={"first_name": "A", "month": "M"}), pdf
                )
            ),
        )
    ).messages
    assert doc.template is not None
    pdf_link = doc.template["components"][0]["parameters"][0]["document"]["link"]
    headers = {"x-api-key": sandbox.api_key}
    cases = {
        "no header": ([BODY, BUTTON], "needs an image parameter with a link"),
        "unknown object": ([image(sandbox.media_base_url + "/nope/x.png"), BODY, BUTTON], "uploaded object"),
        "wrong kind": ([image(pdf_link), BODY, BUTTON], "application/pdf object, not an image"),
        "wrong count": (
            [image(pdf_link), {"type": "body", "parameters": []}, BUTTON],
            "body takes 3 parameters, got 0",
        ),
        "pending": ([BODY], "PENDING"),
    }
    async with httpx.AsyncClient(
        base_url=sandbox.base_url, headers=headers, params={"organization_id": sandbox.organization_id}
    ) as api:
        for what, (components, expected) in cases.items():
            name = "spring_catalog" if what == "pending" else "order_shipped"
            r = await api.post(WA, json=order_body(components, name))
            assert r.status_code == 422, what
            assert expected in r.json()["errors"]["template"], (what, r.json())
        # A good image and a missing button parameter: the button is named.
        photo = make_png(tmp_path / "p.png")
        values = TemplateValues(named={"first_name": "A", "order_id": "1", "date": "2"}, buttons=["1"])
        (good,) = (
            await send_draft(
                client, CID, Draft(template=TemplateChoice("order_shipped", "en_US", values, photo))
            )
        ).messages
        assert good.template is not None
        good_header = good.template["components"][0]
        r = await api.post(WA, json=order_body([good_header, BODY]))
        assert r.status_code == 422 and "url button at index 0" in r.json()["errors"]["template"]
        r = await api.post(WA, json=order_body([good_header, BODY, BUTTON, {**BUTTON, "index": "1"}]))
        assert (
            r.status_code == 422
            and "no url button with a variable at index 1" in r.json()["errors"]["template"]
        )


def test_a_sandbox_file_seeded_before_these_kinds_gets_them_once(tmp_path: Path) -> None:
    import time

    from tui.sandbox.seed import seed
    from tui.sandbox.seed_templates import KINDS, add_missing
    from tui.sandbox.store import Store

    store = Store(tmp_path / "sandbox.db", time.time)
    try:
        store.open(seed)
        names = [t["name"] for t in KINDS]
        store.execute(f"DELETE FROM templates WHERE name IN ({', '.join('?' for _ in names)})", names)
        before = [r["name"] for r in store.query("SELECT name FROM templates ORDER BY id")]
        assert not set(names) & set(before)
        add_missing(store)
        add_missing(store)
        after = [r["name"] for r in store.query("SELECT name FROM templates ORDER BY id")]
        assert after == before + names
    finally:
        store.close()
