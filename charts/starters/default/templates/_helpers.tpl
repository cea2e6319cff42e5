{{/*
The chart's name (or .Values.nameOverride), cut to 63 characters: many
Kubernetes name fields are DNS labels, which cannot be longer.
*/}}
{{- define "[[ name ]].name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the release's objects: the release name, then the chart name unless
the release name already holds it. .Values.fullnameOverride replaces it whole.
*/}}
{{- define "[[ name ]].fullname" -}}
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
The value of the helm.sh/chart label: name-version ("+" is not allowed in labels).
*/}}
{{- define "[[ name ]].chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object of the release.
*/}}
{{- define "[[ name ]].labels" -}}
helm.sh/chart: {{ include "[[ name ]].chart" . }}
{{ include "[[ name ]].selectorLabels" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The labels that pick the release's pods. A Deployment's selector cannot change
after install, so keep these stable.
*/}}
{{- define "[[ name ]].selectorLabels" -}}
app.kubernetes.io/name: {{ include "[[ name ]].name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "[[ name ]].serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "[[ name ]].fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
