"""`switchboard sandbox`: the embedded backend in the foreground, with faults on demand.

Only argparse and the standard library at import time; the sandbox itself loads when the command runs.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sqlite3
from pathlib import Path
from typing import Any

from tui.cli_common import EXIT_OK, UsageError, _out

DELIVERY_HELP = "sent -> delivered -> read, S seconds a step (0: statuses stay as sent; default 2)"
FAILURE_HELP = "the share of WhatsApp messages that fail with an error code instead (default 0.05)"
DOCUMENTED_HELP = (
    "serve conversations with the documented fields only: no contact, last_message_text, "
    "last_message_at nor last_inbound_message_at (as the real API; a client must do without)"
)
BURST_HELP = (
    "N customer messages into one conversation, a few seconds after the first live client "
    "connects: N, N@CONVERSATION or N@CONVERSATION/RATE (messages a second; default 1/200)"
)
PING_HELP = "Engine.IO ping interval and timeout in seconds (default 10); a silent client is dropped"
STALL_HELP = "accept live connections and never answer them, as a stuck proxy or tunnel does"
DROP_HELP = "end every live connection S seconds after it opens, as a flaky proxy does"
JWT_HELP = "how long a login's token lasts (default 8 hours); a few seconds to try an expired login"
DESCRIPTION = """\
Serves the AchieveApex API on loopback, seeded with 30 conversations on every channel:
  /conversations, /contacts, /users, /message-templates (finds: pages of at most 50 rows;
    an unknown query parameter is a 400)
  /conversation-messages-{whatsapp,instagram,messenger,webchat,sms,playground}
    (find, get, delete; ids: _id strings on the WhatsApp-style channels, numbers on the others)
  the send routes, uploads, and live updates over Socket.IO at /socket.io/
  /authentication: JWT login with an agent's email and the password 'sandbox'"""


def add_sandbox_parser(sub: Any, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """The `sandbox` subcommand and its fault flags (from the one table of fault options);
    `parents` are the parsers whose options every subcommand shares (e.g. `--profile`)."""
    from tui.sandbox.fault_options import add_flags

    p = sub.add_parser(
        "sandbox",
        parents=parents or [],
        help="run the embedded sandbox backend in the foreground",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8765, help="0 picks a free one (default 8765)")
    p.add_argument("--data", metavar="DIR", help="where its SQLite file and uploads live")
    p.add_argument("--simulate-inbound", action="store_true", help="customers write now and then")
    p.add_argument("--delivery-seconds", type=float, default=2.0, metavar="S", help=DELIVERY_HELP)
    p.add_argument("--delivery-failure-rate", type=float, default=0.05, metavar="R", help=FAILURE_HELP)
    p.add_argument("--documented-fields-only", action="store_true", help=DOCUMENTED_HELP)
    add_flags(p.add_argument_group("faults on demand (for testing clients; off unless given)"))
    live = p.add_argument_group("the live connection under load (off unless given)")
    live.add_argument("--burst", metavar="N[@CONV[/RATE]]", type=_burst, help=BURST_HELP)
    live.add_argument("--burst-after", metavar="S", type=_seconds, default=None, help="default 5")
    live.add_argument("--ping-seconds", metavar="S", type=_seconds, default=None, help=PING_HELP)
    live.add_argument("--live-drop-after", metavar="S", type=_seconds, default=None, help=DROP_HELP)
    live.add_argument("--live-stall", action="store_true", default=None, help=STALL_HELP)
    p.add_argument("--jwt-seconds", metavar="S", type=_seconds, default=None, help=JWT_HELP)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535 (0 picks a free one), got {text!r}")
    return port


def _burst(text: str) -> tuple[int, int, float]:
    from tui.sandbox.burst import parse_burst

    try:
        return parse_burst(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text!r}")
    return value


def _live_options(args: argparse.Namespace) -> dict[str, Any]:
    names = ("burst", "burst_after", "ping_seconds", "live_drop_after", "live_stall")
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def cmd_sandbox(args: argparse.Namespace) -> int:
    from tui.core.paths import sandbox_data_dir
    from tui.sandbox.runner import serve_forever, start_in_thread

    data = sandbox_data_dir(args.data)
    faults = _sandbox_faults(args)
    delivery = _delivery_options(args)
    _check_data(data, given=bool(args.data))
    try:
        running = start_in_thread(
            data,
            host=args.host,
            port=args.port,
            simulate_inbound=args.simulate_inbound,
            faults=faults,
            documented_fields_only=args.documented_fields_only,
            **delivery,
            **_live_options(args),
            **({"jwt_seconds": args.jwt_seconds} if args.jwt_seconds else {}),
        )
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        raise _start_error(exc, args.host, args.port, data) from None
    serve_forever(running, simulate_inbound=args.simulate_inbound, announce=_out, faults=faults)
    return EXIT_OK


def _check_data(data: Path, *, given: bool) -> None:
    """A data folder that is a file, or inside one, is refused before anything is created."""
    where = f"--data {data}" if given else f"The sandbox's data folder {data}"
    fix = (
        "give a folder (it is created if missing)"
        if given
        else "move that file, or choose a folder with --data"
    )
    if data.exists() and not data.is_dir():
        _refuse(f"{where} is a file, not a folder; {fix}.", usage=given)
    parent = data.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        _refuse(f"{where} is inside a file ({parent}), not a folder; {fix}.", usage=given)


def _refuse(sentence: str, *, usage: bool) -> None:
    from tui.core.errors import SwitchboardError

    raise UsageError(sentence) if usage else SwitchboardError(sentence)


def _start_error(exc: Exception, host: str, port: int, data: Path) -> Exception:
    """One sentence for why the sandbox could not start: a UsageError (exit 2) when a value given
    on the command line is to blame, else a SwitchboardError (exit 1)."""
    from tui.core.errors import SwitchboardError

    database = data / "sandbox.db"
    if isinstance(exc, socket.gaierror):
        return UsageError(
            f"--host {host} is not a name this machine can resolve; use 127.0.0.1 (the default), "
            "localhost or one of this machine's addresses."
        )
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
        return SwitchboardError(
            f"{database} is not a sandbox database ({exc}); move it away to start afresh, or choose "
            "another folder with --data."
        )
    if isinstance(exc, sqlite3.Error):
        return SwitchboardError(
            f"The sandbox cannot open its database {database} ({exc}); check that the folder is "
            "writable, or choose another with --data."
        )
    if isinstance(exc, OSError) and exc.filename is not None:  # the data folder, not the socket
        return SwitchboardError(
            f"The sandbox cannot use {data} as its data folder ({exc.strerror or exc}); check that it "
            "is writable, or choose another with --data."
        )
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return SwitchboardError(
            f"Port {port} on {host} is already in use; stop what listens there or choose another "
            "port with --port (0 picks a free one)."
        )
    if isinstance(exc, OSError) and exc.errno == errno.EADDRNOTAVAIL:
        return UsageError(
            f"--host {host} is not an address of this machine; use 127.0.0.1 (the default) or one "
            "of this machine's own addresses."
        )
    if isinstance(exc, OSError) and exc.errno == errno.EACCES:
        return SwitchboardError(
            f"Port {port} needs privileges this user does not have; choose one above 1023 with --port."
        )
    return SwitchboardError(f"The sandbox could not start on {host} port {port} ({exc}).")


def _delivery_options(args: argparse.Namespace) -> dict[str, Any]:
    """`--delivery-seconds` and `--delivery-failure-rate` as sandbox options; a bad value is a UsageError."""
    from tui.sandbox.delivery import check_options

    given = {"delivery_seconds": args.delivery_seconds, "delivery_failure_rate": args.delivery_failure_rate}
    try:
        return check_options(given)
    except ValueError as exc:
        raise UsageError(f"{exc} (see `switchboard sandbox --help`).") from None


def _sandbox_faults(args: argparse.Namespace) -> Any:
    """The `Faults` the sandbox flags ask for, or None; a bad value is a UsageError."""
    from tui.sandbox.fault_options import options_from
    from tui.sandbox.faults import merge_options

    try:
        return merge_options(None, options_from(args))
    except ValueError as exc:
        raise UsageError(f"{exc} (see `switchboard sandbox --help`).") from None
