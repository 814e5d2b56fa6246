"""A minimal raw JSON-RPC MCP client over httpx, the same for both servers.

It speaks either protocol era, chosen per client (`protocol=`):

- `2025-06-18` (default): the handshake (initialize → notifications/initialized → requests), keeping
  the `Mcp-Session-Id` when the server issues one and sending the negotiated `MCP-Protocol-Version`
  on every later request (with or without a session, as the SDK's client does).
- `2026-07-28`: sessionless, as the `mcp` 2.3 client sends it (`client/session.py`, `_make_modern_stamp`):
  one self-contained POST per request, no handshake and no session id; every request carries the
  `MCP-Protocol-Version` and `Mcp-Method` headers (plus `Mcp-Name` for `tools/call`), and its params
  `_meta` carry `io.modelcontextprotocol/protocolVersion`, `.../clientInfo` and
  `.../clientCapabilities`. `initialize()` then sends one `server/discover` (what the SDK client
  probes first) and checks that the server supports the version.

Both framings of streamable HTTP are accepted: plain `application/json` and SSE
(`text/event-stream`). Bytes are counted as the response body.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

PROTOCOL_VERSION = "2025-06-18"
MODERN_PROTOCOL_VERSION = "2026-07-28"
PROTOCOL_VERSIONS = (PROTOCOL_VERSION, MODERN_PROTOCOL_VERSION)
CLIENT_INFO = {"name": "zscaler-mcp-bench", "version": "1"}
META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion"
META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo"
META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities"
NAME_BEARING_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
ACCEPT = "application/json, text/event-stream"


class McpError(Exception):
    pass


@dataclass
class Reply:
    result: dict[str, Any]
    nbytes: int
    seconds: float


def parse_body(content_type: str, body: bytes, request_id: int) -> dict[str, Any]:
    """The JSON-RPC response for `request_id`, from a JSON or an SSE-framed body."""
    if content_type.startswith("text/event-stream"):
        messages = []
        data: list[str] = []
        for line in body.decode().splitlines():
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line.strip() and data:
                messages.append("\n".join(data))
                data = []
        if data:
            messages.append("\n".join(data))
        for raw in messages:
            message = json.loads(raw)
            if isinstance(message, dict) and message.get("id") == request_id:
                return message
        raise McpError(f"no response for request {request_id} in the event stream")
    message = json.loads(body)
    if isinstance(message, list):  # a batch answer
        message = next(m for m in message if m.get("id") == request_id)
    return message  # type: ignore[no-any-return]


class McpClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        timeout: float = 30.0,
        protocol: str = PROTOCOL_VERSION,
        http: httpx.Client | None = None,
    ) -> None:
        """`http`: a client shared by many sessions, closed by its owner (building one costs milliseconds)."""
        if protocol not in PROTOCOL_VERSIONS:
            raise ValueError(f"unknown protocol version {protocol!r}")
        self.url = url
        self.protocol = protocol
        self.modern = protocol == MODERN_PROTOCOL_VERSION
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=timeout)
        self.headers = {"accept": ACCEPT, "content-type": "application/json"}
        if token:
            self.headers["authorization"] = f"Bearer {token}"
        self.session_id: str | None = None
        self.negotiated: str | None = None  # the handshake's protocol version, sent on every later request
        self._ids = itertools.count(1)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> McpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.modern:
            headers["mcp-protocol-version"] = self.protocol
            return headers
        if self.session_id:
            headers["mcp-session-id"] = self.session_id
        if self.negotiated:  # with or without a session, as the SDK's client does
            headers["mcp-protocol-version"] = self.negotiated
        return headers

    def request(self, method: str, params: dict[str, Any] | None = None) -> Reply:
        request_id = next(self._ids)
        payload: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        headers = self._headers()
        if self.modern:
            params = dict(params or {})
            params["_meta"] = {
                **params.get("_meta", {}),
                META_PROTOCOL_VERSION: self.protocol,
                META_CLIENT_INFO: CLIENT_INFO,
                META_CLIENT_CAPABILITIES: {},
            }
            headers["mcp-method"] = method
            name_key = NAME_BEARING_METHODS.get(method)
            if name_key is not None and isinstance(params.get(name_key), str):
                headers["mcp-name"] = params[name_key]  # plain ASCII tool names: no base64 sentinel needed
        if params is not None:
            payload["params"] = params
        started = time.perf_counter()
        response = self.http.post(self.url, content=json.dumps(payload), headers=headers)
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise McpError(f"{method}: HTTP {response.status_code}: {body[:300]!r}")
        if method == "initialize" and "mcp-session-id" in response.headers:
            self.session_id = response.headers["mcp-session-id"]
        message = parse_body(response.headers.get("content-type", ""), body, request_id)
        if "error" in message:
            raise McpError(f"{method}: {message['error']}")
        return Reply(message["result"], len(body), elapsed)

    def notify(self, method: str) -> None:
        response = self.http.post(
            self.url, content=json.dumps({"jsonrpc": "2.0", "method": method}), headers=self._headers()
        )
        if response.status_code not in (200, 202, 204):
            raise McpError(f"{method}: HTTP {response.status_code}")

    def initialize(self) -> Reply:
        if self.modern:  # no handshake: probe server/discover once, as the SDK client does
            reply = self.request("server/discover", {})
            supported = reply.result.get("supportedVersions") or []
            if self.protocol not in supported:
                raise McpError(f"server does not support {self.protocol}: {supported}")
            return reply
        reply = self.request(
            "initialize",
            {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO},
        )
        self.negotiated = reply.result.get("protocolVersion", PROTOCOL_VERSION)
        self.notify("notifications/initialized")
        return reply

    def list_tools(self) -> Reply:
        return self.request("tools/list", {})

    def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> Reply:
        reply = self.request("tools/call", {"name": name, "arguments": arguments or {}})
        if reply.result.get("isError"):
            text = "".join(c.get("text", "") for c in reply.result.get("content", []))
            raise McpError(f"{name} returned an error: {text[:300]}")
        return reply

    def delete_session(self) -> None:
        if self.session_id:
            try:
                self.http.delete(self.url, headers=self._headers())
            except httpx.HTTPError:
                pass
