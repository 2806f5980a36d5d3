{{/*
The release's base name: the release name when it already says "realmgate", else "<release>-realmgate",
cut to 32 characters so that the longest name built from it ("<fullname>-operator-lease-and-ca") stays
within 63 characters, the limit of a name that may end up in a label value.
*/}}
{{- define "realmgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 32 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 32 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of the operator's Deployment, ServiceAccount (unless given) and RBAC objects. */}}
{{- define "realmgate.operatorName" -}}
{{- printf "%s-operator" (include "realmgate.fullname" .) -}}
{{- end -}}

{{- define "realmgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "realmgate.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the operator's pods; never change them in an upgrade (Deployment selectors are immutable). */}}
{{- define "realmgate.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/*
Labels of the operator's pods: no chart version or manager, so that a chart upgrade that changes nothing in the
pod does not restart it.
*/}}
{{- define "realmgate.podLabels" -}}
{{ include "realmgate.selectorLabels" . }}
app.kubernetes.io/part-of: realmgate
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Labels on every object the chart creates. */}}
{{- define "realmgate.labels" -}}
{{ include "realmgate.podLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An image reference from {repository, tag, digest}: the digest wins, the tag defaults to appVersion. */}}
{{- define "realmgate.image" -}}
{{- $image := index . 0 -}}
{{- $root := index . 1 -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
A matchLabels map as the operator's selector flags take it: k=v pairs joined by commas, in key order (Helm ranges
over a map's keys sorted). An empty map gives an empty string.
*/}}
{{- define "realmgate.selectorFlag" -}}
{{- $pairs := list -}}
{{- range $key, $value := . -}}
{{- $pairs = append $pairs (printf "%s=%s" $key $value) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* The names of imagePullSecrets ([{name: a}, {name: b}]) joined by commas: "a,b". */}}
{{- define "realmgate.pullSecretNames" -}}
{{- $names := list -}}
{{- range . -}}
{{- $names = append $names .name -}}
{{- end -}}
{{- join "," $names -}}
{{- end -}}

{{/*
The ClusterRole with the Secret verbs the operator needs in a namespace (all-namespaces mode). It grants nothing by
itself: a namespace lets the operator use its Secrets with a RoleBinding of it to the operator's ServiceAccount.
*/}}
{{- define "realmgate.secretsRoleName" -}}
{{- printf "%s-secrets" (include "realmgate.fullname" .) -}}
{{- end -}}

{{/*
What the operator may do in a namespace it watches: the rules of the ClusterRole (all namespaces) or of
the Role in each listed namespace. Nothing else; no wildcards. The argument says whether Secrets are among them:
in each listed namespace they are; with the ClusterRole they are not (each namespace grants them on its own,
"realmgate.secretsRoleName").
*/}}
{{- define "realmgate.watchRules" -}}
# Read the custom resources it reconciles. JOSDK lists and watches them (informers); the ForwardProxy
# reconciler also watches Realms to resolve "realm:" targets and re-render proxies when a realm changes.
- apiGroups: ["realmgate.io"]
  resources: ["realms", "forwardproxies"]
  verbs: ["get", "list", "watch"]
# Write their status (Ready, CertificateReady, endpoints, targets); nothing else of a custom resource is
# ever written, so spec and metadata stay the user's.
- apiGroups: ["realmgate.io"]
  resources: ["realms/status", "forwardproxies/status"]
  verbs: ["patch", "update"]
# Children carry an owner reference to their Realm or ForwardProxy with blockOwnerDeletion (a foreground
# deletion waits for them). Where the OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift,
# hardened clusters), setting that takes "update" on the owner's finalizers; the operator adds no finalizer.
- apiGroups: ["realmgate.io"]
  resources: ["realms/finalizers", "forwardproxies/finalizers"]
  verbs: ["update"]
{{- if .secrets }}
# The children of each resource: ConfigMaps (proxy config, CA bundle for clients and its copies in client namespaces), Secrets (issued TLS
# certificates; read: user-supplied TLS and Basic-auth Secrets a resource references) and Services.
# Server-side apply creates and patches; delete removes a child the spec no longer asks for (e.g. the TLS
# Secret when a proxy's TLS is turned off); list/watch feed the caches that detect drift and deletion.
- apiGroups: [""]
  resources: ["configmaps", "secrets", "services"]
  verbs: ["create", "get", "list", "watch", "patch", "update", "delete"]
{{- else }}
# The children of each resource: ConfigMaps (proxy config, CA bundle for clients and its copies in client namespaces) and Services. Server-side
# apply creates and patches; delete removes a child the spec no longer asks for; list/watch feed the caches
# that detect drift and deletion. No Secrets: a namespace grants those with a RoleBinding of the ClusterRole
# {{ .secretsRole }}.
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["create", "get", "list", "watch", "patch", "update", "delete"]
{{- end }}
# The realm and proxy Deployments, same reasons.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["create", "get", "list", "watch", "patch", "update", "delete"]
# The NetworkPolicies that admit only declared clients (and limit a proxy's egress to its targets).
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["create", "get", "list", "watch", "patch", "update", "delete"]
# The PodDisruptionBudget of a proxy, or of a redis realm, with more than one replica (deleted when it drops to one), same reasons.
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["create", "get", "list", "watch", "patch", "update", "delete"]
# The TLSRoute of a Realm exposed through a Gateway (spec.expose type TLSRoute): server-side apply creates
# and patches it, delete removes it when the Realm stops asking; never listed or watched, since the Gateway
# API may not be installed (the operator asks discovery first).
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["tlsroutes"]
  verbs: ["create", "get", "patch", "delete"]
# The cert-manager Certificate of a Realm with spec.tls.issuerRef: read to compare, created and patched by
# server-side apply; it goes with its Realm by garbage collection (owner reference), so no delete, and no
# list/watch (the kind may not exist; the operator keeps no informer on it).
- apiGroups: ["cert-manager.io"]
  resources: ["certificates"]
  verbs: ["get", "create", "patch"]
# Warning Events on a Realm or ForwardProxy when it fails (kubectl describe shows them); both Event APIs,
# since client libraries record through either. Events are never read, so no get/list/watch.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# The same in the events.k8s.io API.
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
