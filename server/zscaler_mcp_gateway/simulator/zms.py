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
from .store import ServiceApi

Args = dict[str, Any]
Record = dict[str, Any]
TS = "2026-11-20T09:30:00Z"

AGENT_GROUPS: list[Record] = [
    {
        "name": "prod-linux-vms",
        "eyezId": "ag-01HZ8K",
        "agentGroupType": "VM",
        "cloudProvider": "AWS",
        "adminStatus": "ENABLED",
        "agentCount": 3,
        "description": "Production Linux workloads",
        "policyStatus": "ENABLED",
        "upgradeStatus": "UP_TO_DATE",
        "tamperProtectionStatus": "ENABLED",
        "agentAutoUpgrade": "ENABLED",
        "agentDeletionTimeoutSeconds": 86400,
        "timezone": "America/New_York",
        "upgradeDay": "SUNDAY",
        "upgradeTime": "02:00",
        "versionProfileName": "Stable",
    },
    {
        "name": "payments-k8s",
        "eyezId": "ag-01HZ8M",
        "agentGroupType": "K8S",
        "cloudProvider": "AZURE",
        "adminStatus": "ENABLED",
        "agentCount": 2,
        "description": "AKS payments cluster",
        "policyStatus": "ENABLED",
        "upgradeStatus": "IN_PROGRESS",
        "tamperProtectionStatus": "ENABLED",
        "agentAutoUpgrade": "ENABLED",
        "agentDeletionTimeoutSeconds": 3600,
        "timezone": "Europe/Berlin",
        "upgradeDay": "SATURDAY",
        "upgradeTime": "23:00",
        "versionProfileName": "Stable",
    },
    {
        "name": "dc-windows",
        "eyezId": "ag-01HZ8P",
        "agentGroupType": "VM",
        "cloudProvider": "ON_PREMISES",
        "adminStatus": "DISABLED",
        "agentCount": 1,
        "description": "Ashburn Windows servers",
        "policyStatus": "DISABLED",
        "upgradeStatus": "FAILED",
        "tamperProtectionStatus": "DISABLED",
        "agentAutoUpgrade": "DISABLED",
        "agentDeletionTimeoutSeconds": 604800,
        "timezone": "America/New_York",
        "upgradeDay": "SUNDAY",
        "upgradeTime": "04:00",
        "versionProfileName": "Pinned-3.4",
    },
]
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
NONCES: list[Record] = [
    {
        "eyezId": "n-5501",
        "name": "prod-linux-bootstrap",
        "key": "zms-nonce-3f9a0c1e",
        "maxUsage": 50,
        "usageCount": 3,
        "agentGroupEyezId": "ag-01HZ8K",
        "agentGroupName": "prod-linux-vms",
        "agentGroupType": "VM",
        "product": "EYEZ",
        "creationTime": "2026-08-01T12:00:00Z",
        "modifiedTime": TS,
    },
    {
        "eyezId": "n-5502",
        "name": "aks-payments",
        "key": "zms-nonce-77d2b4aa",
        "maxUsage": 10,
        "usageCount": 2,
        "agentGroupEyezId": "ag-01HZ8M",
        "agentGroupName": "payments-k8s",
        "agentGroupType": "K8S",
        "product": "EYEZ",
        "creationTime": "2026-09-15T08:00:00Z",
        "modifiedTime": TS,
    },
]
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
RESOURCE_GROUPS: list[Record] = [
    {
        "__typename": "ManagedResourceGroup",
        "id": "rg-10",
        "name": "web-servers",
        "description": "Tagged role=web",
        "type": "MANAGED",
        "origin": "USER_DEFINED",
        "resourceMemberCount": 2,
        "modifiedTime": TS,
        "members": ["r-001", "r-002"],
    },
    {
        "__typename": "ManagedResourceGroup",
        "id": "rg-11",
        "name": "payments-pods",
        "description": "ML suggested: payments namespace",
        "type": "MANAGED",
        "origin": "ML_RECOMMENDED",
        "resourceMemberCount": 2,
        "modifiedTime": TS,
        "members": ["r-004", "r-005"],
    },
    {
        "__typename": "UnmanagedResourceGroup",
        "id": "rg-12",
        "name": "corp-dns",
        "description": "On-prem DNS resolvers",
        "type": "UNMANAGED",
        "origin": "USER_DEFINED",
        "resourceMemberCount": 0,
        "modifiedTime": TS,
        "cidrs": ["172.16.0.53/32", "172.16.1.53/32"],
        "fqdns": [],
        "members": [],
    },
]
PORTS_443 = [{"protocol": "TCP", "portRanges": [{"startPort": 443, "endPort": 443}]}]
POLICY_RULES: list[Record] = [
    {
        "id": "pr-1",
        "name": "web to db",
        "action": "ALLOW",
        "priority": 1,
        "description": "App tier may reach PostgreSQL",
        "deleted": False,
        "sourceTargetType": "RESOURCE_GROUP",
        "destinationTargetType": "RESOURCE_GROUP",
        "appZoneScopeTargetType": "APP_ZONE",
        "creationTime": TS,
        "modifiedTime": TS,
        "lastHit": "2026-11-24T22:10:00Z",
        "portAndProtocols": [{"protocol": "TCP", "portRanges": [{"startPort": 5432, "endPort": 5432}]}],
    },
    {
        "id": "pr-2",
        "name": "payments ingress",
        "action": "ALLOW",
        "priority": 2,
        "description": "Ingress to payments pods",
        "deleted": False,
        "sourceTargetType": "ANY",
        "destinationTargetType": "RESOURCE_GROUP",
        "appZoneScopeTargetType": "APP_ZONE",
        "creationTime": TS,
        "modifiedTime": TS,
        "lastHit": "2026-11-24T23:59:00Z",
        "portAndProtocols": PORTS_443,
    },
    {
        "id": "pr-3",
        "name": "block rdp lateral",
        "action": "SIM_BLOCK",
        "priority": 3,
        "description": "Simulated block of east-west RDP",
        "deleted": False,
        "sourceTargetType": "ANY",
        "destinationTargetType": "ANY",
        "appZoneScopeTargetType": "ANY",
        "creationTime": TS,
        "modifiedTime": TS,
        "lastHit": None,
        "portAndProtocols": [{"protocol": "TCP", "portRanges": [{"startPort": 3389, "endPort": 3389}]}],
    },
]
DEFAULT_RULES: list[Record] = [
    {
        "id": "dr-in",
        "name": "Default inbound",
        "action": "BLOCK",
        "direction": "INBOUND",
        "description": "Deny what no rule allows",
        "scopeType": "CUSTOMER",
        "modifiedTime": TS,
    },
    {
        "id": "dr-out",
        "name": "Default outbound",
        "action": "ALLOW",
        "direction": "OUTBOUND",
        "description": "Allow egress",
        "scopeType": "CUSTOMER",
        "modifiedTime": TS,
    },
]
APP_ZONES: list[Record] = [
    {
        "id": "z-1",
        "appZoneName": "prod-web-tier",
        "description": "Production web and API hosts",
        "memberCount": 3,
        "includeAllVpcs": False,
        "includeAllSubnets": True,
    },
    {
        "id": "z-2",
        "appZoneName": "payments-pci",
        "description": "PCI scope: payments cluster",
        "memberCount": 2,
        "includeAllVpcs": False,
        "includeAllSubnets": False,
    },
]
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
NAMESPACES: list[Record] = [
    {"id": "ns-1", "name": "custom", "description": "Customer-defined tags", "origin": "CUSTOM"},
    {"id": "ns-2", "name": "aws", "description": "Tags synced from AWS", "origin": "EXTERNAL"},
    {"id": "ns-3", "name": "ml", "description": "Tags suggested by ZMS", "origin": "ML"},
]
TAG_KEYS: dict[str, list[Record]] = {
    "ns-1": [
        {"id": "tk-1", "name": "env", "description": "Deployment environment"},
        {"id": "tk-2", "name": "owner", "description": "Owning team"},
    ],
    "ns-2": [{"id": "tk-3", "name": "aws:autoscaling:groupName", "description": "Auto Scaling group"}],
    "ns-3": [{"id": "tk-4", "name": "role", "description": "Inferred workload role"}],
}
TAG_VALUES: dict[str, list[Record]] = {
    "tk-1": [{"id": "tv-1", "name": "prod"}, {"id": "tv-2", "name": "staging"}],
    "tk-2": [{"id": "tv-3", "name": "payments"}, {"id": "tv-4", "name": "platform"}],
    "tk-3": [{"id": "tv-5", "name": "api-asg"}],
    "tk-4": [{"id": "tv-6", "name": "web"}, {"id": "tv-7", "name": "database"}],
}
METADATA = {
    "eventTypes": ["RESOURCE_CREATED", "RESOURCE_UPDATED", "RESOURCE_DELETED", "AGENT_CONNECTED", "AGENT_DISCONNECTED"],
    "resourceTypes": ["VM", "POD", "NODE", "K8S_SERVICE", "K8S_WORKLOAD"],
    "cloudProviders": ["AWS", "AZURE", "GCP", "ON_PREMISES"],
}
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
