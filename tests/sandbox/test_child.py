"""The sandbox as the app's child process: it says where it listens, serves, and stops when its
parent closes the pipe (which is also what happens when the parent dies)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tui.core.errors import SwitchboardError
from tui.sandbox_process import start_sandbox_process


def test_the_child_serves_and_stops_with_its_pipe(tmp_path: Path) -> None:
    process = start_sandbox_process(str(tmp_path / "data"))
    try:
        address = process.wait_ready()
        assert address.base_url.startswith("http://127.0.0.1:")
        answer = httpx.get(
            f"{address.base_url}/conversations",
            params={"organization_id": address.organization_id, "$limit": 1},
            headers={"x-api-key": address.api_key},
        )
        assert answer.status_code == 200 and answer.json()["total"] >= 25
        assert process.wait_ready() == address  # asked twice, answered from memory
        assert process.alive
        # What a dying parent does to it: the pipe closes.
        assert process._proc.stdin is not None
        process._proc.stdin.close()
        assert process._proc.wait(10) == 0
        assert not process.alive
    finally:
        process.stop()
    assert (tmp_path / "data" / "sandbox.db").exists()


def test_a_child_that_cannot_start_is_one_sentence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sandbox.db").mkdir(parents=True)  # a folder where the database file should be
    process = start_sandbox_process(str(data))
    with pytest.raises(SwitchboardError) as err:
        process.wait_ready()
    sentence = err.value.sentence
    assert sentence.startswith(f"The embedded sandbox could not start in {data}")
    assert "\n" not in sentence and "Traceback" not in sentence
    assert not process.alive
