"""Read-only ZIA directories: users, groups, departments, devices, workload groups, DLP dictionaries
and engines. The `get_zia_*` names are the official server's (they break the zia_ prefix rule; the
policy also matches them as zia_get_zia_*)."""

from __future__ import annotations

from ..builders import Resource, crud, list_tool, query
from ..model import Action, Param, SdkCall, SdkResult, Tool
from ._common import PAGE_SIZE, SEARCH, ZIA_STYLE, ident

SORT_ORDER = query("sort_order", "string", "Sort direction.", enum=("asc", "desc", "rule_execution"))
LITE = query("lite", "boolean", "Return id and name only (faster for large tenants).")
READ_ACTION = Param(
    "action",
    "string",
    "read_lite is the same as lite: true (the official server's spelling).",
    enum=("read", "read_lite"),
    location="gateway",
)
NAME_CONTAINS = Param("name", "string", "Only records whose name contains this text.", location="gateway")


def _id(name: str, what: str) -> Param:
    return Param(name, "integer", f"ID of one ZIA {what} to fetch; omit to list.", location="path")


def _list_or_get(
    name: str,
    toolset: str,
    description: str,
    list_method: str,
    get_method: str,
    id_param: Param,
    list_params: tuple[Param, ...],
    *,
    paginate: bool = False,
    name_filter: str | None = None,
    lite_method: str | None = None,
) -> Tool:
    """One read tool over a list method, a get-by-id method and optionally a lite list."""
    names = tuple(p.name for p in list_params)
    variants: list[tuple[str, SdkCall]] = [(id_param.name, SdkCall(get_method, params=(id_param.name,)))]
    if lite_method:  # lite lists filter locally
        lite = SdkCall(lite_method, result=SdkResult.RECORDS, params=names, name_filter="search")
        variants += [("lite", lite), ("action=read_lite", lite)]
    call = SdkCall(
        list_method,
        paginate=paginate,
        result=SdkResult.RECORDS,
        params=names,
        name_filter=name_filter,
        variants=tuple(variants),
    )
    extra = (LITE, READ_ACTION) if lite_method else ()
    return Tool(name, "zia", toolset, Action.READ, description, (id_param, *list_params, *extra), call)


_USERS = "zia.user_management"
_DLP_SEARCH = query("search", "string", "Return only records whose name or description contains this text.")

TOOLS: list[Tool] = [
    _list_or_get(
        "get_zia_users",
        "zia_users",
        "List ZIA users (every page), or fetch one by user_id.",
        f"{_USERS}.list_users",
        f"{_USERS}.get_user",
        _id("user_id", "user"),
        (
            query("name", "string", "Only users whose name starts with this text."),
            query("dept", "string", "Only users of departments whose name starts with this text."),
            query("group", "string", "Only users of groups whose name starts with this text."),
            PAGE_SIZE,
        ),
        paginate=True,
    ),
    _list_or_get(
        "get_zia_user_groups",
        "zia_users",
        "List ZIA user groups (every page), or fetch one by group_id.",
        f"{_USERS}.list_groups",
        f"{_USERS}.get_group",
        _id("group_id", "user group"),
        (
            SEARCH,
            query("defined_by", "string", "Only groups defined by this source, e.g. the identity provider's name."),
            NAME_CONTAINS,
            query(
                "sort_by",
                "string",
                "Sort field.",
                enum=("id", "name", "expiry", "status", "external_id", "rank", "mod_time"),
            ),
            SORT_ORDER,
        ),
        paginate=True,
        name_filter="name",
    ),
    _list_or_get(
        "get_zia_user_departments",
        "zia_users",
        "List ZIA departments (every page), or fetch one by department_id.",
        f"{_USERS}.list_departments",
        f"{_USERS}.get_department",
        _id("department_id", "department"),
        (
            SEARCH,
            query("limit_search", "boolean", "Match search against the department name only."),
            Param(
                "action",
                "string",
                "read or read_lite (the official server's); both return full records: the API has no lite list.",
                enum=("read", "read_lite"),
                location="gateway",
            ),
            query("sort_by", "string", "Sort field.", enum=("id", "name", "expiry", "status", "external_id", "rank")),
            SORT_ORDER,
        ),
        paginate=True,
    ),
    _list_or_get(
        "get_zia_dlp_dictionaries",
        "zia_dlp",
        "List ZIA DLP dictionaries (custom and predefined), or fetch one by dict_id.",
        "zia.dlp_dictionary.list_dicts",
        "zia.dlp_dictionary.get_dict",
        _id("dict_id", "DLP dictionary"),
        (_DLP_SEARCH,),
        lite_method="zia.dlp_dictionary.list_dicts_lite",
    ),
    _list_or_get(
        "get_zia_dlp_engines",
        "zia_dlp",
        "List ZIA DLP engines, or fetch one by engine_id.",
        "zia.dlp_engine.list_dlp_engines",
        "zia.dlp_engine.get_dlp_engines",
        _id("engine_id", "DLP engine"),
        (_DLP_SEARCH,),
        lite_method="zia.dlp_engine.list_dlp_engines_lite",
        name_filter="search",
    ),
    list_tool(
        "zia_list_device_groups",
        "zia_devices",
        "List ZIA device groups (by platform and custom).",
        "zia.device_management.list_device_groups",
        query("include_device_info", "boolean", "Include the devices of each group."),
        query("include_pseudo_groups", "boolean", "Include the automatic pseudo groups."),
        paginate=False,
    ),
    list_tool(
        "zia_list_devices",
        "zia_devices",
        "List ZIA devices registered through Client Connector (every page).",
        "zia.device_management.list_devices",
        query("name", "string", "Only devices whose name contains this text."),
        Param("user_ids", "array", "Only devices of these user IDs.", items="integer"),
        query("include_all", "boolean", "Include devices in every state, e.g. removed ones."),
    ),
    list_tool(
        "zia_list_devices_lite",
        "zia_devices",
        "List ZIA devices, id and name only.",
        "zia.device_management.list_device_lite",
        paginate=False,
    ),
    *crud(
        Resource(
            "workload_group",
            "zia_workload_groups",
            "workload group",
            "zia.workload_groups",
            ("list_groups", "get_group", None, None, None),
            ident("group_id", "workload group"),
            style=ZIA_STYLE,
            list_params=(),
            paginate=True,
        ),
        (),
    ),
]
