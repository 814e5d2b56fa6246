"""The official server's argument contract, added to every tool on top of its own params (pure, no I/O).

Read tools take `query` (JMESPath over the answer); paged list tools (calls that walk the API's pages)
also take the official paging arguments; create/update tools take `advanced` (further API fields); delete tools
take `kwargs`, the official's confirmation-token channel, answered here with a message because
deletes are confirmed by a human. A param a tool declares itself wins over these.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Action, Param, SdkResult, Tool

DEFAULT_PAGE_SIZE = 100

# Short descriptions: these ride on most tools, and tools/list stays smaller than the official's.
QUERY = Param(
    "query",
    "string",
    "JMESPath over the answer (a list's records, every page), e.g. [?enabled].name.",
    location="gateway",
    syntax="jmespath",
)
PAGE = Param(
    "page",
    "integer",
    f"Only this page of page_size (default {DEFAULT_PAGE_SIZE}) records.",
    minimum=1,
    location="gateway",
)
PAGE_NUM = Param("page_num", "integer", "Same as page.", minimum=1, location="gateway", alias_of="page")
PAGE_SIZE = Param("page_size", "integer", "Records per page, for page.", minimum=1, location="gateway")
OFFSET = Param("offset", "integer", "Records to skip.", minimum=0, also=("string",), location="gateway")
LIMIT = Param("limit", "integer", "At most this many records.", minimum=1, location="gateway")
ADVANCED = Param("advanced", "object", "Further API fields, sent as given.", location="spread")
KWARGS = Param(
    "kwargs",
    "string",
    "The official's confirmation token: not used, a human confirms deletes here.",
    also=("object",),
    location="gateway",
)
PAGING = (PAGE, PAGE_NUM, PAGE_SIZE, OFFSET, LIMIT)
KWARGS_MESSAGE = (
    "`kwargs` carries the official server's confirmation token; this gateway does not take one. Deletes here "
    "are confirmed by a human through elicitation: call {tool} again without `kwargs` and the gateway asks "
    "the user to approve."
)


def contract_params(tool: Tool) -> tuple[Param, ...]:
    """The contract params this tool takes besides its own."""
    if tool.call is None:
        return ()
    if tool.action is Action.READ:
        paged = tool.call.result is SdkResult.RECORDS and tool.call.paginate  # the API pages: so may the client
        return (QUERY, *PAGING) if paged else (QUERY,)
    return (KWARGS,) if tool.action is Action.DELETE else (ADVANCED,)


def _id_as_string(param: Param) -> Param:
    """Integer ids also take a string of digits: the official server types most ids as strings."""
    if param.type == "integer" and param.name.endswith("_id") and "string" not in param.also:
        return replace(param, also=(*param.also, "string"))
    return param


def with_contract(tool: Tool) -> Tool:
    """The tool with the contract params it does not declare itself, ids as strings, its API requirements said."""
    own = tuple(_id_as_string(p) for p in tool.params)
    names = {p.name for p in own}
    added = tuple(p for p in contract_params(tool) if p.name not in names)
    notes = "".join(
        f" Requires `{name}` (the official server does not): {reason}" for name, reason in tool.api_requirements
    )
    return replace(tool, params=(*own, *added), description=tool.description + notes)
