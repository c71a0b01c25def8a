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
        # 0400 (decimal, so every YAML parser reads it alike); with fsGroup the kubelet makes it
        # 0440, group fsGroup: kseal accepts group-read on a Secret volume.
        defaultMode: 256
    - name: manifests
      {{- if .Values.manifests.volume }}
      {{- toYaml .Values.manifests.volume | nindent 6 }}
      {{- else }}
      configMap:
        name: {{ .Values.manifests.configMap }}
      {{- end }}
{{- end -}}
