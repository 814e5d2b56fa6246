"""OAuth2 resource-server mode: JWT access tokens checked against the issuer's JWKS.

`JwtVerifier` is an `mcp` `TokenVerifier`. A token is accepted only when its header names an
allowed asymmetric algorithm and a `kid` found in the JWKS, its signature verifies, and `iss`,
`aud` and `exp` (required) and `nbf` (when present) hold, with a small clock leeway. The JWKS is
fetched asynchronously (never blocking the event loop), cached for `ttl_seconds`, and re-fetched
when a token names an unknown `kid` (key rotation), at most once per `min_refresh_seconds` so
forged `kid`s cannot turn the gateway into a load generator against the identity provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import httpx
import jwt
from mcp.server.auth.provider import AccessToken

from ..config import ConfigError
from .options import JwtOptions, is_loopback

log = logging.getLogger(__name__)

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
TOKEN_PLACEHOLDER = "[jwt]"  # AccessToken.token: the bearer token itself is not kept
LEEWAY_SECONDS = 30


def validate_jwt_options(options: JwtOptions) -> None:
    flags = {"issuer": "--jwt-issuer", "audience": "--jwt-audience", "jwks_url": "--jwks-url"}
    errors = [f"auth: JWT mode needs {flag}" for name, flag in flags.items() if not getattr(options, name)]
    bad = [a for a in options.algorithms if a not in ASYMMETRIC_ALGORITHMS]
    if bad or not options.algorithms:
        errors.append(
            f"auth: --jwt-algorithms {', '.join(bad) or '(empty)'} not allowed; "
            f"use asymmetric ones: {', '.join(sorted(ASYMMETRIC_ALGORITHMS))}"
        )
    url = urlparse(options.jwks_url or "")
    if options.jwks_url and not (url.scheme == "https" or (url.scheme == "http" and is_loopback(url.hostname or ""))):
        errors.append("auth: --jwks-url must be https (plain http only on loopback)")
    if errors:
        raise ConfigError(errors)


class JwksCache:
    def __init__(
        self, url: str, ttl_seconds: float = 300.0, min_refresh_seconds: float = 30.0, timeout_seconds: float = 5.0
    ) -> None:
        self.url = url
        self.ttl_seconds = ttl_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.timeout_seconds = timeout_seconds
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> SigningKey | None:
        stale = time.monotonic() - self._fetched_at > self.ttl_seconds
        if stale or kid not in self._keys:
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.min_refresh_seconds:
                return  # fetched moments ago (maybe by a concurrent request): do not hammer the IdP
            self._fetched_at = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=self.timeout_seconds, follow_redirects=False) as client:
                    response = await client.get(self.url, headers={"Accept": "application/json"})
                    response.raise_for_status()
                    document = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning(
                    "JWKS fetch from %s failed (%s); keeping %d cached key(s)",
                    self.url,
                    type(exc).__name__,
                    len(self._keys),
                )
                return
            self._keys = _usable_keys(document)
            log.info("JWKS from %s: %d signing key(s)", self.url, len(self._keys))


@dataclass(frozen=True)
class SigningKey:
    jwk: jwt.PyJWK
    pinned_algorithm: str | None  # the JWK's own "alg", when it names one

    def allows(self, algorithm: str) -> bool:
        return self.pinned_algorithm in (None, algorithm)


def _usable_keys(document: Any) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or entry.get("use", "sig") != "sig":
            continue
        try:
            pinned = entry.get("alg")
            keys[entry["kid"]] = SigningKey(jwt.PyJWK(entry), pinned if isinstance(pinned, str) else None)
        except jwt.PyJWKError:  # unsupported key type or algorithm: not one we can verify with
            continue
    return keys


class JwtVerifier:
    def __init__(self, options: JwtOptions, jwks: JwksCache | None = None) -> None:
        validate_jwt_options(options)
        self.options = options
        self.jwks = jwks or JwksCache(options.jwks_url)

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            log.info("JWT refused: malformed")
            return None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in self.options.algorithms or not isinstance(kid, str):
            log.info("JWT refused: algorithm %r not allowed or no kid", algorithm)
            return None
        key = await self.jwks.key(kid)
        if key is None:
            log.info("JWT refused: signing key %r is not in the JWKS", kid[:64])
            return None
        if not key.allows(algorithm):
            log.info("JWT refused: algorithm %s does not match key %r", algorithm, kid[:64])
            return None
        try:
            claims = jwt.decode(
                token,
                key.jwk.key,
                algorithms=[algorithm],
                audience=self.options.audience,
                issuer=self.options.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError as exc:
            log.info("JWT refused: %s", type(exc).__name__)
            return None
        return _access_token(claims, self.options.audience)


def _access_token(claims: dict[str, Any], audience: str) -> AccessToken | None:
    subject = claims.get("sub")
    client_id = claims.get("client_id") or claims.get("azp") or subject
    if not isinstance(client_id, str) or not client_id:
        log.info("JWT refused: neither sub, client_id nor azp names the caller")
        return None
    scope = claims.get("scope") or claims.get("scp") or ""
    scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    return AccessToken(
        token=TOKEN_PLACEHOLDER,
        client_id=client_id,
        subject=subject if isinstance(subject, str) else None,
        scopes=scopes,
        expires_at=int(claims["exp"]),
        resource=audience,
        claims={"iss": claims["iss"]},
    )
