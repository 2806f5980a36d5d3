#!/usr/bin/env bash
# Provisions everything the test cluster needs that is not already there, offline except for Debian's
# packages and the Go module proxy, and caches it under ~/.cache/realmgate/cluster:
#
#   Debian:       containerd, runc, the CNI plugins, iptables, ipset, conntrack, umoci, skopeo, busybox-static
#   Kubernetes:   kubelet, kube-scheduler, kube-proxy (with the control plane) from tests/kube/provision.sh
#   Go builds:    kube-router (NetworkPolicy enforcement only), CoreDNS (cluster DNS), metrics-server (the
#                 resource metrics API a HorizontalPodAutoscaler reads), the pod sandbox's pause
#   images:       localhost/pause, localhost/coredns, localhost/metrics-server, localhost/busybox, localhost/node-ws, redis:7.0 (Debian's
#                 redis-server under the name examples/realm-redis.yaml uses), and the Java runtime base the project's
#                 images are built on (bin/base-image.sh), as docker-archive tarballs in images/
#
# Idempotent and quiet: what is there in the pinned version is left alone, so a warm run takes a second or
# two. Build output goes to $CLUSTER_CACHE/build.log and is shown only on failure.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

log=$CLUSTER_CACHE/build.log
mkdir -p "$BIN" "$IMAGES"
exec 9>"$CLUSTER_CACHE/.lock"
command -v flock >/dev/null 2>&1 && flock 9

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run() { # CMD... with its output in the log; on failure, the log's tail
  if ! "$@" >>"$log" 2>&1; then tail -n 40 "$log" >&2; die "failed: $* (full output: $log)"; fi
}

# --- Debian packages
missing=()
for pair in containerd:/usr/bin/containerd runc:/usr/sbin/runc containernetworking-plugins:/usr/lib/cni/bridge \
  iptables:/usr/sbin/iptables ipset:/usr/sbin/ipset conntrack:/usr/sbin/conntrack umoci:/usr/bin/umoci \
  skopeo:/usr/bin/skopeo busybox-static:/bin/busybox openssl:/usr/bin/openssl iproute2:/usr/sbin/ip \
  util-linux:/usr/bin/flock; do
  [ -x "${pair#*:}" ] || missing+=("${pair%%:*}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "apt-get install ${missing[*]} failed"; }
  # Debian's containerd package may start a system containerd; the node runs its own.
  if pgrep -x containerd >/dev/null && [ -S /run/containerd/containerd.sock ]; then
    as_root systemctl stop containerd 2>/dev/null || as_root pkill -x containerd || true
  fi
fi

# --- Kubernetes (one build with the API server of tests/kube)
"$REPO/tests/kube/provision.sh" >/dev/null
kbin=$(k8s_bin)
for name in kubelet kube-scheduler kube-proxy kube-apiserver kube-controller-manager kubectl etcd; do
  [ -x "$kbin/$name" ] || die "$kbin/$name missing after tests/kube/provision.sh"
done

# --- Go builds: only the local toolchain, only the module proxy, a throwaway build cache.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-buildvcs=false" CGO_ENABLED=0
export GOCACHE="$CLUSTER_CACHE/go-build"
built_any=false
go_install() { # NAME VERSION PACKAGE@VERSION [LDFLAGS]
  local name=$1 version=$2 pkg=$3 ldflags=${4:-} stage="$CLUSTER_CACHE/.gobin-$$"
  [ -x "$BIN/$name-$version" ] && return 0
  say "building $name $version from the Go module proxy (log: $log)"
  local started; started=$(date +%s)
  rm -rf "$stage"; mkdir -p "$stage"
  GOBIN=$stage run go install -trimpath -ldflags "-s -w $ldflags" "$pkg"
  mv "$stage/$name" "$BIN/$name-$version"
  rm -rf "$stage"
  built_any=true
  say "$name built in $(( $(date +%s) - started ))s"
}
command -v go >/dev/null 2>&1 || die "Go is needed to build kube-router, CoreDNS and pause; 'go' is not on PATH"
go_install kube-router "$KUBE_ROUTER_VERSION" "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@v$KUBE_ROUTER_VERSION" \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$KUBE_ROUTER_VERSION"
go_install coredns "$COREDNS_VERSION" "github.com/coredns/coredns@v$COREDNS_VERSION"
go_install metrics-server "$METRICS_SERVER_VERSION" "sigs.k8s.io/metrics-server/cmd/metrics-server@v$METRICS_SERVER_VERSION"
if [ ! -x "$BIN/pause-$PAUSE_TAG" ] || [ "$REPO/tests/cluster/images/pause/main.go" -nt "$BIN/pause-$PAUSE_TAG" ]; then
  (cd "$REPO/tests/cluster/images/pause" && run go build -trimpath -ldflags "-s -w" -o "$BIN/pause-$PAUSE_TAG" .)
  built_any=true
fi
if $built_any; then rm -rf "$GOCACHE"; fi

# --- Images, as docker-archive tarballs (what `ctr images import` and Jib's tar:// base both read).
# mk_image NAME TAG ROOTFS [umoci config options...]: one layer holding ROOTFS, image localhost/NAME:TAG (or $IMAGE_REF),
# written to images/NAME-TAG.tar (or images/NAME-$FILE_TAG.tar: test images keep a fixed tag, their files the
# version they were made from, so a new version is rebuilt).
mk_image() {
  local name=$1 tag=$2 rootfs=$3; shift 3
  local layout="$CLUSTER_CACHE/.oci-$$" out="$IMAGES/$name-${FILE_TAG:-$tag}.tar"
  rm -rf "$layout" "$out.tmp"
  run umoci init --layout "$layout"
  run umoci new --image "$layout:$tag"
  run umoci insert --image "$layout:$tag" "$rootfs" /
  run umoci config --image "$layout:$tag" --os linux --architecture amd64 "$@"
  run skopeo copy --quiet "oci:$layout:$tag" "docker-archive:$out.tmp:${IMAGE_REF:-localhost/$name:$tag}"
  mv "$out.tmp" "$out"
  rm -rf "$layout"
}

image_work="$CLUSTER_CACHE/.rootfs-$$"
trap 'rm -rf "$image_work" "$CLUSTER_CACHE"/.oci-* "$CLUSTER_CACHE"/.gobin-*' EXIT

if [ ! -s "$IMAGES/pause-$PAUSE_TAG.tar" ] || [ "$BIN/pause-$PAUSE_TAG" -nt "$IMAGES/pause-$PAUSE_TAG.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work"
  install -m 0755 "$BIN/pause-$PAUSE_TAG" "$image_work/pause"
  mk_image pause "$PAUSE_TAG" "$image_work" --config.entrypoint /pause --config.user 65535:65535
fi

if [ ! -s "$IMAGES/coredns-$COREDNS_VERSION.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work"
  install -m 0755 "$BIN/coredns-$COREDNS_VERSION" "$image_work/coredns"
  mk_image coredns "$COREDNS_VERSION" "$image_work" --config.entrypoint /coredns
fi

if [ ! -s "$IMAGES/metrics-server-$METRICS_SERVER_VERSION.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work/tmp"
  install -m 0755 "$BIN/metrics-server-$METRICS_SERVER_VERSION" "$image_work/metrics-server"
  chmod 1777 "$image_work/tmp"
  mk_image metrics-server "$METRICS_SERVER_VERSION" "$image_work" --config.entrypoint /metrics-server --config.user 65534:65534
fi

# busybox-static: a shell, nc and friends for client and probe pods (its wget crashes in pods: static
# glibc NSS; use nc).
busybox_version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null | sed 's/^[0-9]*://; s/[-+].*//')
if [ ! -s "$IMAGES/busybox-$busybox_version.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work/bin" "$image_work/tmp" "$image_work/etc"
  install -m 0755 /bin/busybox "$image_work/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$image_work/bin/$applet"
  done
  chmod 1777 "$image_work/tmp"
  printf 'root:x:0:0:root:/:/bin/sh\nclient:x:10001:10001:client:/tmp:/bin/sh\n' >"$image_work/etc/passwd"
  FILE_TAG=$busybox_version mk_image busybox latest "$image_work" --config.cmd /bin/sh --config.env PATH=/bin
  ln -sf "busybox-$busybox_version.tar" "$IMAGES/busybox.tar"
fi

# Node.js with the `ws` package: the second, independent WebSocket client, run in pods. The machine's own
# node binary and the libraries it links against; ws from the npm registry.
WS_VERSION=8.18.0
node_bin=$(readlink -f "$(command -v node 2>/dev/null || echo /usr/bin/node)")
[ -x "$node_bin" ] || die "Node.js is needed for the node client image (apt-get install nodejs)"
node_version=$("$node_bin" --version | tr -d v)
if [ ! -s "$IMAGES/node-ws-$node_version-$WS_VERSION.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work/usr/local/bin" "$image_work/app" "$image_work/tmp"
  install -m 0755 "$node_bin" "$image_work/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | awk '/=> \//{print $3} /^\t\/.*\(0x/{print $1}'); do
    mkdir -p "$image_work$(dirname "$lib")"; cp -L "$lib" "$image_work$lib"
  done
  for link in lib lib64; do
    if [ -L "/$link" ] && [ ! -e "$image_work/$link" ]; then ln -s "$(readlink "/$link")" "$image_work/$link"; fi
  done
  chmod 1777 "$image_work/tmp"
  run npm install --prefix "$image_work/app" --no-audit --no-fund --no-save "ws@$WS_VERSION"
  FILE_TAG="$node_version-$WS_VERSION" mk_image node-ws latest "$image_work" --config.entrypoint /usr/local/bin/node \
    --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env NODE_PATH=/app/node_modules --config.workingdir /app \
    --config.user 10001:10001
  ln -sf "node-ws-$node_version-$WS_VERSION.tar" "$IMAGES/node-ws.tar"
fi

# Redis for the realm's redis engine: Debian's redis-server and the libraries it links against, loaded as
# docker.io/library/redis:7.0 — the image examples/realm-redis.yaml names — since nothing can be pulled here.
# Its entrypoint is redis-server (so a pod's args are redis-server's), its working directory /data, where the
# append-only file goes; it runs as the official image's user, redis (999).
redis_bin=$(readlink -f /usr/bin/redis-server 2>/dev/null || true)
[ -x "$redis_bin" ] || die "Debian's redis-server is needed for the redis image (apt-get install redis-server)"
redis_version=$(/usr/bin/redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
if [ ! -s "$IMAGES/redis-$redis_version.tar" ]; then
  rm -rf "$image_work"; mkdir -p "$image_work/usr/bin" "$image_work/data" "$image_work/tmp" "$image_work/etc"
  install -m 0755 "$redis_bin" "$image_work/usr/bin/redis-server"   # redis picks its mode by this name
  for lib in $(ldd "$redis_bin" | awk '/=> \//{print $3} /^\t\/.*\(0x/{print $1}'); do
    mkdir -p "$image_work$(dirname "$lib")"; cp -L "$lib" "$image_work$lib"
  done
  for link in lib lib64; do
    if [ -L "/$link" ] && [ ! -e "$image_work/$link" ]; then ln -s "$(readlink "/$link")" "$image_work/$link"; fi
  done
  printf 'root:x:0:0:root:/:/bin/false\nredis:x:999:999:redis:/data:/bin/false\n' >"$image_work/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\n' >"$image_work/etc/group"
  chown 999:999 "$image_work/data"; chmod 1777 "$image_work/tmp"
  IMAGE_REF=docker.io/library/redis:7.0 FILE_TAG=$redis_version mk_image redis 7.0 "$image_work" \
    --config.entrypoint /usr/bin/redis-server --config.env PATH=/usr/bin:/bin --config.workingdir /data \
    --config.user 999:999
  ln -sf "redis-$redis_version.tar" "$IMAGES/redis.tar"
fi

# The Java runtime base of the project's images (Jib's base in tests).
"$REPO/tests/cluster/base-image.sh" >/dev/null

echo "$CLUSTER_CACHE"
