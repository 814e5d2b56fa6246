"""Test-side security material: API keys, RSA signing keys, a local JWKS server, authenticated MCP clients."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.support.secret_scan import register_secret


def new_api_key() -> str:
    key = secrets.token_urlsafe(32)
    register_secret(key)
    return key


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mcp_client(url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Client:
    """The real MCP client over streamable HTTP, sending `headers` on every request."""
    return Client(streamable_http_client(url, http_client=create_mcp_http_client(headers=headers)), **kwargs)


def tools_call_body(name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments or {}}}


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        for line in pem.splitlines():
            if not line.startswith("-----"):
                register_secret(line)
        private_jwk = json.loads(RSAAlgorithm.to_jwk(key))
        for component in ("d", "p", "q", "dp", "dq", "qi"):
            register_secret(private_jwk[component])
        return cls(kid, key)

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def mint(
        self, issuer: str, audience: str, subject: str = "alice@example.com", lifetime: float = 300, **claims: Any
    ) -> str:
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience, "sub": subject, "iat": now, "exp": now + int(lifetime), **claims}
        token = jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self.kid})
        register_secret(token)
        return token


class JwksServer:
    """Serves `{"keys": [...]}` of `self.keys` on a loopback port; `fetches` counts GETs."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                outer.fetches += 1
                body = json.dumps({"keys": [k.public_jwk() for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks.json"

    @contextmanager
    def running(self) -> Iterator[JwksServer]:
        thread = threading.Thread(target=self._server.serve_forever, name="jwks", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)
