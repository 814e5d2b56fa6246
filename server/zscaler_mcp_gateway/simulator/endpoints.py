"""Helpers every service module shares: request bodies, paging, search terms, small route makers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .store import SimulatorError

Reader = Callable[[Request], Any]
ZPA_DEFAULT_PAGE_SIZE = 20
ZIA_DEFAULT_PAGE_SIZE = 100


async def json_body(request: Request) -> Any:
    """The request's JSON body (None when empty); malformed JSON is a 400, like the APIs answer."""
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SimulatorError(400, f"Malformed JSON body: {exc.msg}") from exc


async def object_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; anything else is a 400."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise SimulatorError(400, "Request body must be a JSON object")
    return body


def page_of(
    items: list[dict[str, Any]], request: Request, default_size: int, size_keys: Sequence[str]
) -> tuple[list[dict[str, Any]], int, int]:
    """(the requested `page` of `items`, total pages, total records); the size is read from `size_keys`."""
    q = request.query_params
    try:
        page = max(1, int(q.get("page", "1")))
        raw_size = next((q[k] for k in size_keys if k in q), None)
        size = max(1, int(raw_size)) if raw_size is not None else default_size
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid paging parameter: {exc}") from exc
    start = (page - 1) * size
    total_pages = max(1, -(-len(items) // size))
    return items[start : start + size], total_pages, len(items)


def search_term(request: Request) -> str | None:
    """ZPA's SDK sends `search=name+EQ+value`; ZIA sends `search=value`."""
    term = request.query_params.get("search")
    if term and "+EQ+" in term:
        term = term.split("+EQ+", 1)[1]
    return term or None


def json_get(path: str, produce: Reader) -> Route:
    """GET `path` answers `produce(request)`: JSON data, or a ready Response."""

    async def endpoint(request: Request) -> Response:
        result = produce(request)
        return result if isinstance(result, Response) else JSONResponse(result)

    return Route(path, endpoint, methods=["GET"])


def json_gets(root: str, reads: Iterable[tuple[str, Reader]]) -> list[Route]:
    """A table of read-only endpoints under `root`."""
    return [json_get(root + path, produce) for path, produce in reads]
