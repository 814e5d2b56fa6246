"""The gateway's own always-on tools; the server implements them (they have no SDK call)."""

from __future__ import annotations

from .model import META_SERVICE, META_TOOLSET, Action, Param, Tool

LIST_TOOLSETS = "zscaler_list_toolsets"
GET_TOOLSET_TOOLS = "zscaler_get_toolset_tools"
ENABLE_TOOLSET = "zscaler_enable_toolset"

_TOOLSET = Param("toolset", "string", "Toolset id, e.g. zia_url_filtering (see zscaler_list_toolsets).", required=True)

TOOLS: list[Tool] = [
    Tool(
        LIST_TOOLSETS,
        META_SERVICE,
        META_TOOLSET,
        Action.READ,
        "List every toolset with its description, whether it is served now, and its read/write tool counts.",
        (Param("service", "string", "Only toolsets of this service, e.g. zia."),),
    ),
    Tool(
        GET_TOOLSET_TOOLS,
        META_SERVICE,
        META_TOOLSET,
        Action.READ,
        "List the tools of one toolset, each with its action and, when it is not served, why.",
        (_TOOLSET,),
    ),
    Tool(
        ENABLE_TOOLSET,
        META_SERVICE,
        META_TOOLSET,
        Action.READ,
        "Serve a toolset to this MCP session from now on, within the operator's policy; answers can_enable=false "
        "with the reason when the policy forbids it or the request has no session.",
        (_TOOLSET,),
        session_state=True,
    ),
]
