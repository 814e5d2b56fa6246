"""One tool call through the SDK: arguments as the SDK method wants them, its result as the tool's payload.

SDK errors become `UpstreamError` with the API's message, never a traceback. List calls walk every page
and return the API's records verbatim (the SDK's models drop fields such as `creationTime`). What a call
returns is dispatched by `SdkResult` through `SHAPES`.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .. import zpa_bodies
from ..attribution import current_service
from ..catalog.model import Flow, Lookup, SdkCall, SdkResult, Tool
from ..catalog.segments import Segment, encode_segment, segment_of, segment_problem
from ..ratelimit import RateLimited
from ..ratelimit import refusal as rate_refusal
from ..sdk_flows import FLOWS, FlowRefused
from .client import SdkClient
from .errors import ArgumentRejected, TokenRequestError, UpstreamError, UpstreamUnavailable

if TYPE_CHECKING:
    from .sdk import Connection

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
    "listed": lambda value: value if isinstance(value, list) else [value],  # one value where the API takes a list
    "typed": lambda value: {"type": value} if isinstance(value, str) else value,  # a bare type where it takes an object
    "upper": lambda value: str(value).upper(),
}


class ToolExecutor:
    """Runs catalog tools through the SDK client (blocking; call from a worker thread)."""

    def __init__(self, sdk: SdkClient) -> None:
        self.sdk = sdk

    def execute(self, tool: Tool, arguments: Mapping[str, Any]) -> Any:
        """The tool's payload; every HTTP attempt it makes is counted and paced under its service (resilience.py)."""
        token = current_service.set(tool.service)
        limited = rate_refusal.set(None)
        try:
            return self._execute(tool, arguments)
        except RateLimited as exc:  # raised where the SDK lets it through rather than returning it as an error
            raise UpstreamUnavailable(str(exc)) from exc
        finally:
            rate_refusal.reset(limited)
            current_service.reset(token)

    def _execute(self, tool: Tool, arguments: Mapping[str, Any]) -> Any:
        assert tool.call is not None, f"{tool.name} has no SDK call"
        call = tool.call.select(arguments)
        connection = self.sdk.connection()
        arguments, lead, extra = self._prepare(connection, tool, call, arguments)
        method = connection.method(call.method)
        params = [p for p in tool.params if call.receives(p) and p.name in arguments]
        positional = [*call.args, *(arguments[p.name] for p in params if p.location == "path")]
        positional = [*lead, *positional]
        kwargs = {p.target: arguments[p.name] for p in params if p.location == "body"}
        for spread in (p for p in params if p.location == "spread"):  # `advanced`: further API fields, last
            _check_spread(method, spread.name, arguments[spread.name])
            kwargs.update(arguments[spread.name])
        kwargs = _nested(kwargs)
        query = {p.target: arguments[p.name] for p in params if p.location == "query"}
        if call.merge:  # partial update over a full-PUT API: send the current object back, changed
            kwargs = {**self._current(connection, tool, call.merge, positional, kwargs), **kwargs}
        if call.body_model and call.body_arg:
            kwargs = {call.body_arg: connection.model(call.body_model)(kwargs)}
        if query and call.query_arg:
            kwargs[call.query_arg] = query
        else:
            kwargs.update(query)
        kwargs = {**extra, **kwargs}  # a tool argument wins over a constant of the same SDK name
        if call.flow is not None:
            named = {p.target: arguments[p.name] for p in params if p.location == "path"}
            return self._flow(connection, tool, call.flow, {**named, **kwargs})
        try:
            outcome = method(*positional, **kwargs) if callable(method) else method
        except TokenRequestError as exc:
            self.sdk.token_error = str(exc)  # readiness reports it until a token is issued again
            raise
        except ValueError as exc:  # the SDK validates some arguments itself before any request
            raise UpstreamError(f"{tool.service.upper()} request rejected before sending: {exc}") from exc
        except connection.transport_error as exc:
            raise self._failure(tool.service, exc, None) from exc
        self.sdk.token_error = None  # the SDK held a token for this call
        return SHAPES[call.result](self, tool, call, outcome, arguments)

    # --- results, one per SdkResult ---------------------------------------------------------------

    def _value(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        if outcome is None:  # these helpers swallow the API error and return None
            raise UpstreamError(f"{tool.service.upper()} API call failed: no data returned")
        return outcome

    def _pair(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        value, error = outcome
        if error is not None:
            raise self._failure(tool.service, error, None)
        return _plain(value)

    def _parsed(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        value, response = self._answer(tool, outcome)
        body = response.get_body() if response is not None else None
        if isinstance(body, Mapping) and _graphql_errors(body):  # some SDK GraphQL methods ignore `errors`
            raise UpstreamError(_graphql_errors(body))
        return _plain(value) if value is not None else {"ok": True, "status": _status(response)}

    def _records(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        _, response = self._answer(tool, outcome)
        listing = self._all_records(tool.service, call, response)
        if call.name_filter and arguments.get(call.name_filter):
            needle = str(arguments[call.name_filter])
            listing["items"] = [r for r in listing["items"] if _name_matches(r, needle)]
            listing["count"] = len(listing["items"])
        return listing

    def _status_only(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        _, response = self._answer(tool, outcome)
        return {"ok": True, "status": _status(response)}

    def _body(self, tool: Tool, call: SdkCall, outcome: Any, arguments: Mapping[str, Any]) -> Any:
        _, response = self._answer(tool, outcome)
        body = response.get_body() if response is not None else None
        return body if body is not None else {"ok": True, "status": _status(response)}

    def _answer(self, tool: Tool, outcome: Any) -> tuple[Any, Any]:
        """(value, response) of the SDK's (value, response, error) triple, its error raised."""
        value, response, error = _unpack(outcome)
        if error is not None:
            raise self._failure(tool.service, error, response)
        return value, response

    # --- the gateway's own reads --------------------------------------------------------------------

    def _prepare(
        self, connection: Connection, tool: Tool, call: SdkCall, arguments: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
        """(arguments, leading positionals, extra keywords) as the SDK wants them.

        Converts `Param.convert` values (sending a declared default when absent), percent-encodes
        each URL path value as one segment (the SDK formats its URL templates raw), fills keywords
        from the tenant's credentials (`call.context`) and constants (`call.kwargs`), and resolves
        a `call.lookup` name to the id that leads the positional arguments.
        """
        prepared = dict(arguments)
        for param in tool.params:
            if param.name in prepared and segment_of(tool, param) is not None:
                prepared[param.name] = encode_segment(prepared[param.name])
            value = prepared.get(param.name, param.default)
            if param.convert is not None and value is not None:
                try:
                    prepared[param.name] = CONVERSIONS[param.convert](value)
                except ValueError as exc:  # a value the API would refuse: nothing is sent
                    raise UpstreamError(f"{tool.service.upper()} request rejected before sending: {exc}") from exc
        extra = dict(call.kwargs)
        if call.context:
            values = self.sdk.credentials.load().values
            for keyword, key in call.context:
                if not values.get(key):
                    raise UpstreamError(f"{tool.service.upper()} tools need {key} in the Zscaler credentials")
                extra[keyword] = values[key]
        lead = []
        lookup = call.lookup
        if lookup is not None and lookup.into is not None:
            name = prepared.pop(lookup.param, None)
            if name is not None and prepared.get(lookup.into) is None:  # an id given wins over a name
                prepared[lookup.into] = self._lookup(connection, tool, lookup, name)
        elif lookup is not None:
            lead.append(self._lookup(connection, tool, lookup, prepared.pop(lookup.param)))
        return prepared, lead, extra

    def _flow(self, connection: Connection, tool: Tool, flow: Flow, arguments: dict[str, Any]) -> Any:
        """A named sequence of SDK calls (sdk_flows.py); each call observed, an API error ends it."""

        def step(method: str, *args: Any, **kwargs: Any) -> Any:
            try:
                response = self._helper_read(connection, tool, connection.method(method), *args, **kwargs)
            except ValueError as exc:  # the SDK's own checks, e.g. no diverse VIPs for a GRE source IP
                raise FlowRefused(str(exc)) from exc
            return response.get_body() if response is not None else None

        try:
            return FLOWS[flow](step, arguments)
        except FlowRefused as exc:
            raise UpstreamError(f"{tool.service.upper()} request refused before sending: {exc}") from exc

    def _lookup(self, connection: Connection, tool: Tool, lookup: Lookup, name: Any) -> Any:
        """The id of the first record whose filtered field equals `name` (ignoring case), filters tried in order.

        The server-side `[like]` search narrows; the exact match is made here, on every page it answers.
        """
        method = connection.method(lookup.method)
        wanted = str(name).casefold()
        for key in lookup.filters:
            field = lookup.match or connection.camel_case(key.removesuffix("[like]"))
            response = self._helper_read(connection, tool, method, query_params={key: name})
            listing = self._all_records(tool.service, SdkCall(lookup.method, paginate=True), response)
            for record in listing["items"]:
                if isinstance(record, Mapping) and str(record.get(field, "")).casefold() == wanted:
                    return self._segment(tool, record[lookup.id_field])
        raise UpstreamError(f"nothing in {tool.service.upper()} is named exactly {name!r}", 404)

    @staticmethod
    def _segment(tool: Tool, found: Any) -> Any:
        """An id the API returned, about to lead a URL path: checked and encoded like an argument."""
        problem = segment_problem("id", Segment.INTEGER if isinstance(found, int) else Segment.NAME, found)
        if problem is not None:
            raise UpstreamError(f"{tool.service.upper()} API returned an id that cannot be a URL path segment")
        return encode_segment(found)

    def _current(
        self, connection: Connection, tool: Tool, getter: str, positional: list[Any], outgoing: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The object as the API holds it (raw camelCase fields), minus the fields this call sets and
        the server-stamped ones."""
        response = self._helper_read(connection, tool, connection.method(getter), *positional)
        body = response.get_body() if response is not None else None
        if not isinstance(body, Mapping):
            return {}
        taken = set(outgoing) | {connection.camel_case(key) for key in outgoing} | SERVER_STAMPED_FIELDS
        return {key: value for key, value in body.items() if key not in taken}

    def _helper_read(
        self, connection: Connection, tool: Tool, method: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """The response of a call the gateway makes on its own behalf (a lookup, the object before a
        merge, a flow's step): an unreachable API or an API error raised as `UpstreamError`."""
        try:
            outcome = method(*args, **kwargs)
        except connection.transport_error as exc:
            raise self._failure(tool.service, exc, None) from exc
        _, response = self._answer(tool, outcome)
        return response

    def _all_records(self, service: str, call: SdkCall, response: Any) -> dict[str, Any]:
        """Every page's records; a later page that fails keeps what came before, marked `truncated`.

        A `record_cap` stops the walk there, saying so and how to narrow the answer.
        """
        if response is None:
            return {"count": 0, "pages": 0, "items": []}
        connection = self.sdk.connection()
        records = _page_records(connection, call, response)
        pages = 1
        truncated: str | None = None
        while call.paginate and response.has_next():
            if call.record_cap is not None and len(records) >= call.record_cap:
                truncated = f"stopped at the {call.record_cap}-record cap; {call.narrow or 'narrow the request'}"
                break
            if pages >= MAX_PAGES:
                truncated = f"stopped after {MAX_PAGES} pages"
                break
            status: int | None = None
            try:
                response, error, status = connection.next_page(response)
            except Exception as exc:  # requests' or the SDK's own: the pages already read still count
                error = exc
            if error is None and status is not None and status >= 400:
                error = _page_error(status, response.get_body())
            if error is not None:
                truncated = f"page {pages + 1} failed: {self._failure(service, error, None)}"
                break
            batch = _page_records(connection, call, response)
            if not batch:
                break
            records.extend(batch)
            pages += 1
        records = records[: call.record_cap] if call.record_cap is not None else records
        listing: dict[str, Any] = {"count": len(records), "pages": pages, "items": records}
        if truncated is not None:
            listing["truncated"] = {"reason": truncated}
        return listing

    def _failure(self, service: str, error: Any, response: Any) -> UpstreamError:
        """An API error as the API worded it; no answer at all in plain words (no library text, host or port)."""
        limited = rate_refusal.get()
        if limited is not None:  # the quota was spent: nothing was sent, whatever the SDK made of it
            return UpstreamUnavailable(str(limited))
        connection = self.sdk.connection()
        text = str(error)
        timed_out = isinstance(error, connection.timeout_error) or "timed out" in text.lower()
        if timed_out:
            return UpstreamUnavailable(f"{service.upper()} API did not answer within {self.sdk.timeout_seconds:g} s")
        if isinstance(error, connection.transport_error) or "ConnectionPool(" in text:
            return UpstreamUnavailable(f"{service.upper()} API unreachable")
        return _upstream_error(error, response)


Shape = Callable[[ToolExecutor, Tool, SdkCall, Any, Mapping[str, Any]], Any]
SHAPES: Mapping[SdkResult, Shape] = {
    SdkResult.RECORDS: ToolExecutor._records,
    SdkResult.BODY: ToolExecutor._body,
    SdkResult.STATUS: ToolExecutor._status_only,
    SdkResult.PARSED: ToolExecutor._parsed,
    SdkResult.PAIR: ToolExecutor._pair,
    SdkResult.VALUE: ToolExecutor._value,
}


def _check_spread(method: Any, argument: str, fields: Mapping[str, Any]) -> None:
    """Fields of a `spread` argument must be keywords the SDK method takes (most take any: **kwargs)."""
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):  # not introspectable: let the SDK decide
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(fields) - set(parameters))
    if unknown:
        accepted = ", ".join(name for name in parameters if name != "self") or "none"
        raise ArgumentRejected(
            f"argument {argument!r}: this API takes no field {unknown[0][:40]!r} (fields it takes: {accepted})"
        )


class GraphqlInput(dict[str, Any]):
    """A GraphQL input object (filter, order) for SDK methods that send `argument.as_dict()` as its variables."""

    def as_dict(self) -> dict[str, Any]:
        return dict(self)


def _nested(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Keywords with dotted names ("filter_by.name.contains") gathered into GraphQL input objects."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        root, dot, rest = key.partition(".")
        if not dot:
            out[key] = value
            continue
        node = out.setdefault(root, GraphqlInput())
        *path, leaf = rest.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


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


def _page_records(connection: Connection, call: SdkCall, response: Any) -> list[Any]:
    """The current page's records as the API sent them.

    A JSON-array body is taken as is (the SDK wraps ZCC items in models); `records_key` reads
    envelopes the SDK's pager does not know; otherwise the SDK's own page list. The lists are read
    as the API sent them, before an SDK model rewrote them in place (ZDX software).
    """
    body = response.get_body()
    if isinstance(body, list):
        kept = connection.page_records(response, "")
        return list(body if kept is None else kept)
    if call.records_key is not None:
        if not isinstance(body, Mapping):
            return []
        kept = connection.page_records(response, call.records_key)
        return list((body.get(call.records_key) if kept is None else kept) or [])
    return list(response.get_results())


def _page_error(status: int, body: Any) -> UpstreamError:
    """A later page's error answer (the SDK's pager passes it on as if it were records)."""
    detail = body if isinstance(body, Mapping) else {}
    message = detail.get("message") or detail.get("reason") or f"HTTP {status}"
    return UpstreamError(f"{status}: {message}", status)


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
    status: int | None = getter() if getter is not None else getattr(response, "status_code", None)
    return status


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
