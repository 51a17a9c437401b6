"""The CLI's tables through the real command: columns line up in terminal cells, whatever the
names are made of, and a huge value is cut instead of widening every row."""

from __future__ import annotations

import re
from typing import Any

import wcwidth

from tests.cli.conftest import store
from tests.cli.test_cli import run


def cell_width(text: str) -> int:
    """The oracle, independent of the code under test: wcwidth's grapheme-aware width."""
    return int(wcwidth.width(text))


NAMES = ["👩\u200d💻 Ana", "👍🏽 Bo", "1\ufe0f\u20e3 Cy", "🇵🇹 Dora", "愛子", "Zoe\u0308", "Eli"]


def columns_env(env: dict[str, str], columns: int = 160) -> dict[str, str]:
    return dict(env, COLUMNS=str(columns), LINES="40")


def status_offsets(stdout: str) -> set[int]:
    """The cell at which the STATUS column starts, on the header and every row."""
    offsets = set()
    for line in stdout.splitlines()[:-1]:
        found = re.search(r"(?<=  )(STATUS|open|closed)(?= )", line)
        assert found, line
        offsets.add(cell_width(line[: found.start()]))
    return offsets


def test_columns_line_up_with_emoji_sequences_cjk_and_marks(sandbox: Any, local: dict[str, str]) -> None:
    s = store(sandbox)
    for cid, name in enumerate(NAMES, start=1):
        s.execute(
            "UPDATE contacts SET first_name = ?, last_name = '' WHERE id = "
            "(SELECT contact_id FROM conversations WHERE id = ?)",
            (name, cid),
        )
    proc = run("conversations", "--limit", "200", env=columns_env(local))
    assert proc.returncode == 0, proc.stderr
    for name in NAMES:
        assert name in proc.stdout
    assert len(status_offsets(proc.stdout)) == 1, proc.stdout


def test_a_huge_name_is_cut_not_padded_everywhere(sandbox: Any, local: dict[str, str]) -> None:
    huge = "Ana" + "x" * 100_000
    store(sandbox).execute(
        "UPDATE contacts SET first_name = ? WHERE id = (SELECT contact_id FROM conversations WHERE id = 1)",
        (huge,),
    )
    proc = run("conversations", "--limit", "200", env=columns_env(local, 120))
    assert proc.returncode == 0, proc.stderr
    widths = [cell_width(line) for line in proc.stdout.splitlines()]
    assert max(widths) <= 120, max(widths)
    assert "Anaxxx" in proc.stdout and "x" * 200 not in proc.stdout
    assert len(status_offsets(proc.stdout)) == 1
    shown = run("show", "1", env=columns_env(local, 120))
    assert shown.returncode == 0, shown.stderr
    header = shown.stdout.splitlines()[0]
    assert header.startswith("Conversation 1 · ") and "Anaxxx" in header
    assert cell_width(header) <= 120, cell_width(header)


def test_tables_fit_a_narrow_terminal(sandbox: Any, local: dict[str, str]) -> None:
    for args in (["conversations"], ["templates"]):
        proc = run(*args, env=columns_env(local, 80))
        assert proc.returncode == 0, proc.stderr
        assert max(cell_width(line) for line in proc.stdout.splitlines()) <= 80, args
