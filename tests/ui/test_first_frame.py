"""The first frame is drawn before pydantic, httpx, socketio or PIL load; the whole config is
validated after it, and a bad one is shown full screen with the CLI's sentence (exit 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.core.config import load_config
from tui.core.errors import ConfigError

HEAVY = ("pydantic", "httpx", "socketio", "aiohttp", "PIL", "textual_image", "tomlkit", "sqlite3")

PROBE = """
import json, sys
from tui.app import SwitchboardApp

class Probe(SwitchboardApp):
    def connect(self):
        # Called after the first frame, where the real app starts opening the backend.
        self.loaded = {name: name in sys.modules for name in %r}
        self.painted = self.screen.is_mounted and bool(self.screen.query("ConversationList"))
        self.exit()

app = Probe()
app.run(headless=True, size=(80, 24))
print(json.dumps({"loaded": app.loaded, "painted": app.painted}))
"""


def test_first_frame_loads_none_of_the_heavy_packages(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "switchboard-day"\n[keymap]\n"inbox.channel" = "f"\n')
    env = {"SWITCHBOARD_CONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["painted"] is True
    assert report["loaded"] == dict.fromkeys(HEAVY, False)


async def test_a_bad_config_is_shown_full_screen_and_quitting_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.app import SwitchboardApp
    from tui.screens.config_problem import ConfigProblemScreen

    config = tmp_path / "config.toml"
    config.write_text('theme = "switchboard-day"\nrefresh_seconds = 1\n')
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    with pytest.raises(ConfigError) as cli:
        load_config()
    app = SwitchboardApp()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "switchboard-day"  # the first frame used the raw file's theme
        for _ in range(100):
            if isinstance(app.screen, ConfigProblemScreen) and app.screen.query("#config-problem-sentence"):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, ConfigProblemScreen)
        shown = str(app.screen.query_one("#config-problem-sentence").render())
        assert shown == cli.value.sentence
        assert app.backend is None
        await pilot.press("q")
    assert app.return_code == 3


async def test_a_good_config_connects_after_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validation worker leaves a valid config in place and goes on to the backend."""
    from tui.app import SwitchboardApp

    config = tmp_path / "config.toml"
    config.write_text(
        'default_profile = "nowhere"\n[profiles.nowhere]\nbase_url = "http://127.0.0.1:9"\n'
        'organization_id = 1\napi_key_env = "NOWHERE_KEY"\n'
    )
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    monkeypatch.setenv("NOWHERE_KEY", "k")
    app = SwitchboardApp()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            if app.backend is not None or app.backend_error is not None:
                break
            await pilot.pause(0.05)
        assert app.profile_name == "nowhere"
        assert app.config.default_profile == "nowhere"
        assert app.exit_code == 0


ROWS_PROBE = """
import json, sys
from tui.app import SwitchboardApp

class Probe(SwitchboardApp):
    async def _read_first_page(self):
        await super()._read_first_page()
        # The first rows are on screen here, before the config is validated or the client exists.
        self.loaded = {name: name in sys.modules for name in %r}
        rows = self.screen.query_one("ConversationList")
        self.rows = [rows.row(i).contact_name for i in range(min(rows.total, 3))]
        self.exit()

app = Probe()
app.run(headless=True, size=(80, 24))
print(json.dumps({"loaded": app.loaded, "rows": app.rows}))
"""


def test_the_first_rows_are_drawn_before_pydantic_or_httpx_load(tmp_path: Path, sandbox: object) -> None:
    """The first page of All is read with the standard library from the raw config, and drawn
    from plain rows: the models and the HTTP client load after it (bench row 2)."""
    config = tmp_path / "config.toml"
    config.write_text(
        'default_profile = "local"\n[profiles.local]\n'
        f'base_url = "{sandbox.base_url}"\norganization_id = {sandbox.organization_id}\n'  # type: ignore[attr-defined]
        'api_key_env = "LOCAL_KEY"\n'
    )
    env = {
        "SWITCHBOARD_CONFIG": str(config),
        "LOCAL_KEY": sandbox.api_key,  # type: ignore[attr-defined]
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", ROWS_PROBE % (("pydantic", "httpx", "tui.core.client"),)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == {"pydantic": False, "httpx": False, "tui.core.client": False}
    assert report["rows"] == ["Grace Mensah", "Ana Lima", "Søren Holm"]
