"""ZIA objects that policy rules reference: rule labels, time intervals, IP source and destination
groups, network applications, services and their groups, custom IPS signatures."""

from __future__ import annotations

from ..builders import Resource, crud, param, query
from ..model import Param, Tool
from ._common import (
    DESCRIPTION,
    NAME,
    PAGE_SIZE,
    SEARCH,
    ZIA_STYLE,
    ident,
    refs,
    strings,
)

FIREWALL = "zia.cloud_firewall"
LOCALE = query(
    "locale",
    "string",
    "Language of names and descriptions.",
    enum=("en-US", "de-DE", "es-ES", "fr-FR", "ja-JP", "zh-CN"),
)
_APP_SEARCH = query("search", "string", "Return only applications whose ID or description contains this text.")
DAYS = ("EVERYDAY", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _named(*fields: Param) -> tuple[Param, ...]:
    return (NAME, DESCRIPTION, *fields)


_PORTS = Param(
    "ports",
    "array",
    "Port ranges as [direction, protocol, start, end?] rows, direction src|dest and protocol tcp|udp, "
    "e.g. [['dest', 'tcp', '443'], ['dest', 'udp', '5000', '5100']]. On update they replace every port.",
    items="array",
    location="body",
    syntax="port_rows",
)

TOOLS: list[Tool] = [
    *crud(
        Resource(
            "rule_label",
            "zia_rule_labels",
            "rule label",
            "zia.rule_labels",
            ("list_labels", "get_label", "add_label", "update_label", "delete_label"),
            ident("label_id", "rule label"),
            style=ZIA_STYLE,
            list_params=(SEARCH, PAGE_SIZE),
            paginate=True,
        ),
        _named(),
    ),
    *crud(
        Resource(
            "time_interval",
            "zia_time_intervals",
            "time interval",
            "zia.time_intervals",
            (
                "list_time_intervals",
                "get_time_intervals",
                "add_time_intervals",
                "update_time_intervals",
                "delete_time_intervals",
            ),
            ident("interval_id", "time interval"),
            style=ZIA_STYLE,
            paginate=True,
        ),
        (
            param("name", "string", "Interval name (letters and spaces).", required=True),
            param(
                "start_time",
                "integer",
                "Start, in minutes after midnight (0-1439).",
                required=True,
                minimum=0,
                maximum=1439,
            ),
            param(
                "end_time",
                "integer",
                "End, in minutes after midnight (0-1439).",
                required=True,
                minimum=0,
                maximum=1439,
            ),
            strings("days_of_week", "Days the interval covers.", required=True, enum=DAYS),
        ),
    ),
    *crud(
        Resource(
            "ip_destination_group",
            "zia_cloud_firewall",
            "IP destination group",
            FIREWALL,
            (
                "list_ip_destination_groups",
                "get_ip_destination_group",
                "add_ip_destination_group",
                "update_ip_destination_group",
                "delete_ip_destination_group",
            ),
            ident("group_id", "IP destination group"),
            style=ZIA_STYLE,
            name_filter="search",
            list_params=(
                SEARCH,
                query(
                    "exclude_type",
                    "string",
                    "Leave out groups of this type.",
                    enum=("DSTN_IP", "DSTN_FQDN", "DSTN_DOMAIN", "DSTN_OTHER"),
                ),
            ),
        ),
        _named(
            param(
                "type",
                "string",
                "What the group lists: IPs, FQDNs, wildcard domains, or countries/categories (DSTN_OTHER).",
                required=True,
                enum=("DSTN_IP", "DSTN_FQDN", "DSTN_DOMAIN", "DSTN_OTHER"),
            ),
            strings("addresses", "IPs, CIDRs, FQDNs or domains (for DSTN_IP, DSTN_FQDN, DSTN_DOMAIN)."),
            strings("ip_categories", "URL categories of destination IPs (DSTN_OTHER)."),
            strings("countries", "Destination countries as COUNTRY_XX codes (DSTN_OTHER)."),
        ),
    ),
    *crud(
        Resource(
            "ip_source_group",
            "zia_cloud_firewall",
            "IP source group",
            FIREWALL,
            (
                "list_ip_source_groups",
                "get_ip_source_group",
                "add_ip_source_group",
                "update_ip_source_group",
                "delete_ip_source_group",
            ),
            ident("group_id", "IP source group"),
            style=ZIA_STYLE,
            name_filter="search",
        ),
        _named(strings("ip_addresses", "Source IPs, CIDRs or ranges in the group.", required=True)),
    ),
    *crud(
        Resource(
            "network_app",
            "zia_cloud_firewall",
            "network application",
            FIREWALL,
            ("list_network_apps", "get_network_app", None, None, None),
            ident("app_id", "network application", "string"),
            style=ZIA_STYLE,
            list_params=(_APP_SEARCH, LOCALE),
            note=" Predefined and custom; IDs are names such as HTTP or ICMP_ANY.",
        ),
        (),
    ),
    *crud(
        Resource(
            "network_app_group",
            "zia_cloud_firewall",
            "network application group",
            FIREWALL,
            (
                "list_network_app_groups",
                "get_network_app_group",
                "add_network_app_group",
                "update_network_app_group",
                "delete_network_app_group",
            ),
            ident("group_id", "network application group"),
            style=ZIA_STYLE,
            name_filter="search",
        ),
        _named(
            strings("network_applications", "Network application IDs in the group, e.g. SKYPE, HTTP.", required=True)
        ),
    ),
    *crud(
        Resource(
            "network_service",
            "zia_cloud_firewall",
            "network service",
            FIREWALL,
            (
                "list_network_services",
                "get_network_service",
                "add_network_service",
                "update_network_service",
                "delete_network_service",
            ),
            ident("service_id", "network service"),
            style=ZIA_STYLE,
            name_filter="name",
            list_params=(
                SEARCH,
                Param("name", "string", "Only services whose name contains this text.", location="gateway"),
                query(
                    "protocol",
                    "string",
                    "Only services of this protocol.",
                    enum=("ICMP", "TCP", "UDP", "GRE", "ESP", "OTHER"),
                ),
                LOCALE,
            ),
        ),
        _named(_PORTS),
    ),
    *crud(
        Resource(
            "network_svc_group",
            "zia_cloud_firewall",
            "network service group",
            FIREWALL,
            (
                "list_network_svc_groups",
                "get_network_svc_group",
                "add_network_svc_group",
                "update_network_svc_group",
                "delete_network_svc_group",
            ),
            ident("group_id", "network service group"),
            style=ZIA_STYLE,
            name_filter="search",
        ),
        _named(refs("service_ids", "Member network service", required=True)),
    ),
    *crud(
        Resource(
            "ips_signature_rule",
            "zia_cloud_firewall",
            "custom IPS signature rule",
            "zia.ips_signature_rules",
            (
                "list_ips_signature_rules",
                "get_ips_signature_rule",
                "add_ips_signature_rule",
                "update_ips_signature_rule",
                "delete_ips_signature_rule",
            ),
            ident("rule_id", "custom IPS signature rule"),
            style=ZIA_STYLE,
            paginate=True,
            name_filter="search",
        ),
        (
            param("name", "string", "Signature name (at most 31 characters).", required=True),
            param(
                "rule_text",
                "string",
                "Snort/Suricata rule body with a unique sid:, validated by ZIA before it is saved.",
                required=True,
            ),
            DESCRIPTION,
        ),
    ),
]
