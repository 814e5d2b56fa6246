"""The catalog's vocabulary: tools and toolsets as plain, immutable data (no I/O, no SDK import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

JsonType = Literal["string", "integer", "number", "boolean", "array", "object"]
# path/query/body: where the SDK call takes it; "spread": a dict whose keys are sent as body keywords
# (`advanced`); "gateway": read by the gateway itself, never sent (`query`, paging, `kwargs`).
ParamLocation = Literal["path", "query", "body", "spread", "gateway"]
# Named value conversions the executor applies before the SDK sees a value.
Convert = Literal["days_ago_epoch_ms", "id_refs", "zpa_conditions_v2", "ba_common_apps", "listed", "typed", "upper"]
# Named sequences of SDK calls the executor runs for tools the official server built from several
# calls (sdk_flows.py): the method of the SdkCall is the last call of the sequence.
Flow = Literal["zia_gre_tunnel_create", "zia_gre_tunnel_delete", "zia_url_category_delete"]

DIGITS = "^-?[0-9]+$"  # an integer written as a string
SERVICES: tuple[str, ...] = ("zia", "zpa", "zdx", "zcc", "ztw", "zid", "zeasm", "zins", "zms", "zcell")
META_SERVICE = "zscaler"
META_TOOLSET = "meta"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    @property
    def is_write(self) -> bool:
        return self is not Action.READ

    @property
    def access(self) -> str:
        """The audit/metric label: read or write."""
        return "write" if self.is_write else "read"


class SdkResult(StrEnum):
    """What an SDK method returns, and so what the executor answers (one entry of its table each)."""

    RECORDS = "records"  # a list: every page walked, the API's records verbatim
    BODY = "body"  # one object: the response body as the API sent it
    STATUS = "status"  # nothing but success: {"ok": true, "status": <HTTP status>}
    PARSED = "parsed"  # the method's own parsed value, the first of its triple (GraphQL APIs unwrap `data`)
    PAIR = "pair"  # a (value, error) pair instead of the triple, e.g. ZIA URL lookup
    VALUE = "value"  # plain data instead of the triple (None on error), or a static SDK attribute


@dataclass(frozen=True, slots=True)
class Param:
    """One tool argument: its JSON schema and where the SDK wants it."""

    name: str
    type: JsonType
    description: str
    required: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: JsonType | None = None
    default: Any = None
    location: ParamLocation = "query"
    # The SDK's spelling, when it differs from the tool's; a dotted one ("filter_by.name.contains") is a
    # field of a GraphQL input object the SDK method takes as that keyword.
    sdk_name: str | None = None
    convert: Convert | None = None  # sent converted; with a `default`, the default is sent when absent
    # Further JSON types accepted, e.g. ("string",) on an integer id the official server types as a
    # string: a string of digits is then sent as the integer.
    also: tuple[JsonType, ...] = ()
    # Another name of the param `alias_of` (the official server's or ours): a value given under this
    # name is taken as that param's when that one is absent.
    alias_of: str | None = None
    # Why this argument is required although the official server does not require it: the Zscaler
    # API rejects the request without it. Said in the tool description and the catalog docs.
    api_requires: str = ""
    # Given, it stands in for the required param `satisfies` (a name the call's lookup turns into that id).
    satisfies: str | None = None
    # A value that must parse in this language: "jmespath" (a string), "port_rows" (ZIA network service
    # ports: [direction, protocol, start, end?] rows).
    syntax: Literal["jmespath", "port_rows", "zpa_conditions"] | None = None

    @property
    def target(self) -> str:
        return self.sdk_name or self.name

    @property
    def types(self) -> tuple[JsonType, ...]:
        return (self.type, *self.also)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": list(self.types) if self.also else self.type, "description": self.description}
        if self.type == "array" and self.items == "integer":  # id lists: digit strings are taken too
            schema["items"] = {"type": ["integer", "string"]}
        elif self.type == "array":
            schema["items"] = {"type": self.items or "string"}
        if self.enum is not None:
            schema["enum"] = list(self.enum)
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return schema


@dataclass(frozen=True, slots=True)
class Lookup:
    """Resolve a name to an id before the call (the official `*_by_name` tools).

    `method` is an SDK list method taking `query_params=`; it is called with each query key of
    `filters` in turn (e.g. `login_name[like]`) set to the `param` argument; of the records found,
    the first whose filtered field (`loginName`) equals the name, ignoring case, gives its
    `id_field` as the call's first positional argument, or as the param `into` (a `[like]` search
    also answers partial matches, and a live API may answer unfiltered). `param` is not passed on;
    absent, nothing is looked up when `into` may be given directly.
    """

    method: str
    param: str
    filters: tuple[str, ...]
    id_field: str = "id"
    into: str | None = None  # the param the id is sent as, instead of leading the positional arguments
    match: str | None = None  # the record field equal to the name, when the filter key does not name it


@dataclass(frozen=True, slots=True)
class SdkCall:
    """The zscaler-sdk-python method a tool runs, and how the tool's arguments reach it."""

    # The SDK method as an attribute path from the OneAPI client, e.g. "zpa.segment_groups.list_groups".
    method: str
    # The keyword that receives the query-located params as one dict (most SDK list/get methods take
    # `query_params=`); None passes them as plain keywords instead.
    query_arg: str | None = "query_params"
    # Walk every page (the official server silently returned page one only).
    paginate: bool = False
    # What the method returns and so what the tool answers (each member documented in `SdkResult`).
    result: SdkResult = SdkResult.BODY
    # The tool params this call receives (None = all of them).
    params: tuple[str, ...] | None = None
    # (argument, call) pairs: the first whose argument is given (and not false) runs instead, e.g.
    # fetch-one-by-ID on a list tool; "argument=value" runs it when the argument has that value.
    variants: tuple[tuple[str, SdkCall], ...] = ()
    # A tool param whose value keeps only records whose name contains it, for SDK list methods that
    # filter their models locally and send no search to the API.
    name_filter: str | None = None
    # "module:Class": the body params, keyed by their SDK (camelCase) names, are wrapped in this SDK
    # model and passed as the single keyword `body_arg`.
    body_model: str | None = None
    body_arg: str | None = None
    # SDK keywords filled from the tenant's credentials, as (keyword, credential key) pairs, e.g. the
    # ZMS customer_id from ZSCALER_CUSTOMER_ID.
    context: tuple[tuple[str, str], ...] = ()
    # Constant SDK keywords (defaults: a tool argument with the same SDK name wins).
    kwargs: tuple[tuple[str, Any], ...] = ()
    # Resolve a name argument to an id first (the official `*_by_name` tools).
    lookup: Lookup | None = None
    # Constant leading positional arguments (the ZPA policy type of a policy tool).
    args: tuple[Any, ...] = ()
    # The body key that holds each page's records when the SDK's pager does not know it (ZDX
    # `devices`/`alerts`/`users`/`software`, ZCC `trustedNetworkContracts`).
    records_key: str | None = None
    # The SDK getter of the object an update changes: the current object (same positional arguments)
    # is sent back with the given fields replaced, so omitted fields keep their values on APIs whose
    # PUT replaces the whole object (ZIA).
    merge: str | None = None
    # Stop walking pages at this many records: the answer carries `truncated` with the reason and `narrow`.
    record_cap: int | None = None
    # How to narrow an answer that hit `record_cap` (arguments to use), shown in its `truncated` reason.
    narrow: str = ""
    # A named sequence of SDK calls (sdk_flows.py) run instead of the single `method` call: find or
    # create what the call needs first, check before a delete, clean up after one.
    flow: Flow | None = None

    def select(self, arguments: Mapping[str, Any]) -> SdkCall:
        """The call these arguments ask for: the first variant whose argument is given, else this one."""
        for argument, call in self.variants:
            name, equals, wanted = argument.partition("=")
            value = arguments.get(name)
            given = value is not None and value is not False and value != ""  # an id 0 is given (0 == False)
            if (value == wanted) if equals else given:
                return call
        return self

    def receives(self, param: Param) -> bool:
        return self.params is None or param.name in self.params


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    service: str
    toolset: str
    action: Action
    description: str
    params: tuple[Param, ...] = ()
    call: SdkCall | None = None  # None only for the gateway's own (meta) tools
    session_state: bool = False  # reads nothing upstream, but changes what the calling session is served

    @property
    def access(self) -> str:
        return self.action.access

    @property
    def aliases(self) -> tuple[str, ...]:
        """Names a pattern may match besides `name`.

        A few official names break the service-prefix rule (`get_zia_users`); the service-prefixed
        alias lets `disabledTools: ["zia_*"]` catch them too.
        """
        prefix = f"{self.service}_"
        return () if self.name.startswith(prefix) else (prefix + self.name,)

    @property
    def api_requirements(self) -> tuple[tuple[str, str], ...]:
        """(param, reason) for each param required here although the official server does not require it."""
        return tuple((p.name, p.api_requires) for p in self.params if p.api_requires and p.required)

    def input_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {p.name: p.json_schema() for p in self.params},
            "additionalProperties": False,
        }
        required = [p.name for p in self.params if p.required]
        if required:
            schema["required"] = required
        return schema

    def annotations(self) -> dict[str, bool]:
        """MCP tool annotations, derived from the action (never declared per tool)."""
        if self.session_state:  # a state change of the session, not of the tenant: undone by a new session
            return {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
        if not self.action.is_write:
            return {"readOnlyHint": True, "openWorldHint": False}
        destructive = self.action is not Action.CREATE
        return {
            "readOnlyHint": False,
            "destructiveHint": destructive,
            "idempotentHint": destructive,
            "openWorldHint": False,
        }


@dataclass(frozen=True, slots=True)
class Toolset:
    id: str
    service: str
    description: str
    default: bool = False
    instructions: tuple[str, ...] = ()  # snippets; shared ones de-duplicate across toolsets


@dataclass(frozen=True)
class Catalog:
    tools: Mapping[str, Tool]
    toolsets: Mapping[str, Toolset]
    services: tuple[str, ...] = SERVICES
    _by_toolset: Mapping[str, tuple[Tool, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, toolsets: list[Toolset], tools: list[Tool]) -> Catalog:
        ts_map: dict[str, Toolset] = {}
        for ts in toolsets:
            if ts.id in ts_map:
                raise ValueError(f"duplicate toolset id {ts.id!r}")
            ts_map[ts.id] = ts
        tool_map: dict[str, Tool] = {}
        grouped: dict[str, list[Tool]] = {ts: [] for ts in ts_map}
        for tool in tools:
            if tool.name in tool_map:
                raise ValueError(f"duplicate tool name {tool.name!r}")
            if tool.toolset not in ts_map:
                raise ValueError(f"tool {tool.name!r} names unknown toolset {tool.toolset!r}")
            if ts_map[tool.toolset].service != tool.service:
                raise ValueError(f"tool {tool.name!r} service {tool.service!r} differs from its toolset's")
            if (tool.call is None) != (tool.service == META_SERVICE):
                raise ValueError(f"tool {tool.name!r}: only meta tools may lack an SDK call")
            tool_map[tool.name] = tool
            grouped[tool.toolset].append(tool)
        return cls(tool_map, ts_map, SERVICES, {k: tuple(v) for k, v in grouped.items()})

    def toolset_tools(self, toolset_id: str) -> tuple[Tool, ...]:
        return self._by_toolset.get(toolset_id, ())
