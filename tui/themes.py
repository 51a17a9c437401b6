"""Theme files (`themes/*.toml`, and the user's own in the config dir) -> `textual.theme.Theme`.

Each file is checked field by field; a bad file is skipped and named once, so one typo
never stops the app. App-specific colours (`sb-*`) travel as theme variables.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui.core import paths

DEFAULT_THEME = "switchboard-night"


_REQUIRED = ("name", "primary")
_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_FLAGS = ("dark", "ansi")


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """The theme file's fields, or ValueError naming the first wrong one. Checked by hand, not
    by a model: the chosen theme is read before the first frame, and pydantic loads after it."""
    for key in _REQUIRED:
        if key not in data:
            raise ValueError(f"{key}: field required")
    fields: dict[str, Any] = {"dark": True, "ansi": False}
    variables: dict[str, str] = {}
    for key, value in data.items():
        if key == "name" or key in _COLOURS:
            if not isinstance(value, str):
                raise ValueError(f"{key}: input should be a valid string")
        elif key in _FLAGS:
            if not isinstance(value, bool):
                raise ValueError(f"{key}: input should be a valid boolean")
        elif key == "variables":
            if not isinstance(value, dict):
                raise ValueError("variables: input should be a valid dictionary")
            for name, colour in value.items():
                if not isinstance(colour, str):
                    raise ValueError(f"variables.{name}: input should be a valid string")
                variables[name] = colour
            continue
        else:
            raise ValueError(f"{key}: extra inputs are not permitted")
        fields[key] = value
    for key, value in [*((k, v) for k, v in fields.items() if k in _COLOURS), *variables.items()]:
        if value.startswith("ansi_") or value.startswith("$"):
            continue
        try:
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{key} = {value!r} is not a colour") from None
    fields["variables"] = variables
    return fields


def bundled_theme_dirs() -> list[Path]:
    """`themes/` beside the package (a checkout or editable install), then the installed copy."""
    here = Path(__file__).resolve().parent
    candidates = [here.parent / "themes", Path(sys.prefix) / "share" / "switchboard" / "themes"]
    return [p for p in candidates if p.is_dir()]


def user_theme_dir() -> Path:
    return paths.config_dir() / "themes"


def load_theme_file(path: Path) -> Theme:
    """One file -> a Theme, or ValueError with a short reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot be read ({exc})") from None
    return Theme(**_checked(data))


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
