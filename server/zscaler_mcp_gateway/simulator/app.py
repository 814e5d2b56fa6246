"""The simulator's HTTP face: OneAPI token endpoint, generic CRUD over the store, fault injection.

Envelopes follow each API: ZPA pages (`list`, `totalPages`, `totalCount` as strings), ZIA plain
arrays paged by `page`/`pageSize`. Errors follow the APIs too: 401 for an unknown token, 404 for
an unknown id, 400 for a bad body, 429 with Retry-After (or 5xx, or a hang) when a test asks
through `/_sim/faults`; the token endpoint answers what a test scripts through `/_sim/token-answers`.
Rate limits follow OneAPI: every API answer carries `x-ratelimit-limit`,
`x-ratelimit-remaining` and `x-ratelimit-reset`, and a request past the tenant's limit per second
gets 429 with `Retry-After`. The limit is generous unless set (`/_sim/ratelimit`, `simulator --rate-limit`).
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .endpoints import ZIA_DEFAULT_PAGE_SIZE, ZPA_DEFAULT_PAGE_SIZE, json_body, page_of, search_term
from .store import Collection, SimulatorError, Store

ALL_PRODUCTS: tuple[str, ...] = ("ZIA", "ZPA", "ZDX", "ZCC", "ZTW", "ZIDENTITY", "EASM", "ZINSIGHTS", "ZMS", "ZCELL")
TOKEN_TTL_SECONDS = 3600
REQUEST_LOG_SIZE = 1000  # the newest requests as received, for tests that check what reached the API
UNLIMITED_PER_SECOND = 100_000  # the default: headers as the real API sends them, a limit nothing here reaches


class RateWindow:
    """The tenant's requests per one-second window, as OneAPI counts them: past `limit`, 429 until the next."""

    def __init__(self, limit: int = UNLIMITED_PER_SECOND, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.window = 0
        self.used = 0
        self.rejected = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[bool, dict[str, str]]:
        """(admitted, the rate-limit headers of the answer)."""
        now = self.clock()
        with self.lock:
            window = int(now)
            if window != self.window:
                self.window, self.used = window, 0
            admitted = self.used < self.limit
            if admitted:
                self.used += 1
            else:
                self.rejected += 1
            reset = max(1, round(window + 1 - now + 0.5))
            headers = {
                "x-ratelimit-limit": f"{self.limit}, {self.limit};w=1",
                "x-ratelimit-remaining": str(self.limit - self.used),
                "x-ratelimit-reset": str(reset),
            }
        if not admitted:
            headers["Retry-After"] = str(reset)
        return admitted, headers


@dataclass
class Fault:
    """An injected failure for requests whose path contains `match` (empty matches all API paths)."""

    status: int = 500
    match: str = ""
    times: int = 1
    after: int = 0  # let this many matching requests through first (e.g. fail page 3 of a list)
    retry_after: float | None = None
    delay_seconds: float = 0.0  # > 0 with status 0: hang this long, then answer normally
    echo_authorization: bool = False  # the error repeats the request's Authorization header, as some proxies do


@dataclass
class TokenAnswer:
    """A scripted answer of the token endpoint: a refusal, an outage, a non-JSON body, an echo, a hang."""

    status: int = 401
    body: str = '{"error": "invalid_client"}'
    content_type: str = "application/json"
    echo_form: bool = False  # append the submitted form to the body, as some proxies' error pages do
    delay_seconds: float = 0.0
    times: int = 1


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it reached the simulator: the path still percent-encoded, the raw query string."""

    method: str
    raw_path: str
    query: str


@dataclass
class SimulatorState:
    store: Store
    products: tuple[str, ...] = ALL_PRODUCTS
    signing_key: str = field(default_factory=lambda: secrets.token_hex(32))
    tokens: dict[str, float] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    token_answers: list[TokenAnswer] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    request_log: deque[ReceivedRequest] = field(default_factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    lock: threading.Lock = field(default_factory=threading.Lock)
    rate: RateWindow = field(default_factory=RateWindow)

    def issue_token(self, client_id: str) -> str:
        now = int(time.time())
        claims = {
            "iss": "zscaler-simulator",
            "sub": client_id,
            "iat": now,
            "exp": now + TOKEN_TTL_SECONDS,
            "jti": secrets.token_hex(8),
            "service-info": [{"prd": p} for p in self.products],
        }
        token = jwt.encode(claims, self.signing_key, algorithm="HS256")
        with self.lock:
            self.tokens[token] = now + TOKEN_TTL_SECONDS
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            expiry = self.tokens.get(token)
        return expiry is not None and expiry > time.time()

    def take_token_answer(self) -> TokenAnswer | None:
        with self.lock:
            if not self.token_answers:
                return None
            answer = self.token_answers[0]
            answer.times -= 1
            if answer.times == 0:
                self.token_answers.pop(0)
            return answer

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match in path and fault.after > 0:
                    fault.after -= 1
                    return None
                if fault.match in path and fault.times != 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None


def _error(status: int, message: str, code: str = "", headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"id": code or "ERROR", "reason": message, "message": message}, status, headers=headers)


def crud_routes(collection: Collection) -> list[Route]:
    if not collection.crud:
        return []

    async def listing(request: Request) -> Response:
        items = collection.list(search_term(request))
        if collection.envelope == "zpa":
            page, total_pages, total = page_of(items, request, ZPA_DEFAULT_PAGE_SIZE, ("pagesize", "pageSize"))
            return JSONResponse({"totalPages": str(total_pages), "totalCount": str(total), "list": page})
        page, _, _ = page_of(items, request, ZIA_DEFAULT_PAGE_SIZE, ("pageSize",))
        return JSONResponse(page)

    async def create(request: Request) -> Response:
        return JSONResponse(collection.create(await json_body(request)))

    async def read(request: Request) -> Response:
        return JSONResponse(collection.get(request.path_params["record_id"]))

    async def update(request: Request) -> Response:
        return JSONResponse(collection.update(request.path_params["record_id"], await json_body(request)))

    async def delete(request: Request) -> Response:
        collection.delete(request.path_params["record_id"])
        return Response(status_code=204)

    item = collection.path + "/{record_id}"
    return [
        Route(collection.path, listing, methods=["GET"]),
        Route(collection.path, create, methods=["POST"]),
        Route(item, read, methods=["GET"]),
        Route(item, update, methods=["PUT"]),
        Route(item, delete, methods=["DELETE"]),
    ]


def admin_routes(state: SimulatorState) -> list[Route]:
    async def token(request: Request) -> Response:
        form = await request.form()
        scripted = state.take_token_answer()
        if scripted is not None:
            await asyncio.sleep(scripted.delay_seconds)
            echo = "\n" + urlencode(list(form.multi_items())) if scripted.echo_form else ""
            return Response(scripted.body + echo, scripted.status, media_type=scripted.content_type)
        client_id = str(form.get("client_id") or "")
        if form.get("grant_type") != "client_credentials" or not client_id:
            return JSONResponse({"error": "invalid_request"}, 400)
        if not (form.get("client_secret") or form.get("client_assertion")):
            return JSONResponse({"error": "invalid_client"}, 401)
        return JSONResponse(
            {"access_token": state.issue_token(client_id), "token_type": "Bearer", "expires_in": TOKEN_TTL_SECONDS}
        )

    async def add_fault(request: Request) -> Response:
        body = await json_body(request) or {}
        state.faults.append(
            Fault(
                status=int(body.get("status", 500)),
                match=str(body.get("match", "")),
                times=int(body.get("times", 1)),
                after=int(body.get("after", 0)),
                retry_after=body.get("retryAfter"),
                delay_seconds=float(body.get("delaySeconds", 0.0)),
                echo_authorization=bool(body.get("echoAuthorization", False)),
            )
        )
        return JSONResponse({"faults": len(state.faults)})

    async def add_token_answer(request: Request) -> Response:
        body = await json_body(request) or {}
        state.token_answers.append(
            TokenAnswer(
                status=int(body.get("status", 401)),
                body=str(body.get("body", TokenAnswer.body)),
                content_type=str(body.get("contentType", TokenAnswer.content_type)),
                echo_form=bool(body.get("echoForm", False)),
                delay_seconds=float(body.get("delaySeconds", 0.0)),
                times=int(body.get("times", 1)),
            )
        )
        return JSONResponse({"tokenAnswers": len(state.token_answers)})

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        state.token_answers.clear()
        return Response(status_code=204)

    async def set_rate_limit(request: Request) -> Response:
        body = await json_body(request) or {}
        limit = body.get("limit", UNLIMITED_PER_SECOND)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            return _error(400, "limit must be a whole number of requests per second, at least 1", "INVALID_INPUT")
        state.rate = RateWindow(limit)
        return JSONResponse({"limit": limit})

    async def rate_limit_counts(request: Request) -> Response:
        return JSONResponse({"limit": state.rate.limit, "rejected": state.rate.rejected})

    async def request_counts(request: Request) -> Response:
        return JSONResponse(dict(state.requests))

    async def reset(request: Request) -> Response:
        state.store.reset()
        state.faults.clear()
        state.token_answers.clear()
        state.requests.clear()
        state.request_log.clear()
        return Response(status_code=204)

    return [
        Route("/oauth2/v1/token", token, methods=["POST"]),
        Route("/_sim/faults", add_fault, methods=["POST"]),
        Route("/_sim/faults", clear_faults, methods=["DELETE"]),
        Route("/_sim/token-answers", add_token_answer, methods=["POST"]),
        Route("/_sim/requests", request_counts, methods=["GET"]),
        Route("/_sim/ratelimit", set_rate_limit, methods=["POST"]),
        Route("/_sim/ratelimit", rate_limit_counts, methods=["GET"]),
        Route("/_sim/reset", reset, methods=["POST"]),
    ]


class _Gate:
    """ASGI wrapper: counts requests, checks the bearer token, injects faults, maps store errors."""

    def __init__(self, app: Starlette, state: SimulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        self.state.requests[f"{scope['method']} {path}"] += 1
        raw_path = scope.get("raw_path") or path.encode()
        self.state.request_log.append(
            ReceivedRequest(
                scope["method"], raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1")
            )
        )
        if path.startswith("/_sim/") or path.startswith("/oauth2/"):
            await self.app(scope, receive, send)
            return
        admitted, limits = self.state.rate.take()
        response = await self._gate(scope) if admitted else None
        if not admitted:
            response = _error(429, "Rate limit exceeded", "TOO_MANY_REQUESTS", limits)
        if response is not None:
            response.headers.update(limits)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, limits))

    async def _gate(self, scope: Any) -> Response | None:
        headers = dict(scope["headers"])
        auth = headers.get(b"authorization", b"").decode()
        if not auth.startswith("Bearer ") or not self.state.token_valid(auth[7:]):
            return _error(401, "Invalid or expired access token", "UNAUTHORIZED")
        fault = self.state.take_fault(scope["path"])
        if fault is None:
            return None
        if fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
            if not fault.status:
                return None
        headers_out = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        echo = f"; the request said Authorization: {auth}" if fault.echo_authorization else ""
        return _error(fault.status, f"Simulated upstream failure ({fault.status}){echo}", "SIMULATED", headers_out)


def _with_headers(send: Any, headers: dict[str, str]) -> Any:
    """`send` with `headers` added to the response's start."""
    encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]

    async def sending(message: Any) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return sending


def build_app(
    collections: Iterable[Collection], extra_routes: Iterable[BaseRoute] = (), products: Sequence[str] = ALL_PRODUCTS
) -> tuple[Any, SimulatorState]:
    store = Store(list(collections))
    state = SimulatorState(store=store, products=tuple(products))
    routes: list[BaseRoute] = [*admin_routes(state)]
    routes.extend(extra_routes)
    for collection in store.collections:
        routes.extend(crud_routes(collection))

    async def on_simulator_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SimulatorError)
        return _error(exc.status, exc.message, exc.code)

    app = Starlette(routes=routes, exception_handlers={SimulatorError: on_simulator_error})
    return _Gate(app, state), state
