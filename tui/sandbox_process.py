"""Launching the embedded sandbox as a child process for the app (`tui.sandbox.child`).

Started as early as the command line knows the profile is a sandbox, so the sandbox boots on the
other core while the app draws its first frame. Only the standard library is imported here: the
launcher must cost the app nothing. The CLI's one-shot commands keep the sandbox in a thread.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from tui.core.errors import SwitchboardError
from tui.core.paths import sandbox_data_dir
from tui.core.text import one_line

__all__ = ["SandboxAddress", "SandboxProcess", "sandbox_data_dir", "start_sandbox_process"]

READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class SandboxAddress:
    """Where the child listens and as whom its key acts (`user_id`: the key's agent; None from a
    child that does not say)."""

    base_url: str
    api_key: str
    organization_id: int
    media_base_url: str
    user_id: int | None = None


class SandboxProcess:
    """A running `python -m tui.sandbox.child`; it stops when its stdin pipe closes.
    `documented_fields_only`: its conversations carry the documented fields only (no `contact`
    nor `last_message_*`), as the real API's do."""

    def __init__(self, data: Path, *, documented_fields_only: bool = False) -> None:
        self.data = data
        extra = ["--documented-fields-only"] if documented_fields_only else []
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tui.sandbox.child", "--data", str(data), *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # the terminal's job-control signals are for the app alone
        )
        self._address: SandboxAddress | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> SandboxAddress:
        """Block until the child says where it listens (call it off the event loop)."""
        with self._lock:
            if self._address is not None:
                return self._address
            line = self._read_line(timeout)
            try:
                data = json.loads(line)
                self._address = SandboxAddress(
                    base_url=str(data["base_url"]),
                    api_key=str(data["api_key"]),
                    organization_id=int(data["organization_id"]),
                    media_base_url=str(data["media_base_url"]),
                    user_id=int(data["user_id"]) if data.get("user_id") is not None else None,
                )
            except (ValueError, KeyError, TypeError):
                raise self._failed("it did not say where it listens") from None
            # From now on nobody waits for its stderr: keep reading it, or a chatty child would
            # block once the pipe is full.
            threading.Thread(target=self._drain_stderr, daemon=True).start()
            return self._address

    def _drain_stderr(self) -> None:
        stream = self._proc.stderr
        with suppress(OSError, ValueError):
            while stream is not None and stream.read(65536):
                pass

    def _read_line(self, timeout: float) -> str:
        assert self._proc.stdout is not None
        box: list[bytes] = []
        stdout = self._proc.stdout
        reader = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            raise self._failed(f"it did not start within {timeout:g} s")
        if not box or not box[0]:
            raise self._failed("it stopped")
        return box[0].decode("utf-8", "replace")

    def _failed(self, what: str) -> SwitchboardError:
        """Stop the child and say why it failed, with the last line it wrote to stderr."""
        self._end()
        detail = ""
        if self._proc.stderr is not None:
            lines = self._proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {one_line(lines[-1], 200)}" if lines else ""
        self._close_streams()
        return SwitchboardError(
            f"The embedded sandbox could not start in {self.data} ({what}{detail}); check that folder "
            "is writable, or run `switchboard sandbox` to see why."
        )

    def stop(self, timeout: float = 5.0) -> None:
        """Close the pipe (the child stops itself), then make sure it is gone; safe twice."""
        self._end(timeout)
        self._close_streams()

    def _end(self, timeout: float = 5.0) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def _close_streams(self) -> None:
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def start_sandbox_process(
    configured_data: str | None, *, documented_fields_only: bool = False
) -> SandboxProcess:
    data = sandbox_data_dir(configured_data)
    try:
        data.mkdir(parents=True, exist_ok=True)
        return SandboxProcess(data, documented_fields_only=documented_fields_only)
    except OSError as exc:
        raise SwitchboardError(
            f"The embedded sandbox could not start in {data} ({exc.strerror or exc}); check that "
            "folder is writable."
        ) from None
