"""Every find pages as Feathers with `paginate.max` 50 does, answers `$limit=0` with the count
alone (reading no row), and reads its query strictly: arrays of at most 20 values in the bracket
or indices form, nothing it does not know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tui.sandbox.runner import RunningSandbox

from .rest import listed, messages_path

#: (path, the rest of a valid query, an array parameter it takes)
FINDS: list[tuple[str, dict[str, Any], str]] = [
    ("/conversations", {"organization_id": 1}, "id[$in]"),
    (messages_path("whatsapp"), {"conversation_id": 1}, "message_type[$in]"),
    ("/contacts", {"organization_id": 1}, "id[$in]"),
    ("/users", {"organization_id": 1}, "id[$in]"),
    ("/message-templates", {"organization_id": 1}, "name[$in]"),
]


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.api_key}) as client:
        yield client


def more_rows(sandbox: RunningSandbox, conversations: int, messages: int) -> None:
    """More conversations (on contact 5) and more messages in conversation 1 than a page holds."""
    store = sandbox._sandbox.store
    for _ in range(conversations):
        store.execute(
            "INSERT INTO conversations (organization_id, contact_id, channel, status, last_message_at) "
            "VALUES (1, 5, 'webchat', 'open', ?)",
            (store.clock() - 99 * 86400,),
        )
    for i in range(messages):
        sandbox.agent_writes(1, f"filler {i}", note=True)


@pytest.mark.parametrize(("path", "base", "array"), FINDS, ids=[f[0] for f in FINDS])
def test_limit_is_capped_at_50_and_0_counts(
    api: httpx.Client, path: str, base: dict[str, Any], array: str
) -> None:
    big = api.get(path, params={**base, "$limit": 500})
    assert big.status_code == 200, big.text
    assert big.json()["limit"] == 50 and len(big.json()["data"]) <= 50
    count = api.get(path, params={**base, "$limit": 0, "$skip": 3})
    assert count.json() == {"total": big.json()["total"], "limit": 0, "skip": 3, "data": []}
    for bad in ("-1", "ten", "1.5"):
        refused = api.get(path, params={**base, "$limit": bad})
        assert refused.status_code == 400 and set(refused.json()["errors"]) == {"$limit"}
    assert api.get(path, params={**base, "$skip": "-2"}).status_code == 400


def test_at_most_50_rows_come(sandbox: RunningSandbox, api: httpx.Client) -> None:
    more_rows(sandbox, conversations=30, messages=60)
    page = api.get("/conversations", params=listed(**{"$limit": 60})).json()
    assert (page["total"], page["limit"], len(page["data"])) == (60, 50, 50)
    rest = api.get("/conversations", params=listed(**{"$limit": 50, "$skip": 50})).json()
    assert len(rest["data"]) == 10 and not {c["id"] for c in rest["data"]} & {c["id"] for c in page["data"]}
    messages = api.get(messages_path("whatsapp"), params={"conversation_id": 1, "$limit": 100}).json()
    assert messages["total"] > 60 and (messages["limit"], len(messages["data"])) == (50, 50)


@pytest.mark.parametrize(("path", "base", "array"), FINDS, ids=[f[0] for f in FINDS])
def test_limit_0_reads_no_row(
    sandbox: RunningSandbox,
    api: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    base: dict[str, Any],
    array: str,
) -> None:
    store = sandbox._sandbox.store
    seen: list[str] = []
    original = store.query
    monkeypatch.setattr(store, "query", lambda sql, args=(): seen.append(sql) or original(sql, args))
    for method in ("message_json", "conversations_json", "template_json"):
        monkeypatch.setattr(store, method, lambda *a, _m=method, **k: pytest.fail(f"{_m} read a row"))
    answer = api.get(path, params={**base, "$limit": 0})
    assert answer.status_code == 200 and answer.json()["data"] == []
    reads = [sql for sql in seen if sql.startswith("SELECT") and "count(*)" not in sql]
    if path == messages_path("whatsapp"):  # the conversation itself is read: whose, which channel
        reads = [sql for sql in reads if sql != "SELECT * FROM conversations WHERE id = ?"]
    assert reads == []


@pytest.mark.parametrize(("path", "base", "array"), FINDS, ids=[f[0] for f in FINDS])
def test_arrays_in_both_forms_and_at_most_20(
    api: httpx.Client, path: str, base: dict[str, Any], array: str
) -> None:
    values = [str(i) for i in range(1, 21)] if "id" in array else [f"v{i}" for i in range(20)]
    bracket = [(f"{array}[]", v) for v in values]
    indices = [(f"{array}[{i}]", v) for i, v in enumerate(values)]
    plain = list(base.items())
    for form in (bracket, indices):
        assert api.get(path, params=[*plain, *form]).status_code == 200
        over = api.get(path, params=[*plain, *form, (form[-1][0].replace("[19]", "[20]"), "21")])
        assert over.status_code == 400, over.text
        assert over.json()["name"] == "BadRequest" and "at most 20" in over.json()["message"]


def test_the_two_array_forms_mean_the_same(api: httpx.Client) -> None:
    bracket = api.get("/conversations", params=[("organization_id", 1), ("id[$in][]", 4), ("id[$in][]", 9)])
    indices = api.get("/conversations", params=[("organization_id", 1), ("id[$in][1]", 9), ("id[$in][0]", 4)])
    assert sorted(c["id"] for c in bracket.json()["data"]) == [4, 9]
    assert bracket.json() == indices.json()
    twice = api.get("/conversations", params=[("organization_id", 1), ("id[$in][0]", 4), ("id[$in][0]", 9)])
    assert twice.status_code == 400


@pytest.mark.parametrize(
    "extra",
    [
        {"$search": "ana"},
        {"colour": "red"},
        {"channel[$regex]": "w.*"},
        {"status[$gt]": "open"},
        {"$sort[last_message_at]": -1},
        {"$sort[channel]": 1},
        {"$select[]": "nonsense"},
        {"waitingResponseOnly": "maybe"},
        {"created_at[$gte]": "yesterday"},
        {"status": "archived"},
        {"unread_count[$gt]": "some"},
    ],
)
def test_what_the_api_does_not_document_is_400_naming_it(api: httpx.Client, extra: dict[str, Any]) -> None:
    answer = api.get("/conversations", params=listed(**extra))
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["name"] == "BadRequest" and set(body["errors"]) == set(extra)
    assert next(iter(extra)) in body["message"]


def test_a_parameter_given_twice_is_400(api: httpx.Client) -> None:
    twice = api.get(
        "/conversations", params=[("organization_id", 1), ("status", "open"), ("status", "closed")]
    )
    assert twice.status_code == 400 and set(twice.json()["errors"]) == {"status"}


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        (messages_path("sms"), {"conversation_id": 23, "$search": "x"}),
        ("/contacts", {"colour": "red"}),
        ("/users", {"role": "admin"}),
        ("/message-templates", {"category": "UTILITY"}),
    ],
)
def test_every_find_is_strict(api: httpx.Client, path: str, extra: dict[str, Any]) -> None:
    answer = api.get(path, params=extra)
    assert answer.status_code == 400 and set(answer.json()["errors"]) == set(extra) - {"conversation_id"}
