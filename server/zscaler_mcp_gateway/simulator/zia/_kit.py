"""Building blocks of the ZIA simulator: collections, rule tables, settings documents, URL lists.

ZIA answers plain JSON arrays and integer ids; settings objects are single documents replaced by
PUT; URL lists change through `?action=ADD_TO_LIST|REMOVE_FROM_LIST`. Every piece here is a
`Collection` underneath, so `/_sim/reset` restores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import ZIA_DEFAULT_PAGE_SIZE, object_body, page_of
from ..store import Collection, SimulatorError

ROOT = "/zia/api/v1"
DOCUMENT_ID = "document"
AUDIT = {"lastModifiedTime": 1718500000, "lastModifiedBy": {"id": 7001, "name": "admin@acme.example"}}
Record = dict[str, Any]
Handler = Callable[[Request], Any]


def zia(
    path: str,
    seed: Sequence[Record],
    *,
    required: tuple[str, ...] = ("name",),
    defaults: Mapping[str, Any] | None = None,
    check: Callable[[Record], None] | None = None,
    **kw: Any,
) -> Collection:
    """A ZIA collection with integer ids; `check` may reject a create (SimulatorError) or adjust it,
    `defaults` fill fields the server sets on create."""
    fill = dict(defaults or {})

    def on_create(record: Record) -> None:
        if check is not None:
            check(record)
        for key, value in fill.items():
            record.setdefault(key, value)

    kw.setdefault("int_ids", True)
    return Collection(
        "zia", ROOT + path, "array", seed=[dict(r) for r in seed], required=required, on_create=on_create, **kw
    )


RULE_DEFAULTS = {"state": "ENABLED", "rank": 7, "order": 1, "predefined": False, "defaultRule": False, **AUDIT}


def rule_table(
    path: str,
    seed: Sequence[Record],
    *,
    required: tuple[str, ...] = ("name", "order"),
    defaults: Mapping[str, Any] | None = None,
    **kw: Any,
) -> Collection:
    """A policy rule table: seeds get the common rule fields, creates get server defaults."""
    rows = [{**RULE_DEFAULTS, **r} for r in seed]
    return zia(path, rows, required=required, defaults={**RULE_DEFAULTS, **(defaults or {})}, **kw)


def static_route(
    path: str, items: Sequence[Record], filters: Mapping[str, Callable[[Record, str], bool]] | None = None
) -> Route:
    """GET a fixed catalog (predefined data the API never changes), filtered by query keys."""

    async def listing(request: Request) -> Response:
        rows = list(items)
        for key, keep in (filters or {}).items():
            value = request.query_params.get(key)
            if value not in (None, ""):
                rows = [r for r in rows if keep(r, value)]
        return paged(rows, request)

    return Route(ROOT + path, listing, methods=["GET"])


SERVER_FIELDS = (
    "predefined",
    "defaultRule",
    "referencedRuleCount",
    "customCategory",
    "lastModifiedTime",
    "lastModifiedBy",
)


# Stamped by the server on every write; a PUT carrying one is refused, as the API refuses it.
READ_ONLY_FIELDS = ("lastModifiedTime", "lastModifiedBy", "creationTime", "createdBy")


def replace(collection: Collection, record_id: str, body: Record) -> Record:
    """ZIA's PUT: the whole object is replaced (only server-managed fields survive); read-only fields are refused."""
    sent = sorted(key for key in READ_ONLY_FIELDS if key in body)
    if sent:
        raise SimulatorError(400, f"Read-only field(s) in the request body: {', '.join(sent)}")
    return collection.replace(record_id, body, keep=SERVER_FIELDS)


def replace_route(collection: Collection) -> Route:
    """PUT {path}/{id}: ZIA replaces the whole object."""

    async def replace_one(request: Request) -> Response:
        return JSONResponse(replace(collection, request.path_params["record_id"], await object_body(request)))

    return Route(collection.path + "/{record_id}", replace_one, methods=["PUT"])


def paged(items: list[Record], request: Request) -> Response:
    """One ZIA page (`page`, `pageSize`), like every ZIA list endpoint that pages."""
    page, _, _ = page_of(items, request, ZIA_DEFAULT_PAGE_SIZE, ("pageSize",))
    return JSONResponse(page)


def list_route(
    collection: Collection, path: str | None = None, filters: Mapping[str, Callable[[Record, str], bool]] | None = None
) -> Route:
    """GET a collection with `search` plus per-query-key filters (ZIA list parameters)."""

    async def listing(request: Request) -> Response:
        own_search = "search" in (filters or {})
        items = collection.list(None if own_search else request.query_params.get("search") or None)
        for key, keep in (filters or {}).items():
            value = request.query_params.get(key)
            if value not in (None, ""):
                items = [r for r in items if keep(r, value)]
        return paged(items, request)

    return Route(path or collection.path, listing, methods=["GET"])


def get_route(collection: Collection, path: str | None = None) -> Route:
    async def read(request: Request) -> Response:
        return JSONResponse(collection.get(request.path_params["record_id"]))

    return Route((path or collection.path) + "/{record_id}", read, methods=["GET"])


def lite_route(collection: Collection, *fields: str, path: str | None = None) -> Route:
    """GET {path}/lite: id and name (or the given fields) of each record."""
    keep = ("id", "name", *fields)

    async def lite(request: Request) -> Response:
        items = collection.list(request.query_params.get("search") or None)
        return paged([{k: r[k] for k in keep if k in r} for r in items], request)

    return Route((path or collection.path) + "/lite", lite, methods=["GET"])


def truthy(value: str) -> bool:
    """A boolean query parameter as the SDK sends it (Python's True/False, or true/false)."""
    return value.lower() == "true"


def equals(field: str) -> Callable[[Record, str], bool]:
    return lambda record, value: str(record.get(field, "")).lower() == value.lower()


def contains(field: str) -> Callable[[Record, str], bool]:
    return lambda record, value: value.lower() in str(record.get(field, "")).lower()


def starts_with(field: str) -> Callable[[Record, str], bool]:
    return lambda record, value: str(record.get(field, "")).lower().startswith(value.lower())


# --- settings documents ------------------------------------------------------------------------


def document(path: str, body: Record) -> Collection:
    """A tenant-wide settings object: one record, served by `document_routes`."""
    return Collection("zia", ROOT + path, "array", seed=[{"id": DOCUMENT_ID, **body}], required=(), crud=False)


def read_document(doc: Collection) -> Record:
    record = doc.get(DOCUMENT_ID)
    record.pop("id", None)
    return record


def _zero(value: Any) -> Any:
    return type(value)() if isinstance(value, (bool, int, float, str, list, dict)) else None


def replace_document(doc: Collection, body: Record) -> Record:
    """PUT of a settings object: only its own fields, each with the type it has; a field left out
    goes back to its zero value (false, 0, empty), as ZIA's whole-object PUT does."""
    current = read_document(doc)
    unknown = sorted(k for k in body if k not in current)
    if unknown:
        raise SimulatorError(400, f"Unknown field(s) for {doc.path.removeprefix(ROOT)}: {', '.join(unknown)}")
    wrong = sorted(
        k
        for k, v in body.items()
        if current[k] is not None
        and v is not None
        and type(v) is not type(current[k])
        and not (isinstance(v, (int, float)) and isinstance(current[k], (int, float)) and not isinstance(v, bool))
    )
    if wrong:
        raise SimulatorError(400, f"Wrong type for field(s): {', '.join(wrong)}")
    doc.update(DOCUMENT_ID, {key: body.get(key, _zero(value)) for key, value in current.items()})
    return read_document(doc)


def document_routes(doc: Collection) -> list[Route]:
    async def read(request: Request) -> Response:
        return JSONResponse(read_document(doc))

    async def replace_whole(request: Request) -> Response:
        return JSONResponse(replace_document(doc, await object_body(request)))

    return [Route(doc.path, read, methods=["GET"]), Route(doc.path, replace_whole, methods=["PUT"])]


def url_list_routes(doc: Collection, key: str, method: str) -> list[Route]:
    """A settings document holding one URL list `key`, edited with ?action=ADD_TO_LIST|REMOVE_FROM_LIST."""

    async def read(request: Request) -> Response:
        return JSONResponse(read_document(doc))

    async def edit(request: Request) -> Response:
        action = request.query_params.get("action")
        body = await object_body(request)
        urls = body.get(key)
        if not isinstance(urls, list) or (action is not None and not urls):
            raise SimulatorError(400, f"Body must hold a '{key}' array (non-empty to add or remove)")
        current = list(read_document(doc).get(key, []))
        if action == "ADD_TO_LIST":
            current += [u for u in urls if u not in current]
        elif action == "REMOVE_FROM_LIST":
            current = [u for u in current if u not in urls]
        elif action is None and method == "PUT":
            current = list(urls)
        else:
            raise SimulatorError(400, f"Invalid action {action!r}")
        return JSONResponse(replace_document(doc, {key: current}))

    return [Route(doc.path, read, methods=["GET"]), Route(doc.path, edit, methods=[method])]
