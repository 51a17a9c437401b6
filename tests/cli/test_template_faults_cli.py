"""`switchboard templates` and `send --template` through a subprocess, on a sandbox whose list
holds a malformed template (`--bad-template`) and one far beyond WhatsApp's limits
(`--huge-template 1000`): the listing shows the rest and says in one line what it left out, a
good template still sends, and the two others exit 4 with one sentence and nothing sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli.test_cli import one_sentence, run
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.store import message_counts

CID = str(HANDY_IDS["whatsapp_closed"])
SKIPPED = "1 template could not be read and is not shown."


def sent(sandbox: Any) -> int:
    return sum(message_counts(sandbox.data_dir / "sandbox.db", conversation_id=int(CID)).values())


def test_the_listing_shows_the_readable_ones_and_counts_the_other(
    faulty: Callable[..., tuple[Any, dict[str, str]]],
) -> None:
    _, env = faulty(bad_template=True, huge_template=1000)
    proc = run("templates", env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "order_update" in proc.stdout
    assert lines[-2:] == [
        "The template 'huge_template' has 1,000 buttons and WhatsApp allows at most 10, so it cannot be "
        "sent; fix it in WhatsApp Manager or pick another template.",
        SKIPPED,
    ]
    huge = next(line for line in lines if line.startswith("huge_template"))
    assert "OVER LIMITS" in huge
    assert "broken_template" not in proc.stdout
    listed = run("templates", "--json", env=env)
    assert listed.returncode == 0 and listed.stderr.strip() == SKIPPED
    assert "order_update" in {t["name"] for t in json.loads(listed.stdout)}


def test_send_template_with_the_bad_one_listed(faulty: Callable[..., tuple[Any, dict[str, str]]]) -> None:
    sandbox, env = faulty(bad_template=True, huge_template=1000)
    before = sent(sandbox)
    values = ["--var", "header.1=A-7", "--param", "Ana", "--param", "Friday"]
    good = run("send", CID, "--template", "shipping_notice", *values, env=env)
    assert good.returncode == 0, good.stderr
    assert sent(sandbox) == before + 1
    broken = run("send", CID, "--template", "broken_template", "--param", "x", env=env)
    assert broken.returncode == 4
    assert one_sentence(broken).startswith("The template 'broken_template' could not be read (components: ")
    huge = run("send", CID, "--template", "huge_template", "--param", "x", env=env)
    assert huge.returncode == 4
    assert one_sentence(huge) == (
        "The template 'huge_template' has 1,000 buttons and WhatsApp allows at most 10, so it cannot "
        "be sent; fix it in WhatsApp Manager or pick another template."
    )
    assert sent(sandbox) == before + 1
