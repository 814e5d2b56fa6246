"""OpenTelemetry wiring: a tracer provider only when the standard OTEL_* variables ask for export.

Without `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) the gateway makes no
tracer at all, so a call costs no span; the trace id of the audit line then still comes from the
client's `traceparent`. The provider belongs to the gateway, never to the process-global API, so
several gateways in one process trace separately.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry.context import Context
from opentelemetry.trace import format_trace_id, get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from . import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)

DEFAULT_SERVICE_NAME = "zscaler-mcp-gateway"
ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
TRACE_HEADERS = ("traceparent", "tracestate")
_PROPAGATOR = TraceContextTextMapPropagator()


def tracer_provider_from_env(environ: Mapping[str, str]) -> TracerProvider | None:
    """An OTLP/HTTP-exporting provider when an endpoint is configured; None otherwise.

    The exporter reads the rest of the standard variables itself (headers, timeout, certificate,
    compression); `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES` name the resource.
    """
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if not any(environ.get(name) for name in ENDPOINT_VARS):
        return None
    if environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf") != "http/protobuf":
        log.warning(
            "OTEL_EXPORTER_OTLP_PROTOCOL=%s is not supported; exporting over http/protobuf",
            environ["OTEL_EXPORTER_OTLP_PROTOCOL"],
        )
    # The SDK and exporter load only when tracing is on: at module level they would add to start-up time.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({SERVICE_VERSION: __version__})
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def trace_carrier(*sources: Mapping[str, Any] | None) -> dict[str, str]:
    """The W3C headers of the first source that has a `traceparent` (HTTP headers, then `_meta`)."""
    for source in sources:
        if source and isinstance(source.get("traceparent"), str):
            return {name: source[name] for name in TRACE_HEADERS if isinstance(source.get(name), str)}
    return {}


def parent_context(carrier: Mapping[str, str]) -> Context | None:
    """The W3C trace context a client sent (`traceparent`, `tracestate`); None when absent or malformed."""
    if not carrier.get("traceparent"):
        return None
    context = _PROPAGATOR.extract(carrier)
    return context if get_current_span(context).get_span_context().is_valid else None


def trace_id_of(context: Context | None) -> str | None:
    if context is None:
        return None
    span_context = get_current_span(context).get_span_context()
    return format_trace_id(span_context.trace_id) if span_context.is_valid else None
