{{- define "zscaler-mcp-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "zscaler-mcp-gateway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "zscaler-mcp-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "zscaler-mcp-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "zscaler-mcp-gateway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "zscaler-mcp-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: zscaler-mcp-gateway
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "zscaler-mcp-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "zscaler-mcp-gateway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "zscaler-mcp-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "zscaler-mcp-gateway.configMapName" -}}
{{- printf "%s-config" (include "zscaler-mcp-gateway.fullname" .) -}}
{{- end -}}

{{/*
A list-valued key given as a list or as a comma-separated string, as a JSON list of trimmed,
non-empty strings. Usage: include "zscaler-mcp-gateway.list" .Values.toolsets | fromJsonArray
*/}}
{{- define "zscaler-mcp-gateway.list" -}}
{{- $items := . -}}
{{- if kindIs "string" $items -}}
{{- $items = splitList "," $items -}}
{{- end -}}
{{- $out := list -}}
{{- range $items -}}
{{- $item := trim (toString .) -}}
{{- if $item -}}
{{- $out = append $out $item -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
The list helper, then every id checked against `allowed`; an unknown id fails the release naming
the key and the id. Usage: include "zscaler-mcp-gateway.idList" (dict "key" "toolsets"
"value" .Values.toolsets "allowed" $ids) | fromJsonArray
*/}}
{{- define "zscaler-mcp-gateway.idList" -}}
{{- $items := include "zscaler-mcp-gateway.list" .value | fromJsonArray -}}
{{- range $items -}}
{{- if not (has . $.allowed) -}}
{{- fail (printf "%s: unknown toolset id %q (valid ids: %s)" $.key . (join ", " $.allowed)) -}}
{{- end -}}
{{- end -}}
{{- toJson $items -}}
{{- end -}}

{{/*
The policy file /etc/zscaler-mcp/config.yaml: the policy values under the server's key names.
List keys are rendered only when non-empty (empty means the server's default); write always is, whole
(an empty write.confirm means: no confirmation).
*/}}
{{- define "zscaler-mcp-gateway.config" -}}
{{- $toolsets := append (include "zscaler-mcp-gateway.catalogToolsets" . | fromYamlArray) "meta" -}}
{{- $config := dict -}}
{{- $lists := dict
  "services" (include "zscaler-mcp-gateway.list" .Values.services | fromJsonArray)
  "toolsets" (include "zscaler-mcp-gateway.idList" (dict "key" "toolsets" "value" .Values.toolsets "allowed" (concat $toolsets (list "default" "all"))) | fromJsonArray)
  "disabledToolsets" (include "zscaler-mcp-gateway.idList" (dict "key" "disabledToolsets" "value" .Values.disabledToolsets "allowed" $toolsets) | fromJsonArray)
  "disabledTools" (include "zscaler-mcp-gateway.list" .Values.disabledTools | fromJsonArray)
  "enabledTools" (include "zscaler-mcp-gateway.list" .Values.enabledTools | fromJsonArray) -}}
{{- range $key, $items := $lists -}}
{{- if $items -}}
{{- $_ := set $config $key $items -}}
{{- end -}}
{{- end -}}
{{- $write := dict "enabled" .Values.write.enabled "allowlist" (include "zscaler-mcp-gateway.list" .Values.write.allowlist | fromJsonArray) -}}
{{- $_ := set $write "confirm" (include "zscaler-mcp-gateway.list" .Values.write.confirm | fromJsonArray) -}}
{{- $_ := set $write "confirmTools" (include "zscaler-mcp-gateway.list" .Values.write.confirmTools | fromJsonArray) -}}
{{- $_ := set $config "write" $write -}}
{{- $_ := set $config "entitlementFilter" .Values.entitlementFilter -}}
{{- $_ := set $config "upstream" .Values.upstream -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
The Host header values the MCP endpoint accepts, comma-separated: the Service's DNS names, localhost
and 127.0.0.1 (a bare name is accepted on any port), then .Values.allowedHosts, then the host names of
the Ingress and the HTTPRoute when they are enabled (clients reach the gateway by those names).
*/}}
{{- define "zscaler-mcp-gateway.allowedHosts" -}}
{{- $name := include "zscaler-mcp-gateway.fullname" . -}}
{{- $namespace := .Release.Namespace -}}
{{- $hosts := list $name (printf "%s.%s" $name $namespace) (printf "%s.%s.svc" $name $namespace) (printf "%s.%s.svc.%s" $name $namespace .Values.clusterDomain) "localhost" "127.0.0.1" -}}
{{- $hosts = concat $hosts (include "zscaler-mcp-gateway.list" .Values.allowedHosts | fromJsonArray) -}}
{{- if .Values.ingress.enabled -}}
{{- $hosts = concat $hosts .Values.ingress.hosts -}}
{{- end -}}
{{- if .Values.httpRoute.enabled -}}
{{- $hosts = concat $hosts .Values.httpRoute.hostnames -}}
{{- end -}}
{{- join "," (uniq $hosts) -}}
{{- end -}}

{{/*
"true" when the gateway runs without MCP sessions: as set, or whenever more than one pod serves.
*/}}
{{- define "zscaler-mcp-gateway.stateless" -}}
{{- $manyPods := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) -}}
{{- if kindIs "bool" .Values.stateless -}}
{{- if and (not .Values.stateless) $manyPods -}}
{{- fail (printf "stateless: false keeps each MCP session in the memory of one pod, but %s: behind the plain Service a session's next call may reach a pod that does not know it (\"session not found\"). Set replicaCount: 1 with autoscaling.enabled: false, or leave stateless unset (null) or true" (ternary "autoscaling may start more than one pod" (printf "replicaCount is %d" (int .Values.replicaCount)) .Values.autoscaling.enabled)) -}}
{{- end -}}
{{- .Values.stateless -}}
{{- else -}}
{{- $manyPods -}}
{{- end -}}
{{- end -}}

{{/*
The authentication mode, as the gateway decides it (see values.yaml auth.mode); a setting the
gateway would refuse to start with fails the release instead.
*/}}
{{- define "zscaler-mcp-gateway.authMode" -}}
{{- $auth := .Values.auth -}}
{{- $mode := $auth.mode -}}
{{- if not $mode -}}
{{- if and $auth.apiKeysSecret $auth.jwt.issuer -}}
{{- fail "auth: both auth.apiKeysSecret and auth.jwt.issuer are set; choose one with auth.mode=api-key or auth.mode=jwt" -}}
{{- else if $auth.apiKeysSecret -}}
{{- $mode = "api-key" -}}
{{- else if $auth.jwt.issuer -}}
{{- $mode = "jwt" -}}
{{- else -}}
{{- fail "auth: the gateway refuses to serve without authentication: set auth.apiKeysSecret (e.g. `kubectl create secret generic zscaler-mcp-api-keys --from-literal=alice=$(openssl rand -hex 24)`), or auth.jwt.issuer, auth.jwt.audience and auth.jwt.jwksUrl, or auth.mode=none to run unauthenticated on purpose" -}}
{{- end -}}
{{- end -}}
{{- if and (eq $mode "api-key") (not $auth.apiKeysSecret) -}}
{{- fail "auth.mode=api-key needs auth.apiKeysSecret" -}}
{{- end -}}
{{- if eq $mode "jwt" -}}
{{- if not (and $auth.jwt.issuer $auth.jwt.audience $auth.jwt.jwksUrl) -}}
{{- fail "auth.mode=jwt needs auth.jwt.issuer, auth.jwt.audience and auth.jwt.jwksUrl" -}}
{{- end -}}
{{- if not (or $auth.jwt.resourceUrl (regexMatch "^https?://" $auth.jwt.audience)) -}}
{{- fail (printf "auth.jwt.resourceUrl is required: auth.jwt.audience %q is not a URL" $auth.jwt.audience) -}}
{{- end -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{- define "zscaler-mcp-gateway.credentialsSecret" -}}
{{- if not .Values.credentials.existingSecret -}}
{{- fail "credentials.existingSecret is required: create a Secret that holds the Zscaler API credentials as files, e.g. `kubectl create secret generic zscaler-credentials --from-env-file=.env`, then install with `--set credentials.existingSecret=zscaler-credentials`" -}}
{{- end -}}
{{- .Values.credentials.existingSecret -}}
{{- end -}}

{{/*
The Secret of the approval signing keys: the given one, or the one the chart makes (approval-keys-secret.yaml).
*/}}
{{- define "zscaler-mcp-gateway.approvalKeysSecret" -}}
{{- .Values.approvals.existingSecret | default (printf "%s-approval-keys" (include "zscaler-mcp-gateway.fullname" .)) -}}
{{- end -}}

{{/*
Pod Security "restricted": shared by the gateway pod and the helm test pod.
*/}}
{{- define "zscaler-mcp-gateway.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "zscaler-mcp-gateway.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
The paths an Ingress or HTTPRoute exposes, as a JSON list: the MCP endpoint and the OAuth protected-resource
metadata (JWT mode); never /healthz, /readyz nor /metrics, which stay inside the cluster.
*/}}
{{- define "zscaler-mcp-gateway.exposedPaths" -}}
{{- toJson (list "/mcp" "/.well-known/oauth-protected-resource") -}}
{{- end -}}

{{/* How many pods share the tenant's API quota (`--replicas`; `upstream.rateLimit: auto` gives each an even
  share): the most that may run, so the pods together stay inside the quota at any scale. */}}
{{- define "zscaler-mcp-gateway.quotaShares" -}}
{{- max 1 (ternary (int .Values.autoscaling.maxReplicas) (int .Values.replicaCount) .Values.autoscaling.enabled) -}}
{{- end }}
