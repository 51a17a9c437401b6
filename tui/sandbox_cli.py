"""`switchboard sandbox`: the embedded backend in the foreground, with faults on demand.

Only argparse and the standard library at import time; the sandbox itself loads when the command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out


def add_sandbox_parser(sub: Any, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """The `sandbox` subcommand and its fault flags (from the one table of fault options);
    `parents` are the parsers whose options every subcommand shares (e.g. `--profile`)."""
    from tui.sandbox.fault_options import add_flags

    p = sub.add_parser(
        "sandbox", parents=parents or [], help="run the embedded sandbox backend in the foreground"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data", metavar="DIR", help="where its SQLite file and uploads live")
    p.add_argument("--simulate-inbound", action="store_true", help="customers write now and then")
    add_flags(p.add_argument_group("faults on demand (for testing clients; off unless given)"))


def cmd_sandbox(args: argparse.Namespace) -> int:
    from tui.core.paths import sandbox_data_dir
    from tui.sandbox.runner import serve_forever

    data = sandbox_data_dir(args.data)
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
    from tui.sandbox.fault_options import options_from
    from tui.sandbox.faults import merge_options

    try:
        return merge_options(None, options_from(args))
    except ValueError as exc:
        raise UsageError(f"{exc} (see `switchboard sandbox --help`).") from None
