{{/* The Pod of deploy/job.yaml and deploy/cronjob.yaml: non-root, read-only, the key Secret a
read-only 0400 volume (never environment variables); kseal reads every *.agekey in /keys. */}}
{{- define "kseal-apply.pod" -}}
spec:
  serviceAccountName: kseal-apply
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    fsGroup: 65532
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: apply
      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
      {{- with .Values.image.pullPolicy }}
      imagePullPolicy: {{ . }}
      {{- end }}
      args: ["apply", "-i", "/keys", "-n", {{ .Values.targetNamespace | quote }}, "/manifests"]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      volumeMounts:
        - name: keys
          mountPath: /keys
          readOnly: true
        - name: manifests
          mountPath: /manifests
          readOnly: true
  volumes:
    - name: keys
      secret:
        secretName: {{ .Values.keysSecret }}
        # Optional, as the manifests below: when it is missing the Pod starts and kseal says so
        # at once ("no *.agekey files"), instead of the Pod waiting in ContainerCreating until
        # the hook times out (5 minutes, then a failed install that names nothing).
        optional: true
        # 0400 (decimal, so every YAML parser reads it alike); with fsGroup the kubelet makes it
        # 0440, group fsGroup: kseal accepts group-read on a Secret volume.
        defaultMode: 256
    - name: manifests
      {{- if .Values.manifests.volume }}
      {{- toYaml .Values.manifests.volume | nindent 6 }}
      {{- else }}
      configMap:
        name: {{ .Values.manifests.configMap }}
        optional: true
      {{- end }}
{{- end -}}

{{/* Fails `helm install` at once, naming what is missing, when the cluster can be asked (`lookup`
answers nothing under `helm template`, Argo CD or a client dry run: then the Job itself fails in
seconds, naming the empty folder). The cluster answered when one of the two exists. */}}
{{- define "kseal-apply.check" -}}
{{- $keys := lookup "v1" "Secret" .Release.Namespace .Values.keysSecret -}}
{{- $cm := dict -}}
{{- if not .Values.manifests.volume -}}
{{- $cm = lookup "v1" "ConfigMap" .Release.Namespace .Values.manifests.configMap -}}
{{- end -}}
{{- if and $keys (not .Values.manifests.volume) (not $cm) -}}
{{- fail (printf "configmap %s/%s does not exist: kseal-apply applies the sealed manifests it holds (values: manifests.configMap). Make it first, e.g. `kubectl create configmap %s -n %s --from-file=DIR_OF_SEALED_MANIFESTS`, or mount another volume with manifests.volume" .Release.Namespace .Values.manifests.configMap .Values.manifests.configMap .Release.Namespace) -}}
{{- end -}}
{{- if and $cm (not $keys) -}}
{{- fail (printf "secret %s/%s does not exist: kseal-apply opens the manifests with its identities (values: keysSecret). `kseal cluster init` makes kseal/kseal-keys: install the chart in that namespace (-n kseal), or set keysSecret" .Release.Namespace .Values.keysSecret) -}}
{{- end -}}
{{- end -}}
