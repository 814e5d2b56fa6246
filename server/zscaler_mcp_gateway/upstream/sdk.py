"""The SDK binding: every import of zscaler-sdk-python and every reliance on its internals.

Imported on first use by `client.py` (the SDK and `requests` cost ~0.2 s of start-up). A `Connection`
is one OneAPI client used as a context manager, so it keeps a pooled `requests.Session` (the official
server built a new client and TCP connection per call), with an explicit request timeout, bounded
retries (`resilience.py`) and, when asked, every request redirected to another base URL.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import threading
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import requests
import zscaler.helpers as sdk_helpers
import zscaler.oneapi_http_client as sdk_http_client
import zscaler.oneapi_oauth_client as sdk_oauth
from zscaler import ZscalerClient
from zscaler.request_executor import RequestExecutor
from zscaler.utils import snake_to_camel

from ..attribution import AttemptObserver
from ..ratelimit import UpstreamLimiter
from ..redaction import remember_secrets
from ..resilience import RetryingAdapter, RetryPolicy
from .errors import TokenRequestError, UpstreamError

log = logging.getLogger(__name__)

TOKEN_TIMEOUT_SECONDS = 10.0  # the SDK posts to the token endpoint with no timeout at all
# RFC 6749 section 5.2 error codes: the only words of a refusal that a tool error repeats.
OAUTH_ERRORS = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "access_denied",
        "server_error",
        "temporarily_unavailable",
    }
)


class BoundedRequestExecutor(RequestExecutor):  # type: ignore[misc]  # the SDK ships no type information
    """The SDK's RequestExecutor without its own status retries (uncapped Retry-After sleeps).

    Retries on 429/5xx are the `RetryingAdapter`'s (resilience.py): bounded in count and total wait.
    The SDK keeps its token refresh on 401 and its ZIA edit-lock backoff.
    """

    def is_retryable_status(self, status: int | None) -> bool:
        return False

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        response, error = super().execute(*args, **kwargs)
        remember_records(response)
        return response, error

    def fire_request(self, *args: Any, **kwargs: Any) -> Any:
        # The SDK's pager reads a later page through here and ignores its status (an error page reads
        # as an empty last page): the status is kept for `Connection.next_page`.
        fired = super().fire_request(*args, **kwargs)
        _last_request.status = getattr(fired[1], "status_code", None)
        return fired


_last_request = threading.local()  # the HTTP status of this thread's last request to Zscaler


def redirected_executor_class(base_url: str) -> type[BoundedRequestExecutor]:
    """A RequestExecutor subclass that sends API and token requests to `base_url`.

    The SDK has no base-URL option (hard-coded https://api.zsapi.net and {vanity}.zslogin.net);
    tests/unit/test_upstream_redirect.py fails loudly when `RequestExecutor._resolve_api_base_url`,
    `RequestExecutor._oauth` or `OAuth._get_auth_url` move.
    """
    token_url = f"{base_url}/oauth2/v1/token"

    class RedirectedRequestExecutor(BoundedRequestExecutor):
        BASE_URL = base_url

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self._oauth is not None:
                # OAuth is a process-wide singleton per config: bind the redirect to this instance.
                self._oauth._get_auth_url = lambda vanity, cloud: token_url

        def _resolve_api_base_url(self) -> str:
            return base_url

    return RedirectedRequestExecutor


class Connection:
    """One built OneAPI client and the few SDK operations the executor needs from it."""

    transport_error: type[Exception] = requests.RequestException  # no HTTP answer at all
    timeout_error: type[Exception] = requests.Timeout  # no HTTP answer in time

    def __init__(
        self,
        config: Mapping[str, Any],
        base_url: str | None,
        pool_size: int,
        retry_policy: RetryPolicy | None,
        on_attempt: AttemptObserver | None = None,
        limiter: UpstreamLimiter | None = None,
    ) -> None:
        memoize_sdk_key_case()
        skip_unlogged_sdk_dumps()
        bound_token_requests()
        executor = redirected_executor_class(base_url) if base_url else BoundedRequestExecutor
        self.client = ZscalerClient({**config, "requestExecutor": executor})
        self.client.__enter__()  # installs a pooled requests.Session on the executor
        adapter = RetryingAdapter(retry_policy, on_attempt, limiter, pool_connections=4, pool_maxsize=pool_size)
        self.client._session.mount("http://", adapter)
        self.client._session.mount("https://", adapter)
        remember_environment_settings(self.client._session)

    def method(self, dotted: str) -> Any:
        """The SDK attribute at `dotted` from the client (a method, or a static value)."""
        return resolve(self.client, dotted)

    @staticmethod
    def camel_case(key: str) -> str:
        """The API's spelling of an SDK (snake_case) field name."""
        return str(snake_to_camel(key))

    @staticmethod
    def model(dotted: str) -> Callable[[dict[str, Any]], Any]:
        """An SDK model class named "module:Class" (the few SDK methods that take a model, not keywords)."""
        module_name, _, class_name = dotted.partition(":")
        model: Callable[[dict[str, Any]], Any] = getattr(importlib.import_module(module_name), class_name)
        return model

    @staticmethod
    def next_page(response: Any) -> tuple[Any, Any, int | None]:
        """(the response holding the next page, the SDK's error, the page's HTTP status).

        The page is asked from the URL of the first request (`keep_upstream`); its records are kept as
        sent (`remember_records`); its status is reported because the SDK's pager does not check it.
        """
        keep_upstream(response)
        _last_request.status = None
        _, response, error = response.next()
        remember_records(response)
        return response, error, getattr(_last_request, "status", None)

    @staticmethod
    def page_records(response: Any, key: str) -> list[Any] | None:
        """The records the API sent under `key` ("" for an array body), before an SDK model rewrote them."""
        kept: dict[str, list[Any]] = getattr(response, "gateway_records", {})
        return kept.get(key)

    def access_token(self) -> str:
        """The OneAPI access token of the client's OAuth session (fetched when none is cached)."""
        oauth = getattr(self.client._request_executor, "_oauth", None)
        if oauth is None:
            raise UpstreamError("the SDK client has no OneAPI OAuth session")
        token = oauth._get_access_token()
        if not token:
            raise UpstreamError("the OneAPI token endpoint returned no access token")
        return str(token)

    def close(self) -> None:
        try:
            self.client._session.close()
        except Exception:  # closing a dead pool must never fail a call
            log.debug("closing an old SDK session failed", exc_info=True)


def remember_records(response: Any) -> None:
    """Keep the record lists of a response body as the API sent them, before the SDK method reads it.

    Some SDK methods turn the records of the body into models in place (ZDX software: the list then
    holds models whose JSON is their Python repr). Shallow: the SDK replaces list slots, it does not
    change the records. Relies on `ZscalerAPIResponse._body` (pinned in test_upstream_redirect.py).
    """
    body = getattr(response, "_body", None)
    if isinstance(body, list):
        response.gateway_records = {"": list(body)}
    elif isinstance(body, dict):
        response.gateway_records = {key: list(value) for key, value in body.items() if isinstance(value, list)}


def keep_upstream(response: Any) -> None:
    """Point a page's absolute `next_link` back at the URL of the request that fetched it.

    ZIdentity answers a link on the tenant's identity host, which the SDK would request as is,
    leaving the configured upstream (a proxy, the simulator): only the link's query (offset, limit,
    filters) is kept. Relies on `ZscalerAPIResponse._next_link` and `_url` (pinned in tests).
    """
    link = getattr(response, "_next_link", None)
    url = getattr(response, "_url", None)
    if link and url:
        query = urlsplit(str(link)).query
        base = str(url).split("?", 1)[0]
        response._next_link = f"{base}?{query}" if query else base


class TokenTransport:
    """`requests` as the SDK's OAuth module sees it: the token POST gets a timeout, and an answer
    that is not a token raises `TokenRequestError` before the SDK logs or raises with the body."""

    def __init__(self, timeout_seconds: float = TOKEN_TIMEOUT_SECONDS) -> None:
        self.timeout_seconds = timeout_seconds

    def __getattr__(self, name: str) -> Any:  # everything but `post` is requests' own
        return getattr(requests, name)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_seconds)
        try:
            response = requests.post(url, **kwargs)
        except requests.RequestException as exc:
            raise token_failure(f"unreachable, {type(exc).__name__}") from None
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if status >= 300:
            code = body.get("error") if isinstance(body, dict) else None
            raise token_failure(f"{code if code in OAUTH_ERRORS else http_phrase(status)} ({status})")
        if not (isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"]):
            raise token_failure(f"the answer holds no access token ({status})")
        if not isinstance(body.get("expires_in", 0), int | float) or isinstance(body.get("expires_in"), bool):
            raise token_failure(f"the answer's expires_in is not a number ({status})")  # the SDK adds it to a time
        remember_secrets(body["access_token"])
        return response


def token_failure(reason: str) -> TokenRequestError:
    return TokenRequestError(f"Zscaler OneAPI token request failed: {reason}")


def http_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "HTTP error"


def bound_token_requests() -> None:
    """Give the SDK's OAuth module the `TokenTransport` (process-wide, idempotent)."""
    if not isinstance(sdk_oauth.requests, TokenTransport):
        sdk_oauth.requests = TokenTransport()


def resolve(root: Any, dotted: str) -> Any:
    """The attribute at the dotted path `dotted` from `root`."""
    target = root
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def memoize_sdk_key_case() -> None:
    """Cache the SDK's camelCase/snake_case key converters (pure str -> str functions).

    The SDK converts every key of every request and response record with them, and each call builds
    a dict of field exceptions and runs a regex: about a sixth of an upstream call's CPU. Keys are
    field names, a small closed set, so a bounded cache answers almost every call; results are
    identical. Modules that imported the functions by name get the cached ones too.
    """
    for name in ("to_snake_case", "to_lower_camel_case"):
        original = getattr(sdk_helpers, name)
        if hasattr(original, "cache_info"):
            continue  # already done
        cached = functools.lru_cache(maxsize=8192)(original)
        for module_name, module in list(sys.modules.items()):
            if module_name.startswith("zscaler") and getattr(module, name, None) is original:
                setattr(module, name, cached)


def skip_unlogged_sdk_dumps() -> None:
    """Build the SDK's request/response log dumps only when they will be logged.

    For every request the SDK parses, redacts and re-serialises the whole response body into an INFO
    message, whether or not INFO is enabled: work that grows with the response. The dumps have no
    other effect, so they now run only when their logger would emit them (the CLI keeps `zscaler`
    at WARNING; raising it to INFO brings them back unchanged).
    """
    for name in ("dump_request", "dump_response"):
        original = getattr(sdk_http_client, name)
        if getattr(original, "skips_unlogged", False):
            continue

        def dump_if_logged(
            logger: logging.Logger, *args: Any, _dump: Callable[..., None] = original, **kwargs: Any
        ) -> None:
            if logger.isEnabledFor(logging.INFO):
                _dump(logger, *args, **kwargs)

        dump_if_logged.skips_unlogged = True  # type: ignore[attr-defined]
        setattr(sdk_http_client, name, dump_if_logged)


def remember_environment_settings(session: requests.Session) -> None:
    """Resolve the proxy/CA environment once per origin instead of on every request.

    `requests` re-reads every environment variable (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE)
    on each request: about a sixth of an upstream call's CPU. The environment is fixed for the
    process, so the answer per (origin, arguments) is too; the result is the same as requests'.
    """
    compute: Callable[..., Any] = session.merge_environment_settings
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(url: str, proxies: Any, stream: Any, verify: Any, cert: Any) -> dict[str, Any]:
        scheme, _, rest = str(url).partition("://")
        key = (
            scheme,
            rest.split("/", 1)[0],
            repr(proxies),
            stream,
            verify if isinstance(verify, (bool, str, type(None))) else id(verify),
            repr(cert),
        )
        settings = cache.get(key)
        if settings is None:
            settings = compute(url, proxies, stream, verify, cert)
            if len(cache) < 64:
                cache[key] = settings
        return {**settings, "proxies": dict(settings["proxies"] or {})}

    # Same call and answer as requests' own method; typeshed spells its argument types more narrowly.
    session.merge_environment_settings = merge_environment_settings  # type: ignore[method-assign,assignment]
