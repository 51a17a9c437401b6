"""The first page read before the models and the HTTP client load: the same query the client
sends, the same rules the config applies to where the key may go, and plain rows read from it
only when nothing in the answer is odd (the models read anything else, item by item)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tui.core.client import ApiClient
from tui.core.config import Paths, ResolvedProfile, Secret
from tui.core.first_page import Target, path_and_query, target_from_config
from tui.core.row_view import row_views


def config_file(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("")
    os.chmod(path, mode)
    return path


def test_the_quick_query_is_the_clients_own() -> None:
    target = Target("https://api.example.test", 101, {})
    profile = ResolvedProfile(
        name="p",
        base_url="https://api.example.test",
        organization_id=101,
        api_key=Secret("k"),
        auth="x-api-key",
        media_base_url="https://m.example.test",
        timeout_seconds=5,
        paths=Paths(),
        limits={},
    )
    from tui.core.query import encode

    client = ApiClient(profile)
    expected = "&".join(f"{k}={v}" for k, v in encode(client._list_query(None, 50, 0)))
    assert unquote(path_and_query(target)) == f"/conversations?{expected}"
    assert unquote(path_and_query(Target("https://h/api/v2", 1, {}), "/c")).startswith("/api/v2/c?")


@pytest.mark.parametrize(
    ("table", "env", "mode", "usable"),
    [
        (
            {"base_url": "https://api.example.test", "organization_id": 1, "api_key_env": "K"},
            {"K": "sk_quick_1"},
            0o600,
            True,
        ),
        (
            {"base_url": "http://127.0.0.1:8765", "organization_id": 1, "api_key_env": "K"},
            {"K": "sk_quick_1"},
            0o600,
            True,
        ),
        (
            {"base_url": "http://api.example.test", "organization_id": 1, "api_key_env": "K"},
            {"K": "sk_quick_1"},
            0o600,
            False,
        ),
        (
            {
                "base_url": "http://api.example.test",
                "organization_id": 1,
                "api_key_env": "K",
                "allow_insecure_http": True,
            },
            {"K": "sk_quick_1"},
            0o600,
            True,
        ),
        (
            {"base_url": "https://api.example.test", "organization_id": 1, "api_key_env": "K"},
            {},
            0o600,
            False,
        ),
        (
            {"base_url": "https://api.example.test", "organization_id": 1, "api_key": "sk_quick_1"},
            {},
            0o600,
            True,
        ),
        (
            {"base_url": "https://api.example.test", "organization_id": 1, "api_key": "sk_quick_1"},
            {},
            0o644,
            False,
        ),
        (
            {"base_url": "https://api.example.test", "organization_id": "1", "api_key": "sk_quick_1"},
            {},
            0o600,
            False,
        ),
        (
            {
                "base_url": "https://api.example.test",
                "organization_id": 1,
                "api_key": "sk_quick_1",
                "auth": "?",
            },
            {},
            0o600,
            False,
        ),
        (
            {"sandbox": True, "base_url": "https://x", "organization_id": 1, "api_key": "sk_quick_1"},
            {},
            0o600,
            False,
        ),
        ({"organization_id": 1, "api_key": "sk_quick_1"}, {}, 0o600, False),
    ],
)
def test_where_the_key_may_go_before_validation(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    table: dict[str, Any],
    env: dict[str, str],
    mode: int,
    usable: bool,
) -> None:
    monkeypatch.delenv("K", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    target = target_from_config(table, config_file(tmp_path, mode))
    assert (target is not None) is usable
    if target is not None:
        assert target.headers == {"x-api-key": "sk_quick_1"} and "sk_quick_1" not in repr(target)


def test_a_bearer_profile_sends_its_token_as_bearer(tmp_path: Path) -> None:
    table = {"base_url": "https://api.example.test", "organization_id": 1, "api_key": "t", "auth": "bearer"}
    target = target_from_config(table, config_file(tmp_path))
    assert target is not None and target.headers == {"Authorization": "Bearer t"}


def test_plain_rows_are_read_only_when_nothing_is_odd() -> None:
    good = {
        "total": 31,
        "data": [
            {
                "id": 3,
                "channel": "WhatsApp",
                "contact_id": 4,
                "unread_count": 2,
                "last_interaction_at": "2026-12-07T10:00:00Z",
                "assigned_ai_assistant_id": "bot-1",
            },
            {
                "id": 4,
                "channel": "sms",
                "contact": {"id": 9, "first_name": "Ana"},
                "last_inbound_message_at": None,
            },
        ],
    }
    read = row_views(good)
    assert read is not None
    rows, total = read
    assert total == 31 and [r.id for r in rows] == [3, 4]
    assert rows[0].channel == "whatsapp" and rows[0].contact_name == "Contact 4" and not rows[0].inbound_known
    assert rows[1].contact_name == "Ana" and rows[1].inbound_known and rows[1].last_inbound_message_at is None
    for odd in (
        {"data": [{"id": "3"}]},
        {"data": [{"id": 3, "unread_count": True}]},
        {"data": [{"id": 3, "last_interaction_at": 1e300}]},
        {"data": [{"id": 3, "contact": "Ana"}]},
        {"data": [{"id": 3, "assigned_ai_assistant_id": [1]}]},
        {"data": ["x"]},
        {"total": "many", "data": []},
        [],
    ):
        assert row_views(odd) is None, odd


def test_a_row_opened_before_the_models_load_shows_the_heads_state() -> None:
    """A conversation opened from the first page's quick read is a `RowView`: the head reads
    blocked and the AI conflict from it as from the full record (it once crashed the app)."""
    from tui.core.row_view import row_view
    from tui.widgets.conversation_head import head_text

    record = {
        "id": 19,
        "channel": "webchat",
        "status": "open",
        "assigned_ai_assistant_id": "asst_support",
        "blocked": True,
        "ai_auto_assignment_disabled": True,
        "ai_auto_assignment_disabled_reason": "Turned off by Maria",
    }
    text = head_text(row_view(record)).plain  # type: ignore[arg-type]
    assert "BLOCKED" in text and "AI auto-assignment off (Turned off by Maria)" in text
    assert "BLOCKED" not in head_text(row_view({"id": 1, "channel": "sms"})).plain  # type: ignore[arg-type]
