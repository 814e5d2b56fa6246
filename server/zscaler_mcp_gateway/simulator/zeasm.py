"""EASM (/easm/easm-ui/v1): organizations, findings with evidence and scan output, lookalike domains.

Lists answer `{results, total_results, next_page, prev_page}`, 100 records a page (`page`, 1-based,
and `page_size`); a third organization has 1,234 findings, more than one answer may carry. Evidence,
scan output and lookalike details carry text scraped from third-party hosts, so the seed includes
some (a banner, a page title that reads like an instruction): the gateway must pass it through as data.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .seeds import seeds
from .store import Collection, ServiceApi, SimulatorError

ROOT = "/easm/easm-ui/v1"
Record = dict[str, Any]

ORGANIZATIONS: list[Record] = [
    {"id": "org-2b9f51", "name": "Example Corp"},
    {"id": "org-2b9f52", "name": "Example Corp - Subsidiaries"},
    {"id": "org-2b9f53", "name": "Example Corp - Acquired Brands"},
]
PAGE_SIZE = 100
BULK_ORG, BULK_FINDINGS = "org-2b9f53", 1234


def _bulk_findings() -> list[Record]:
    """A large attack surface: many low-risk exposures, as a recently acquired estate has."""
    return [
        {
            "id": f"fnd-b{n:05d}",
            "orgId": BULK_ORG,
            "name": f"Port {8000 + n % 100} open on host-{n}.acquired.example.com",
            "category": "Exposure",
            "type": "Open port",
            "risk_level": "Low",
            "risk_score": 2.0 + (n % 30) / 10,
            "impacted_asset_id": f"ast-b{n:05d}",
            "impacted_asset_name": f"host-{n}.acquired.example.com",
            "status": "Open",
            "first_seen": "2026-10-01T00:00:00Z",
            "last_seen": "2026-11-20T00:00:00Z",
        }
        for n in range(BULK_FINDINGS)
    ]


SEED = seeds("zeasm")
FINDINGS: list[Record] = SEED["findings"]
EVIDENCE: dict[str, Record] = SEED["evidence"]
SCAN_OUTPUT: dict[str, Record] = {
    fid: {"source_type": "scanner", "content": f"{e['content']}\n-- scan {fid} completed, 1 match, 0 errors"}
    for fid, e in EVIDENCE.items()
}
LOOKALIKES: list[Record] = SEED["lookalikes"]


def _results(items: list[Record], request: Request) -> JSONResponse:
    """One page of `items` (`page` 1-based, `page_size` up to 100)."""
    try:
        page = max(1, int(request.query_params.get("page") or 1))
        size = min(PAGE_SIZE, max(1, int(request.query_params.get("page_size") or PAGE_SIZE)))
    except ValueError as exc:
        raise SimulatorError(400, f"Invalid paging parameter: {exc}") from exc
    start = (page - 1) * size
    return JSONResponse(
        {
            "results": items[start : start + size],
            "total_results": len(items),
            "next_page": page + 1 if start + size < len(items) else None,
            "prev_page": page - 1 if page > 1 else None,
        }
    )


def build() -> ServiceApi:
    # Read-only data: looked up through Collections, served by the routes below only (no CRUD routes).
    organizations = Collection("zeasm", ROOT + "/organizations", "object", seed=ORGANIZATIONS)
    findings = Collection(
        "zeasm", ROOT + "/organizations/{org_id}/findings", "object", seed=FINDINGS + _bulk_findings()
    )
    lookalikes = Collection("zeasm", ROOT + "/organizations/{org_id}/lookalike-domains", "object", seed=LOOKALIKES)

    def scoped(collection: Collection, request: Request) -> list[Record]:
        org_id = request.path_params["org_id"]
        organizations.get(org_id)  # 404 for an unknown organization
        return [r for r in collection.list() if r.get("orgId") == org_id]

    def one(collection: Collection, request: Request, key: str) -> Record:
        record = collection.get(request.path_params[key])
        if record.get("orgId") != request.path_params["org_id"]:
            raise SimulatorError(
                404, f"{request.path_params[key]} not found in organization {request.path_params['org_id']}"
            )
        return record

    async def list_organizations(request: Request) -> Response:
        return _results(organizations.list(), request)

    async def list_findings(request: Request) -> Response:
        return _results([{k: v for k, v in r.items() if k != "orgId"} for r in scoped(findings, request)], request)

    async def finding_details(request: Request) -> Response:
        return JSONResponse({k: v for k, v in one(findings, request, "finding_id").items() if k != "orgId"})

    def finding_text(texts: dict[str, Record]) -> Any:
        async def endpoint(request: Request) -> Response:
            return JSONResponse(texts[one(findings, request, "finding_id")["id"]])

        return endpoint

    async def list_lookalikes(request: Request) -> Response:
        return _results(
            [
                {k: v for k, v in r.items() if k not in ("orgId", "id", "description", "remediation")}
                for r in scoped(lookalikes, request)
            ],
            request,
        )

    async def lookalike_details(request: Request) -> Response:
        return JSONResponse(
            {k: v for k, v in one(lookalikes, request, "lookalike_raw").items() if k not in ("orgId", "id")}
        )

    org = ROOT + "/organizations/{org_id}"
    return ServiceApi(
        collections=[],
        routes=[
            Route(ROOT + "/organizations", list_organizations, methods=["GET"]),
            Route(org + "/findings", list_findings, methods=["GET"]),
            Route(org + "/findings/{finding_id}/details", finding_details, methods=["GET"]),
            Route(org + "/findings/{finding_id}/evidence", finding_text(EVIDENCE), methods=["GET"]),
            Route(org + "/findings/{finding_id}/scan-output", finding_text(SCAN_OUTPUT), methods=["GET"]),
            Route(org + "/lookalike-domains", list_lookalikes, methods=["GET"]),
            Route(org + "/lookalike-domains/{lookalike_raw}/details", lookalike_details, methods=["GET"]),
        ],
    )
