"""`switchboard sandbox`: the embedded backend in the foreground, with faults on demand.

Only argparse and the standard library at import time; the sandbox itself loads when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out


def add_sandbox_parser(sub: Any) -> None:
    """The `sandbox` subcommand and its fault flags."""
    p = sub.add_parser("sandbox", help="run the embedded sandbox backend in the foreground")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data", metavar="DIR", help="where its SQLite file and uploads live")
    p.add_argument("--simulate-inbound", action="store_true", help="customers write now and then")
    g = p.add_argument_group("faults on demand (for testing clients; off unless given)")
    g.add_argument("--latency", metavar="MS", help="added delay per request: MS or LOW-HIGH milliseconds")
    g.add_argument("--fail-rate", metavar="RATE", help="share of requests failed unhandled (0.33 or 33%%)")
    g.add_argument("--fail-status", metavar="CODES", help="their status codes (default 500,503,429)")
    g.add_argument("--drop-before", metavar="RATE", help="share of connections dropped before handling")
    g.add_argument("--drop-after", metavar="RATE", help="share dropped after handling (effect done, unseen)")
    g.add_argument("--drop-style", choices=["close", "reset"], help="drop by FIN (default) or RST")
    g.add_argument("--rate-limit", metavar="N/WINDOW", help="e.g. 5/1s, 60/min, 1000/h: past it, 429")
    g.add_argument("--retry-after", metavar="SECONDS", help="retryAfter of injected 429/503 (default 1)")
    g.add_argument("--fault-methods", metavar="LIST", help="only these methods, e.g. POST,PUT")
    g.add_argument("--fault-paths", metavar="GLOBS", help="only these paths, e.g. '/conversation-messages-*'")
    g.add_argument("--fault-seed", metavar="N", help="seed the fault RNG for a reproducible run")


def cmd_sandbox(args: argparse.Namespace) -> int:
    from tui.sandbox.runner import default_data_dir, serve_forever

    data = Path(args.data).expanduser() if args.data else default_data_dir()
    serve_forever(
        data_dir=data,
        host=args.host,
        port=args.port,
        simulate_inbound=args.simulate_inbound,
        announce=_out,
        faults=_sandbox_faults(args),
    )
    return EXIT_OK


def _sandbox_faults(args: argparse.Namespace) -> Any:
    """The `Faults` the sandbox flags ask for, or None; a bad value is a UsageError."""
    from tui.sandbox import faults as f

    spellings: list[tuple[str, str, Callable[[str], Any]]] = [
        ("latency", "latency_ms", f.parse_latency),
        ("fail_rate", "fail_rate", f.parse_share),
        ("fail_status", "fail_status", f.parse_statuses),
        ("drop_before", "drop_before", f.parse_share),
        ("drop_after", "drop_after", f.parse_share),
        ("drop_style", "drop_style", str),
        ("rate_limit", "rate_limit", f.parse_rate_limit),
        ("retry_after", "retry_after", float),
        ("fault_methods", "fault_methods", f.parse_list),
        ("fault_paths", "fault_paths", f.parse_list),
        ("fault_seed", "fault_seed", int),
    ]
    options: dict[str, Any] = {}
    for attr, option, parse in spellings:
        raw = getattr(args, attr, None)
        if raw is None:
            continue
        flag = "--" + attr.replace("_", "-")
        try:
            options[option] = parse(raw)
        except ValueError as exc:
            raise UsageError(f"{flag}: {exc} (see `switchboard sandbox --help`).") from None
    try:
        return f.merge_options(None, options)
    except ValueError as exc:
        raise UsageError(f"{exc} (see `switchboard sandbox --help`).") from None
