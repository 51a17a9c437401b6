"""Inbound files in the seed: a customer's photo of a broken parcel, PDF statements, and a file whose
name attacks the saver (`../../.bashrc`), each a real object served at the public media URL.

The bytes are built here without any imaging library (the sandbox never loads Pillow): the photo
is a small PNG drawn pixel by pixel, the statement a one-page PDF with a correct cross-reference
table. Each message carries what the contract's "Inbound attachments" names: `conversation_file_id`,
`file_name`, `file_type`, `file_size`, and (through its conversation file) `s3_key`.

| conversation | channel | file |
|---|---|---|
| 1  | WhatsApp  | broken-parcel.png (photo), statement-2026-11.pdf |
| 9  | Instagram | parcel-photo.png |
| 14 | Messenger | statement-2026-11.pdf |
| 19 | Webchat   | `../../.bashrc` (a hostile name; harmless text) |

The seed's older attachments (`photo_of_box.jpg`, `invoice-2026-114.pdf`, in and out, on any
channel) get real bytes too; its voice notes stay without an address (no Ogg encoder here).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tui.sandbox.store import Store

__all__ = [
    "PARCEL_JPEG",
    "SEEDED_FILES",
    "add_file_message",
    "add_file_row",
    "ensure_seed_files",
    "objects_root",
    "parcel_png",
    "seed_files",
    "statement_pdf",
    "store_file",
    "store_object",
]

#: Set in the store's meta once the files are seeded.
SEEDED_META = "seeded_files"
HOSTILE_TEXT = b"# A customer's file named ../../.bashrc. Saved safely, it is only text.\necho 'never run'\n"

#: (conversation id, file name, MIME type, caption, seconds before the customer's last message)
SEEDED_FILES: tuple[tuple[int, str, str, str, float], ...] = (
    (1, "broken-parcel.png", "image/png", "The box arrived like this", 180.0),
    (1, "statement-2026-11.pdf", "application/pdf", "", 120.0),
    (9, "parcel-photo.png", "image/png", "Look at the corner", 120.0),
    (14, "statement-2026-11.pdf", "application/pdf", "My statement, the charge is on page 1", 120.0),
    (19, "../../.bashrc", "text/plain", "", 120.0),
)


def objects_root(store: Store) -> Path:
    """The objects folder next to the store's file (where `state.Sandbox` serves them from)."""
    return store.path.parent / "objects"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def parcel_png(width: int = 96, height: int = 64) -> bytes:
    """A picture of a cardboard box with a torn corner, as an 8-bit RGB PNG."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            colour = (214, 220, 226)  # the floor
            if 12 <= x < width - 12 and 10 <= y < height - 8:
                colour = (176, 128, 74)  # cardboard
                if abs(x - width // 2) < 3:
                    colour = (222, 196, 120)  # tape
                if x > width - 34 and y < 30 and (x - (width - 34)) > (y - 10) * 1.2:
                    colour = (60, 40, 24)  # the torn corner
            if abs((x * 2 + y) % 23 - 11) < 1 and 30 < x < 60 and 20 < y < 50:
                colour = (40, 28, 18)  # a crack
            rows.extend(colour)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def statement_pdf(lines: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF statement (Helvetica, ASCII text) with a valid xref table."""
    text = lines or (
        "AchieveApex Store - Statement, November 2026",
        "2026-11-03  Order 1042  Wireless headphones   59.90",
        "2026-11-03  Order 1042  Wireless headphones   59.90  (charged twice)",
        "2026-11-20  Refund      pending",
    )
    ops = ["BT", "/F1 12 Tf", "72 760 Td", "16 TL"]
    for line in text:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _bytes_for(mime: str) -> bytes:
    if mime == "image/png":
        return parcel_png()
    if mime == "application/pdf":
        return statement_pdf()
    return HOSTILE_TEXT


def _filler(size: int) -> Iterator[bytes]:
    """`size` bytes of a repeating, non-compressible-looking pattern, a megabyte at a time."""
    block = hashlib.sha256(b"switchboard").digest() * (1024 * 1024 // 32)
    left = size
    while left > 0:
        piece = block[: min(left, len(block))]
        left -= len(piece)
        yield piece


def _write_object(root: Path, key: str, chunks: Iterator[bytes]) -> tuple[int, str]:
    """Write an object into the objects folder the way an upload does (temp file, rename)."""
    # As `storage.object_path` places it (that module loads Starlette, which seeding must not:
    # a new file is seeded before the child's handshake).
    target = root.joinpath(*[p for p in key.split("/") if p not in ("", ".", "..")])
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".seed-")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def store_object(store: Store, key: str, data: bytes, content_type: str) -> int:
    """Store an object under `key` with no conversation file (a team reply's file); its size."""
    written, etag = _write_object(objects_root(store), key, iter([data]))
    store.execute(
        "INSERT OR REPLACE INTO objects (key, content_type, size, etag) VALUES (?, ?, ?, ?)",
        (key, content_type, written, etag),
    )
    return written


def store_file(
    store: Store,
    conversation_id: int,
    file_name: str,
    file_type: str,
    *,
    at: float,
    data: bytes | None = None,
    size: int | None = None,
) -> tuple[str, int]:
    """Store an object (`data`, or `size` generated bytes streamed to disk) and its conversation
    file; (the file's id, its size)."""
    from tui.core.files import category_of

    conversation = store.conversation(conversation_id)
    if conversation is None:
        raise KeyError(f"no conversation {conversation_id}")
    org = conversation["organization_id"]
    file_id = secrets.token_hex(12)
    base = os.path.basename(file_name.replace("\\", "/")).lstrip(".") or "file"
    key = f"org-{org}/conversation-{conversation_id}/{file_id}/{base}"
    chunks = iter([data]) if data is not None else _filler(size or 0)
    written, etag = _write_object(objects_root(store), key, chunks)
    s3_path, category = f"s3://sandbox-bucket/{key}", category_of(file_type)
    store.script(
        [
            (
                "INSERT OR REPLACE INTO objects (key, content_type, size, etag) VALUES (?, ?, ?, ?)",
                (key, file_type, written, etag),
            ),
            (
                "INSERT INTO files (id, conversation_id, organization_id, file_name, file_type, "
                "file_size, s3_key, s3_path, file_category, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (file_id, conversation_id, org, file_name, file_type, written, key, s3_path, category, at),
            ),
        ]
    )
    return file_id, written


def add_file_message(
    store: Store,
    conversation_id: int,
    file_name: str,
    file_type: str,
    *,
    at: float,
    data: bytes | None = None,
    size: int | None = None,
    caption: str = "",
    sender_name: str | None = None,
) -> dict[str, Any]:
    """Store an object, its conversation file, and an inbound message carrying it at time `at`;
    the message as the API shows it. Leaves the conversation's preview and reply window alone
    (its `last_interaction_at` moves when the file is its newest message)."""
    message_id = add_file_row(
        store, conversation_id, file_name, file_type, at=at, data=data, size=size, caption=caption,
        sender_name=sender_name,
    )  # fmt: skip
    return store.message(message_id)


def add_file_row(
    store: Store,
    conversation_id: int,
    file_name: str,
    file_type: str,
    *,
    at: float,
    data: bytes | None = None,
    size: int | None = None,
    caption: str = "",
    sender_name: str | None = None,
) -> int:
    """`add_file_message`, answering the message's rowid (for the live bus)."""
    from tui.core.files import category_of

    file_id, written = store_file(store, conversation_id, file_name, file_type, at=at, data=data, size=size)
    if sender_name is None:
        conversation = store.conversation(conversation_id)
        assert conversation is not None
        contact = store.one("SELECT * FROM contacts WHERE id = ?", (conversation["contact_id"],))
        sender_name = f"{contact['first_name']} {contact['last_name']}" if contact else "Customer"
    message_id = store.add_message(
        conversation_id=conversation_id,
        direction="inbound",
        message_type=category_of(file_type),
        message_text=caption,
        created_at=at,
        status="delivered",
        sender_name=sender_name,
        conversation_file_id=file_id,
        file_name=file_name,
        file_type=file_type,
        file_size=written,
    )
    return message_id


#: The parcel photo as a JPEG (192x128), encoded once with Pillow and kept as bytes, so the
#: sandbox never loads an imaging library: the seed's older `photo_of_box.jpg` messages carry it.
PARCEL_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdB"
    "RkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT0//wAARCACAAMADASIAAhEBAxEB/8QAGwABAAMBAQEBAAAAAAAAAAAAAAQFBgMHAgH/xAA6EAABAgQD"
    "AQ0GBwEBAAAAAAAAAgMBBBESBRMxIRUyNEFDYWSBgqOxweEUFjNlpOIGIiNCUVLRJKH/xAAYAQEBAQEBAAAAAAAAAAAAAAAA"
    "BAECA//EAB8RAQACAQUBAQEAAAAAAAAAAAABAgQDETFBURMSIf/aAAwDAQACEQMRAD8A3AAOnIAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAUu73Re89C6MYT5Gpam35e+jStt91zu90XvPQbvdF7z0KYE/wB9T17/ABp4ud3ui956Dd7oveehTAffU9PjTxc7"
    "vdF7z0G73Re89CmA++p6fGni53e6L3noSpPE/ar/ANG22n7q1/8ADOFlg/LdnzMnX1NuWTpU24WsxPZDCnMu62my6nGQd3ui"
    "956H1iPAXOrxgUhkZGp6yulSelzu90XvPQ+H/wAQuIaUpqRzVw0Rm2166FSDr76nrfjTx8e//wAr+o+0e/8A8r+o+0rcWwv2"
    "mr8vD9bjT/fSHHGkKQM++y5LuqadTatOsK1PeurNnlbTiGy9/wD5X9R9o9//AJX9R9piQd/uXP4htvf/AOV/UfabY8TPbDuk"
    "zPLi8RHAADtwAAAYw2ZjCTK6U4/YACRSAAAAABZYPy3Z8yllHM++YbfzGHKZabKW02R547S6wfluz5mWjZzPCTiPAXOrxgUh"
    "d4jwFzq8YFBLrccZSp5rKXGtUXQVTrgK8FXQAGugiYhItzzUEqjatO9XrbpXZ1EsGxMxO8ExuxT7Lku6pp1Nq06wrU5m1fZb"
    "mGlNOpuQrWFaGVxCRckXYJVG5Ct6vS7SuzrKaakW/jwtTZEPbDxM9sKNPt4agAD0eYAABjDZmMJMrpTj9gAJFIAABHm3N5Lt"
    "v5L71ctVl2m2PNoSCPKOZ98w2/mMOUy02Utpsjzx2mx6yUgssH5bs+ZWllg/LdnzOZ4LcPzHUqelYSypXOlnfjLzLcukYRTs"
    "1jWP8FcTsn/hmJ16T9lm5m3ORmX72NE7dNP4/kgmx4ynADnMPtyzKnnlWoTrGkY83EdA6AAAOb7Lcw0pp1NyFawrQ6ADOYth"
    "fs1X5eH6PGn+mkOONY1ierGMNmW41ptE7pdesRMbAAKU4AABjDZmMJMrpTj9gAJFIAAI825vJdt/Jferlqsu02x5tCQR5RzP"
    "vmG38xhymWmyltNkeeO0kGz4yA6sM+13ST0nnyj3xl5luXTanZrGsYcRyJX4db4RMOMZL71uYm+7SsIc2hnEbstwscR4C51e"
    "MCkLvEeAudXjAoJh9uWZU88q1CdY0jHm4jKleHPMzZyxp+mR8ZuzfXQ/Lt/wkHOXQ42ylLzuauFartgmvVA6HUtgABjQAADZ"
    "mMNmV4vabI6AAVpgAADGGzMYSZXSnH7AASKQ5zCHHGVJZdylx0XbBVOqJ0AAAAR5tvPsl3GMxhyuYq+ltNsOeO0usH5bs+ZS"
    "yje/mHGMl96mYm+7TZDm0LrB+W7PmLcbOZ4ScR4C51eMDOZmbOWNP0yPjN2b66H5dv8Ahf4w+3LYW888q1CbaxpGP7oQ4ikl"
    "0ONspS87mrhWq7YJr1QMrxuyroADXYAAAAAGzMYbMrxe02R0AArTAAAGMNmYwkyulOP2AAkUgAAHOYYbmWVMvJuQrWFYw5+I"
    "6AAWWD8t2fMrSywfluz5mTwy3D7xZt9TaHG5ixpFcxqyEcytKbeKkdvOVRd4jwFzq8YFII4ZXgABroAAAAADZmMNmV4vabI6"
    "AAVpgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAH//Z"
)


def _attach_seeded(store: Store) -> None:
    """The seed's older attachments (`seed.ATTACHMENTS`, names and types only) get real bytes:
    the JPEG photo, a PDF invoice. Their size becomes the bytes' size. (The voice notes stay
    without an address: no Ogg encoder here; opening one says so.)"""
    invoice = statement_pdf(("AchieveApex Store - Invoice 2026-114", "Wireless headphones   59.90"))
    contents = {"image/jpeg": PARCEL_JPEG, "application/pdf": invoice}
    rows = store.query(
        "SELECT id, conversation_id, file_name, file_type, created_at FROM messages "
        "WHERE file_name IS NOT NULL AND conversation_file_id IS NULL"
    )
    for row in rows:
        data = contents.get(row["file_type"])
        if data is None:
            continue
        file_id, written = store_file(
            store, row["conversation_id"], row["file_name"], row["file_type"], at=row["created_at"], data=data
        )
        store.execute(
            "UPDATE messages SET conversation_file_id = ?, file_size = ? WHERE id = ?",
            (file_id, written, row["id"]),
        )


def seed_files(store: Store, now: float) -> None:
    """Add `SEEDED_FILES`, each shortly before its conversation's last inbound message."""
    store.set_meta(SEEDED_META, "1")
    _attach_seeded(store)
    for cid, name, mime, caption, before in SEEDED_FILES:
        row = store.conversation(cid)
        if row is None:
            continue
        last = row["last_inbound_message_at"] or row["last_message_at"] or now
        add_file_message(store, cid, name, mime, at=last - before, data=_bytes_for(mime), caption=caption)


def ensure_seed_files(store: Store) -> None:
    """A file seeded before inbound files existed gets them once; a new file has them from `seed`
    already. Only a file that holds the seed's conversations (each on its seeded channel) is
    touched: one made some other way keeps exactly its own messages."""
    if store.meta(SEEDED_META) is not None:
        return
    channels = {1: "whatsapp", 9: "instagram", 14: "messenger", 19: "webchat"}
    rows = {cid: store.conversation(cid) for cid in channels}
    if all(row is not None and row["channel"] == channels[cid] for cid, row in rows.items()):
        seed_files(store, store.clock())
