"""What the gateway's own arguments do to an answer (pure): a list's page or slice, then a JMESPath `query`.

Both apply after every page is fetched, so a query sees every record, never only the first page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalog.contract import DEFAULT_PAGE_SIZE
from .catalog.model import SdkResult, Tool


class QueryError(ValueError):
    """The `query` expression failed on this answer (the message names the argument)."""


def _gateway_value(tool: Tool, arguments: Mapping[str, Any], name: str) -> Any:
    """The argument's value when `name` is one of the gateway's own params of this tool, else None."""
    for param in tool.params:
        if param.name == name:
            return arguments.get(name) if param.location == "gateway" else None
    return None


def _sliced(tool: Tool, arguments: Mapping[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    items: list[Any] = payload["items"]
    total = len(items)
    page = _gateway_value(tool, arguments, "page")
    offset = _gateway_value(tool, arguments, "offset")
    limit = _gateway_value(tool, arguments, "limit")
    if page is None and offset is None and limit is None:
        return payload
    if page is not None:
        size = int(arguments.get("page_size") or DEFAULT_PAGE_SIZE)
        items = items[(page - 1) * size : page * size]
    if offset is not None:
        items = items[int(offset) :]
    if limit is not None:
        items = items[:limit]
    return {**payload, "count": len(items), "total": total, "items": items}


def shape(tool: Tool, arguments: Mapping[str, Any], payload: Any) -> Any:
    """The answer with the paging and `query` arguments applied; raises QueryError if the query fails on it."""
    call = tool.call.select(arguments) if tool.call is not None else None
    records = (
        call is not None
        and call.result is SdkResult.RECORDS
        and isinstance(payload, dict)
        and isinstance(payload.get("items"), list)
    )
    if records:
        payload = _sliced(tool, arguments, payload)
    expression = _gateway_value(tool, arguments, "query")
    if expression is None:
        return payload
    import jmespath
    from jmespath.exceptions import JMESPathError

    target = payload["items"] if records else payload
    try:
        result = jmespath.search(expression, target)
    except JMESPathError as exc:
        raise QueryError(f"argument 'query': {str(exc).splitlines()[0][:200]}") from exc
    envelope = {k: v for k, v in payload.items() if k != "items"} if records else {}
    return {**envelope, "query": expression, "result": result}
