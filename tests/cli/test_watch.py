"""`switchboard watch` through the real command against a sandbox on loopback: live events as
lines and as JSON, hostile names and texts printed as data, polling without live updates, what
was written while the sandbox was down printed once after it is back, Ctrl-C exits 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import point_at, store
from tests.cli.test_bad_input_cli import forbidden
from tests.cli.test_cli import ROOT

TOM = 11
WAIT = 30.0
HOSTILE_NAME = "Eve\x1b[31m\u2067Red\u2069\x08 \x9b2J"
HOSTILE_TEXT = "hi\x1b]0;pwned\x07 \u202eevil\u202c \x1b[2J\r\x7f over"


class Watching:
    """A running `switchboard watch`, its output read as it comes."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            # as a script's pipe is: block-buffered unless the command flushes each line
            env={k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"},
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        with stream:
            for line in stream:
                into.append(line)

    def wait_for(self, text: str, *, stream: str = "out", timeout: float = WAIT) -> None:
        lines = self.out if stream == "out" else self.err
        deadline = time.monotonic() + timeout
        while not any(text in line for line in list(lines)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on {stream}: out={self.out!r} err={self.err!r}")
            time.sleep(0.02)

    def interrupt(self) -> int:
        """Ctrl-C, then everything it printed has been read."""
        self.proc.send_signal(signal.SIGINT)
        return self.stop()

    def stop(self) -> int:
        try:
            code = self.proc.wait(timeout=WAIT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for reader in self._readers:
                reader.join(timeout=WAIT)
        return code

    def count(self, text: str) -> int:
        return sum(text in line for line in self.out)


@pytest.fixture
def watching() -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(env: dict[str, str], *args: str) -> Watching:
        started.append(Watching(env, *args))
        return started[-1]

    yield start
    for watch in started:
        if watch.proc.poll() is None:
            watch.proc.kill()
        watch.stop()


def test_a_reply_by_another_agent_is_one_line_and_ctrl_c_exits_0(
    sandbox: Any, local: dict[str, str], watching: Callable[..., Watching]
) -> None:
    watch = watching(local)
    watch.wait_for("Live updates on.", stream="err")
    sandbox.agent_writes(1, "The courier comes at noon", user_id=TOM)
    watch.wait_for("The courier comes at noon")
    sandbox.agent_writes(1, "Anything else?", user_id=TOM)
    watch.wait_for("Anything else?")
    assert watch.interrupt() == 0, watch.err
    line = next(line for line in watch.out if "The courier comes at noon" in line)
    assert "message" in line and "#1" in line and "Tom Becker: The courier comes at noon" in line
    assert watch.count("The courier comes at noon") == 1
    conversation = [line for line in watch.out if "conversation" in line and "#1" in line]
    assert len(conversation) == 1 and "open, 0 unread, unassigned" in conversation[0]  # said once
    assert "Traceback" not in "".join(watch.err) and "Interrupted" not in "".join(watch.err)


@pytest.mark.parametrize("as_json", [False, True])
def test_hostile_names_and_texts_never_reach_the_terminal(
    sandbox: Any, local: dict[str, str], watching: Callable[..., Watching], as_json: bool
) -> None:
    store(sandbox).execute("UPDATE contacts SET first_name = ?, last_name = '' WHERE id = 2", (HOSTILE_NAME,))
    watch = watching(local, *(["--json"] if as_json else []))
    watch.wait_for("Live updates on.", stream="err")
    sandbox.customer_writes(2, HOSTILE_TEXT)
    sandbox.agent_writes(2, "sentinel", user_id=TOM)
    watch.wait_for("sentinel")
    watch.wait_for('"unread_count": 0' if as_json else "open, 0 unread")  # the reply read it
    assert watch.interrupt() == 0, watch.err
    out = "".join(watch.out)
    assert not forbidden(out) and "\x1b" not in out, forbidden(out)
    assert not forbidden("".join(watch.err))
    if as_json:
        assert out.isascii()
        docs = [json.loads(line) for line in watch.out]
        created = [d for d in docs if d["kind"] == "message_created"]
        assert created[0]["message"]["message_text"] == HOSTILE_TEXT  # the data itself, intact
        assert created[0]["conversation_id"] == 2 and created[0]["via"] == "live"
        patched = next(d for d in docs if d["kind"] == "conversation_patched")
        assert patched["conversation"]["contact"]["first_name"] == HOSTILE_NAME
        assert {"kind", "conversation_id", "via", "message", "conversation"} <= patched.keys()
    else:
        line = next(line for line in watch.out if "pwned" in line)
        assert "␛]0;pwned␇" in line and "␛[2J" in line and "evil" in line
        assert "Eve␛[31m" in line  # the customer named as the contact, neutralised
        assert len(watch.out) == 4  # two messages, and the conversation: 1 unread, then 0 after the reply


def test_without_live_updates_it_polls_and_prints_each_message_once(
    sandbox: Any, isolated_home: Path, watching: Callable[..., Watching]
) -> None:
    env = point_at(isolated_home, sandbox, "realtime = 'off'\n")
    watch = watching(env, "--conversation", "1")
    watch.wait_for("Live updates are off for this profile.", stream="err")
    sandbox.agent_writes(1, "first by poll", user_id=TOM)
    sandbox.agent_writes(2, "elsewhere")
    watch.wait_for("first by poll")
    sandbox.agent_writes(1, "second by poll", user_id=TOM)
    watch.wait_for("second by poll")
    assert watch.interrupt() == 0, watch.err
    assert watch.count("first by poll") == 1
    assert not any("elsewhere" in line or "#2" in line for line in watch.out)


def test_json_lines_say_the_change_was_polled(
    sandbox: Any, isolated_home: Path, watching: Callable[..., Watching]
) -> None:
    env = point_at(isolated_home, sandbox, "realtime = 'off'\n")
    watch = watching(env, "--json", "--conversation", "3")
    watch.wait_for("Live updates are off", stream="err")
    sandbox.customer_writes(3, "polled in")
    watch.wait_for("polled in")
    assert watch.interrupt() == 0, watch.err
    docs = [json.loads(line) for line in watch.out]
    message = next(d for d in docs if d["kind"] == "message_created")
    assert message["via"] == "poll" and message["message"]["message_text"] == "polled in"
    assert message["message"]["direction"] == "inbound" and message["conversation"] is None


def test_what_was_written_while_the_sandbox_was_down_is_printed_once(
    tmp_path: Path, isolated_home: Path, watching: Callable[..., Watching]
) -> None:
    from tui.sandbox.runner import start_in_thread

    data = tmp_path / "sb"
    first = start_in_thread(data_dir=data)
    port = int(first.base_url.rsplit(":", 1)[1])
    env = point_at(isolated_home, first)
    running: list[Any] = [first]
    try:
        watch = watching(env)
        watch.wait_for("Live updates on.", stream="err")
        first.stop()
        watch.wait_for("dropped; reconnecting.", stream="err")
        meanwhile = start_in_thread(data_dir=data)  # another sandbox on the same file and port 0
        running.append(meanwhile)
        meanwhile.agent_writes(1, "written while you were away", user_id=TOM)
        meanwhile.stop()
        again = start_in_thread(data_dir=data, port=port)
        running.append(again)
        watch.wait_for("Live updates reconnected", stream="err")
        watch.wait_for("written while you were away")
        again.agent_writes(1, "and after", user_id=TOM)
        watch.wait_for("and after")
        assert watch.interrupt() == 0, watch.err
    finally:
        for sandbox in running:
            sandbox.stop()
    messages = [line for line in watch.out if "message" in line.split("#")[0]]
    assert sum("written while you were away" in line for line in messages) == 1
    assert sum("and after" in line for line in messages) == 1
    # each restart moved the sandbox's whole history forward by the pause: not news
    assert len(messages) == 2, messages
    conversations = [line for line in watch.out if "conversation" in line.split("#")[0]]
    assert all("#1 " in line for line in conversations), conversations


def test_a_refused_key_ends_the_watch_with_one_sentence(sandbox: Any, isolated_home: Path) -> None:
    env = point_at(isolated_home, sandbox)
    env["SB_BAD_INPUT_KEY"] = "sbx_nobody"
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "watch", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 5, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["ok"] is False
    assert "sbx_nobody" not in proc.stdout + proc.stderr


def test_watch_is_in_the_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "watch", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 0 and "--conversation ID" in proc.stdout and "--json" in proc.stdout


def test_the_embedded_sandbox_is_re_read_while_live(
    isolated_home: Path, watching: Callable[..., Watching]
) -> None:
    """`watch` on the built-in sandbox profile serves its own sandbox, which pushes only its own
    writes: what another sandbox on the same file (the app's) stores is found by re-reading."""
    from tui.core.paths import sandbox_data_dir
    from tui.sandbox.runner import start_in_thread

    watch = watching(dict(os.environ), "--conversation", "1")
    watch.wait_for("Live updates on.", stream="err")
    other = start_in_thread(data_dir=sandbox_data_dir())
    try:
        other.agent_writes(1, "written through the app's sandbox", user_id=TOM)
        watch.wait_for("written through the app's sandbox")
    finally:
        other.stop()
    assert watch.interrupt() == 0, watch.err
    assert watch.count("written through the app's sandbox") == 1


def test_a_conversation_that_does_not_exist_is_said_at_once(sandbox: Any, local: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "watch", "--conversation", "99999"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=local,
        timeout=60,
    )
    assert proc.returncode == 7 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "99999" in lines[0] and "Traceback" not in proc.stderr


def test_a_reader_that_goes_away_ends_the_watch_quietly(sandbox: Any, local: dict[str, str]) -> None:
    """`switchboard watch | head -1`: the line arrives at once, and the next write ends it, exit 0."""
    env = {k: v for k, v in local.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "watch", "--conversation", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        err: list[str] = []
        reader = threading.Thread(target=lambda: err.extend(proc.stderr or []), daemon=True)
        reader.start()
        deadline = time.monotonic() + WAIT
        while not any("Live updates on." in line for line in err):
            assert time.monotonic() < deadline and proc.poll() is None, err
            time.sleep(0.02)
        first: list[str] = []

        def head_1() -> None:  # reads one line and goes away, as `head -1` does
            assert proc.stdout is not None
            first.append(proc.stdout.readline())
            proc.stdout.close()

        threading.Thread(target=head_1, daemon=True).start()
        sandbox.agent_writes(1, "the one line head reads", user_id=TOM)
        while not first:  # flushed at once, or this never comes
            assert time.monotonic() < deadline, "the line was not flushed"
            time.sleep(0.02)
        assert "the one line head reads" in first[0]
        while proc.poll() is None:  # each write now meets a closed pipe
            assert time.monotonic() < deadline, "the watch did not end"
            sandbox.agent_writes(1, "more", user_id=TOM)
            time.sleep(0.05)
        reader.join(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in "".join(err) and "Exception ignored" not in "".join(err), err
