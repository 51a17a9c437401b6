"""The Contacts service (contract: "Contacts"): `GET /contacts` (find) and `GET /contacts/:id`.

The find sees the key's organization's contacts only (another organization's never appear) and
takes exactly: `organization_id` (checked: another one is 403), `id` (`=`, `[$in]`, `[$nin]`),
`company_id` and `owned_by_user_id` (`=`, `[$in]`, null allowed), `searchTerm` (first name, last
name, full name, phone or email contains it, case and accents folded), `$limit` (at most 50; 0:
the count alone), `$skip`, `$sort[f]=1|-1` for f in `id` (default, ascending), `first_name`,
`last_name`, `created_at`, `updated_at`, and `$select[]`; anything else is a 400 (`query`).
A list row also carries `owner` (`{"id", "first_name", "last_name"}` of the owning agent, or null)
and `company` (`{"id", "name"}`, or null); a get answers the contact alone, and 403 for another
organization's.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.core.fold import fold
from tui.sandbox.feathers import Fail, agent_of, check_org, page
from tui.sandbox.query import Field, Schema, integer, order_by, parse_query, selected, text, where
from tui.sandbox.records import CONTACT_FIELDS, contact_doc
from tui.sandbox.state import state

__all__ = ["get_contact", "list_contacts"]

SORTS = ("id", "first_name", "last_name", "created_at", "updated_at")
SCHEMA = Schema(
    fields={
        "organization_id": Field(integer),
        "id": Field(integer, frozenset({"$eq", "$in", "$nin"})),
        "company_id": Field(integer, frozenset({"$eq", "$in"}), nullable=True),
        "owned_by_user_id": Field(integer, frozenset({"$eq", "$in"}), nullable=True),
    },
    sorts=SORTS,
    selects=(*CONTACT_FIELDS, "owner", "company"),
    extras={"searchTerm": text},
)
COLUMNS = {name: f"t.{name}" for name in ("id", "company_id", "owned_by_user_id")}
MATCH = (
    "(instr(fold(trim(coalesce(t.first_name, '') || ' ' || coalesce(t.last_name, ''))), ?) > 0 "
    "OR instr(fold(coalesce(t.phone, '')), ?) > 0 OR instr(fold(coalesce(t.email, '')), ?) > 0)"
)


async def list_contacts(request: Request) -> Response:
    sb = state(request)
    query = parse_query(request.query_params.multi_items(), SCHEMA)
    check_org(request, query.eq("organization_id"))
    clauses, args = where(query, COLUMNS)
    clauses[:0] = ["t.organization_id = ?", "t.deleted_at IS NULL"]
    args.insert(0, agent_of(request).organization_id)
    term = fold(str(query.extras.get("searchTerm") or "").strip())
    if term:
        clauses.append(MATCH)
        args.extend([term] * 3)
    base = f"FROM contacts t WHERE {' AND '.join(clauses)}"
    total = int(sb.store.query(f"SELECT count(*) {base}", args)[0][0])
    if query.limit == 0:  # the count alone: no row is read
        return page(total, 0, query.skip, [])
    order = order_by(query, ("id", 1), {s: f"t.{s}" for s in SORTS}, "t.id")
    rows = sb.store.query(
        f"SELECT t.* {base} ORDER BY {order} LIMIT ? OFFSET ?", [*args, query.limit, query.skip]
    )
    ids = sorted({r["company_id"] for r in rows if r["company_id"] is not None})
    marks = ", ".join("?" for _ in ids)
    found = sb.store.query(f"SELECT id, name FROM companies WHERE id IN ({marks})", ids) if ids else []
    companies = {c["id"]: {"id": c["id"], "name": c["name"]} for c in found}
    docs = []
    for row in rows:
        owner = sb.agent(row["owned_by_user_id"]) if row["owned_by_user_id"] is not None else None
        owner_doc: dict[str, Any] | None = (
            {"id": owner.id, "first_name": owner.first_name, "last_name": owner.last_name} if owner else None
        )
        doc = contact_doc(row, owner=owner_doc, company=companies.get(row["company_id"]), listed=True)
        docs.append(selected(doc, query))
    return page(total, query.limit, query.skip, docs)


async def get_contact(request: Request) -> Response:
    sb = state(request)
    check_org(request, request.query_params.get("organization_id"))
    raw = request.path_params["contact_id"]
    row = (
        sb.store.one("SELECT * FROM contacts WHERE id = ?", (int(raw),))
        if raw.isdigit() and len(raw) <= 18
        else None
    )
    if row is None or row["deleted_at"] is not None:
        raise Fail(404, f"No record found for id '{raw[:40]}'")
    if row["organization_id"] != agent_of(request).organization_id:
        raise Fail(403, f"This API key has no access to contact {raw}")
    return JSONResponse(contact_doc(row))
