"""The one table of the sandbox's fault options: keyword option, `switchboard sandbox` flag,
`Faults` field, parser of the flag's text, and help.

It drives the flags (`add_flags`), their parsing (`options_from`) and the keyword options of
`start_in_thread` / `set_faults` (`merge_options` in `tui.sandbox.faults`). Only the standard
library is imported here: `switchboard` builds its parser from this table on every run.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ODD_BODIES = ("nested", "range")
DROP_STYLES = ("close", "reset")
#: The most variables or buttons `--huge-template` makes (a sandbox answer stays a few MB).
HUGE_TEMPLATE_MAX = 100_000
MEDIA_LINKS = ("userinfo", "dots")


# -- parsing the command line's spelling -----------------------------------------------------------


def parse_share(text: str) -> float:
    """`0.33` or `33%`."""
    raw = text.strip()
    value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is not a share between 0 and 1 (or 0% and 100%)")
    return value


def parse_latency(text: str) -> float | tuple[float, float]:
    """`MS` or `LOW-HIGH` milliseconds."""
    low, sep, high = text.strip().partition("-")
    return (float(low), float(high)) if sep else float(low)


def parse_statuses(text: str) -> tuple[int, ...]:
    """`500,503,429`."""
    return tuple(int(part) for part in text.replace(" ", "").split(",") if part)


UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`N/WINDOW`: `5/1`, `5/1s`, `60/min`, `1000/h`, `1000/3600`."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([a-z]*)\s*", text.lower())
    if not match or match[3] not in UNITS:
        raise ValueError(f"{text!r} is not N/WINDOW (e.g. 5/1s, 60/min, 1000/h)")
    window = (float(match[2]) if match[2] else 1.0) * UNITS[match[3]]
    return int(match[1]), window


def parse_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse_seconds(text: str) -> float:
    """A finite number of seconds, 0 or more."""
    value = float(text)
    if not 0 <= value < math.inf:
        raise ValueError(f"{text!r} is not a number of seconds, 0 or more")
    return value


def parse_byte_rate(text: str) -> float:
    """Bytes per second, more than 0: `50`, `1.5`."""
    value = float(text)
    if not 0 < value < math.inf:
        raise ValueError(f"{text!r} is not a rate in bytes per second, more than 0")
    return value


def parse_seed(text: str) -> int:
    return int(text)


def parse_huge_template(text: str) -> tuple[int, int]:
    """`N` (N body variables and N URL buttons) or `VARS/BUTTONS`: `1000`, `100/2`."""
    variables, sep, buttons = text.strip().partition("/")
    pair = (int(variables), int(buttons) if sep else int(variables))
    if not all(0 <= n <= HUGE_TEMPLATE_MAX for n in pair):
        raise ValueError(f"{text!r} is not N or VARS/BUTTONS, each 0 to {HUGE_TEMPLATE_MAX}")
    return pair


def switch(given: object) -> bool:
    """A flag without a value: present means on."""
    return given is True


# -- the table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultOption:
    """One fault option. `metavar` None makes the flag a switch (no value, present = on)."""

    option: str  # the keyword option of start_in_thread / set_faults
    flag: str  # the switchboard sandbox flag
    field: str  # the Faults field it sets
    parse: Callable[[str], Any]  # the flag's text to the option's value (ValueError when bad)
    help: str
    metavar: str | None = "VALUE"
    choices: tuple[str, ...] | None = None


OPTIONS: tuple[FaultOption, ...] = (
    FaultOption(
        "latency_ms", "--latency", "latency_ms", parse_latency,
        "added delay per request: MS or LOW-HIGH milliseconds", "MS",
    ),
    FaultOption(
        "fail_rate", "--fail-rate", "fail_rate", parse_share,
        "share of requests failed unhandled (0.33 or 33%%)", "RATE",
    ),
    FaultOption(
        "fail_status", "--fail-status", "fail_status", parse_statuses,
        "their status codes (default 500,503,429)", "CODES",
    ),
    FaultOption(
        "drop_before", "--drop-before", "drop_before", parse_share,
        "share of connections dropped before handling", "RATE",
    ),
    FaultOption(
        "drop_after", "--drop-after", "drop_after", parse_share,
        "share dropped after handling (effect done, unseen)", "RATE",
    ),
    FaultOption(
        "drop_style", "--drop-style", "drop_style", str,
        "drop by FIN (close, the default) or RST (reset)", None, DROP_STYLES,
    ),
    FaultOption(
        "rate_limit", "--rate-limit", "rate_limit", parse_rate_limit,
        "e.g. 5/1s, 60/min, 1000/h: past it, 429", "N/WINDOW",
    ),
    FaultOption(
        "retry_after", "--retry-after", "retry_after", parse_seconds,
        "retryAfter of injected 429/503 (default 1)", "SECONDS",
    ),
    FaultOption(
        "trickle_bytes_per_s", "--trickle", "trickle_bytes_per_s", parse_byte_rate,
        "send each answer's body a few bytes at a time at RATE bytes/s (headers at once), so a "
        "client's per-read timeout never fires",
        "RATE",
    ),
    FaultOption(
        "hostile_ids", "--hostile-ids", "hostile_ids", switch,
        "a created message's id, and every name, status and error message in JSON answers, carry "
        "an OSC 52 clipboard write, CSI colours, a C1 CSI (U+009B), DEL and a bidi override (U+202E)",
        None,
    ),
    FaultOption(
        "odd_bodies", "--odd-bodies", "odd_bodies", str,
        "nested: JSON answers carry an array nested 100000 deep; range: their timestamps "
        "alternate between 1e300 and 9999-12-31T23:59:59.999Z",
        None, ODD_BODIES,
    ),
    FaultOption(
        "echo_key_errors", "--echo-key-errors", "echo_key_errors", switch,
        "4xx JSON errors name the request's API key in an errors field (key=KEY) and in data",
        None,
    ),
    FaultOption(
        "media_links", "--media-links", "media_links", str,
        "message answers carry hostile file links: userinfo: media_url with user:password@ "
        "credentials; dots: s3_key with .. segments (and no media_url)",
        None, MEDIA_LINKS,
    ),
    FaultOption(
        "media_short", "--media-short", "media_short", switch,
        "the public media URL announces a file's whole size, sends the first half and closes the "
        "connection",
        None,
    ),
    FaultOption(
        "media_trickle_bytes_per_s", "--media-trickle", "media_trickle_bytes_per_s", parse_byte_rate,
        "the public media URL sends each file at RATE bytes/s (headers at once)",
        "RATE",
    ),
    FaultOption(
        "bad_template", "--bad-template", "bad_template", switch,
        "the template list also holds broken_template, whose components are an object, not a list",
        None,
    ),
    FaultOption(
        "huge_template", "--huge-template", "huge_template", parse_huge_template,
        "the template list also holds huge_template: a header variable, N body variables and N URL "
        "buttons with a variable each (VARS/BUTTONS sets the two apart, e.g. 100/2)",
        "N",
    ),
    FaultOption(
        "fault_methods", "--fault-methods", "methods", parse_list,
        "only these methods, e.g. POST,PUT", "LIST",
    ),
    FaultOption(
        "fault_paths", "--fault-paths", "paths", parse_list,
        "only these paths, e.g. '/conversation-messages-*'", "GLOBS",
    ),
    FaultOption(
        "fault_seed", "--fault-seed", "seed", parse_seed,
        "seed the fault RNG for a reproducible run", "N",
    ),
)  # fmt: skip

FIELDS = {o.option: o.field for o in OPTIONS}


def add_flags(group: Any) -> None:
    """The table's flags on an argparse parser or group; each is None unless given."""
    for o in OPTIONS:
        if o.choices is not None:
            group.add_argument(o.flag, dest=o.option, choices=o.choices, default=None, help=o.help)
        elif o.metavar is None:
            group.add_argument(o.flag, dest=o.option, action="store_true", default=None, help=o.help)
        else:
            group.add_argument(o.flag, dest=o.option, metavar=o.metavar, default=None, help=o.help)


def options_from(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options the flags in `args` ask for; a bad value is a ValueError naming its
    flag."""
    options: dict[str, Any] = {}
    for o in OPTIONS:
        raw = getattr(args, o.option, None)
        if raw is None:
            continue
        try:
            options[o.option] = o.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{o.flag}: {exc}") from None
    return options
