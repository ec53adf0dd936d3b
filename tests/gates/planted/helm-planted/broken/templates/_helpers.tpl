{{/* planted: G138 helm-chart-conventions */}}
{{- define "fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* planted: G138 helm-chart-conventions */}}
{{- define "labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}  # planted: G127 recommended-labels, G141 recommended-labels-complete
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
