"""Theme files (`themes/*.toml`, and the user's own in the config dir) -> `textual.theme.Theme`.

Each file is validated by a pydantic model; a bad file is skipped and named once, so one typo
never stops the app. App-specific colours (`sb-*`) travel as theme variables.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui.core import paths

DEFAULT_THEME = "switchboard-night"


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    dark: bool = True
    ansi: bool = False
    variables: dict[str, str] = {}


def bundled_theme_dirs() -> list[Path]:
    """`themes/` beside the package (a checkout or editable install), then the installed copy."""
    here = Path(__file__).resolve().parent
    candidates = [here.parent / "themes", Path(sys.prefix) / "share" / "switchboard" / "themes"]
    return [p for p in candidates if p.is_dir()]


def user_theme_dir() -> Path:
    return paths.config_dir() / "themes"


def _check_colours(spec: ThemeFile) -> None:
    fields = {k: v for k, v in spec.model_dump().items() if isinstance(v, str) and k != "name"}
    for key, value in [*fields.items(), *spec.variables.items()]:
        if value.startswith("ansi_") or value.startswith("$"):
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{key} = {value!r} is not a colour") from None


def load_theme_file(path: Path) -> Theme:
    """One file -> a Theme, or ValueError with a short reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = ThemeFile.model_validate(data)
        _check_colours(spec)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, err['loc'])) or 'file'}: {err['msg'].lower()}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot be read ({exc})") from None
    fields = spec.model_dump(exclude={"variables"})
    return Theme(**fields, variables=spec.variables)


def load_themes() -> tuple[list[Theme], list[str]]:
    """Every bundled and user theme, and one sentence per file that was skipped."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in [*bundled_theme_dirs(), user_theme_dir()]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ValueError as exc:
                problems.append(f"The theme file {path} was skipped: {exc}.")
                continue
            themes[theme.name] = theme
    return list(themes.values()), problems


def variable_defaults(theme: Theme) -> dict[str, str]:
    """Our own variables for a theme that does not set them (Textual's built-ins), derived from
    that theme's colours: CSS variables cannot refer to one another."""
    colors = theme.to_color_system().generate()
    return {
        "sb-inbound": colors["surface"],
        "sb-outbound": colors["panel"],
        "sb-note": colors["warning-muted"],
        "sb-note-text": colors["text"],
        "sb-window-open": colors["success"],
        "sb-window-closed": colors["error"],
    }
