"""The sandbox's object storage: HMAC-signed PUT URLs, objects on disk, S3-style errors."""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, unquote

from starlette.responses import Response

SIGNED_URL_SECONDS = 15 * 60


def sign(secret: str, key: str, content_type: str, expires: int) -> str:
    message = f"{key}\n{content_type}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_url(base: str, secret: str, key: str, content_type: str, expires: int) -> str:
    signature = sign(secret, key, content_type, expires)
    return (
        f"{base.rstrip('/')}/_storage/{quote(key)}?expires={expires}"
        f"&content_type={quote(content_type, safe='')}&signature={signature}"
    )


def valid(secret: str, key: str, content_type: str, expires: int, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, key, content_type, expires), signature)


def s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def object_path(root: Path, key: str) -> Path:
    """Where a key lives on disk; keys never escape the objects folder."""
    parts = [p for p in unquote(key).split("/") if p not in ("", ".", "..")]
    return root.joinpath(*parts)


async def write_stream(root: Path, key: str, chunks: AsyncIterator[bytes], expected: int) -> tuple[int, str]:
    """Stream a body to a temp file, then rename it into place; (bytes written, md5 hex)."""
    target = object_path(root, key)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            async for chunk in chunks:
                size += len(chunk)
                if size > expected:
                    break
                digest.update(chunk)
                fh.write(chunk)
        if size != expected:
            Path(tmp).unlink(missing_ok=True)
            return size, ""
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()
