"""The SDK client's lifecycle: one connection per credential fingerprint, reused, rebuilt on rotation."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ..credentials import CredentialsError, CredentialSource
from .errors import TokenRequestError

if TYPE_CHECKING:
    from ..attribution import AttemptObserver
    from ..ratelimit import UpstreamLimiter
    from ..resilience import RetryPolicy
    from .sdk import Connection

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30


class SdkClient:
    """Builds and reuses the OneAPI client for the current credentials (blocking; call from a worker thread)."""

    def __init__(
        self,
        credentials: CredentialSource,
        base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        pool_size: int = 32,
        retry_policy: RetryPolicy | None = None,
        on_attempt: AttemptObserver | None = None,
        limiter: UpstreamLimiter | None = None,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout_seconds = timeout_seconds
        self.pool_size = pool_size
        self.retry_policy = retry_policy  # None: the RetryingAdapter's default
        self.on_attempt = on_attempt  # (service, status) per HTTP attempt, for metrics
        self.limiter = limiter  # the tenant's quota, shared by every connection this client builds
        self._lock = threading.Lock()
        self._live: tuple[str, Connection] | None = None  # (credential fingerprint, connection)
        self.token_error: str | None = None  # why the last token request failed; None once one succeeds

    def connection(self) -> Connection:
        creds = self.credentials.load()
        live = self._live
        if live is not None and live[0] == creds.fingerprint:
            return live[1]
        with self._lock:
            if self._live is not None and self._live[0] == creds.fingerprint:
                return self._live[1]
            # The one deliberately lazy import: the SDK and `requests` load with the first client, not at start-up.
            from .sdk import Connection

            config = {**creds.sdk_config(), "requestTimeout": self.timeout_seconds, "logging": {"enabled": False}}
            connection = Connection(
                config, self.base_url, self.pool_size, self.retry_policy, self.on_attempt, self.limiter
            )
            old, self._live = self._live, (creds.fingerprint, connection)
            if old is not None:
                log.info("credentials changed; rebuilt the Zscaler SDK client")
                old[1].close()
            return connection

    def warm(self) -> None:
        """Build the client ahead of the first call (the SDK's import is ~0.2 s); without credentials, nothing."""
        try:
            self.connection()
        except CredentialsError as exc:  # readiness and the first call name what is missing
            log.debug("upstream client not built ahead of the first call: %s", exc)
        except Exception as exc:  # a background warm-up never fails the server; the first call reports it
            log.warning("upstream client not built ahead of the first call: %s: %s", type(exc).__name__, exc)

    @property
    def warm_client(self) -> bool:
        """Whether a client is built for the current credentials (the first call will not build one)."""
        live = self._live
        try:
            return live is not None and live[0] == self.credentials.load().fingerprint
        except CredentialsError:
            return False

    def access_token(self) -> str:
        """The OneAPI access token of the client's OAuth session (fetched when none is cached)."""
        try:
            token = self.connection().access_token()
        except TokenRequestError as exc:
            self.token_error = str(exc)
            raise
        self.token_error = None
        return token

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                self._live[1].close()
                self._live = None
