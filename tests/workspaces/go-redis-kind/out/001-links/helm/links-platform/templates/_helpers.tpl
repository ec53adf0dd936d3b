{{/*
Named templates of the links-platform chart. This is the only template that names the chart: the
resource templates call these through (printf "%s.<name>" .Chart.Name), so they are the same
files in every chart sp generates. Workload objects are named after their component, as in
the raw manifests (k8s/), so the two deployments describe the same objects.
*/}}

{{/*
The chart name, or nameOverride: the app.kubernetes.io/part-of label.
*/}}
{{- define "links-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release-based prefix of the test hooks: the release name when it contains the chart
name, else <release>-<chart>; fullnameOverride replaces it.
*/}}
{{- define "links-platform.fullname" -}}
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

{{/*
The helm.sh/chart label: <chart>-<version>.
*/}}
{{- define "links-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A label value from any string: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends
(an image tag may hold "+", which labels may not).
*/}}
{{- define "links-platform.labelValue" -}}
{{- regexReplaceAll "[^A-Za-z0-9._-]" (toString .) "_" | trunc 63 | trimAll "._-" }}
{{- end }}

{{/*
The labels a workload is selected by; they never change for the life of the workload.
Argument: (dict "root" $ "name" <workload>).
*/}}
{{- define "links-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "links-platform.labelValue" .name | quote }}
app.kubernetes.io/instance: {{ include "links-platform.labelValue" .root.Release.Name | quote }}
{{- end }}

{{/*
The recommended labels. Argument: (dict "root" $ "name" <workload> "component" <role>
"version" <image tag>); without "name", the labels of the objects that belong to the whole
application (the namespace-wide NetworkPolicies).
*/}}
{{- define "links-platform.labels" -}}
helm.sh/chart: {{ include "links-platform.chart" .root | quote }}
{{- if .name }}
{{ include "links-platform.selectorLabels" . }}
app.kubernetes.io/version: {{ include "links-platform.labelValue" .version | quote }}
app.kubernetes.io/component: {{ .component | quote }}
{{- end }}
app.kubernetes.io/part-of: {{ include "links-platform.name" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
{{- end }}

{{/*
The ServiceAccount of a workload: its own (named after it) when serviceAccount.create,
else the named one or "default". Argument: (dict "name" <workload> "serviceAccount" <values>).
*/}}
{{- define "links-platform.serviceAccountName" -}}
{{- if .serviceAccount.create }}
{{- default .name .serviceAccount.name }}
{{- else }}
{{- default "default" .serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The tag an image runs: its own, or the chart's appVersion. Argument: the image values and
the root, (dict "root" $ "image" <values>).
*/}}
{{- define "links-platform.imageTag" -}}
{{- .image.tag | default .root.Chart.AppVersion }}
{{- end }}

{{/*
An image reference. Argument: (dict "root" $ "image" <values> "registry" <prefix or "">).
*/}}
{{- define "links-platform.image" -}}
{{- with .registry }}{{ trimSuffix "/" . }}/{{ end }}{{ .image.repository }}:{{ include "links-platform.imageTag" . }}{{ with .image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The pod's security context: a numeric non-root user, the runtime's seccomp profile, and
the volumes' group. Argument: the workload values (runAsUser, runAsGroup).
*/}}
{{- define "links-platform.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .runAsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The container's security context, repeating the pod's user so it reads safe on its own:
read-only root, no capabilities, no privilege escalation. Argument: the workload values.
*/}}
{{- define "links-platform.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The keys read as files from each Secret, as YAML: {<secret>: [<key>, …]}, both sorted. Argument: the
secrets values ({<VARIABLE>: {secretName, key}}).
*/}}
{{- define "links-platform.secretKeys" -}}
{{- $by := dict }}
{{- range $env, $s := . }}
{{- if $s.asFile }}
{{- $keys := get $by $s.secretName | default list }}
{{- $_ := set $by $s.secretName (append $keys $s.key | uniq | sortAlpha) }}
{{- end }}
{{- end }}
{{- toYaml $by }}
{{- end }}

{{/*
The volume a Secret is mounted from: "secret-" and the Secret's name as a DNS label.
*/}}
{{- define "links-platform.secretVolumeName" -}}
{{- printf "secret-%s" (regexReplaceAll "[^a-z0-9]+" (lower .) "-" | trimAll "-") | trunc 58 | trimSuffix "-" }}
{{- end }}

{{/*
The variables of the secrets, as YAML: a secret read as a file gives <VARIABLE>_FILE: <file>;
any other gives <VARIABLE>: {secretName, key}, read from the Secret by secretKeyRef. Argument:
the secrets values.
*/}}
{{- define "links-platform.secretEnv" -}}
{{- $env := dict }}
{{- range $name, $s := . }}
{{- if $s.asFile }}
{{- $_ := set $env (printf "%s_FILE" $name) (printf "/var/run/secrets/%s/%s" $s.secretName $s.key) }}
{{- else }}
{{- $_ := set $env $name (dict "secretName" $s.secretName "key" $s.key "optional" ($s.optional | default false)) }}
{{- end }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/*
An env list from a map, sorted by name. Argument: {name: value}, where a value is a string or
{secretName, key, optional} for a secretKeyRef.
*/}}
{{- define "links-platform.env" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
{{- if kindIs "map" $value }}
  valueFrom:
    secretKeyRef:
      name: {{ $value.secretName }}
      key: {{ $value.key }}
{{- if $value.optional }}
      optional: true
{{- end }}
{{- else }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The volume mounts of the writable folders (by volume name) and of the Secrets (one read-only
folder per Secret). Argument: (dict "writableDirs" <values> "secrets" <values>).
*/}}
{{- define "links-platform.volumeMounts" -}}
{{- range $volume, $dir := .writableDirs }}
- name: {{ $volume }}
  mountPath: {{ $dir.mountPath }}
{{- end }}
{{- range $secret, $keys := include "links-platform.secretKeys" .secrets | fromYaml }}
- name: {{ include "links-platform.secretVolumeName" $secret }}
  mountPath: /var/run/secrets/{{ $secret }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
The volumes behind links-platform.volumeMounts: emptyDir folders, and each Secret with only the
keys read, group-readable (0440). Same argument.
*/}}
{{- define "links-platform.volumes" -}}
{{- range $volume, $dir := .writableDirs }}
- name: {{ $volume }}
  {{- if $dir.medium }}
  emptyDir:
    medium: {{ $dir.medium }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- range $secret, $keys := include "links-platform.secretKeys" .secrets | fromYaml }}
- name: {{ include "links-platform.secretVolumeName" $secret }}
  secret:
    secretName: {{ $secret }}
    defaultMode: 288
    items:
      {{- range $keys }}
      - key: {{ . }}
        path: {{ . }}
      {{- end }}
{{- end }}
{{- end }}

{{/*
The NetworkPolicy of a workload. Argument: (dict "root" $ "name" <workload> "labels" <labels>
"port" <port or nil> "public" <bool> "policy" <networkPolicy values>). Ingress on the port
from the callers, or from anywhere when exposed; egress to the named workloads of the
release, and to public addresses on the listed ports.
*/}}
{{- define "links-platform.workloadPolicy" -}}
{{- $root := .root }}
{{- $port := .port }}
{{- $policy := .policy }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- .labels | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "links-platform.selectorLabels" (dict "root" $root "name" .name) | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  {{- if and $port (or .public $policy.ingressFrom) }}
  ingress:
    {{- if .public }}
    - ports:
        - port: {{ $port }}
          protocol: TCP
    {{- else }}
    - from:
        {{- range $policy.ingressFrom }}
        - podSelector:
            matchLabels:
              {{- include "links-platform.selectorLabels" (dict "root" $root "name" .) | nindent 14 }}
        {{- end }}
      ports:
        - port: {{ $port }}
          protocol: TCP
    {{- end }}
  {{- end }}
  {{- if or $policy.egressTo $policy.egressPublic }}
  egress:
    {{- range $target, $targetPort := $policy.egressTo }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "links-platform.selectorLabels" (dict "root" $root "name" $target) | nindent 14 }}
      ports:
        - port: {{ $targetPort }}
          protocol: TCP
    {{- end }}
    {{- range $publicPort := $policy.egressPublic }}
    - to:
        {{- range $cidr, $except := $root.Values.networkPolicy.publicCidrs }}
        - ipBlock:
            cidr: {{ $cidr | quote }}
            except:
              {{- toYaml $except | nindent 14 }}
        {{- end }}
      ports:
        - port: {{ $publicPort }}
          protocol: TCP
    {{- end }}
  {{- end }}
{{- end }}
