#!/usr/bin/env bash
# Fetches the Prometheus Operator's CRDs that the chart's monitoring objects are made of (ServiceMonitor,
# PodMonitor, PrometheusRule), for tests/kube's MonitoringChartTest: the module
# github.com/prometheus-operator/prometheus-operator, through the Go module proxy (`go mod download`), holds them
# in example/prometheus-operator-crd/. They are copied into the cache directory, never into the repository:
#
#   $REALMGATE_PROMETHEUS_OPERATOR_DIR/v<version>/monitoring.coreos.com_{servicemonitors,podmonitors,prometheusrules}.yaml
#
# Idempotent and quiet: when the files are there it only prints the directory.
#
# Usage: tests/kube/prometheus-operator-crds.sh [--print-version]
#   REALMGATE_PROMETHEUS_OPERATOR_DIR  cache directory (default: ~/.cache/realmgate/prometheus-operator); the test
#                                      reads the same
#   GOPROXY etc.                       Go's own settings are honoured (the module proxy is the only source used)
set -euo pipefail

VERSION=0.85.0
MODULE=github.com/prometheus-operator/prometheus-operator
KINDS="servicemonitors podmonitors prometheusrules"

if [ "${1:-}" = "--print-version" ]; then echo "$VERSION"; exit 0; fi

dir=${REALMGATE_PROMETHEUS_OPERATOR_DIR:-$HOME/.cache/realmgate/prometheus-operator}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
out="$dir/v$VERSION"
die() { echo "prometheus-operator-crds: error: $*" >&2; exit 1; }

complete() {
  local kind
  for kind in $KINDS; do
    [ -s "$out/monitoring.coreos.com_$kind.yaml" ] || return 1
  done
}
if complete; then echo "$out"; exit 0; fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null 2>&1 || die "Go is needed to fetch $MODULE from the Go module proxy; 'go' is not on PATH"

# A module cache of its own, removed afterwards (Go makes its files read-only).
stage=$(mktemp -d)
trap 'chmod -R u+w "$stage" 2>/dev/null; rm -rf "$stage"' EXIT
json=$(cd "$stage" && GOMODCACHE="$stage/mod" GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off \
  go mod download -json "$MODULE@v$VERSION" 2>"$stage/log") \
  || { cat "$stage/log" >&2; die "cannot fetch $MODULE@v$VERSION from the Go module proxy ($(go env GOPROXY))"; }
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")/example/prometheus-operator-crd
[ -d "$src" ] || die "$MODULE@v$VERSION has no example/prometheus-operator-crd/"

mkdir -p "$out"
for kind in $KINDS; do
  file="monitoring.coreos.com_$kind.yaml"
  [ -s "$src/$file" ] || die "$MODULE@v$VERSION lacks example/prometheus-operator-crd/$file"
  install -m 0644 "$src/$file" "$out/$file.tmp" && mv "$out/$file.tmp" "$out/$file"
done
echo "$out"
