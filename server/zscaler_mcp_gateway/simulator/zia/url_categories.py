"""ZIA URL categories (predefined and custom, string ids) and URL lookup."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..endpoints import object_body
from ..store import Collection, ServiceApi, SimulatorError
from ._kit import ROOT, replace, truthy

PREDEFINED_CATEGORIES = {
    "NEWS_AND_MEDIA": "News and Media",
    "SOCIAL_NETWORKING": "Social Networking",
    "GAMBLING": "Gambling",
    "WEB_SEARCH": "Web Search",
    "PROFESSIONAL_SERVICES": "Professional Services",
}
LOOKUP = {
    "news.example.com": "NEWS_AND_MEDIA",
    "social.example.com": "SOCIAL_NETWORKING",
    "casino.example.com": "GAMBLING",
    "search.example.com": "WEB_SEARCH",
}


def _custom_category_defaults(record: dict[str, Any]) -> None:
    record["customCategory"] = True  # whatever the body says: every category an admin creates is custom
    record.setdefault("urls", [])
    record.setdefault("superCategory", "USER_DEFINED")


def _url_categories() -> Collection:
    predefined = [
        {
            "id": cid,
            "configuredName": name,
            "superCategory": "NEWS_AND_MEDIA" if cid == "NEWS_AND_MEDIA" else "INTERNET_COMMUNICATION",
            "customCategory": False,
            "urls": [],
            "dbCategorizedUrls": [d for d, c in LOOKUP.items() if c == cid],
        }
        for cid, name in PREDEFINED_CATEGORIES.items()
    ]
    custom = [
        {
            "id": "CUSTOM_01",
            "configuredName": "Partner Portals",
            "superCategory": "USER_DEFINED",
            "customCategory": True,
            "urls": ["partner1.example.com", "partner2.example.com"],
            "description": "Trusted partner sites",
        },
    ]
    return Collection(
        "zia",
        ROOT + "/urlCategories",
        "array",
        seed=predefined + custom,
        required=("configuredName",),
        id_prefix="CUSTOM_",
        id_start=2,
        on_create=_custom_category_defaults,
    )


def build() -> ServiceApi:
    categories = _url_categories()

    async def category_put(request: Request) -> Response:
        """PUT /urlCategories/{id}: a full update, or incremental with ?action=ADD_TO_LIST|REMOVE_FROM_LIST."""
        record_id = request.path_params["record_id"]
        body = await object_body(request)
        action = request.query_params.get("action")
        if action is None:  # a whole-object PUT
            return JSONResponse(replace(categories, record_id, body))
        if action not in ("ADD_TO_LIST", "REMOVE_FROM_LIST") or not isinstance(body, dict):
            raise SimulatorError(400, f"Invalid action {action!r} or body")
        current = categories.get(record_id)
        urls = list(current.get("urls", []))
        changes = [u for u in body.get("urls", [])]
        urls = (
            urls + [u for u in changes if u not in urls]
            if action == "ADD_TO_LIST"
            else [u for u in urls if u not in changes]
        )
        return JSONResponse(categories.update(record_id, {"urls": urls}))

    async def category_delete(request: Request) -> Response:
        if not categories.get(request.path_params["record_id"]).get("customCategory"):
            raise SimulatorError(403, "Predefined URL categories cannot be deleted", "NOT_ALLOWED")
        categories.delete(request.path_params["record_id"])
        return Response(status_code=204)

    async def custom_only_list(request: Request) -> Response:
        items = categories.list()
        if truthy(request.query_params.get("customOnly", "")):
            items = [c for c in items if c.get("customCategory")]
        return JSONResponse(items)

    async def lite(request: Request) -> Response:
        return JSONResponse([{"id": c["id"], "configuredName": c.get("configuredName")} for c in categories.list()])

    async def url_lookup(request: Request) -> Response:
        urls = await request.json()
        if not isinstance(urls, list) or not urls:
            raise SimulatorError(400, "Body must be a non-empty JSON array of URLs")
        return JSONResponse(
            [
                {"url": u, "urlClassifications": [LOOKUP.get(str(u).split("/")[0], "MISCELLANEOUS_OR_UNKNOWN")]}
                for u in urls
            ]
        )

    return ServiceApi(
        collections=[categories],
        routes=[
            Route(ROOT + "/urlCategories", custom_only_list, methods=["GET"]),
            Route(ROOT + "/urlCategories/lite", lite, methods=["GET"]),
            Route(ROOT + "/urlCategories/{record_id}", category_put, methods=["PUT"]),
            Route(ROOT + "/urlCategories/{record_id}", category_delete, methods=["DELETE"]),
            Route(ROOT + "/urlLookup", url_lookup, methods=["POST"]),
        ],
    )
