"""Small route makers shared by the service modules whose endpoints are not plain CRUD."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Reader = Callable[[Request], Any]


def json_get(path: str, produce: Reader) -> Route:
    """GET `path` answers `produce(request)`: JSON data, or a ready Response."""

    async def endpoint(request: Request) -> Response:
        result = produce(request)
        return result if isinstance(result, Response) else JSONResponse(result)

    return Route(path, endpoint, methods=["GET"])


def json_gets(root: str, reads: Iterable[tuple[str, Reader]]) -> list[Route]:
    """A table of read-only endpoints under `root`."""
    return [json_get(root + path, produce) for path, produce in reads]
