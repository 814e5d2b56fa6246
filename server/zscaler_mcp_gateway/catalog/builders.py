"""Compact constructors for catalog entries: one call per tool, the shape derived from the action.

Read as data: `list_tool(...)` is a paginated read returning every record, `get_tool` one object,
`create_tool`/`update_tool` pass body params as SDK keywords, `delete_tool` returns a status.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .model import Action, JsonType, Param, ParamLocation, SdkCall, Tool


def param(
    name: str,
    type: JsonType,
    description: str,
    *,
    required: bool = False,
    location: ParamLocation = "body",
    **schema: Any,
) -> Param:
    return Param(name, type, description, required=required, location=location, **schema)


def path_id(name: str, what: str, type: JsonType = "string") -> Param:
    """The record id the SDK takes positionally."""
    return Param(name, type, f"ID of the {what}.", required=True, location="path")


def query(name: str, type: JsonType, description: str, **schema: Any) -> Param:
    return Param(name, type, description, location="query", **schema)


def _service(toolset: str) -> str:
    return toolset.split("_", 1)[0]


def list_tool(name: str, toolset: str, description: str, sdk: str, *params: Param, paginate: bool = True) -> Tool:
    call = SdkCall(sdk, paginate=paginate, result="records")
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, call)


def get_tool(
    name: str, toolset: str, description: str, sdk: str, *params: Param, query_arg: str | None = "query_params"
) -> Tool:
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, SdkCall(sdk, query_arg=query_arg))


def read_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    """A read whose params are all SDK keywords (lookups, reports)."""
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, SdkCall(sdk, query_arg=None))


def write_tool(action: Action, name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    result = "status" if action is Action.DELETE else "body"
    return Tool(
        name, _service(toolset), toolset, action, description, params, SdkCall(sdk, query_arg=None, result=result)
    )


def create_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    return write_tool(Action.CREATE, name, toolset, description, sdk, *params)


def update_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    return write_tool(Action.UPDATE, name, toolset, description, sdk, *params)


def delete_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    return write_tool(Action.DELETE, name, toolset, description, sdk, *params)


def optional(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """The same fields with nothing required: update tools send only what is given."""
    return tuple(replace(p, required=False) for p in params)


def with_call(tool: Tool, **changes: Any) -> Tool:
    """The same tool with its SDK call adjusted, e.g. `with_call(t, records_key="devices")`."""
    assert tool.call is not None, f"{tool.name} has no SDK call"
    return replace(tool, call=replace(tool.call, **changes))
