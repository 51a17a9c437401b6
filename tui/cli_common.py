"""What every `switchboard` subcommand shares: exit codes, the usage error, plain output."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot mean anything: exit 2 with one sentence."""


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
