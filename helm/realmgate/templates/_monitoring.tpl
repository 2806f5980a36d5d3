{{/* Labels of the monitoring objects: the chart's, plus monitoring.labels (what a Prometheus selects them by). */}}
{{- define "realmgate.monitoringLabels" -}}
{{ include "realmgate.labels" . }}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The alert rules, as the `groups` of a PrometheusRule (and of a Prometheus rule file: tests/kube runs promtool on
them). Thresholds come from monitoring.prometheusRule. The realm and proxy series carry the PodMonitor's
`resource` (the Realm's or ForwardProxy's name) and `component` labels; every series carries `namespace`.
*/}}
{{- define "realmgate.alertGroups" -}}
{{- $rule := .Values.monitoring.prometheusRule -}}
groups:
  - name: realmgate
    rules:
      - alert: RealmgateCaExpiringSoon
        # The operator's CA signs every certificate it issues; it is not renewed by the operator.
        expr: min by (namespace) (realmgate_ca_expiry_timestamp_seconds) - time() < {{ $rule.caExpiryDays }} * 86400
        for: 1h
        labels:
          severity: warning
        annotations:
          summary: >-
            The Realmgate operator's CA expires in less than {{ $rule.caExpiryDays }} days
          description: >-
            {{`The operator's CA (namespace {{ $labels.namespace }}) expires in {{ $value | humanizeDuration }}; every certificate it issued stops verifying then. Replace the CA Secret (docs/operator.md).`}}
      - alert: RealmgateCertificateExpiringSoon
        # The operator renews what it issues long before this; a certificate this close to its end was not renewed.
        expr: >-
          min by (namespace, resource, component) (realmgate_realm_certificate_expiry_timestamp_seconds
          or realmgate_proxy_certificate_expiry_timestamp_seconds) - time() < {{ $rule.certificateExpiryDays }} * 86400
        for: 1h
        labels:
          severity: critical
        annotations:
          summary: >-
            A Realmgate {{`{{ $labels.component }}`}} serves a certificate that expires in less than {{ $rule.certificateExpiryDays }} days
          description: >-
            {{`The certificate served by {{ $labels.component }} {{ $labels.namespace }}/{{ $labels.resource }} expires in {{ $value | humanizeDuration }}: it was not renewed (is its TLS Secret still written by the operator or cert-manager?).`}}
      - alert: RealmgateProxyRefusalsSpiking
        expr: >-
          sum by (namespace, resource, reason) (rate(realmgate_proxy_refusals_total{reason!~"unresolvable|upstream_refused|upstream_timeout"}[5m]))
          > {{ $rule.proxyRefusalsPerSecond }}
        for: {{ $rule.spikeFor }}
        labels:
          severity: warning
        annotations:
          summary: >-
            A Realmgate proxy refuses more than {{ $rule.proxyRefusalsPerSecond }} requests a second
          description: >-
            {{`ForwardProxy {{ $labels.namespace }}/{{ $labels.resource }} refuses {{ $value | printf "%.2f" }} requests/s for {{ $labels.reason }}: a client misconfigured, or probing what it may reach.`}}
      - alert: RealmgateProxyUpstreamFailuresSpiking
        expr: >-
          sum by (namespace, resource, reason) (rate(realmgate_proxy_refusals_total{reason=~"unresolvable|upstream_refused|upstream_timeout"}[5m]))
          > {{ $rule.proxyUpstreamFailuresPerSecond }}
        for: {{ $rule.spikeFor }}
        labels:
          severity: warning
        annotations:
          summary: >-
            A Realmgate proxy fails to reach its upstreams more than {{ $rule.proxyUpstreamFailuresPerSecond }} times a second
          description: >-
            {{`ForwardProxy {{ $labels.namespace }}/{{ $labels.resource }} answers {{ $value | printf "%.2f" }} requests/s with 502/504 ({{ $labels.reason }}): a target is down, unreachable or not resolvable.`}}
      - alert: RealmgateRealmSlowConsumerCloses
        expr: >-
          sum by (namespace, resource) (rate(realmgate_realm_slow_consumer_drops_total[5m]))
          > {{ $rule.realmSlowConsumerClosesPerSecond }}
        for: {{ $rule.spikeFor }}
        labels:
          severity: warning
        annotations:
          summary: >-
            A Realmgate realm closes slow consumers more than {{ $rule.realmSlowConsumerClosesPerSecond }} times a second
          description: >-
            {{`Realm {{ $labels.namespace }}/{{ $labels.resource }} closes {{ $value | printf "%.2f" }} connections/s whose outbound queue overflowed: clients cannot keep up with what their channels publish.`}}
      - alert: RealmgateOperatorReconcileErrors
        # JOSDK retries a failed reconciliation a few times with back-off and then waits for the next event: a count
        # over a window, not a rate held for a while, sees a resource that keeps failing.
        expr: >-
          sum by (namespace, kind) (increase(operator_sdk_reconciliations_failed_total[{{ $rule.reconcileErrorsWindow }}]))
          >= {{ $rule.reconcileErrors }}
        labels:
          severity: warning
        annotations:
          summary: >-
            The Realmgate operator failed {{ $rule.reconcileErrors }} or more reconciliations in {{ $rule.reconcileErrorsWindow }}
          description: >-
            {{`The operator in {{ $labels.namespace }} failed {{ $value | printf "%.0f" }} {{ $labels.kind }} reconciliations in the last`}} {{ $rule.reconcileErrorsWindow }}; the resources' Ready conditions and Warning Events say why.
{{- end -}}
