{{/* Names */}}
{{- define "llm-mux.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llm-mux.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "llm-mux.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llm-mux.labels" -}}
helm.sh/chart: {{ include "llm-mux.chart" . }}
{{ include "llm-mux.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "llm-mux.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llm-mux.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "llm-mux.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llm-mux.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding client keys, management secret, cluster key (and the external Redis URL and password). */}}
{{- define "llm-mux.secretName" -}}
{{- default (include "llm-mux.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Bitnami's Redis chart names its resources like this (common.names.fullname of the subchart). */}}
{{- define "llm-mux.redis.fullname" -}}
{{- if .Values.redis.fullnameOverride }}
{{- .Values.redis.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default "redis" .Values.redis.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Redis URL, credentials included when the external URL has them (it goes to the Secret only). */}}
{{- define "llm-mux.redis.url" -}}
{{- if .Values.redis.enabled }}
{{- printf "redis://%s-master.%s.svc:6379" (include "llm-mux.redis.fullname" .) .Release.Namespace }}
{{- else }}
{{- required "set redis.enabled=true, or externalRedis.url to the Redis the replicas share" .Values.externalRedis.url }}
{{- end }}
{{- end }}

{{/* The same URL without user:password, for llm-mux.yaml. */}}
{{- define "llm-mux.redis.publicUrl" -}}
{{- regexReplaceAll "//[^@/]*@" (include "llm-mux.redis.url" .) "//" }}
{{- end }}

{{- define "llm-mux.redis.tls" -}}
{{- if and (not .Values.redis.enabled) (or .Values.externalRedis.tls (hasPrefix "rediss://" .Values.externalRedis.url)) }}true{{ else }}false{{ end }}
{{- end }}

{{/* Where LLM_MUX_REDIS_PASSWORD comes from: name and key of a Secret, or nothing (no password). */}}
{{- define "llm-mux.redis.passwordSecret" -}}
{{- if .Values.redis.enabled }}
{{- if .Values.redis.auth.enabled }}
{{- dict "name" (default (include "llm-mux.redis.fullname" .) .Values.redis.auth.existingSecret) "key" (default "redis-password" .Values.redis.auth.existingSecretPasswordKey) | toJson }}
{{- end }}
{{- else if .Values.externalRedis.existingSecret }}
{{- dict "name" .Values.externalRedis.existingSecret "key" (default "redis-password" .Values.externalRedis.existingSecretPasswordKey) | toJson }}
{{- else if or .Values.externalRedis.password .Values.secrets.existingSecret }}
{{- dict "name" (include "llm-mux.secretName" .) "key" "redis-password" "optional" (empty .Values.externalRedis.password) | toJson }}
{{- end }}
{{- end }}

{{/* Host names the gateway answers to: the Service's names, the Ingress hosts, and config.file.security.allowed-hosts. */}}
{{- define "llm-mux.allowedHosts" -}}
{{- $svc := include "llm-mux.fullname" . }}
{{- $hosts := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- if .host }}{{ $hosts = append $hosts .host }}{{ end }}
{{- end }}
{{- end }}
{{- $security := (get .Values.config.file "security") | default dict }}
{{- range (get $security "allowed-hosts") | default list }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- $hosts | uniq | toJson }}
{{- end }}

{{/* llm-mux.yaml: the chart's part, with config.file merged on top (except what the chart must own). */}}
{{- define "llm-mux.configFile" -}}
{{- $file := deepCopy (.Values.config.file | default dict) }}
{{- $security := deepCopy ((get $file "security") | default dict) }}
{{- $_ := set $security "allowed-hosts" (include "llm-mux.allowedHosts" . | fromJsonArray) }}
{{- $_ := set $file "security" $security }}
{{- $cluster := dict "redis" (include "llm-mux.redis.publicUrl" .) "namespace" .Values.cluster.namespace "tls" (eq (include "llm-mux.redis.tls" .) "true") }}
{{- if .Values.cluster.instanceName }}{{ $_ := set $cluster "instance-name" .Values.cluster.instanceName }}{{ end }}
{{- $base := dict "host" "0.0.0.0" "port" 8317 "auth-dir" "/data/auth" "cluster" $cluster }}
{{- range $k := list "api-keys" "host" "port" "auth-dir" "cluster" }}
{{- if hasKey $file $k }}{{ fail (printf "config.file.%s is set by the chart (%s)" $k (ternary "use secrets.apiKeys" "see values.yaml" (eq $k "api-keys"))) }}{{ end }}
{{- end }}
{{- if (get ((get $file "management") | default dict) "secret-key") }}{{ fail "config.file.management.secret-key: use secrets.managementKey (the file is mounted read-only)" }}{{ end }}
{{- toYaml (merge $file $base) }}
{{- end }}
