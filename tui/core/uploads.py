"""The contract's three upload steps: sign, PUT the bytes, register the conversation file.

The file streams from disk in fixed chunks, so memory stays flat for any size; the byte count is
checked against what was inspected, so a file that grows or shrinks mid-upload is caught. A
signed URL that expired is re-signed and the PUT redone once, from the file on disk.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from tui.core.client import ApiClient
from tui.core.errors import LocalFileError, UploadError
from tui.core.files import LocalFile, changed_since, recheck
from tui.core.models import Conversation, Uploaded
from tui.core.text import one_line

CHUNK = 1024 * 1024

#: progress(file_name, bytes_sent, bytes_total)
UploadProgress = Callable[[str, int, int], None]


async def stream_file(file: LocalFile, progress: UploadProgress | None = None) -> AsyncIterator[bytes]:
    """Yield the file in chunks, reading off the event loop, and verify the total."""
    recheck(file)  # again at the moment the bytes start: it may have changed while we signed
    try:
        fh = await asyncio.to_thread(file.path.open, "rb")
    except OSError as exc:
        raise LocalFileError(f"{file.name!r} cannot be opened ({exc.strerror}).") from None
    sent = 0
    try:
        while True:
            chunk = await asyncio.to_thread(fh.read, CHUNK)
            if not chunk:
                break
            sent += len(chunk)
            if sent > file.size:
                raise LocalFileError(f"{file.name!r} grew while it was uploading; attach it again.")
            yield chunk
            if progress is not None:
                progress(file.name, sent, file.size)
        after = os.fstat(fh.fileno())
    finally:
        fh.close()
    if sent != file.size:
        raise LocalFileError(f"{file.name!r} shrank while it was uploading; attach it again.")
    if changed_since(file, after):
        raise LocalFileError(f"{file.name!r} was modified while it was uploading; attach it again.")


def _storage_error(status: int, body: bytes) -> tuple[str, str]:
    text = body[:2000].decode("utf-8", "replace")
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else str(status)), one_line(message.group(1) if message else text, 160)


async def upload_file(
    client: ApiClient,
    conversation: Conversation | None,
    file: LocalFile,
    progress: UploadProgress | None = None,
) -> Uploaded:
    """Run the three steps for one file; returns what the payload builders need. With no
    conversation (a team reply's file), both requests leave `conversation_id` out."""
    conversation_id = conversation.id if conversation is not None else None
    for attempt in (1, 2):
        recheck(file)  # deleted or changed since it was picked: refuse before asking for a URL
        signed = await client.sign_upload(
            file_name=file.name, file_type=file.mime, conversation_id=conversation_id
        )
        response = await client.put_object(
            signed.url, stream_file(file, progress), size=file.size, mime=file.mime
        )
        if response.is_success:
            break
        body = await response.aread()
        code, message = _storage_error(response.status_code, body)
        message = client.redact(message)
        expired = response.status_code in (400, 403) and (
            "expired" in message.lower() or code in ("ExpiredToken", "RequestExpired")
        )
        if expired and attempt == 1:
            continue  # a link that expired (slow pick, slow network, clock skew): sign again, once
        if expired:
            raise UploadError(
                f"The signed upload link for {file.name!r} had expired again after signing it anew "
                f"({response.status_code} {code}: {message}); check this computer's clock and try again."
            )
        raise UploadError(
            f"Storage refused {file.name!r} ({response.status_code} {code}: {message}); try again, "
            "and check the profile's upload settings if it persists."
        )
    s3_path = signed.s3_path or f"s3://{signed.s3_key}"
    fields: dict[str, Any] = {
        "conversation_id": conversation_id,
        "organization_id": client.org,
        "file_name": file.name,
        "file_type": file.mime,
        "file_size": file.size,
        "s3_key": signed.s3_key,
        "s3_path": s3_path,
        "file_category": file.category,
    }
    created = await client.create_file({k: v for k, v in fields.items() if v is not None})
    return Uploaded(
        conversation_file_id=created.id,
        s3_key=signed.s3_key,
        s3_path=s3_path,
        file_name=file.name,
        file_type=file.mime,
        file_size=file.size,
        file_category=file.category,
    )
