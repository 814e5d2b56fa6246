"""The one module that owns zscaler-sdk-python: client lifecycle, base-URL redirection, execution.

One OneAPI client per credential fingerprint, used as a context manager so it keeps a pooled
`requests.Session` (the official server built a new client and TCP connection per call), with an
explicit request timeout. SDK errors become `UpstreamError` with the API's message, never a
traceback. List calls walk every page and return the API's records verbatim (the SDK's models drop
fields such as `creationTime`).
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import zpa_bodies
from .catalog.model import Flow, Lookup, SdkCall, Tool
from .credentials import CredentialsError, CredentialSource
from .sdk_flows import FLOWS, FlowRefused

if TYPE_CHECKING:
    import requests

    from .resilience import RetryPolicy

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30
MAX_PAGES = 1000  # a runaway pager must still end
# Stamped by the API on every write: never sent back in an update body (ZIA refuses them in a PUT).
SERVER_STAMPED_FIELDS = frozenset(
    {"lastModifiedTime", "lastModifiedBy", "creationTime", "createdBy", "modifiedTime", "modifiedBy"}
)
CONVERSIONS: dict[str, Callable[[Any], Any]] = {  # Param.convert names
    "days_ago_epoch_ms": lambda days: int((time.time() - float(days) * 86400) * 1000),
    "id_refs": lambda ids: [i if isinstance(i, dict) else {"id": i} for i in ids],  # ZIA references: [{"id": n}]
    "zpa_conditions_v2": zpa_bodies.sdk_tuples,  # API-shaped conditions -> the SDK's v2 tuples
    "ba_common_apps": zpa_bodies.ba_common_apps,  # browser-access apps -> the v2 commonAppsDto
}


class UpstreamError(Exception):
    """A failed call to Zscaler; `status` is the HTTP status when one was received."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@functools.cache
def bounded_executor_class() -> type:
    """The SDK's RequestExecutor without its own status retries (uncapped Retry-After sleeps).

    Retries on 429/5xx are the `RetryingAdapter`'s (resilience.py): bounded in count and total wait.
    The SDK keeps its token refresh on 401 and its ZIA edit-lock backoff.
    """
    from zscaler.request_executor import RequestExecutor

    class BoundedRequestExecutor(RequestExecutor):  # type: ignore[misc]
        def is_retryable_status(self, status: int | None) -> bool:
            return False

    return BoundedRequestExecutor


def redirected_executor_class(base_url: str) -> type:
    """A RequestExecutor subclass that sends API and token requests to `base_url`.

    The SDK has no base-URL option (hard-coded https://api.zsapi.net and {vanity}.zslogin.net);
    this is the only place that relies on its internals. tests/unit/test_upstream_redirect.py fails
    loudly when `RequestExecutor._resolve_api_base_url`, `RequestExecutor._oauth` or
    `OAuth._get_auth_url` move.
    """
    token_url = f"{base_url}/oauth2/v1/token"

    class RedirectedRequestExecutor(bounded_executor_class()):  # type: ignore[misc]
        BASE_URL = base_url

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self._oauth is not None:
                # OAuth is a process-wide singleton per config: bind the redirect to this instance.
                self._oauth._get_auth_url = lambda vanity, cloud: token_url

        def _resolve_api_base_url(self) -> str:
            return base_url

    return RedirectedRequestExecutor


@dataclass
class _LiveClient:
    fingerprint: str
    client: Any


class Upstream:
    """Builds and reuses the SDK client; runs catalog tools through it (blocking; call from a worker thread)."""

    def __init__(
        self,
        credentials: CredentialSource,
        base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        pool_size: int = 32,
        retry_policy: RetryPolicy | None = None,
        on_response: Callable[[str, int | None], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout_seconds = timeout_seconds
        self.pool_size = pool_size
        self.retry_policy = retry_policy  # None: the RetryingAdapter's default
        self.on_response = on_response  # (service, status) per upstream request, for metrics
        self._lock = threading.Lock()
        self._live: _LiveClient | None = None

    def client(self) -> Any:
        creds = self.credentials.load()
        live = self._live
        if live is not None and live.fingerprint == creds.fingerprint:
            return live.client
        with self._lock:
            if self._live is not None and self._live.fingerprint == creds.fingerprint:
                return self._live.client
            # Start-up time: `requests` (under the SDK and resilience.py) loads with the first client;
            # the methods that catch its exceptions import it locally, after a client exists.
            from zscaler import ZscalerClient

            from .resilience import RetryingAdapter

            memoize_sdk_key_case()
            skip_unlogged_sdk_dumps()
            config: dict[str, Any] = {
                **creds.sdk_config(),
                "requestTimeout": self.timeout_seconds,
                "logging": {"enabled": False},
            }
            config["requestExecutor"] = (
                redirected_executor_class(self.base_url) if self.base_url else bounded_executor_class()
            )
            client = ZscalerClient(config)
            client.__enter__()  # installs a pooled requests.Session on the executor
            adapter = RetryingAdapter(self.retry_policy, pool_connections=4, pool_maxsize=self.pool_size)
            client._session.mount("http://", adapter)
            client._session.mount("https://", adapter)
            remember_environment_settings(client._session)
            old, self._live = self._live, _LiveClient(creds.fingerprint, client)
            if old is not None:
                log.info("credentials changed; rebuilt the Zscaler SDK client")
                _close_quietly(old.client)
            return client

    def warm(self) -> None:
        """Build the client ahead of the first call (the SDK's import is ~0.2 s); without credentials, nothing."""
        try:
            self.client()
        except CredentialsError as exc:  # readiness and the first call name what is missing
            log.debug("upstream client not built ahead of the first call: %s", exc)
        except Exception as exc:  # a background warm-up never fails the server; the first call reports it
            log.warning("upstream client not built ahead of the first call: %s: %s", type(exc).__name__, exc)

    @property
    def warm_client(self) -> bool:
        """Whether a client is built for the current credentials (the first call will not build one)."""
        live = self._live
        try:
            return live is not None and live.fingerprint == self.credentials.load().fingerprint
        except CredentialsError:
            return False

    def close(self) -> None:
        with self._lock:
            if self._live is not None:
                _close_quietly(self._live.client)
                self._live = None

    def execute(self, tool: Tool, arguments: Mapping[str, Any]) -> Any:
        assert tool.call is not None, f"{tool.name} has no SDK call"
        call = tool.call.select(arguments)
        client = self.client()
        arguments, lead, extra = self._prepare(client, tool, call, arguments)
        method = _resolve(client, call.method)
        params = [p for p in tool.params if call.receives(p) and p.name in arguments]
        positional = [*call.args, *(arguments[p.name] for p in params if p.location == "path")]
        positional = [*lead, *positional]
        kwargs = {p.target: arguments[p.name] for p in params if p.location == "body"}
        query = {p.target: arguments[p.name] for p in params if p.location == "query"}
        if call.merge:  # partial update over a full-PUT API: send the current object back, changed
            kwargs = {**self._current(client, tool, call.merge, positional, kwargs), **kwargs}
        if call.body_model and call.body_arg:
            kwargs = {call.body_arg: _model(call.body_model)(kwargs)}
        if query and call.query_arg:
            kwargs[call.query_arg] = query
        else:
            kwargs.update(query)
        kwargs = {**extra, **kwargs}  # a tool argument wins over a constant of the same SDK name
        if call.flow is not None:
            named = {p.target: arguments[p.name] for p in params if p.location == "path"}
            return self._flow(client, tool, call.flow, {**named, **kwargs})
        import requests

        try:
            outcome = method(*positional, **kwargs) if callable(method) else method
        except ValueError as exc:  # the SDK validates some arguments itself before any request
            raise UpstreamError(f"{tool.service.upper()} request rejected before sending: {exc}") from exc
        except requests.RequestException as exc:
            self._observe(tool.service, None, None)  # no HTTP answer: counted with status "none"
            raise UpstreamError(f"{tool.service.upper()} API unreachable: {type(exc).__name__}") from exc
        if call.result == "value":
            if outcome is None:  # these helpers swallow the API error and return None
                raise UpstreamError(f"{tool.service.upper()} API call failed: no data returned")
            return outcome
        if call.result == "pair":  # a few SDK helpers (URL lookup) return (value, error), not the triple
            value, error = outcome
            if error is not None:
                raise _upstream_error(error, None)
            return _plain(value)
        value, response, error = _unpack(outcome)
        self._observe(tool.service, response, error)
        if error is not None:
            raise _upstream_error(error, response)
        if call.result == "parsed":
            body = response.get_body() if response is not None else None
            if isinstance(body, Mapping) and _graphql_errors(body):  # some SDK GraphQL methods ignore `errors`
                raise UpstreamError(_graphql_errors(body))
            return _plain(value) if value is not None else {"ok": True, "status": _status(response)}
        if call.result == "records":
            return self._all_records(tool.service, call, response, arguments.get(call.name_filter or ""))
        if call.result == "status":
            return {"ok": True, "status": _status(response)}
        body = response.get_body() if response is not None else None
        return body if body is not None else {"ok": True, "status": _status(response)}

    def access_token(self) -> str:
        """The OneAPI access token of the SDK client's OAuth session (fetched when none is cached)."""
        oauth = getattr(self.client()._request_executor, "_oauth", None)
        if oauth is None:
            raise UpstreamError("the SDK client has no OneAPI OAuth session")
        token = oauth._get_access_token()
        if not token:
            raise UpstreamError("the OneAPI token endpoint returned no access token")
        return str(token)

    def _prepare(
        self, client: Any, tool: Tool, call: SdkCall, arguments: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
        """(arguments, leading positionals, extra keywords) as the SDK wants them.

        Converts `Param.convert` values (sending a declared default when absent), fills keywords
        from the tenant's credentials (`call.context`) and constants (`call.kwargs`), and resolves
        a `call.lookup` name to the id that leads the positional arguments.
        """
        prepared = dict(arguments)
        for param in tool.params:
            value = prepared.get(param.name, param.default)
            if param.convert is not None and value is not None:
                try:
                    prepared[param.name] = CONVERSIONS[param.convert](value)
                except ValueError as exc:  # a value the API would refuse: nothing is sent
                    raise UpstreamError(f"{tool.service.upper()} request rejected before sending: {exc}") from exc
        extra = dict(call.kwargs)
        if call.context:
            values = self.credentials.load().values
            for keyword, key in call.context:
                if not values.get(key):
                    raise UpstreamError(f"{tool.service.upper()} tools need {key} in the Zscaler credentials")
                extra[keyword] = values[key]
        lead = []
        if call.lookup is not None:
            lead.append(self._lookup(client, tool, call.lookup, prepared.pop(call.lookup.param)))
        return prepared, lead, extra

    def _flow(self, client: Any, tool: Tool, flow: Flow, arguments: dict[str, Any]) -> Any:
        """A named sequence of SDK calls (sdk_flows.py); each call observed, an API error ends it."""

        def step(method: str, *args: Any, **kwargs: Any) -> Any:
            try:
                response = self._helper_read(tool, _resolve(client, method), *args, **kwargs)
            except ValueError as exc:  # the SDK's own checks, e.g. no diverse VIPs for a GRE source IP
                raise FlowRefused(str(exc)) from exc
            return response.get_body() if response is not None else None

        try:
            return FLOWS[flow](step, arguments)
        except FlowRefused as exc:
            raise UpstreamError(f"{tool.service.upper()} request refused before sending: {exc}") from exc

    def _lookup(self, client: Any, tool: Tool, lookup: Lookup, name: Any) -> Any:
        """The id of the first record the lookup's filters find for `name`, tried in order."""
        method = _resolve(client, lookup.method)
        for key in lookup.filters:
            response = self._helper_read(tool, method, query_params={key: name})
            records = list(response.get_results()) if response is not None else []
            if records:
                return records[0][lookup.id_field]
        raise UpstreamError(f"nothing in {tool.service.upper()} matches {name!r}", 404)

    def _current(
        self, client: Any, tool: Tool, getter: str, positional: list[Any], outgoing: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The object as the API holds it (raw camelCase fields), minus the fields this call sets and
        the server-stamped ones."""
        from zscaler.utils import snake_to_camel

        response = self._helper_read(tool, _resolve(client, getter), *positional)
        body = response.get_body() if response is not None else None
        if not isinstance(body, Mapping):
            return {}
        taken = set(outgoing) | {snake_to_camel(key) for key in outgoing} | SERVER_STAMPED_FIELDS
        return {key: value for key, value in body.items() if key not in taken}

    def _helper_read(self, tool: Tool, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The response of a call the gateway makes on its own behalf (a lookup, the object before a
        merge, a flow's step): its status observed, an unreachable API or an API error raised as `UpstreamError`."""
        import requests

        try:
            outcome = method(*args, **kwargs)
        except requests.RequestException as exc:
            raise UpstreamError(f"{tool.service.upper()} API unreachable: {type(exc).__name__}") from exc
        _, response, error = _unpack(outcome)
        self._observe(tool.service, response, error)
        if error is not None:
            raise _upstream_error(error, response)
        return response

    def _all_records(self, service: str, call: SdkCall, response: Any, name_filter: Any = None) -> dict[str, Any]:
        if response is None:
            return {"count": 0, "items": []}
        records = _page_records(call, response)
        pages = 1
        while call.paginate and pages < MAX_PAGES and response.has_next():
            _, response, error = response.next()
            self._observe(service, response, error)
            if error is not None:
                raise _upstream_error(error, response)
            batch = _page_records(call, response)
            if not batch:
                break
            records.extend(batch)
            pages += 1
        if name_filter:
            records = [r for r in records if _name_matches(r, str(name_filter))]
        return {"count": len(records), "pages": pages, "items": records}

    def _observe(self, service: str, response: Any, error: Any) -> None:
        if self.on_response is not None:
            # The SDK often reports a failed request with no response object: its status is in the error.
            status = _upstream_error(error, response).status if error is not None else _status(response)
            self.on_response(service, status)


def _plain(value: Any) -> Any:
    """SDK models (and lists of them) as plain JSON data."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    as_dict = getattr(value, "as_dict", None)
    return as_dict() if callable(as_dict) else value


def _graphql_errors(body: Mapping[str, Any]) -> str:
    """The messages of a GraphQL `errors` array, joined ('' when there is none)."""
    errors = body.get("errors")
    if not isinstance(errors, list):
        return ""
    return "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors)


def _resolve(root: Any, dotted: str) -> Callable[..., Any]:
    target = root
    for part in dotted.split("."):
        target = getattr(target, part)
    return target  # type: ignore[no-any-return]


def _page_records(call: SdkCall, response: Any) -> list[Any]:
    """The current page's records as the API sent them.

    A JSON-array body is taken as is (the SDK wraps ZCC items in models); `records_key` reads
    envelopes the SDK's pager does not know; otherwise the SDK's own page list.
    """
    body = response.get_body()
    if isinstance(body, list):
        return list(body)
    if call.records_key is not None:
        return list(body.get(call.records_key) or []) if isinstance(body, Mapping) else []
    return list(response.get_results())


def _model(dotted: str) -> Callable[[dict[str, Any]], Any]:
    """An SDK model class named "module:Class" (the few SDK methods that take a model, not keywords)."""
    module_name, _, class_name = dotted.partition(":")
    return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]


def _name_matches(record: Any, needle: str) -> bool:
    """The SDK's local search: case-insensitive substring of the record's display name."""
    if not isinstance(record, Mapping):
        return False
    name = record.get("name") or record.get("configuredName") or ""
    return needle.lower() in str(name).lower()


def _unpack(outcome: Any) -> tuple[Any, Any, Any]:
    if isinstance(outcome, tuple) and len(outcome) == 3:
        return outcome
    raise UpstreamError(f"unexpected SDK return shape {type(outcome).__name__}")


def _status(response: Any) -> int | None:
    getter = getattr(response, "get_status", None)
    if getter is not None:
        return getter()  # type: ignore[no-any-return]
    return getattr(response, "status_code", None)


def _upstream_error(error: Any, response: Any) -> UpstreamError:
    """The API's own message and status; the SDK often serialises them as a JSON object string."""
    status = _status(response) or getattr(error, "status", None)
    message = str(error).strip() or type(error).__name__
    try:
        detail = json.loads(message)
    except ValueError:
        detail = None
    if isinstance(detail, dict) and _graphql_errors(detail):
        return UpstreamError(_graphql_errors(detail))  # GraphQL errors ride on HTTP 200: no status
    if isinstance(detail, dict):
        status = detail.get("status") or status
        code = detail.get("code")
        text = detail.get("message") or detail.get("reason") or message
        message = f"{code}: {text}" if code else str(text)
    return UpstreamError(message, int(status) if isinstance(status, (int, str)) and str(status).isdigit() else None)


def memoize_sdk_key_case() -> None:
    """Cache the SDK's camelCase/snake_case key converters (pure str -> str functions).

    The SDK converts every key of every request and response record with them, and each call builds
    a dict of field exceptions and runs a regex: about a sixth of an upstream call's CPU. Keys are
    field names, a small closed set, so a bounded cache answers almost every call; results are
    identical. Modules that imported the functions by name get the cached ones too.
    """
    import sys

    import zscaler.helpers as helpers

    for name in ("to_snake_case", "to_lower_camel_case"):
        original = getattr(helpers, name)
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
    import zscaler.oneapi_http_client as http_client

    for name in ("dump_request", "dump_response"):
        original = getattr(http_client, name)
        if getattr(original, "skips_unlogged", False):
            continue

        def dump_if_logged(
            logger: logging.Logger, *args: Any, _dump: Callable[..., None] = original, **kwargs: Any
        ) -> None:
            if logger.isEnabledFor(logging.INFO):
                _dump(logger, *args, **kwargs)

        dump_if_logged.skips_unlogged = True  # type: ignore[attr-defined]
        setattr(http_client, name, dump_if_logged)


def remember_environment_settings(session: requests.Session) -> None:
    """Resolve the proxy/CA environment once per origin instead of on every request.

    `requests` re-reads every environment variable (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE)
    on each request: about a sixth of an upstream call's CPU. The environment is fixed for the
    process, so the answer per (origin, arguments) is too; the result is the same as requests'.
    """
    compute = session.merge_environment_settings
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

    session.merge_environment_settings = merge_environment_settings  # type: ignore[method-assign]


def _close_quietly(client: Any) -> None:
    try:
        client._session.close()
    except Exception:  # closing a dead pool must never fail a call
        log.debug("closing an old SDK session failed", exc_info=True)
