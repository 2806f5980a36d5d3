#!/usr/bin/env bash
# Provisions the real Kubernetes control plane that tests/kube runs against: kube-apiserver, etcd and
# kubectl, built from source with Go through the Go module proxy (no binary downloads), placed where
# Fabric8 kube-api-test looks for them in offline mode, and beside them kube-controller-manager, which
# the tests start themselves for its garbage collector and namespace controller:
#
#   $REALMGATE_KUBE_DIR/k8s/<k8s-version>-<goos>-<goarch>/{kube-apiserver,etcd,kubectl,kube-controller-manager}
#
# Idempotent and quiet: when the binaries are there and report the pinned versions, it only prints the
# directory. A cold run builds everything, a directory that lacks some binaries (or has stale ones)
# builds just those (see docs/testing-kube.md for time and memory); build output goes to
# $REALMGATE_KUBE_DIR/build.log and is shown only on failure.
#
# Usage: tests/kube/provision.sh [--print-version]
#   REALMGATE_KUBE_DIR  cache directory (default: ~/.cache/realmgate/kube-api-test); the tests read the same
#   GOPROXY etc.        Go's own settings are honoured (the module proxy is the only source used)
set -euo pipefail

# Pinned versions. etcd is the one Kubernetes' own go.mod requires (checked below).
K8S_VERSION=1.34.4
ETCD_VERSION=3.6.4

if [ "${1:-}" = "--print-version" ]; then echo "$K8S_VERSION"; exit 0; fi

dir=${REALMGATE_KUBE_DIR:-$HOME/.cache/realmgate/kube-api-test}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
say() { echo "provision: $*" >&2; }
die() { echo "provision: error: $*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go (1.24 or newer) is needed to build kube-apiserver and etcd; 'go' is not on PATH"
goos=$(go env GOOS); goarch=$(go env GOARCH)
bin="$dir/k8s/$K8S_VERSION-$goos-$goarch"

# What gets built: the Kubernetes commands (each built from k8s.io/kubernetes/cmd/<name>) and etcd
# (installed as etcd-server plus the etcd wrapper).
# The node's commands (kubelet, kube-scheduler, kube-proxy) are built here too, for tests/cluster: one
# go build of all six compiles the packages they share once (about 6 minutes cold on 2 cores).
K8S_COMMANDS="kube-apiserver kubectl kube-controller-manager kube-scheduler kubelet kube-proxy"

# Whether one of them is in a directory and reports its pinned version, so a partial or stale
# directory is rebuilt. With a third argument, says what is wrong.
current() {
  local d=$1 name=$2 why=${3:-} got file files=$2
  [ "$name" = etcd ] && files="etcd etcd-server"
  for file in $files; do
    [ -x "$d/$file" ] || { [ -z "$why" ] || say "$d/$file: missing"; return 1; }
  done
  case $name in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy)
      got=$("$d/$name" --version 2>&1 || true)
      [ "$got" = "Kubernetes v$K8S_VERSION" ] || { [ -z "$why" ] || say "$name --version: $got"; return 1; } ;;
    kubectl)
      got=$("$d/kubectl" version --client 2>&1 || true)
      grep -qx "Client Version: v$K8S_VERSION" <<<"$got" || { [ -z "$why" ] || say "kubectl version --client: $got"; return 1; } ;;
    etcd)
      got=$("$d/etcd" --version 2>&1 || true)
      grep -qx "etcd Version: $ETCD_VERSION" <<<"$got" || { [ -z "$why" ] || say "etcd --version: $got"; return 1; } ;;
  esac
}

# The names (of K8S_COMMANDS and etcd) a directory lacks or has in another version, space-separated.
to_build() {
  local d=$1 name out=""
  for name in $K8S_COMMANDS etcd; do
    current "$d" "$name" || out+="${out:+ }$name"
  done
  echo "$out"
}

need=$(to_build "$bin")
if [ -z "$need" ]; then echo "$dir"; exit 0; fi

mkdir -p "$dir"
# One build at a time per cache directory (a developer and CI may share it).
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
need=$(to_build "$bin")
if [ -z "$need" ]; then echo "$dir"; exit 0; fi
k8s_need=""
for name in $need; do [ "$name" = etcd ] || k8s_need+="${k8s_need:+ }$name"; done

gover=$(go env GOVERSION); gominor=${gover#go1.}; gominor=${gominor%%.*}
[ "${gominor:-0}" -ge 24 ] 2>/dev/null || die "Kubernetes v$K8S_VERSION needs Go 1.24 or newer, found $gover"

log="$dir/build.log"
: >"$log"
work="$dir/work"
stage="$dir/.stage-$$"
rm -rf "$stage"; mkdir -p "$work" "$stage"
trap 'rm -rf "$stage"' EXIT

# Only the local toolchain, only modules from the proxy; Go's build cache is kept inside the cache
# directory and dropped after a successful build (it is several GiB for Kubernetes).
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
export GOCACHE="$work/go-build"

run() { # run CMD... with output to the log; on failure show its tail
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "failed: $* (full output: $log)"
  fi
}

started=$(date +%s)
what=${k8s_need:+${k8s_need// /, } v$K8S_VERSION}
case " $need " in *" etcd "*) what+="${what:+ and }etcd v$ETCD_VERSION" ;; esac
say "building $what from source into $bin (cold build, takes a while; log: $log)"

# --- Kubernetes: a throwaway module that requires k8s.io/kubernetes and maps each staging module
# (required as v0.0.0 and replaced by ./staging/... in Kubernetes' own go.mod) to its published v0.Y.Z.
# Its go.mod is fetched for every build, also one of etcd alone, for the etcd version check.
k8s_mod_dir="$work/k8s-$K8S_VERSION"
mkdir -p "$k8s_mod_dir"
k8s_json=$(cd "$k8s_mod_dir" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" 2>>"$log") || true
k8s_gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$k8s_json")
k8s_info=$(sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p' <<<"$k8s_json")
[ -n "$k8s_gomod" ] && [ -r "$k8s_gomod" ] || { tail -n 20 "$log" >&2; die "cannot fetch k8s.io/kubernetes@v$K8S_VERSION from the Go module proxy ($(go env GOPROXY))"; }

grep -q "go.etcd.io/etcd/server/v3 v$ETCD_VERSION\b" "$k8s_gomod" \
  || die "Kubernetes v$K8S_VERSION does not require etcd v$ETCD_VERSION; update ETCD_VERSION in $0"

# The commands asked for are built by one go build, so the packages they share are compiled once.
build_kubernetes() {
  staging_version="v0.${K8S_VERSION#1.}"
  {
    echo "// Generated by tests/kube/provision.sh: builds Kubernetes v$K8S_VERSION binaries from the module proxy."
    echo "module realmgate.test/kube-build"
    echo
    grep -E '^(go|godebug) ' "$k8s_gomod"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#\1#p' "$k8s_gomod" | sort -u \
      | while read -r m; do echo "	$m => $m $staging_version"; done
    echo ")"
  } >"$k8s_mod_dir/go.mod"
  grep -q ' => k8s.io/api ' "$k8s_mod_dir/go.mod" || die "no staging modules found in $k8s_gomod"

  # Version stamping as Kubernetes' hack/lib/version.sh does it (kubectl and the API server's /version);
  # the build date is the release's, from the module proxy, so the binaries do not depend on when they were built.
  build_date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$k8s_info" 2>/dev/null || true)
  ldflags="-s -w"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=${K8S_VERSION%%.*}"
    ldflags+=" -X $pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
    ldflags+=" -X $pkg.buildDate=${build_date:-1970-01-01T00:00:00Z}"
  done
  # Build tags as Kubernetes' release build uses them.
  k8s_packages=()
  for name in $k8s_need; do k8s_packages+=("k8s.io/kubernetes/cmd/$name"); done
  (cd "$k8s_mod_dir" && run go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldflags" \
    -o "$stage/" "${k8s_packages[@]}")
}

# --- etcd: its server module's main package, with the dependency versions of etcd's own go.mod.
build_etcd() {
  etcd_mod_dir="$work/etcd-$ETCD_VERSION"
  mkdir -p "$etcd_mod_dir"
  cat >"$etcd_mod_dir/go.mod" <<GOMOD
// Generated by tests/kube/provision.sh: builds etcd v$ETCD_VERSION from the module proxy.
module realmgate.test/etcd-build

go 1.23.0

require go.etcd.io/etcd/server/v3 v$ETCD_VERSION
GOMOD
  (cd "$etcd_mod_dir" && run go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION" \
    -o "$stage/etcd-server" go.etcd.io/etcd/server/v3)

  # kube-api-test 7.5.2 starts etcd with --listen-client-urls http://0.0.0.0:PORT, which would put an
  # unauthenticated etcd on every interface; this wrapper keeps it on loopback (exec: same process).
  cat >"$stage/etcd" <<'WRAPPER'
#!/bin/sh
# Written by tests/kube/provision.sh: runs etcd-server beside it with 0.0.0.0 listen URLs moved to 127.0.0.1.
for arg do
  shift
  case $arg in *0.0.0.0*) arg=$(printf '%s\n' "$arg" | sed 's/0\.0\.0\.0/127.0.0.1/g') ;; esac
  set -- "$@" "$arg"
done
exec "$(dirname "$0")/etcd-server" "$@"
WRAPPER
  chmod +x "$stage/etcd"
}

if [ -n "$k8s_need" ]; then build_kubernetes; fi
case " $need " in *" etcd "*) build_etcd ;; esac

for name in $need; do
  current "$stage" "$name" why || die "the built binaries do not report v$K8S_VERSION / etcd $ETCD_VERSION (see $log)"
done
# Into place file by file (a rename each), so the binaries that were current stay as they are.
mkdir -p "$bin"
for file in "$stage"/*; do mv -f "$file" "$bin/"; done
rm -rf "$GOCACHE"
say "done in $(( $(date +%s) - started ))s"
echo "$dir"
