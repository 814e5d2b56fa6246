"""Compact constructors for catalog entries: one call per tool, the shape derived from the action.

Read as data: `list_tool(...)` is a paginated read returning every record, `get_tool` one object,
`create_tool`/`update_tool` pass body params as SDK keywords, `delete_tool` returns a status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .model import Action, JsonType, Param, ParamLocation, SdkCall, SdkResult, Tool


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
    call = SdkCall(sdk, paginate=paginate, result=SdkResult.RECORDS)
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, call)


def get_tool(
    name: str, toolset: str, description: str, sdk: str, *params: Param, query_arg: str | None = "query_params"
) -> Tool:
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, SdkCall(sdk, query_arg=query_arg))


def read_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    """A read whose params are all SDK keywords (lookups, reports)."""
    return Tool(name, _service(toolset), toolset, Action.READ, description, params, SdkCall(sdk, query_arg=None))


def write_tool(
    action: Action, name: str, toolset: str, description: str, sdk: str, *params: Param, merge: str | None = None
) -> Tool:
    result = SdkResult.STATUS if action is Action.DELETE else SdkResult.BODY
    call = SdkCall(sdk, query_arg=None, result=result, merge=merge)
    return Tool(name, _service(toolset), toolset, action, description, params, call)


def create_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    return write_tool(Action.CREATE, name, toolset, description, sdk, *params)


def update_tool(name: str, toolset: str, description: str, sdk: str, *params: Param, merge: str | None = None) -> Tool:
    """`merge` names the SDK getter whose object the update sends back with the given fields changed."""
    return write_tool(Action.UPDATE, name, toolset, description, sdk, *params, merge=merge)


def delete_tool(name: str, toolset: str, description: str, sdk: str, *params: Param) -> Tool:
    return write_tool(Action.DELETE, name, toolset, description, sdk, *params)


def optional(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """The same fields with nothing required: update tools send only what is given."""
    return tuple(replace(p, required=False) for p in params)


def with_call(tool: Tool, **changes: Any) -> Tool:
    """The same tool with its SDK call adjusted, e.g. `with_call(t, records_key="devices")`."""
    assert tool.call is not None, f"{tool.name} has no SDK call"
    return replace(tool, call=replace(tool.call, **changes))


# --- resources: the five CRUD tools of one API object -----------------------------------------

UpdateMode = Literal["merge", "partial", "replace"]


@dataclass(frozen=True, slots=True)
class Style:
    """What the resources of one service share: the wording of their tools and the params all take.

    The `*_text` templates fill `{what}` (the resource's human name) and, for lists, `{note}`.
    """

    list_text: str
    get_text: str
    create_text: str
    update_text: str
    replace_text: str  # the update wording when the update replaces the whole object
    delete_text: str
    list_params: tuple[Param, ...] = ()  # the default list params of a resource
    get_params: tuple[Param, ...] = ()  # after the id of get
    write_params: tuple[Param, ...] = ()  # after the fields of create/update and the id of delete
    paginate: bool = False  # the default for lists
    # How updates send fields: "merge" reads the object and sends it back with the given fields changed
    # (APIs whose PUT replaces the whole object), "partial" sends only the given fields, "replace"
    # sends the fields as declared (required ones stay required).
    update_mode: UpdateMode = "partial"


@dataclass(frozen=True, slots=True)
class Resource:
    """How one API object maps onto the SDK; `crud` turns it into its list/get/create/update/delete tools."""

    noun: str  # names the tools: {service}_get_{noun}, {service}_list_{plural}
    toolset: str  # its service is the toolset id's prefix
    what: str  # human name, singular, for the descriptions
    sdk: str  # the SDK attribute path of the methods, e.g. "zia.cloud_firewall"
    methods: tuple[str | None, str | None, str | None, str | None, str | None]  # list, get, add, update, delete
    id_param: Param
    style: Style = field(kw_only=True)
    plural: str = ""  # when not `{noun}s`
    list_params: tuple[Param, ...] | None = None  # None = the style's
    paginate: bool | None = None  # None = the style's
    name_filter: str | None = None  # the SDK filters `search` locally: so does the gateway
    note: str = ""  # appended to the list description
    update_mode: UpdateMode | None = None  # None = the style's; "merge" needs a get method
    keep_required: tuple[str, ...] = ()  # fields a partial update must still send (the SDK validates them)

    @property
    def service(self) -> str:
        return _service(self.toolset)

    @property
    def plural_noun(self) -> str:
        return self.plural or f"{self.noun}s"


def crud(r: Resource, fields: Sequence[Param], update_fields: Sequence[Param] | None = None) -> list[Tool]:
    """The tools of one resource: list, get, create, update, delete; a None method skips one.

    `update_fields` are the fields an update takes when they differ from the create fields.
    """
    list_m, get_m, add_m, update_m, delete_m = r.methods
    style, prefix = r.style, r.service
    tools: list[Tool] = []
    if list_m:
        paginate = style.paginate if r.paginate is None else r.paginate
        params = style.list_params if r.list_params is None else r.list_params
        call = SdkCall(f"{r.sdk}.{list_m}", paginate=paginate, result=SdkResult.RECORDS, name_filter=r.name_filter)
        description = style.list_text.format(what=r.what, note=r.note)
        tools.append(Tool(f"{prefix}_list_{r.plural_noun}", prefix, r.toolset, Action.READ, description, params, call))
    if get_m:
        description = style.get_text.format(what=r.what)
        tools.append(
            get_tool(
                f"{prefix}_get_{r.noun}", r.toolset, description, f"{r.sdk}.{get_m}", r.id_param, *style.get_params
            )
        )
    if add_m:
        description = style.create_text.format(what=r.what)
        tools.append(
            create_tool(
                f"{prefix}_create_{r.noun}", r.toolset, description, f"{r.sdk}.{add_m}", *fields, *style.write_params
            )
        )
    if update_m:
        changed = tuple(update_fields if update_fields is not None else fields)
        mode = r.update_mode or style.update_mode
        getter = f"{r.sdk}.{get_m}" if mode == "merge" and get_m else None
        if mode == "partial" or getter:
            changed = tuple(p if p.name in r.keep_required else replace(p, required=False) for p in changed)
        description = (style.replace_text if mode != "partial" and not getter else style.update_text).format(
            what=r.what
        )
        tools.append(
            update_tool(
                f"{prefix}_update_{r.noun}",
                r.toolset,
                description,
                f"{r.sdk}.{update_m}",
                r.id_param,
                *changed,
                *style.write_params,
                merge=getter,
            )
        )
    if delete_m:
        description = style.delete_text.format(what=r.what)
        tools.append(
            delete_tool(
                f"{prefix}_delete_{r.noun}",
                r.toolset,
                description,
                f"{r.sdk}.{delete_m}",
                r.id_param,
                *style.write_params,
            )
        )
    return tools
