"""A sandbox profile's `realtime` setting reaches the profile the app and the feed read."""

from __future__ import annotations

from pathlib import Path

from tui.backend import open_backend
from tui.core.config import Config


async def test_realtime_off_on_a_sandbox_profile_is_kept(tmp_path: Path) -> None:
    config = Config.model_validate(
        {"profiles": {"quiet": {"sandbox": True, "sandbox_data": str(tmp_path / "data"), "realtime": "off"}}}
    )
    async with open_backend("quiet", config=config) as backend:
        assert backend.profile.is_sandbox
        assert backend.profile.realtime == "off"
