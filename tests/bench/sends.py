"""Row 7: 200 headless sends in one session, `tui.core.sender.send_draft` through one `ApiClient`
vs raw httpx posts of the same payloads (one `httpx.AsyncClient`, POST, check the status, parse
the JSON), both against a standalone sandbox (its own process), runs alternated.

The payloads are the ones our path builds (`prepare` + `build_reply` for each text), computed
before the clock starts, so both sides post byte-identical bodies to the same endpoint.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.bench.common import log, standalone_sandbox, temp_home

SENDS = 200
CONVERSATION = 1  # WhatsApp, reply window open


async def _ours(config, texts: list[str]) -> float:
    from tui.backend import open_backend
    from tui.core.drafts import Draft
    from tui.core.sender import send_draft

    async with open_backend(config_path=config) as backend:
        t = time.perf_counter()
        for text in texts:
            await send_draft(backend.client, CONVERSATION, Draft(text=text))
        return time.perf_counter() - t


async def _payloads(config, texts: list[str]) -> list[tuple[str, dict]]:
    from tui.backend import open_backend
    from tui.core.drafts import Draft
    from tui.core.payloads import build_reply
    from tui.core.sender import prepare

    out = []
    async with open_backend(config_path=config) as backend:
        client = backend.client
        for text in texts:
            p = await prepare(client, CONVERSATION, Draft(text=text))
            (req,) = build_reply(p.spec, p.conversation, text, [], client.profile.media_base_url)
            out.append((getattr(client.paths, req.path_key), req.body))
    return out


async def _raw(sandbox, payloads: list[tuple[str, dict]]) -> float:
    headers = {"x-api-key": sandbox.api_key, "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=30) as http:
        t = time.perf_counter()
        for path, body in payloads:
            r = await http.post(path, json=body)
            r.raise_for_status()
            r.json()
        return time.perf_counter() - t


def run(runs: int, warmup: int = 1) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"ours": [], "raw": []}
    with temp_home() as home, standalone_sandbox(home.root / "sandbox-data", home) as sandbox:
        config = home.write_profile(sandbox)
        for i in range(warmup + runs):
            texts = [f"Bench message {i}-{n}: your order is on its way." for n in range(SENDS)]
            payloads = asyncio.run(_payloads(config, texts))
            raw = asyncio.run(_raw(sandbox, payloads))
            ours = asyncio.run(_ours(config, texts))
            if i < warmup:
                continue
            out["ours"].append(ours)
            out["raw"].append(raw)
            log(
                f"  sends run {i - warmup + 1}/{runs}: ours {ours * 1e3:.0f} ms, raw httpx {raw * 1e3:.0f} ms"
            )
    return out
