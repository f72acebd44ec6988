{{/* The release's base name, at most 63 characters. */}}
{{- define "mlops-lab.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "mlops-lab.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "mlops-lab.selectorLabels" . }}
{{- end -}}

{{/* What the Service selects; learner NetworkPolicies admit pods with app.kubernetes.io/name=mlops-lab (the grader). */}}
{{- define "mlops-lab.selectorLabels" -}}
app.kubernetes.io/name: mlops-lab
app.kubernetes.io/instance: {{ .Release.Name | quote }}
{{- end -}}

{{/* Refuses values the server cannot run with, with what to do instead. */}}
{{- define "mlops-lab.validate" -}}
{{- if not (has .Values.store.kind (list "file" "database")) -}}
{{- fail (printf "store.kind is %q; use \"file\" (one replica, a PVC)." .Values.store.kind) -}}
{{- end -}}
{{- if eq .Values.store.kind "database" -}}
{{- fail "store.kind=database: the lab server has no database store yet (see cluster/README.md, \"Several replicas\"); use store.kind=file and replicaCount=1." -}}
{{- end -}}
{{- if and (eq .Values.store.kind "file") (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount is %d, but store.kind=file keeps the store on one ReadWriteOnce volume: use replicaCount=1 (see cluster/README.md, \"Several replicas\")." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if not (has .Values.terminalBackend (list "cluster" "local")) -}}
{{- fail (printf "terminalBackend is %q; use \"cluster\" or \"local\"." .Values.terminalBackend) -}}
{{- end -}}
{{- end -}}
