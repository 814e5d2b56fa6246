"""ZIA traffic forwarding: locations and location groups, static IPs, VPN credentials, GRE tunnels
and their internal ranges, and the geo lookup used to place them."""

from __future__ import annotations

from dataclasses import replace

from ..builders import Resource, crud, list_tool, param, query, with_call
from ..model import Action, Param, SdkCall, SdkResult, Tool
from ._common import (
    DESCRIPTION,
    PAGE_SIZE,
    SEARCH,
    ZIA_STYLE,
    flag,
    ident,
    required,
    strings,
)

_LOCATION = (
    param("name", "string", "Location name.", required=True),
    DESCRIPTION,
    param("country", "string", "Country as the API spells it, e.g. UNITED_STATES, CANADA."),
    param("tz", "string", "Time zone, e.g. UNITED_STATES_AMERICA_LOS_ANGELES."),
    strings(
        "ip_addresses",
        "Static IPs, CIDRs or GRE tunnel addresses of the location (required unless vpn_credentials is given).",
    ),
    Param(
        "vpn_credentials",
        "array",
        "VPN credentials of the location as objects {id, type}, type IP or UFQDN.",
        items="object",
        location="body",
    ),
    param(
        "profile",
        "string",
        "Traffic profile of the location.",
        enum=("NONE", "CORPORATE", "SERVER", "GUESTWIFI", "IOT", "WORKLOAD"),
    ),
    param("parent_id", "integer", "ID of the parent location, to create a sub-location."),
    flag("auth_required", "Require user authentication."),
    flag("ssl_scan_enabled", "Inspect TLS traffic."),
    flag("xff_forward_enabled", "Insert X-Forwarded-For headers."),
    flag("ofw_enabled", "Enforce the cloud firewall."),
    param("up_bandwidth", "integer", "Upload bandwidth in kbps (0 = unlimited).", minimum=0),
    param("dn_bandwidth", "integer", "Download bandwidth in kbps (0 = unlimited).", minimum=0),
)
_STATIC_IP_EDITABLE = (
    param("comment", "string", "Free-text note."),
    flag("geo_override", "Use latitude/longitude instead of the IP's geolocation."),
    flag("routable_ip", "The IP is publicly routable."),
    param("latitude", "number", "Latitude when geo_override is set.", minimum=-90, maximum=90),
    param("longitude", "number", "Longitude when geo_override is set.", minimum=-180, maximum=180),
)
_CREDENTIAL_TYPE = param(
    "credential_type",
    "string",
    "How the peer is identified: by static IP or by user FQDN.",
    enum=("IP", "UFQDN"),
    sdk_name="type",
)
_PSK = param("pre_shared_key", "string", "IKE pre-shared key (write-only: never returned).")
_VIP = "as {id}; give both VIPs or neither (then the closest diverse pair is picked)."

_GEO = Tool(
    "zia_geo_search",
    "zia",
    "zia_locations",
    Action.READ,
    "Resolve ZIA geo data: give ip, or latitude and longitude, or a city prefix.",
    (
        Param("ip", "string", "IPv4 address to geolocate.", location="path"),
        query("latitude", "number", "Latitude of the point to resolve (with longitude).", minimum=-90, maximum=90),
        query("longitude", "number", "Longitude of the point to resolve (with latitude).", minimum=-180, maximum=180),
        query("prefix", "string", "City prefix, optionally 'city, state, country'."),
        Param(
            "action",
            "string",
            "Which lookup (the official server's argument); the arguments given choose it here.",
            enum=("geo_by_coordinates", "geo_by_ip", "city_prefix_search"),
            location="gateway",
        ),
    ),
    SdkCall(
        "zia.locations.list_cities_by_name",
        result=SdkResult.RECORDS,
        params=("prefix",),
        variants=(
            ("ip", SdkCall("zia.locations.get_geo_by_ip", params=("ip",))),
            (
                "latitude",
                SdkCall("zia.locations.list_region_geo_coordinates", query_arg=None, params=("latitude", "longitude")),
            ),
        ),
    ),
)


def _gre_flow(tool: Tool) -> Tool:
    """Create and delete do what the official's do: find or create the static IP and pick a free
    internal range first; remove the tunnel's static IP after the tunnel."""
    if tool.action is Action.CREATE:
        return with_call(
            replace(
                tool,
                description="Create a ZIA GRE tunnel from a static IP (created when the tenant has none yet); a "
                "numbered tunnel gets the first free internal range and the closest diverse VIPs unless given. "
                "Activate after.",
            ),
            flow="zia_gre_tunnel_create",
        )
    if tool.action is Action.DELETE:
        static_ip = param(
            "static_ip_id", "integer", "Static IP to delete with the tunnel; default: the tunnel's source IP."
        )
        return with_call(
            replace(
                tool,
                description="Delete a ZIA GRE tunnel and its static IP. Activate after.",
                params=(*tool.params, static_ip),
            ),
            flow="zia_gre_tunnel_delete",
        )
    return tool


_GRE_TUNNEL_TOOLS = [
    _gre_flow(tool)
    for tool in crud(
        Resource(
            "gre_tunnel",
            "zia_locations",
            "GRE tunnel",
            "zia.gre_tunnel",
            ("list_gre_tunnels", "get_gre_tunnel", "add_gre_tunnel", None, "delete_gre_tunnel"),
            ident("tunnel_id", "GRE tunnel"),
            style=ZIA_STYLE,
            list_params=(),
            paginate=True,
        ),
        (
            param(
                "source_ip",
                "string",
                "Static IP the tunnel starts from (created as a ZIA static IP first when it is not one yet).",
                required=True,
            ),
            param(
                "static_ip_address", "string", "Same as source_ip (the official server's name).", alias_of="source_ip"
            ),
            param("comment", "string", "Free-text note."),
            flag("ip_unnumbered", "Unnumbered tunnel (no internal IP range)."),
            param(
                "internal_ip_range",
                "string",
                "Internal /29 range of a numbered tunnel, e.g. 172.17.6.240 (see zia_list_gre_ranges).",
            ),
            flag("within_country", "Keep both destination VIPs in the source IP's country."),
            param("primary_dest_vip", "object", f"Primary Zscaler data-center VIP {_VIP}", sdk_name="primaryDestVip"),
            param(
                "secondary_dest_vip", "object", f"Secondary Zscaler data-center VIP {_VIP}", sdk_name="secondaryDestVip"
            ),
        ),
    )
]


TOOLS: list[Tool] = [
    *crud(
        Resource(
            "location",
            "zia_locations",
            "location",
            "zia.locations",
            ("list_locations", "get_location", "add_location", "update_location", "delete_location"),
            ident("location_id", "location"),
            style=ZIA_STYLE,
            paginate=True,
            list_params=(
                SEARCH,
                query("auth_required", "boolean", "Only locations that do (or do not) enforce authentication."),
                query("xff_enabled", "boolean", "Only locations that do (or do not) forward X-Forwarded-For."),
                query("bw_enforced", "boolean", "Only locations that do (or do not) enforce bandwidth control."),
                PAGE_SIZE,
            ),
        ),
        _LOCATION,
    ),
    *crud(
        Resource(
            "location_group",
            "zia_locations",
            "location group",
            "zia.locations",
            ("list_location_groups", "get_location_group", None, None, None),
            ident("group_id", "location group"),
            style=ZIA_STYLE,
            paginate=True,
            list_params=(
                SEARCH,
                query("name", "string", "Only the group with this name."),
                query("group_type", "string", "Only groups of this kind.", enum=("STATIC_GROUP", "DYNAMIC_GROUP")),
                query("location_id", "integer", "Only groups containing this location."),
                query("fetch_locations", "boolean", "Include each group's locations."),
            ),
        ),
        (),
    ),
    *crud(
        Resource(
            "static_ip",
            "zia_locations",
            "static IP",
            "zia.traffic_static_ip",
            ("list_static_ips", "get_static_ip", "add_static_ip", "update_static_ip", "delete_static_ip"),
            ident("static_ip_id", "static IP"),
            style=ZIA_STYLE,
            paginate=True,
            list_params=(
                query("ip_address", "string", "Only this IP address."),
                query("search", "string", "Only IPs whose address or comment contains this text."),
                query("available_for_gre_tunnel", "boolean", "Only IPs not yet used by a GRE tunnel."),
            ),
        ),
        (param("ip_address", "string", "The public static IPv4 address.", required=True), *_STATIC_IP_EDITABLE),
        update_fields=_STATIC_IP_EDITABLE,  # the address itself cannot change; the SDK resends it
    ),
    *crud(
        Resource(
            "vpn_credential",
            "zia_locations",
            "VPN credential",
            "zia.traffic_vpn_credentials",
            (
                "list_vpn_credentials",
                "get_vpn_credential",
                "add_vpn_credential",
                "update_vpn_credential",
                "delete_vpn_credential",
            ),
            ident("credential_id", "VPN credential"),
            style=ZIA_STYLE,
            paginate=True,
            note=" Pre-shared keys are never returned.",
            list_params=(
                SEARCH,
                query("type", "string", "Only credentials of this type.", enum=("CN", "IP", "UFQDN", "XAUTH")),
                query("include_only_without_location", "boolean", "Only credentials not yet tied to a location."),
                query("location_id", "integer", "Only credentials of this location."),
            ),
        ),
        (
            *required(_CREDENTIAL_TYPE, _PSK),
            param("ip_address", "string", "Static IP of the peer (type IP)."),
            param("fqdn", "string", "User FQDN of the peer, e.g. branch1@example.com (type UFQDN)."),
            param("comments", "string", "Free-text note."),
        ),
        update_fields=(_CREDENTIAL_TYPE, _PSK, param("comments", "string", "Free-text note.")),
    ),
    *_GRE_TUNNEL_TOOLS,
    list_tool(
        "zia_list_gre_ranges",
        "zia_locations",
        "List the internal IP ranges still free for numbered ZIA GRE tunnels.",
        "zia.gre_tunnel.list_gre_ranges",
        query("internal_ip_range", "string", "Only ranges starting at this address."),
        query("static_ip", "string", "Ranges usable with this static IP."),
        query("limit", "integer", "At most this many ranges.", minimum=1, maximum=1000),
        paginate=False,
    ),
    _GEO,
]
