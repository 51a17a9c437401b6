"""What every `switchboard` subcommand shares: exit codes, the usage error, plain output, and
opening the profile's backend so that its key is masked in whatever the command prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.backend import Backend

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
#: `send --if-last` refused: the conversation's newest message is no longer the one given.
EXIT_MOVED_ON = 8


class UsageError(Exception):
    """A command line that cannot mean anything: exit 2 with one sentence."""


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


@asynccontextmanager
async def backend_for(args: argparse.Namespace) -> AsyncIterator[Backend]:
    """The backend of `args.profile`; its client's `redact` joins `args.masks` (set by `main`),
    so a failure printed after the block still has the key masked."""
    from tui.backend import open_backend

    async with open_backend(args.profile) as backend:
        masks = getattr(args, "masks", None)
        if masks is not None:
            masks.append(backend.client.redact)
        for sentence in backend.notices:  # said once on this machine (an old config's path)
            _err(sentence)
        yield backend
