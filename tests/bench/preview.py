"""Image preview: from asking for the preview of a ~2-megapixel JPEG (1920x1080) to the preview
drawn, against Pillow's decode and thumbnail of the same file alone, measured in the same run.

    .venv/bin/python -m tests.bench.preview [--runs 5]

In-process with Pilot (headless, 80x24, so half-blocks): the clock starts when
`ImagePreviewScreen` is pushed and stops when its image widget has a place on the screen and a
frame has been drawn after it. "cold" is the first preview of a fresh process (Pillow and
textual-image are imported then, as in the app); "warm" a preview after that. The baseline does
what a preview cannot avoid: open, JPEG draft, thumbnail to the same side, RGB; cold, it imports
Pillow too (in its own fresh process). Each cold figure is one child process per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import PYTHON, ROOT, median

SIZE = (1920, 1080)


def make_photo(path: Path) -> None:
    """A JPEG that costs what a photo costs to decode: noise over a gradient, quality 85."""
    from PIL import Image

    noise = Image.effect_noise(SIZE, 48).convert("RGB")
    gradient = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    Image.blend(noise, gradient, 0.5).save(path, quality=85)


def baseline(path: Path, side: int) -> float:
    t = time.perf_counter()
    from PIL import Image

    with Image.open(path) as img:
        img.draft("RGB", (side, side))
        img.thumbnail((side, side), reducing_gap=None)
        img.convert("RGB")
    return time.perf_counter() - t


async def previews(path: Path, warm: int) -> list[float]:
    """The first (cold) preview, then `warm` more, in this process."""
    from textual.app import App

    from tui.screens.image_preview import ImagePreviewScreen

    app: App[None] = App()
    out: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(1 + warm):
            screen = ImagePreviewScreen(path)
            t = time.perf_counter()
            app.push_screen(screen)
            while not (screen.outcome and screen.query("#image-preview-image")):
                await asyncio.sleep(0.001)
            image = screen.query_one("#image-preview-image")
            while not image.region.area:
                await asyncio.sleep(0.001)
            await pilot.pause()  # one frame with the image in it
            out.append(time.perf_counter() - t)
            if screen.outcome != "shown":
                raise RuntimeError(f"the preview was not shown: {screen.outcome}")
            app.pop_screen()
            await pilot.pause()
    return out


def child(kind: str, path: Path, warm: int) -> dict[str, Any]:
    from tui.core.images import HALF_BLOCK_SIDE

    if kind == "baseline":
        cold = baseline(path, HALF_BLOCK_SIDE)
        return {"cold": cold, "warm": [baseline(path, HALF_BLOCK_SIDE) for _ in range(warm)]}
    times = asyncio.run(previews(path, warm))
    return {"cold": times[0], "warm": times[1:]}


def _spawn(kind: str, path: Path, warm: int) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-m", "tests.bench.preview", "--child", kind, "--photo", str(path), "--warm", str(warm)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"preview bench child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(runs: int, warm: int = 5) -> dict[str, list[float]]:
    """Per run: one fresh process for the previews and one for the baseline (seconds)."""
    out: dict[str, list[float]] = {
        "preview_cold": [],
        "baseline_cold": [],
        "preview_warm": [],
        "baseline_warm": [],
    }
    with tempfile.TemporaryDirectory(prefix="sb-preview-") as tmp:
        path = Path(tmp) / "photo.jpg"
        make_photo(path)
        _spawn("preview", path, 1)  # warm the disk cache and the .pyc files
        for _ in range(runs):
            for kind in ("preview", "baseline"):
                got = _spawn(kind, path, warm)
                out[f"{kind}_cold"].append(got["cold"])
                out[f"{kind}_warm"].extend(got["warm"])
    return out


def report(result: dict[str, list[float]]) -> str:
    def ms(key: str) -> float:
        return median(result[key]) * 1000

    return (
        f"preview of a {SIZE[0]}x{SIZE[1]} JPEG, ask to drawn (median): "
        f"cold {ms('preview_cold'):.0f} ms vs Pillow alone {ms('baseline_cold'):.0f} ms "
        f"({ms('preview_cold') / ms('baseline_cold'):.1f}x); "
        f"warm {ms('preview_warm'):.0f} ms vs {ms('baseline_warm'):.0f} ms "
        f"({ms('preview_warm') / ms('baseline_warm'):.1f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.preview", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=("preview", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--photo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.photo, args.warm)))
        return 0
    print(report(run(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
