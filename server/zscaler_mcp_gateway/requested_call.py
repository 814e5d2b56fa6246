"""The `tools/call` a raw request body asks for, read cheaply and bounded, without the MCP SDK.

The auth middleware and the refusal audit (refusals.py) both name the call of a request the dispatcher
never saw. Pure: bytes in, a `ToolsCall` (or None) out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_SNIFFED_BODY = 64 * 1024  # a refused request's body is kept only this far, only to name the call
BODY_READ_SECONDS = 2.0
METHOD = "tools/call"
METHOD_PATTERN = re.compile(rb'"method"\s*:\s*"tools/call"')
_NAME = re.compile(rb'"params"\s*:\s*\{\s*"name"\s*:\s*"([A-Za-z0-9_.-]{1,128})"')


@dataclass(frozen=True)
class ToolsCall:
    """What a refused request's body says about the call it asked for."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    request_id: int | str | None = None
    meta: Mapping[str, Any] | None = None
    parsed: bool = True  # False: named from the raw bytes (too large or too deep for a parse)


def decode_message(body: bytes) -> Any:
    """The JSON body, or None when it is not JSON, not UTF-8, or nested too deep to parse."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def request_id_of(message: Any) -> int | str | None:
    request_id = message.get("id") if isinstance(message, dict) else None
    return request_id if isinstance(request_id, (int, str)) and not isinstance(request_id, bool) else None


def sniff_tools_call(body: bytes, complete: bool) -> ToolsCall | None:
    """The `tools/call` a body asks for; None when it is something else (or says nothing readable)."""
    message = decode_message(body) if complete and len(body) <= MAX_SNIFFED_BODY else None
    if isinstance(message, dict):
        if message.get("method") != METHOD:
            return None
        params = message.get("params")
        params = params if isinstance(params, dict) else {}
        name, arguments, meta = params.get("name"), params.get("arguments"), params.get("_meta")
        return ToolsCall(
            name=name if isinstance(name, str) else "",
            arguments=arguments if isinstance(arguments, dict) else {},
            request_id=request_id_of(message),
            meta=meta if isinstance(meta, dict) else None,
        )
    head = body[:MAX_SNIFFED_BODY]
    if message is not None or not METHOD_PATTERN.search(head):
        return None
    named = _NAME.search(head)
    return ToolsCall(name=named.group(1).decode() if named else "", parsed=False)
