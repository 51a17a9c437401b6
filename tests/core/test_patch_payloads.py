"""Golden tests: every PATCH /conversations/:id body, literally, with the contract's field names
(backend-contract.md, "Update a conversation"), and the action that sends each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tui.core.actions import Action, body_for, takeover_reason
from tui.core.models import User
from tui.core.payloads import (
    assign_patch,
    close_patch,
    read_patch,
    reopen_patch,
    takeover_patch,
    unassign_patch,
    unread_patch,
)

MARIA = User(id=7, first_name="Maria", last_name="Silva")


def wire(body: dict[str, object]) -> str:
    """The body as httpx puts it on the wire (key order kept)."""
    return json.dumps(body)


def test_read_and_unread_set_the_unread_count() -> None:
    assert wire(read_patch()) == '{"unread_count": 0}'
    assert wire(unread_patch()) == '{"unread_count": 1}'


def test_close_and_reopen_set_the_status() -> None:
    assert wire(close_patch()) == '{"status": "closed"}'
    assert wire(reopen_patch()) == '{"status": "open"}'


def test_assign_to_an_agent_or_nobody() -> None:
    assert wire(assign_patch(11)) == '{"assigned_user_id": 11}'
    assert wire(assign_patch(None)) == '{"assigned_user_id": null}'
    assert wire(unassign_patch()) == '{"assigned_user_id": null}'


def test_takeover_clears_the_assistant_turns_auto_assignment_off_and_assigns_me() -> None:
    assert wire(takeover_patch(7, "Taken over by Maria Silva")) == (
        '{"assigned_ai_assistant_id": null, "ai_auto_assignment_disabled": true, '
        '"ai_auto_assignment_disabled_reason": "Taken over by Maria Silva", "assigned_user_id": 7}'
    )


@pytest.mark.parametrize(
    ("action", "kw", "body"),
    [
        (Action.READ, {}, {"unread_count": 0}),
        (Action.UNREAD, {}, {"unread_count": 1}),
        (Action.CLOSE, {}, {"status": "closed"}),
        (Action.REOPEN, {}, {"status": "open"}),
        (Action.UNASSIGN, {}, {"assigned_user_id": None}),
        (Action.ASSIGN, {"to": 12}, {"assigned_user_id": 12}),
        (Action.ASSIGN, {"me": MARIA}, {"assigned_user_id": 7}),
        (Action.ASSIGN, {"me": MARIA, "to": 13}, {"assigned_user_id": 13}),
        (
            Action.TAKEOVER,
            {"me": MARIA},
            {
                "assigned_ai_assistant_id": None,
                "ai_auto_assignment_disabled": True,
                "ai_auto_assignment_disabled_reason": "Taken over by Maria Silva",
                "assigned_user_id": 7,
            },
        ),
    ],
)
def test_each_action_sends_its_body(action: Action, kw: dict[str, Any], body: dict[str, object]) -> None:
    assert body_for(action, **kw) == body


def test_the_reason_names_the_agent_or_their_id() -> None:
    assert takeover_reason(MARIA) == "Taken over by Maria Silva"
    assert takeover_reason(User(id=9)) == "Taken over by User 9"
    assert takeover_reason(User(id=9, email="op@example.com")) == "Taken over by op@example.com"


@pytest.mark.parametrize("action", [Action.TAKEOVER, Action.ASSIGN])
def test_takeover_and_assign_to_me_need_me(action: Action) -> None:
    with pytest.raises(ValueError):
        body_for(action)
