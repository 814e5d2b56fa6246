"""Tools the official server built from several SDK calls, as named sequences over one SDK client.

Each flow gets the tool's arguments keyed by their SDK names and a `Steps` that runs one SDK method
(observed, errors raised as `UpstreamError`) and returns the API's body. The catalog names a flow in
`SdkCall.flow`; `SdkCall.method` is the flow's main call, the rest is here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .catalog.model import Flow


class FlowRefused(Exception):
    """The flow stopped before changing anything; the message says why."""


class Steps(Protocol):
    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """The API's body of one SDK call (None when it has none)."""
        ...


def _exact_static_ip(steps: Steps, ip_address: str) -> Mapping[str, Any] | None:
    """The tenant's static IP record for `ip_address`: the API's filter, then an exact match here."""
    found = steps("zia.traffic_static_ip.list_static_ips", query_params={"ip_address": ip_address}) or []
    return next((r for r in found if isinstance(r, Mapping) and r.get("ipAddress") == ip_address), None)


def gre_tunnel_create(steps: Steps, args: Mapping[str, Any]) -> Any:
    """The static IP is found or created first; a numbered tunnel without `internal_ip_range` gets the
    first free range for that IP; the SDK picks the two closest diverse VIPs when none are given."""
    source_ip = args["source_ip"]
    if _exact_static_ip(steps, source_ip) is None:
        steps("zia.traffic_static_ip.add_static_ip", ip_address=source_ip, **_given(args, "comment"))
    tunnel = dict(args)
    if not tunnel.get("ip_unnumbered") and not tunnel.get("internal_ip_range"):
        ranges = steps("zia.gre_tunnel.list_gre_ranges", query_params={"static_ip": source_ip}) or []
        start = next((r.get("startIPAddress") for r in ranges if isinstance(r, Mapping)), None)
        if not start:
            raise FlowRefused(f"no free internal IP range for a numbered GRE tunnel from {source_ip}")
        tunnel["internal_ip_range"] = start
    return steps("zia.gre_tunnel.add_gre_tunnel", **tunnel)


def gre_tunnel_delete(steps: Steps, args: Mapping[str, Any]) -> Any:
    """The tunnel, then its static IP (given as `static_ip_id`, else the one the tunnel starts from)."""
    tunnel_id = args["tunnel_id"]
    static_ip_id = args.get("static_ip_id")
    if static_ip_id is None:
        tunnel = steps("zia.gre_tunnel.get_gre_tunnel", tunnel_id) or {}
        record = _exact_static_ip(steps, str(tunnel.get("sourceIp", "")))
        static_ip_id = record.get("id") if record else None
    steps("zia.gre_tunnel.delete_gre_tunnel", tunnel_id)
    if static_ip_id is not None:
        steps("zia.traffic_static_ip.delete_static_ip", static_ip_id)
    return {"ok": True, "deleted": {"gre_tunnel": tunnel_id, "static_ip": static_ip_id}}


def url_category_delete(steps: Steps, args: Mapping[str, Any]) -> Any:
    """Read first: a predefined (Zscaler-curated) category is refused, only custom ones are deleted."""
    category_id = args["category_id"]
    category = steps("zia.url_categories.get_category", category_id) or {}
    if not category.get("customCategory"):
        raise FlowRefused(
            f"{category_id!r} is a predefined URL category: Zscaler curates those and the API cannot delete them"
        )
    steps("zia.url_categories.delete_category", category_id)
    return {"ok": True, "deleted": category_id}


def _given(args: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: args[name] for name in names if args.get(name) is not None}


FLOWS: dict[Flow, Callable[[Steps, Mapping[str, Any]], Any]] = {
    "zia_gre_tunnel_create": gre_tunnel_create,
    "zia_gre_tunnel_delete": gre_tunnel_delete,
    "zia_url_category_delete": url_category_delete,
}
