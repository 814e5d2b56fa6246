"""The gateway chart's values as pydantic models, and the chart's values.schema.json generated from them. Pure.

The policy keys are the gateway's `PolicyConfig` (a key added there is a chart value too), each list also
accepted as a comma-separated string, as the chart's templates accept it; `auth`, `allowedHosts` and the
Secret names reuse the CR spec's types (schema.py), with `""` for "unset" as Helm values spell it. The
rest is the chart's own. `helm install` then refuses what the gateway and the CRD would refuse.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from zscaler_mcp_gateway.config import PolicyConfig
from zscaler_mcp_gateway.sessions import SessionLimits

from .schema import (
    HOST_MAX_LENGTH,
    HOST_PATTERN,
    HTTP_URL_PATTERN,
    HTTPS_URL_PATTERN,
    IMAGE_MAX_LENGTH,
    MAX_ALLOWED_HOSTS,
    NAME_MAX_LENGTH,
    SECRET_NAME_MAX_LENGTH,
    SECRET_NAME_PATTERN,
    URL_MAX_LENGTH,
    PrincipalsSpec,
    json_schema,
)

MAX_LABELS = 64
LABEL_VALUE_MAX_LENGTH = 63
ANNOTATION_VALUE_MAX_LENGTH = 4096
MAX_PEERS = 64
# Beyond the policy keys, the values whose lists the chart also takes as a comma-separated string.
COMMA_LISTS = ("allowed_hosts",)


def _or_empty(pattern: str) -> str:
    """A pattern that also takes "" (a Helm value left unset)."""
    return f"^({pattern.removeprefix('^').removesuffix('$')})?$"


SecretNameOrEmpty = Annotated[
    str, StringConstraints(max_length=SECRET_NAME_MAX_LENGTH, pattern=_or_empty(SECRET_NAME_PATTERN))
]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
Duration = Annotated[str, StringConstraints(max_length=16, pattern=r"^[0-9]+(ms|s|m|h)$")]
Labels = Annotated[
    dict[str, Annotated[str, StringConstraints(max_length=LABEL_VALUE_MAX_LENGTH)]], Field(max_length=MAX_LABELS)
]
Annotations = Annotated[
    dict[str, Annotated[str, StringConstraints(max_length=ANNOTATION_VALUE_MAX_LENGTH)]], Field(max_length=MAX_LABELS)
]
KubeObjects = Annotated[list[dict[str, Any]], Field(max_length=MAX_PEERS)]
# An exact DNS name (no port, no wildcard): what an Ingress rule or an HTTPRoute matches and the gateway accepts.
HostName = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=253, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    ),
]


class _Values(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class JwtValues(_Values):
    issuer: Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=_or_empty(HTTP_URL_PATTERN))] = ""
    audience: Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH)] = ""
    jwks_url: Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=_or_empty(HTTPS_URL_PATTERN))] = (
        Field(default="", alias="jwksUrl")
    )
    resource_url: Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=_or_empty(HTTP_URL_PATTERN))] = (
        Field(default="", alias="resourceUrl")
    )


class AuthValues(_Values):
    mode: Literal["", "none", "api-key", "jwt"] = ""
    api_keys_secret: SecretNameOrEmpty = Field(default="", alias="apiKeysSecret")
    jwt: JwtValues = JwtValues()
    principals: PrincipalsSpec = PrincipalsSpec()


class CredentialsValues(_Values):
    existing_secret: SecretNameOrEmpty = Field(default="", alias="existingSecret")


class ApprovalsValues(_Values):
    existing_secret: SecretNameOrEmpty = Field(default="", alias="existingSecret")


class SimulatorValues(_Values):
    enabled: StrictBool = False


class ImageValues(_Values):
    repository: Annotated[str, StringConstraints(min_length=1, max_length=IMAGE_MAX_LENGTH)]
    tag: Annotated[str, StringConstraints(max_length=128)] = ""
    pull_policy: Literal["Always", "IfNotPresent", "Never"] = Field(default="IfNotPresent", alias="pullPolicy")


class PullSecret(_Values):
    name: Annotated[str, StringConstraints(min_length=1, max_length=SECRET_NAME_MAX_LENGTH)]


class ServiceAccountValues(_Values):
    create: StrictBool = True
    name: Annotated[str, StringConstraints(max_length=SECRET_NAME_MAX_LENGTH)] = ""
    annotations: Annotations = {}


class ServiceValues(_Values):
    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    port: Port = 8000


class ServiceMonitorValues(_Values):
    enabled: StrictBool = False
    interval: Duration = "30s"
    scrape_timeout: Duration = Field(default="10s", alias="scrapeTimeout")
    labels: Labels = {}


class MetricsValues(_Values):
    port: Port = 9090
    service_monitor: ServiceMonitorValues = Field(default=ServiceMonitorValues(), alias="serviceMonitor")


class DashboardValues(_Values):
    enabled: StrictBool = False
    labels: Labels = {}
    annotations: Annotations = {}


class PrometheusRuleValues(_Values):
    enabled: StrictBool = False
    labels: Labels = {}


class PeersValues(_Values):
    from_: KubeObjects = Field(default=[], alias="from", description="core NetworkPolicyPeer objects")


class NetworkPolicyValues(_Values):
    enabled: StrictBool = False
    mcp: PeersValues = PeersValues()
    metrics: PeersValues = PeersValues()


class DisruptionBudgetValues(_Values):
    enabled: StrictBool = True
    max_unavailable: (
        Annotated[StrictInt, Field(ge=0)] | Annotated[str, StringConstraints(max_length=4, pattern=r"^[0-9]+%$")]
    ) = Field(default=1, alias="maxUnavailable")


class AutoscalingValues(_Values):
    enabled: StrictBool = False
    min_replicas: Annotated[StrictInt, Field(ge=1)] = Field(default=2, alias="minReplicas")
    max_replicas: Annotated[StrictInt, Field(ge=1)] = Field(default=6, alias="maxReplicas")
    target_cpu: Annotated[StrictInt, Field(ge=1)] | None = Field(default=75, alias="targetCPUUtilizationPercentage")
    target_memory: Annotated[StrictInt, Field(ge=1)] | None = Field(
        default=None, alias="targetMemoryUtilizationPercentage"
    )


class ResourcesValues(_Values):
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}


class IngressTLS(_Values):
    """networking.k8s.io/v1 IngressTLS, passed through."""

    secret_name: SecretNameOrEmpty = Field(default="", alias="secretName")
    hosts: Annotated[list[HostName], Field(max_length=MAX_ALLOWED_HOSTS)] = []


class IngressValues(_Values):
    enabled: StrictBool = False
    class_name: Annotated[str, StringConstraints(max_length=253)] = Field(default="", alias="className")
    annotations: Annotations = {}
    hosts: Annotated[list[HostName], Field(max_length=MAX_ALLOWED_HOSTS)] = []
    tls: Annotated[list[IngressTLS], Field(max_length=MAX_ALLOWED_HOSTS)] = []


class HTTPRouteValues(_Values):
    enabled: StrictBool = False
    annotations: Annotations = {}
    parent_refs: KubeObjects = Field(default=[], alias="parentRefs", description="Gateway API ParentReferences")
    hostnames: Annotated[list[HostName], Field(max_length=16)] = []  # the Gateway API allows 16


class OtelValues(_Values):
    endpoint: Annotated[str, StringConstraints(max_length=URL_MAX_LENGTH, pattern=_or_empty(HTTP_URL_PATTERN))] = ""


class ChartValues(PolicyConfig):
    """The gateway chart's values: the policy keys, then how the chart runs the gateway."""

    global_: dict[str, Any] = Field(default={}, alias="global")
    credentials: CredentialsValues = CredentialsValues()
    approvals: ApprovalsValues = ApprovalsValues()
    auth: AuthValues = AuthValues()
    allow_unconfirmed_deletes: StrictBool = Field(default=False, alias="allowUnconfirmedDeletes")
    allowed_hosts: tuple[Annotated[str, StringConstraints(max_length=HOST_MAX_LENGTH, pattern=HOST_PATTERN)], ...] = (
        Field(default=(), alias="allowedHosts", max_length=MAX_ALLOWED_HOSTS)
    )
    ingress: IngressValues = IngressValues()
    http_route: HTTPRouteValues = Field(default=HTTPRouteValues(), alias="httpRoute")
    cluster_domain: Annotated[str, StringConstraints(max_length=253, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")] = (
        Field(default="cluster.local", alias="clusterDomain")
    )
    stateless: StrictBool | None = None
    sessions: SessionLimits = SessionLimits()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="logLevel")
    simulator: SimulatorValues = SimulatorValues()
    replica_count: Annotated[StrictInt, Field(ge=0)] = Field(default=2, alias="replicaCount")
    image: ImageValues
    image_pull_secrets: Annotated[list[PullSecret], Field(max_length=16)] = Field(default=[], alias="imagePullSecrets")
    name_override: Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH)] = Field(
        default="", alias="nameOverride"
    )
    fullname_override: Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH)] = Field(
        default="", alias="fullnameOverride"
    )
    service_account: ServiceAccountValues = Field(default=ServiceAccountValues(), alias="serviceAccount")
    pod_annotations: Annotations = Field(default={}, alias="podAnnotations")
    pod_labels: Labels = Field(default={}, alias="podLabels")
    service: ServiceValues = ServiceValues()
    metrics: MetricsValues = MetricsValues()
    prometheus_rule: PrometheusRuleValues = Field(default=PrometheusRuleValues(), alias="prometheusRule")
    grafana_dashboard: DashboardValues = Field(default=DashboardValues(), alias="grafanaDashboard")
    network_policy: NetworkPolicyValues = Field(default=NetworkPolicyValues(), alias="networkPolicy")
    pod_disruption_budget: DisruptionBudgetValues = Field(default=DisruptionBudgetValues(), alias="podDisruptionBudget")
    autoscaling: AutoscalingValues = AutoscalingValues()
    resources: ResourcesValues = ResourcesValues()
    otel: OtelValues = OtelValues()
    node_selector: Labels = Field(default={}, alias="nodeSelector")
    tolerations: KubeObjects = []
    affinity: dict[str, Any] = {}
    topology_spread_constraints: KubeObjects = Field(default=[], alias="topologySpreadConstraints")
    priority_class_name: Annotated[str, StringConstraints(max_length=253)] = Field(
        default="", alias="priorityClassName"
    )


def _csv_pattern(items: dict[str, Any]) -> str:
    """The comma-separated string form of a list whose items match `items` (the chart trims each item)."""
    if "enum" in items:
        item = "|".join(re.escape(value) for value in items["enum"])
    else:
        item = items["pattern"].removeprefix("^").removesuffix("$")
    return rf"^\s*(({item})\s*(,\s*|$))*$"


def _list_or_csv(node: dict[str, Any]) -> dict[str, Any]:
    """A list of strings also accepted as a comma-separated string, each item trimmed (what the chart renders)."""
    items = node["items"]
    listed = {
        **node,
        "items": {
            **items,
            **(
                {"pattern": rf"^\s*({items['pattern'].removeprefix('^').removesuffix('$')})\s*$"}
                if "pattern" in items
                else {}
            ),
            "maxLength": items["maxLength"] + 2,  # room for the spaces around an item the chart trims
        },
    }
    if "pattern" not in items and "enum" not in items:
        return listed
    description = listed.pop("description", None)
    joined = {
        "type": "string",
        "maxLength": node["maxItems"] * (items["maxLength"] + 3),
        "pattern": _csv_pattern(items),
    }
    return {**({"description": description} if description else {}), "anyOf": [joined, listed]}


def _comma_lists(node: Any) -> Any:
    """The schema with each list of ids, patterns or hosts in its list-or-comma-string form."""
    if isinstance(node, list):
        return [_comma_lists(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "array" and node.get("items", {}).get("type") == "string":
        return _list_or_csv({k: v for k, v in node.items() if not k.startswith("x-kubernetes-")})
    return {key: _comma_lists(value) for key, value in node.items() if not key.startswith("x-kubernetes-")}


def _without_defaults(node: Any) -> Any:
    """The schema without `default` and `required`: values.yaml is the one source of the chart's defaults, and
    Helm merges it under what a user sets before it validates."""
    if isinstance(node, list):
        return [_without_defaults(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: _without_defaults(child) for name, child in value.items()}
        if key == "properties"
        else _without_defaults(value)
        for key, value in node.items()
        if key not in ("default", "required")
    }


def values_schema(services: tuple[str, ...]) -> dict[str, Any]:
    """values.schema.json: the chart values' JSON Schema (draft-07); `services` are the catalog's ids."""
    schema = _without_defaults(json_schema(ChartValues))
    schema["properties"]["services"]["items"]["enum"] = list(services)
    for name in (*PolicyConfig.model_fields, *COMMA_LISTS):
        key = ChartValues.model_fields[name].alias or name
        schema["properties"][key] = _comma_lists(schema["properties"][key])
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "zscaler-mcp-gateway values",
        **schema,
    }


def values_schema_json(services: tuple[str, ...]) -> str:
    return json.dumps(values_schema(services), indent=2) + "\n"
