#!/usr/bin/env bash
# Fetches the Gateway API's experimental TLSRoute CRD, which the TLSRoute exposure tests of tests/kube
# install into their API server, from the sigs.k8s.io/gateway-api module through the Go module proxy
# (`go mod download`; nothing is committed), and copies it to
#
#   $REALMGATE_GATEWAY_API_DIR/gateway.networking.k8s.io_tlsroutes.yaml
#                                    (default: ~/.cache/realmgate/gateway-api/v$VERSION)
#
# Idempotent: when the file is there it only prints the directory.
#
# Usage: tests/kube/gateway-api.sh [--print-version]
set -euo pipefail

GATEWAY_API_VERSION=1.2.1
MODULE=sigs.k8s.io/gateway-api
CRD=gateway.networking.k8s.io_tlsroutes.yaml

if [ "${1:-}" = "--print-version" ]; then echo "$GATEWAY_API_VERSION"; exit 0; fi

dir=${REALMGATE_GATEWAY_API_DIR:-$HOME/.cache/realmgate/gateway-api/v$GATEWAY_API_VERSION}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
die() { echo "gateway-api: error: $*" >&2; exit 1; }

if [ -s "$dir/$CRD" ]; then echo "$dir"; exit 0; fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null 2>&1 || die "Go is needed to fetch $MODULE@v$GATEWAY_API_VERSION; 'go' is not on PATH"

mkdir -p "$dir"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# A module cache of its own, so the files it leaves read-only are removed with the stage.
export GOWORK=off GOFLAGS=-modcacherw GOMODCACHE="$stage/mod"
module_dir=$(cd "$stage" && go mod download -json "$MODULE@v$GATEWAY_API_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -n "$module_dir" ] || die "go mod download $MODULE@v$GATEWAY_API_VERSION named no directory"
source_file="$module_dir/config/crd/experimental/$CRD"
[ -s "$source_file" ] || die "$MODULE@v$GATEWAY_API_VERSION has no config/crd/experimental/$CRD"
cp "$source_file" "$dir/$CRD.tmp"
mv -f "$dir/$CRD.tmp" "$dir/$CRD"
echo "$dir"
