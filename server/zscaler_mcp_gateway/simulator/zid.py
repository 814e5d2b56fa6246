"""ZIdentity admin API (/ziam/admin/api/v1): users, groups and memberships, paged by offset/limit.

Lists answer `{results_total, pageOffset, pageSize, next_link, prev_link, records}`; `next_link` is
an absolute URL on the tenant's identity host, not the API host the request went to. `[like]`
filters are case-insensitive substring matches (the SDK sends them camelCased: `loginName[like]`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .seeds import seeds
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/ziam/admin/api/v1"
# The host of the live API's paging links: never this simulator (`.invalid` never resolves), so a
# client that follows a link as given leaves its configured upstream and fails.
IDENTITY_HOST = "https://acme.zslogin.invalid"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
Record = dict[str, Any]

SEED = seeds("zid")
USERS: list[Record] = SEED["users"]
GROUPS: list[Record] = SEED["groups"]
MEMBERS: dict[str, tuple[str, ...]] = {
    "g-7c0101": ("u-4f1a20",),
    "g-7c0102": ("u-4f1a21", "u-4f1a22"),
    "g-7c0103": ("u-4f1a21", "u-4f1a22"),
    "g-7c0104": ("u-4f1a23", "u-4f1a24"),
}
USER_FIELDS = ("loginName", "displayName", "primaryEmail")


def _like_filters(fields: Sequence[str]) -> Callable[[Request, list[Record]], list[Record]]:
    """`<field>[like]` (camelCase or snake_case) substring and exact `<field>` filters."""

    def keep(request: Request, items: list[Record]) -> list[Record]:
        q = request.query_params
        for field in fields:
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
            like = q.get(f"{field}[like]") or q.get(f"{snake}[like]")
            exact = q.get(field) or q.get(snake)
            if like:
                items = [r for r in items if like.lower() in str(r.get(field, "")).lower()]
            if exact:
                items = [r for r in items if str(r.get(field, "")).lower() == exact.lower()]
        return items

    return keep


def _records(request: Request, items: Sequence[Record]) -> JSONResponse:
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
        limit = min(MAX_LIMIT, max(1, int(request.query_params.get("limit", str(DEFAULT_LIMIT)))))
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid paging parameter: {exc}") from exc
    others = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}

    def link(at: int) -> str:  # absolute, on the tenant's identity host, as the live API answers
        path = request.url.path.removeprefix("/ziam")
        return f"{IDENTITY_HOST}{path}?{urlencode({**others, 'offset': at, 'limit': limit})}"

    return JSONResponse(
        {
            "results_total": len(items),
            "pageOffset": offset,
            "pageSize": limit,
            "next_link": link(offset + limit) if offset + limit < len(items) else None,
            "prev_link": link(max(0, offset - limit)) if offset else None,
            "records": list(items[offset : offset + limit]),
        }
    )


def build() -> ServiceApi:
    users = Collection("zid", ROOT + "/users", "object", seed=USERS, required=("loginName", "displayName"))
    groups = Collection("zid", ROOT + "/groups", "object", seed=GROUPS)
    user_filter = _like_filters(USER_FIELDS)
    group_filter = _like_filters(("name",))

    def members(group_id: str) -> list[Record]:
        groups.get(group_id)  # 404 for an unknown group
        return [users.get(uid) for uid in MEMBERS.get(group_id, ())]

    def memberships(user_id: str) -> list[Record]:
        users.get(user_id)
        return [
            {"id": g["id"], "name": g["name"], "source": g.get("source")}
            for g in groups.list()
            if user_id in MEMBERS.get(g["id"], ())
        ]

    async def list_users(request: Request) -> Response:
        return _records(request, user_filter(request, users.list()))

    async def list_groups(request: Request) -> Response:
        items = group_filter(request, groups.list())
        if request.query_params.get("excludeDynamicGroups", "").lower() == "true":
            items = [g for g in items if not g.get("isDynamicGroup")]
        return _records(request, items)

    async def group_users(request: Request) -> Response:
        return _records(request, user_filter(request, members(request.path_params["group_id"])))

    async def user_groups(request: Request) -> Response:
        return _records(request, memberships(request.path_params["user_id"]))

    return ServiceApi(
        collections=[users, groups],
        routes=[
            Route(ROOT + "/users", list_users, methods=["GET"]),
            Route(ROOT + "/groups", list_groups, methods=["GET"]),
            Route(ROOT + "/groups/{group_id}/users", group_users, methods=["GET"]),
            Route(ROOT + "/users/{user_id}/groups", user_groups, methods=["GET"]),
        ],
    )
