{{/* Chart name, truncated to the 63 characters that label values allow. */}}
{{- define "altimeter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, plus the chart name unless already in it. */}}
{{- define "altimeter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "altimeter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels shared by every object. */}}
{{- define "altimeter.labels" -}}
helm.sh/chart: {{ include "altimeter.chart" . }}
{{ include "altimeter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: altimeter
{{- end }}

{{- define "altimeter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "altimeter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "altimeter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "altimeter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "altimeter.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Contents of one of Ceilometer's files: the value when set, else the chart's copy. */}}
{{- define "altimeter.file" -}}
{{- $root := index . 0 }}{{- $key := index . 1 }}{{- $file := index . 2 }}
{{- $v := index $root.Values.config.files $key }}
{{- if $v }}{{ $v }}{{ else }}{{ $root.Files.Get (printf "files/%s" $file) }}{{ end }}
{{- end }}

{{/*
Pod template of one role group. Arguments: (dict "root" $ "component" "api" "values" .Values.api)
*/}}
{{- define "altimeter.podTemplate" -}}
{{- $root := .root }}
{{- $v := .values }}
{{- if eq (int $root.Values.service.port) (int $root.Values.service.managementPort) }}
{{- fail "service.managementPort must differ from service.port: the actuator (tenant data) must not be served on the API port" }}
{{- end }}
metadata:
  labels:
    {{- include "altimeter.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with $root.Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if $root.Values.monitoring.podAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $root.Values.service.managementPort | quote }}
    prometheus.io/path: /actuator/prometheus
    {{- end }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "altimeter.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: altimeter
      image: {{ include "altimeter.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args:
        - --server.port={{ $root.Values.service.port }}
        - --management.server.port={{ $root.Values.service.managementPort }}
      ports:
        - name: http
          containerPort: {{ $root.Values.service.port }}
          protocol: TCP
        - name: management
          containerPort: {{ $root.Values.service.managementPort }}
          protocol: TCP
      env:
        - name: ALTIMETER_ROLES
          value: {{ join "," $v.roles | quote }}
        - name: ALTIMETER_DATA_DIR
          value: /tmp/altimeter-data
        - name: ALTIMETER_API_AUTH
          value: {{ $root.Values.config.apiAuth | quote }}
        - name: ALTIMETER_PIPELINE_FILE
          value: /etc/altimeter/config/pipeline.yaml
        - name: ALTIMETER_EVENTPIPELINE_FILE
          value: /etc/altimeter/config/event_pipeline.yaml
        - name: ALTIMETER_POLLING_FILE
          value: /etc/altimeter/config/polling.yaml
        - name: ALTIMETER_EVENTDEFINITIONS_FILE
          value: /etc/altimeter/config/event_definitions.yaml
        - name: ALTIMETER_METERS_DIRS
          value: /etc/altimeter/meters.d
        - name: SPRING_R2DBC_URL
          value: {{ $root.Values.database.url | quote }}
        - name: SPRING_R2DBC_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ $root.Values.database.existingSecret }}
              key: {{ $root.Values.database.usernameKey }}
        - name: SPRING_R2DBC_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ $root.Values.database.existingSecret }}
              key: {{ $root.Values.database.passwordKey }}
        {{- if has "notification" $v.roles }}
        - name: SPRING_RABBITMQ_HOST
          value: {{ $root.Values.rabbitmq.host | quote }}
        - name: SPRING_RABBITMQ_PORT
          value: {{ $root.Values.rabbitmq.port | quote }}
        - name: SPRING_RABBITMQ_VIRTUALHOST
          value: {{ $root.Values.rabbitmq.virtualHost | quote }}
        - name: SPRING_RABBITMQ_USERNAME
          valueFrom:
            secretKeyRef:
              name: {{ $root.Values.rabbitmq.existingSecret }}
              key: {{ $root.Values.rabbitmq.usernameKey }}
        - name: SPRING_RABBITMQ_PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ $root.Values.rabbitmq.existingSecret }}
              key: {{ $root.Values.rabbitmq.passwordKey }}
        {{- end }}
        {{- with $root.Values.config.telemetrySecret.existingSecret }}
        - name: ALTIMETER_TELEMETRYSECRET
          valueFrom:
            secretKeyRef:
              name: {{ . }}
              key: {{ $root.Values.config.telemetrySecret.key }}
        {{- end }}
        {{- with $root.Values.jvm.extraOptions }}
        - name: JAVA_TOOL_OPTIONS
          value: {{ . | quote }}
        {{- end }}
        {{- with $root.Values.config.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        httpGet:
          path: /actuator/health/liveness
          port: management
        initialDelaySeconds: {{ $root.Values.probes.startup.initialDelaySeconds }}
        periodSeconds: {{ $root.Values.probes.startup.periodSeconds }}
        failureThreshold: {{ $root.Values.probes.startup.failureThreshold }}
      livenessProbe:
        httpGet:
          path: /actuator/health/liveness
          port: management
        periodSeconds: {{ $root.Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: /actuator/health/readiness
          port: management
        periodSeconds: {{ $root.Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ $root.Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ $root.Values.probes.readiness.failureThreshold }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: config
          mountPath: /etc/altimeter/config
          readOnly: true
        - name: meters
          mountPath: /etc/altimeter/meters.d
          readOnly: true
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $root.Values.tmpVolume.sizeLimit }}
    - name: config
      configMap:
        name: {{ include "altimeter.fullname" $root }}-config
        items:
          - key: pipeline.yaml
            path: pipeline.yaml
          - key: event_pipeline.yaml
            path: event_pipeline.yaml
          - key: polling.yaml
            path: polling.yaml
          - key: event_definitions.yaml
            path: event_definitions.yaml
    - name: meters
      configMap:
        name: {{ include "altimeter.fullname" $root }}-config
        items:
          - key: meters.yaml
            path: meters.yaml
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
