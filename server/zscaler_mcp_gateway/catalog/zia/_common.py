"""Shared ZIA vocabulary: parameters and the builders that turn a resource description into tools.

A plain resource is one `crud(Resource(..., style=ZIA_STYLE), fields)` call; a policy rule table is
one `rules(...)` call that adds the fields every ZIA rule shares (order, rank, state, who/where/when
criteria) to its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..builders import (
    Style,
    create_tool,
    delete_tool,
    optional,
    param,
    path_id,
    query,
    with_call,
)
from ..model import Action, JsonType, Param, SdkCall, SdkResult, Tool

SEARCH = query("search", "string", "Name contains this text.")
PAGE_SIZE = query("page_size", "integer", "Upstream page size (all pages are returned).", minimum=1, maximum=1000)
NAME = param("name", "string", "Display name.", required=True)
DESCRIPTION = param("description", "string", "Description.")


def ident(name: str, what: str, type: JsonType = "integer") -> Param:
    """The record id the SDK takes positionally (ZIA ids are integers unless noted)."""
    return path_id(name, f"ZIA {what}", type)


def refs(name: str, what: str, *, required: bool = False, sdk_name: str | None = None) -> Param:
    """A list of referenced record ids (`what` IDs), sent in the API's [{"id": n}] form."""
    return Param(
        name,
        "array",
        f"{what} IDs.",
        required=required,
        items="integer",
        location="body",
        sdk_name=sdk_name,
        convert="id_refs",
    )


def strings(
    name: str,
    description: str,
    *,
    required: bool = False,
    enum: tuple[str, ...] | None = None,
    sdk_name: str | None = None,
) -> Param:
    """A list of strings (an `enum` constrains each item, listed in the description)."""
    if enum:
        description = f"{description} Each one of: {', '.join(enum)}."
    return Param(name, "array", description, required=required, items="string", location="body", sdk_name=sdk_name)


def flag(name: str, description: str, *, required: bool = False, sdk_name: str | None = None) -> Param:
    return Param(name, "boolean", description, required=required, location="body", sdk_name=sdk_name)


def required(*params: Param) -> tuple[Param, ...]:
    return tuple(replace(p, required=True) for p in params)


# --- plain resources --------------------------------------------------------------------------


def merged_update(
    name: str, toolset: str, description: str, method: str, getter: str | None, *params: Param, **call_options: Any
) -> Tool:
    """An update tool. With a getter the gateway reads the object and sends it back with only the
    given fields changed (ZIA PUTs replace whole objects); without one, the call replaces it."""
    call = SdkCall(method, query_arg=None, merge=getter, **call_options)
    return Tool(name, "zia", toolset, Action.UPDATE, description, params, call)


def changed_only(what: str) -> str:
    return f"Update a ZIA {what}; only the given fields change. Activate after."


ZIA_STYLE = Style(
    list_text="List ZIA {what}s.{note}",
    get_text="Get one ZIA {what} by ID.",
    create_text="Create a ZIA {what}. Activate after.",
    update_text=changed_only("{what}"),
    replace_text="Replace a ZIA {what} (send every field to keep). Activate after.",
    delete_text="Delete a ZIA {what}. Activate after.",
    list_params=(SEARCH,),
    update_mode="merge",  # ZIA PUTs replace whole objects
)


# --- policy rules -----------------------------------------------------------------------------

RULE_METHODS: tuple[str, str, str, str, str] = ("list_rules", "get_rule", "add_rule", "update_rule", "delete_rule")
ORDER = param("order", "integer", "Evaluation order, 1 = first (a new rule goes first when omitted).", minimum=1)
DEFAULT_ORDER = (("order", 1),)  # the official server's default on create: the API requires an order
RANK = param("rank", "integer", "Admin rank, 7 = default.", minimum=0, maximum=7)
STATE = param("state", "string", "Rule enforced or not.", enum=("ENABLED", "DISABLED"))
RULE_NAME = param("name", "string", "Rule name, max 31 characters.", required=True)
PROTOCOLS = strings("protocols", "Protocols matched, e.g. ANY_RULE, HTTPS_RULE.")
URL_CATEGORIES = strings("url_categories", "URL category IDs matched, e.g. GAMBLING.")
CLOUD_APPS = strings("cloud_applications", "Cloud application IDs matched, e.g. ONEDRIVE.")
FILE_TYPES = strings("file_types", "File types matched, e.g. FTCATEGORY_PDF_DOCUMENT.")
CAPTURE_PCAP = flag("capture_pcap", "Capture packets (PCAP) of matches.")
FULL_LOGGING = flag("enable_full_logging", "Log every session.")
SRC_IPS = strings("src_ips", "Source IPs or CIDRs matched.")
DEST_ADDRESSES = strings("dest_addresses", "Destination IPs, CIDRs or FQDNs matched.")
DEST_COUNTRIES = strings("dest_countries", "Destination countries matched, e.g. COUNTRY_US.")

RULE_CRITERIA = (
    DESCRIPTION,
    RANK,
    STATE,
    flag("enabled", "Enforce the rule (true) or not (false): the same as state ENABLED/DISABLED."),
    refs("labels", "Rule label"),
    refs("locations", "Location"),
    refs("location_groups", "Location group"),
    refs("groups", "User group"),
    refs("departments", "Department"),
    refs("users", "User"),
    refs("time_windows", "Time interval"),
)


def rules(
    plural: str,
    toolset: str,
    what: str,
    sdk: str,
    fields: Sequence[Param],
    *,
    lead: Sequence[Param] = (),
    list_params: Sequence[Param] = (SEARCH,),
    extra_list: Sequence[Tool] = (),
) -> list[Tool]:
    """The five tools of a ZIA rule table; `lead` params (the CAC rule type) precede the rule id.

    Lists filter `search` on the rule name in the gateway (most rule APIs take no search); updates
    read the rule and change only the given fields, so fields without a param here survive them.
    """
    noun = plural.removesuffix("s")
    rule_id = ident("rule_id", what)
    body = (RULE_NAME, ORDER, *fields, *RULE_CRITERIA)
    methods = [f"{sdk}.{m}" for m in RULE_METHODS]
    list_call = SdkCall(methods[0], result=SdkResult.RECORDS, name_filter="search")
    return [
        Tool(
            f"zia_list_{plural}",
            "zia",
            toolset,
            Action.READ,
            f"List ZIA {what}s in evaluation order.",
            (*lead, *list_params),
            list_call,
        ),
        Tool(
            f"zia_get_{noun}",
            "zia",
            toolset,
            Action.READ,
            f"Get one ZIA {what} by ID.",
            (*lead, rule_id),
            SdkCall(methods[1]),
        ),
        with_call(
            create_tool(
                f"zia_create_{noun}", toolset, f"Create a ZIA {what}. Activate after.", methods[2], *lead, *body
            ),
            kwargs=DEFAULT_ORDER,
        ),
        merged_update(
            f"zia_update_{noun}", toolset, changed_only(what), methods[3], methods[1], *lead, rule_id, *optional(body)
        ),
        delete_tool(f"zia_delete_{noun}", toolset, f"Delete a ZIA {what}. Activate after.", methods[4], *lead, rule_id),
        *extra_list,
    ]


# --- settings objects -------------------------------------------------------------------------

SettingRow = tuple[str, JsonType, str] | tuple[str, JsonType, str, str]


def snake(api_name: str) -> str:
    """cookieStealingPCAPEnabled -> cookie_stealing_pcap_enabled."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", api_name).lower()


def settings_fields(rows: Sequence[SettingRow], *, required_all: bool = False) -> tuple[Param, ...]:
    """Body params of a settings object from (camelCase API field, type, description[, tool name]) rows.

    The tool param is the snake_case spelling (or the given name, to fix the API's typos); the SDK
    receives the API's own field name.
    """
    out = []
    for row in rows:
        api_name, json_type, description = row[0], row[1], row[2]
        name = row[3] if len(row) == 4 else snake(api_name)
        items: JsonType | None = "string" if json_type == "array" else None
        out.append(
            Param(name, json_type, description, required=required_all, items=items, location="body", sdk_name=api_name)
        )
    return tuple(out)


def blocked_flags(rows: Sequence[tuple[str, str] | tuple[str, str, str]]) -> tuple[SettingRow, ...]:
    """(camelCase stem, threat phrase[, tool name stem]) -> the API's `{stem}Blocked` flags only."""
    return tuple(row for row in threat_pairs(rows) if row[0].endswith("Blocked"))


def threat_pairs(rows: Sequence[tuple[str, str] | tuple[str, str, str]]) -> tuple[SettingRow, ...]:
    """(camelCase stem, threat phrase[, tool name stem]) -> the API's `{stem}Blocked` / `{stem}Capture` flags."""
    out: list[SettingRow] = []
    for row in rows:
        stem, phrase = row[0], row[1]
        name = row[2] if len(row) == 3 else snake(stem)
        out.append((f"{stem}Blocked", "boolean", f"Block {phrase}.", f"{name}_blocked"))
        out.append((f"{stem}Capture", "boolean", f"Capture packets (PCAP) of {phrase}.", f"{name}_capture"))
    return tuple(out)
