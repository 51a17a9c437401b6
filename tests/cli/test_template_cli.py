"""`switchboard send --template NAME --var K=V --header-file PATH --button-param V` through a
subprocess on the sandbox: the header file uploaded and sent as its public URL, the button's
value at its index; a missing file or value refused in one sentence with nothing sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.test_cli import one_sentence, run
from tests.helpers import make_png
from tui.sandbox.seed import HANDY_IDS
from tui.sandbox.store import message_counts

CID = str(HANDY_IDS["whatsapp_closed"])
ORDER = ["send", CID, "--template", "order_shipped", "--var", "first_name=Ana", "--var", "order_id=A-1001"]


def sent_count(sandbox: Any) -> int:
    counts = message_counts(sandbox.data_dir / "sandbox.db", conversation_id=int(CID))
    return sum(counts.values())


def test_send_with_header_file_and_button_param(local: dict[str, str], sandbox: Any, tmp_path: Path) -> None:
    photo = make_png(tmp_path / "parcel.png")
    proc = run(
        *ORDER,
        "--var",
        "date=Friday",
        "--header-file",
        str(photo),
        "--button-param",
        "A-1001",
        "--json",
        env=local,
    )
    assert proc.returncode == 0, proc.stderr
    (message,) = json.loads(proc.stdout)["messages"]
    header, body, button = message["template"]["components"]
    assert header["parameters"][0]["image"]["link"].endswith("/parcel.png")
    assert {"type": "text", "parameter_name": "first_name", "text": "Ana"} in body["parameters"]
    assert button == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "A-1001"}],
    }
    assert message["message_text"] == "Hi Ana, your order A-1001 has shipped and arrives Friday."


def test_a_media_header_without_its_file_is_refused_and_nothing_sent(
    local: dict[str, str], sandbox: Any, tmp_path: Path
) -> None:
    before = sent_count(sandbox)
    proc = run(*ORDER, "--var", "date=Friday", "--button-param", "A-1001", env=local)
    assert proc.returncode == 4
    assert (
        one_sentence(proc)
        == "The template 'order_shipped' has an image header; pick the file to send with it."
    )
    missing = run(
        *ORDER, "--var", "date=Friday", "--header-file", str(make_png(tmp_path / "p.png")), env=local
    )
    assert missing.returncode == 4
    assert "needs a value for button Track parcel {{1}}" in one_sentence(missing)
    assert sent_count(sandbox) == before


def test_header_options_need_a_template(local: dict[str, str], tmp_path: Path) -> None:
    proc = run("send", CID, "--text", "hi", "--header-file", str(make_png(tmp_path / "p.png")), env=local)
    assert proc.returncode == 2
    assert one_sentence(proc).endswith("--header-file and --button-param go with --template.")
