#!/usr/bin/env bash
# Fetches cert-manager's CRDs (deploy/crds of the github.com/cert-manager/cert-manager module, through the Go
# module proxy; nothing is committed) into the module cache the kube tests read (CertManagerCrds):
#
#   ~/.cache/realmgate/cert-manager/gomod/github.com/cert-manager/cert-manager@$VERSION/deploy/crds/
#
# Keep VERSION equal to CertManagerCrds.VERSION. Idempotent: when the Certificate CRD is there it only prints
# the directory. Under CI=true the tests do not download it themselves, so .ci/run calls this first.
set -euo pipefail

VERSION=v1.16.2
MODULE=github.com/cert-manager/cert-manager
cache=$HOME/.cache/realmgate/cert-manager/gomod
crds=$cache/$MODULE@$VERSION/deploy/crds
die() { echo "cert-manager-crds: error: $*" >&2; exit 1; }

if [ -s "$crds/crd-certificates.yaml" ]; then echo "$crds"; exit 0; fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null 2>&1 || die "Go is needed to fetch $MODULE@$VERSION; 'go' is not on PATH"

mkdir -p "$cache"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# Writable files in the cache (so it can be removed), no workspace of the caller's.
(cd "$stage" && GOWORK=off GOFLAGS="-mod=mod -modcacherw" GOMODCACHE="$cache" \
  go mod download -json "$MODULE@$VERSION" >/dev/null) || die "go mod download $MODULE@$VERSION failed"
[ -s "$crds/crd-certificates.yaml" ] || die "$MODULE@$VERSION has no deploy/crds/crd-certificates.yaml"
echo "$crds"
