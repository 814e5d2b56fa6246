{{- define "zscaler-mcp-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "zscaler-mcp-operator.fullname" -}}
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

{{- define "zscaler-mcp-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "zscaler-mcp-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "zscaler-mcp-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "zscaler-mcp-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: zscaler-mcp-gateway
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "zscaler-mcp-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "zscaler-mcp-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "zscaler-mcp-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator calls on the objects it reconciles, in the watched namespace(s), and nothing
more (docs/operator.md, RBAC): children are read by name and garbage-collected, never listed or
deleted. No Secret is ever read: the gateway pods mount them, and their readiness tells the operator
whether the credentials are there.
*/}}
{{- define "zscaler-mcp-operator.rules" -}}
- apiGroups: ["zscaler-mcp.dev"]
  resources: ["zscalermcps"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["zscaler-mcp.dev"]
  resources: ["zscalermcps/status"]
  verbs: ["patch"]
- apiGroups: ["zscaler-mcp.dev"]
  resources: ["zscalermcps/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "create", "patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
