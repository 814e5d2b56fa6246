"""Server-issued approval tokens: what a 2026-07-28 client must carry back for a confirmed call to run.

When the gateway asks a person to confirm a call, it issues a token naming the question (a random
id), the tool, a digest of the arguments, the principal and an expiry, HMAC-SHA256-signed with the
key every replica shares (approval_keys.py). The retried call runs only when its token verifies, is
unexpired, names the same principal, tool and arguments, and was not redeemed on this replica before.
The replay cache is per process and bounded; an entry lives as long as its token, so a token can run
its call at most once per replica within its window (docs/security.md states that residual window).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..outcomes import ConfirmationOutcome
from .approval_keys import ApprovalKeys

TOKEN_PREFIX = "zmcp-approval-v1"
DEFAULT_WINDOW_SECONDS = 300.0
REPLAY_CACHE_SIZE = 100_000


def arguments_digest(tool: str, arguments: Mapping[str, Any]) -> str:
    canonical = json.dumps([tool, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Claims:
    question: str
    tool: str
    digest: str
    principal: str
    expires: float


class ReplayCache:
    """Question ids redeemed on this process, each kept until its token expires; bounded, fails closed."""

    def __init__(self, capacity: int = REPLAY_CACHE_SIZE) -> None:
        self.capacity = capacity
        self._expiries: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, question: str, expires: float, now: float) -> ConfirmationOutcome | None:
        """None when `question` is new (now remembered); else why it cannot be redeemed."""
        with self._lock:
            while self._expiries:  # insertion order is expiry order: one window for every token
                oldest, expiry = next(iter(self._expiries.items()))
                if expiry > now:
                    break
                del self._expiries[oldest]
            if question in self._expiries:
                return ConfirmationOutcome.REPLAYED
            if len(self._expiries) >= self.capacity:
                return ConfirmationOutcome.OVERLOADED
            self._expiries[question] = expires
            return None


class ApprovalTokens:
    def __init__(
        self,
        keys: ApprovalKeys,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
        replay_cache: ReplayCache | None = None,
    ) -> None:
        self.keys = keys
        self.window_seconds = window_seconds
        self.clock = clock
        self.replays = replay_cache or ReplayCache()

    def issue(self, tool: str, arguments: Mapping[str, Any], principal: str) -> tuple[str, str]:
        """(question id, token) for a question about this exact call by this principal."""
        question = secrets.token_hex(16)
        claims = {
            "q": question,
            "t": tool,
            "a": arguments_digest(tool, arguments),
            "p": principal,
            "e": round(self.clock() + self.window_seconds, 3),
        }
        body = f"{TOKEN_PREFIX}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        return question, f"{body}.{_b64(self._sign(self.keys.signing, body))}"

    @staticmethod
    def _sign(key: bytes, body: str) -> bytes:
        return hmac.new(key, body.encode(), hashlib.sha256).digest()

    def verify(self, token: object) -> Claims | None:
        """The claims of a token one of the keys signed; None for anything else."""
        if not isinstance(token, str) or token.count(".") != 2 or len(token) > 4096:
            return None
        prefix, payload, signature = token.split(".")
        body = f"{prefix}.{payload}"
        try:
            given = _unb64(signature)
            if prefix != TOKEN_PREFIX or not any(
                hmac.compare_digest(given, self._sign(key, body)) for key in self.keys.verifying
            ):
                return None
            raw = json.loads(_unb64(payload))
            return Claims(str(raw["q"]), str(raw["t"]), str(raw["a"]), str(raw["p"]), float(raw["e"]))
        except (binascii.Error, ValueError, KeyError, TypeError):
            return None  # signed by us yet malformed cannot happen; anything else is not ours

    def check(
        self, token: object, tool: str, arguments: Mapping[str, Any], principal: str
    ) -> Claims | ConfirmationOutcome:
        """The token's claims when it was issued for this call, to this principal, and is unexpired; else why not."""
        claims = self.verify(token)
        if claims is None:
            return ConfirmationOutcome.FORGED
        if not hmac.compare_digest(claims.principal, principal):
            return ConfirmationOutcome.WRONG_PRINCIPAL
        if claims.tool != tool or not hmac.compare_digest(claims.digest, arguments_digest(tool, arguments)):
            return ConfirmationOutcome.MISMATCHED
        if claims.expires <= self.clock():
            return ConfirmationOutcome.EXPIRED
        return claims

    def consume(self, claims: Claims) -> ConfirmationOutcome:
        """APPROVED the first time this replica redeems the question; REPLAYED (or OVERLOADED) after."""
        return self.replays.add(claims.question, claims.expires, self.clock()) or ConfirmationOutcome.APPROVED
