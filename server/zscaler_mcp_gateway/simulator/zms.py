"""ZMS microsegmentation (/zms/graphql): agents, groups, nonces, resources, policies, app zones, tags.

Lists are connections `{nodes, pageInfo{pageNumber, pageSize, totalCount, totalPages}}` paged by
`page` or `pageNum` (1-based) and `pageSize`; `search` matches names and IPs, `sort`/`sortDir` order
the nodes. Every query needs the tenant's `customerId`. Resource groups are a union
(`ManagedResourceGroup` / `UnmanagedResourceGroup`) answered per `... on` fragment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .graphql import FieldError, graphql_route
from .seeds import seeds
from .store import ServiceApi

Args = dict[str, Any]
Record = dict[str, Any]
TS = "2026-11-20T09:30:00Z"

SEED = seeds("zms")
AGENT_GROUPS: list[Record] = SEED["agent_groups"]
_GROUP = {g["eyezId"]: g for g in AGENT_GROUPS}
AGENTS: list[Record] = [
    {
        "name": name,
        "eyezId": eyez,
        "connectionStatus": status,
        "agentType": kind,
        "hostOs": os_,
        "currentSoftwareVersion": version,
        "upgradeStatus": _GROUP[group]["upgradeStatus"],
        "description": None,
        "cloudProvider": _GROUP[group]["cloudProvider"],
        "publicIp": public,
        "privateIps": [private],
        "adminStatus": _GROUP[group]["adminStatus"],
        "agentGroupName": _GROUP[group]["name"],
        "agentGroupType": _GROUP[group]["agentGroupType"],
    }
    for name, eyez, status, kind, os_, version, group, public, private in [
        ("api-01", "a-7Q1", "CONNECTED", "HOST", "Ubuntu 22.04", "3.6.1", "ag-01HZ8K", "54.210.10.11", "10.100.1.11"),
        ("api-02", "a-7Q2", "CONNECTED", "HOST", "Ubuntu 22.04", "3.6.1", "ag-01HZ8K", "54.210.10.12", "10.100.1.12"),
        ("db-01", "a-7Q3", "DISCONNECTED", "HOST", "RHEL 9.3", "3.5.0", "ag-01HZ8K", None, "10.100.2.21"),
        ("aks-node-a", "a-7Q4", "CONNECTED", "CLUSTER", "Azure Linux 2", "3.6.1", "ag-01HZ8M", None, "10.200.0.4"),
        (
            "aks-kube-connector",
            "a-7Q5",
            "CONNECTED",
            "KUBE_CONNECTOR",
            "Azure Linux 2",
            "3.6.0",
            "ag-01HZ8M",
            None,
            "10.200.0.5",
        ),
        ("ash-sql-01", "a-7Q6", "ERROR", "HOST", "Windows Server 2022", "3.4.2", "ag-01HZ8P", None, "172.16.10.40"),
    ]
]
NONCES: list[Record] = SEED["nonces"]
TOTP = {
    g["eyezId"]: {
        "eyezId": g["eyezId"],
        "totpSecret": f"JBSWY3DPEHPK3PX{i}",
        "totpQrCode": f"otpauth://totp/ZMS:{g['name']}?secret=JBSWY3DPEHPK3PX{i}",
        "totpGenerationTimestamp": "2026-11-01T00:00:00Z",
    }
    for i, g in enumerate(AGENT_GROUPS)
}
ZONE_NAMES = {"z-1": "prod-web-tier", "z-2": "payments-pci"}
RESOURCES: list[Record] = [
    {
        "id": f"r-{i:03d}",
        "name": name,
        "resourceType": kind,
        "status": status,
        "cloudProvider": cloud,
        "cloudRegion": region,
        "resourceHostname": name,
        "platformOs": os_,
        "platformOsDistro": distro,
        "platformOsVersion": version,
        "localIps": [ip],
        "deleted": status == "DELETED",
        "modifiedTime": TS,
        "agentId": agent,
        "appZoneIds": zones,
        "appZoneNames": [ZONE_NAMES[z] for z in zones],
        "appZoneMappingState": "MAPPED" if zones else "UNMAPPED",
    }
    for i, (name, kind, status, cloud, region, os_, distro, version, ip, agent, zones) in enumerate(
        [
            ("api-01", "VM", "ACTIVE", "AWS", "us-east-1", "LINUX", "ubuntu", "22.04", "10.100.1.11", "a-7Q1", ["z-1"]),
            ("api-02", "VM", "ACTIVE", "AWS", "us-east-1", "LINUX", "ubuntu", "22.04", "10.100.1.12", "a-7Q2", ["z-1"]),
            ("db-01", "VM", "INACTIVE", "AWS", "us-east-1", "LINUX", "rhel", "9.3", "10.100.2.21", "a-7Q3", ["z-1"]),
            (
                "payments-api-6f7c",
                "POD",
                "ACTIVE",
                "AZURE",
                "westeurope",
                "LINUX",
                "azurelinux",
                "2.0",
                "10.244.1.17",
                "a-7Q4",
                ["z-2"],
            ),
            (
                "payments-worker-1b2d",
                "POD",
                "ACTIVE",
                "AZURE",
                "westeurope",
                "LINUX",
                "azurelinux",
                "2.0",
                "10.244.1.18",
                "a-7Q4",
                ["z-2"],
            ),
            (
                "ash-sql-01",
                "VM",
                "ACTIVE",
                "ON_PREMISES",
                "ashburn",
                "WINDOWS",
                "windows",
                "2022",
                "172.16.10.40",
                "a-7Q6",
                [],
            ),
            ("old-batch-01", "VM", "DELETED", "AWS", "us-east-1", "LINUX", "ubuntu", "20.04", "10.100.3.5", None, []),
        ],
        start=1,
    )
]
RESOURCE_GROUPS: list[Record] = SEED["resource_groups"]
POLICY_RULES: list[Record] = SEED["policy_rules"]
DEFAULT_RULES: list[Record] = SEED["default_rules"]
APP_ZONES: list[Record] = SEED["app_zones"]
APP_CATALOG: list[Record] = [
    {
        "id": f"app-{i}",
        "name": name,
        "category": category,
        "creationTime": TS,
        "modifiedTime": TS,
        "details": {
            "portAndProtocol": [{"protocol": "TCP", "portRanges": [{"startPort": port, "endPort": port}]}],
            "processes": processes,
        },
    }
    for i, (name, category, port, processes) in enumerate(
        [
            ("PostgreSQL", "Database", 5432, ["postgres"]),
            ("NGINX", "Web Server", 443, ["nginx"]),
            ("Microsoft SQL Server", "Database", 1433, ["sqlservr.exe"]),
            ("OpenSSH", "Remote Access", 22, ["sshd"]),
        ],
        start=1,
    )
]
NAMESPACES: list[Record] = SEED["namespaces"]
TAG_KEYS: dict[str, list[Record]] = SEED["tag_keys"]
TAG_VALUES: dict[str, list[Record]] = SEED["tag_values"]
METADATA = SEED["metadata"]
SEARCHED = ("name", "publicIp", "privateIps", "agentGroupName")


def _connection(items: Sequence[Record], args: Args) -> Record:
    """One page of a connection, after search and sort."""
    if not args.get("customerId"):
        raise FieldError("customerId is required")
    needle = str(args.get("search") or "").lower()
    rows = [r for r in items if not needle or any(needle in str(r.get(f) or "").lower() for f in SEARCHED)]
    if args.get("sort"):
        rows = sorted(rows, key=lambda r: str(r.get(args["sort"]) or ""), reverse=args.get("sortDir") == "DESC")
    if args.get("fetchAll"):
        return {
            "nodes": rows,
            "pageInfo": {"pageNumber": 1, "pageSize": len(rows), "totalCount": len(rows), "totalPages": 1},
        }
    page = max(1, int(args.get("page") or args.get("pageNum") or 1))
    size = max(1, min(100, int(args.get("pageSize") or 20)))
    return {
        "nodes": rows[(page - 1) * size : page * size],
        "pageInfo": {
            "pageNumber": page,
            "pageSize": size,
            "totalCount": len(rows),
            "totalPages": max(1, -(-len(rows) // size)),
        },
    }


def _listing(items: Sequence[Record] | Callable[[Args], Sequence[Record]]) -> Callable[[Args], Record]:
    return lambda args: _connection(items(args) if callable(items) else items, args)


def _statistics(key: str, field: str) -> Callable[[Args], Record]:
    """Counts of agents per (agentType, field) with percentages."""

    def resolve(args: Args) -> Record:
        agents = _connection(AGENTS, {**args, "fetchAll": True})["nodes"]
        counts: dict[tuple[str, str], int] = {}
        for agent in agents:
            pair = (agent["agentType"], agent[field])
            counts[pair] = counts.get(pair, 0) + 1
        total = len(agents)
        rows = [
            {
                "agentType": t,
                ("connectionStatus" if field == "connectionStatus" else "version"): v,
                "count": n,
                "percentage": round(100 * n / total, 1) if total else 0.0,
            }
            for (t, v), n in sorted(counts.items())
        ]
        return {"totalCount": total, "totalPercentage": 100.0 if total else 0.0, key: rows}

    return resolve


def _protection(kind: str, items: Sequence[Record], protected: Callable[[Record], bool]) -> Callable[[Args], Record]:
    def resolve(args: Args) -> Record:
        live = [r for r in items if not r.get("deleted")]
        done = sum(1 for r in live if protected(r))
        node = {
            "protectedPercentage": round(100 * done / len(live), 1) if live else 0.0,
            f"protected{kind}Count": done,
            f"unprotected{kind}Count": len(live) - done,
            f"total{kind}": len(live),
        }
        return _connection([node], {"customerId": args.get("customerId")})

    return resolve


def _one(items: dict[str, Record], key: str, what: str) -> Callable[[Args], Record]:
    def resolve(args: Args) -> Record:
        if args.get(key) not in items:
            raise FieldError(f"{what} {args.get(key)!r} not found")
        return items[args[key]]

    return resolve


def _members(args: Args) -> Sequence[Record]:
    group = next((g for g in RESOURCE_GROUPS if g["id"] == args.get("id")), None)
    if group is None:
        raise FieldError(f"Resource group {args.get('id')!r} not found")
    return [r for r in RESOURCES if r["id"] in group["members"]]


def _tag_keys(args: Args) -> Sequence[Record]:
    if args.get("namespaceId") not in TAG_KEYS:
        raise FieldError(f"Tag namespace {args.get('namespaceId')!r} not found")
    return TAG_KEYS[args["namespaceId"]]


def _tag_values(args: Args) -> Sequence[Record]:
    if args.get("tagId") not in TAG_VALUES:
        raise FieldError(f"Tag key {args.get('tagId')!r} not found")
    return TAG_VALUES[args["tagId"]]


ROOTS: dict[str, Callable[[Args], Any]] = {
    "agents": _listing(AGENTS),
    "agentConnectionStatusStatistics": _statistics("agentStatuses", "connectionStatus"),
    "agentVersionStatistics": _statistics("agentVersions", "currentSoftwareVersion"),
    "agentGroups": _listing(AGENT_GROUPS),
    "agentGroupTotpSecrets": _one(TOTP, "eyezId", "Agent group"),
    "nonces": _listing(NONCES),
    "nonce": lambda args: {"nonce": _one({n["eyezId"]: n for n in NONCES}, "eyezId", "Nonce")(args)},
    "resources": _listing(lambda args: [r for r in RESOURCES if args.get("includeDeleted") or not r["deleted"]]),
    "resourceProtectionStatus": _protection("Resources", RESOURCES, lambda r: bool(r["appZoneIds"])),
    "metadata": lambda args: METADATA,
    "resourceGroups": _listing(RESOURCE_GROUPS),
    "resourceGroupMembers": _listing(_members),
    "resourceGroupProtectionStatus": _protection(
        "ResourceGroups", RESOURCE_GROUPS, lambda g: g["resourceMemberCount"] > 0
    ),
    "policyRules": _listing(POLICY_RULES),
    "defaultPolicyRules": _listing(DEFAULT_RULES),
    "appZones": _listing(APP_ZONES),
    "appCatalog": _listing(APP_CATALOG),
    "tagNamespaces": _listing(NAMESPACES),
    "tagKeys": _listing(_tag_keys),
    "tagValues": _listing(_tag_values),
}


def build() -> ServiceApi:
    return ServiceApi(collections=[], routes=[graphql_route("/zms/graphql", ROOTS)])
