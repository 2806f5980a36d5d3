#!/usr/bin/env bash
# Starts a real single-node Kubernetes on this machine and prints its kubeconfig's path as the last line.
#
#   tests/cluster/up.sh            provision what is missing, build the project's images, start, load images
#   tests/cluster/down.sh          stop everything and remove what up.sh added to the host
#
# The node: containerd + runc with the bridge CNI plugin, etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet and kube-proxy (iptables) of one Kubernetes version, CoreDNS as the cluster DNS and
# kube-router enforcing NetworkPolicies (its firewall only). Images come from local archives: the project's
# three images (built by Maven with Jib, from the working tree) are loaded under the names the chart and the
# Kustomize base use by default, so `helm install` and `kubectl apply -k` work as README.md says.
#
# Idempotent: when the node is already up it only reloads images that changed (a few seconds).
# Environment: REALMGATE_CLUSTER_SKIP_IMAGES=1 leaves the project's images alone (infrastructure only).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "up.sh runs the node's components, which need root"
started_at=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - started_at) / 1000000 )) ms"; }

"$REPO/tests/cluster/provision.sh" >/dev/null
KBIN=$(k8s_bin)
KUBECTL=("$KBIN/kubectl" --kubeconfig "$KUBECONFIG_FILE")
CTR=(ctr --address "$STATE/run/containerd.sock" --namespace k8s.io)
PIDS=$STATE/pids
LOGS=$STATE/logs

alive() { [ -s "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }
COMPONENTS="containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kube-router"
node_up() {
  local c
  for c in $COMPONENTS; do alive "$c" || return 1; done
  "${KUBECTL[@]}" get --raw /readyz >/dev/null 2>&1
}

# start NAME CMD...: runs CMD in its own session, output to logs/NAME.log, PID in pids/NAME.pid.
start() {
  local name=$1; shift
  if alive "$name"; then return 0; fi
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

# wait_for WHAT SECONDS CMD...: polls CMD every 0.2 s until it succeeds; on timeout shows the logs.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      for f in "$LOGS"/*.log; do echo "--- $f" >&2; tail -n 15 "$f" >&2; done
      die "timed out after ${seconds}s waiting for $what"
    fi
    sleep 0.2
  done
}

# --- The project's images: Jib tarballs from the working tree, rebuilt when a source is newer.
project_images_stale() {
  local module
  for module in operator realm-image proxy-image; do
    local tar="$REPO/$module/target/jib-image.tar"
    [ -s "$tar" ] || return 0
    for src in operator realm-image proxy-image common proxy-config realm-config; do
      [ -z "$(find "$REPO/$src/src/main" "$REPO/$src/pom.xml" "$REPO/pom.xml" "$CACHE/images/realmgate-jre-17.tar" \
        -newer "$tar" -print -quit)" ] || return 0
    done
  done
  return 1
}
if [ "${REALMGATE_CLUSTER_SKIP_IMAGES:-}" != 1 ] && project_images_stale; then
  say "building the project's images with Jib (./mvnw -Pimages package)"
  (cd "$REPO" && ./mvnw -B -q -ntp -Pimages -DskipTests -Dspotless.skip=true package -pl operator,realm-image,proxy-image -am \
    >"$CLUSTER_CACHE/images-build.log" 2>&1) || { tail -n 40 "$CLUSTER_CACHE/images-build.log" >&2; die "image build failed"; }
fi

# --- Images into the node: imported when containerd lacks them or has another digest.
import_images() {
  local tar name
  for tar in "$IMAGES/pause-$PAUSE_TAG.tar" "$IMAGES/coredns-$COREDNS_VERSION.tar" \
    "$IMAGES/metrics-server-$METRICS_SERVER_VERSION.tar" "$(readlink -f "$IMAGES/busybox.tar")" \
    "$(readlink -f "$IMAGES/node-ws.tar")" "$(readlink -f "$IMAGES/redis.tar")" "$CACHE/images/realmgate-jre-17.tar"; do
    import_one "$tar"
  done
  if [ "${REALMGATE_CLUSTER_SKIP_IMAGES:-}" != 1 ]; then
    for name in operator realm-image proxy-image; do
      import_one "$REPO/$name/target/jib-image.tar"
    done
  fi
}
import_one() { # TAR: skipped when every name it carries is in containerd with the same image config
  local tar=$1 manifest refs config want ref have fresh=true
  [ -s "$tar" ] || die "image archive $tar missing"
  manifest=$(tar -xOf "$tar" manifest.json | tr -d ' \n')
  refs=$(sed 's/.*"RepoTags":\[\([^]]*\)\].*/\1/; s/"//g; s/,/ /g' <<<"$manifest")
  config=$(sed 's/.*"Config":"\([^"]*\)".*/\1/' <<<"$manifest")
  want=$(tar -xOf "$tar" "$config" | sha256sum | cut -d' ' -f1)
  for ref in $refs; do
    have=$("${CTR[@]}" images ls "name==$ref" 2>/dev/null | awk 'NR>1{print $3}')
    if [ -z "$have" ] || ! "${CTR[@]}" content get "$have" 2>/dev/null | grep -q "$want"; then fresh=false; break; fi
  done
  $fresh && return 0
  "${CTR[@]}" images import "$tar" >>"$LOGS/images.log" 2>&1 || die "ctr images import $tar failed (see $LOGS/images.log)"
  say "loaded $refs"
}

if node_up; then
  import_images
  echo "$KUBECONFIG_FILE"
  exit 0
fi

# A half-started node (a crash, an interrupted run) is taken down first.
if [ -d "$STATE" ] && [ -n "$(ls "$PIDS" 2>/dev/null)" ]; then
  say "a previous node is half up; taking it down first"
  "$REPO/tests/cluster/down.sh" >/dev/null
fi

mkdir -p "$STATE"/{pki,etc/cni/net.d,run,etcd,containerd,kubelet,kubelet-pki,kubelet-plugins,flex,cni-ipam,pod-logs} "$PIDS" "$LOGS"
chmod 0700 "$STATE/pki" "$STATE/etcd"

# --- The host: what we change is recorded first, so down.sh can put it back.
if [ ! -s "$STATE/sysctl-before" ]; then
  modprobe br_netfilter 2>/dev/null || true
  for key in $SYSCTLS; do
    value=$(sysctl -n "$key" 2>/dev/null) && printf '%s=%s\n' "$key" "$value"
  done >"$STATE/sysctl-before"
fi
if [ ! -e "$STATE/created-host-paths" ]; then
  for p in $HOST_PATHS; do [ -e "$p" ] || echo "$p"; done >"$STATE/created-host-paths"
fi

if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
fi
ip addr replace "$NODE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
# Service addresses are routed to the bridge, never towards the machine's own network.
ip route replace "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
sysctl -qw net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null || true

# Guard: nothing is forwarded to or from any interface but the bridge (pods have no default route either;
# this is the second line). In the mangle table, which runs before the filter table's FORWARD chain where
# kube-proxy and kube-router put (and keep moving to the top) their ACCEPT rules.
guard() {
  iptables -w -t mangle -N "$GUARD_CHAIN" 2>/dev/null || iptables -w -t mangle -F "$GUARD_CHAIN"
  iptables -w -t mangle -A "$GUARD_CHAIN" -i "$BRIDGE" -o "$BRIDGE" -j RETURN
  iptables -w -t mangle -A "$GUARD_CHAIN" -j DROP
  iptables -w -t mangle -C FORWARD -j "$GUARD_CHAIN" 2>/dev/null || iptables -w -t mangle -I FORWARD 1 -j "$GUARD_CHAIN"
}
guard

# --- PKI: one CA; server certificates for the API server and the kubelet; client certificates for the
# components (system:masters, it is a test node) and the kubelet (system:node:...); the ServiceAccount keys.
pki=$STATE/pki
new_key() { [ -s "$1" ] || openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; chmod 0600 "$1"; }
sign() { # NAME SUBJECT EXTENSIONS
  local name=$1 subject=$2 ext=$3
  [ -s "$pki/$name.crt" ] && return 0
  new_key "$pki/$name.key"
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  printf '%b\n' "$ext" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}
if [ ! -s "$pki/ca.crt" ]; then
  new_key "$pki/ca.key"
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=realmgate-test-cluster-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$pki/ca.crt" 2>/dev/null
fi
server_ext="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth"
client_ext="basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth"
sign apiserver "/CN=kube-apiserver" "$server_ext\nsubjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:$API_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
sign kubelet-serving "/CN=$NODE_NAME" "$server_ext\nsubjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
sign admin "/O=system:masters/CN=realmgate-test-admin" "$client_ext"
sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$client_ext"
# The aggregation layer: the API server proxies metrics.k8s.io to metrics-server with this client certificate
# and names the caller in request headers, which metrics-server believes only from this certificate's name.
sign front-proxy-client "/CN=front-proxy-client" "$client_ext"
new_key "$pki/sa.key"
[ -s "$pki/sa.pub" ] || openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null

kubeconfig() { # FILE USER
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: realmgate-test
    cluster:
      server: https://$NODE_IP:$API_PORT
      certificate-authority: $pki/ca.crt
users:
  - name: $2
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: realmgate-test
    context: {cluster: realmgate-test, user: $2}
current-context: realmgate-test
EOF
  chmod 0600 "$1"
}
kubeconfig "$KUBECONFIG_FILE" admin
kubeconfig "$STATE/kubelet.kubeconfig" kubelet

# --- containerd
cat >"$STATE/etc/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$STATE/run/containerd.sock"
[ttrpc]
  address = "$STATE/run/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:$PAUSE_TAG"
  # No CAP_SYS_RESOURCE here: the kubelet's oom_score_adj -998 for sandboxes would fail every pod.
  restrict_oom_score_adj = true
  disable_apparmor = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/etc/cni/net.d"
EOF
cat >"$STATE/etc/cni/net.d/10-realmgate.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "realmgate-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni-ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "$CLUSTER_CIDR"}, {"dst": "$SERVICE_CIDR"}]
      }
    }
  ]
}
EOF
start containerd containerd --config "$STATE/etc/containerd.toml"
wait_for "containerd" 30 "${CTR[@]}" version
import_images
say "containerd up, images loaded ($(elapsed))"

# --- Control plane
start etcd "$KBIN/etcd" --name "$NODE_NAME" --data-dir "$STATE/etcd" \
  --listen-client-urls "http://$ETCD_CLIENT" --advertise-client-urls "http://$ETCD_CLIENT" \
  --listen-peer-urls "http://$ETCD_PEER" --initial-advertise-peer-urls "http://$ETCD_PEER" \
  --initial-cluster "$NODE_NAME=http://$ETCD_PEER" --listen-metrics-urls "" --log-level warn
start kube-apiserver "$KBIN/kube-apiserver" \
  --etcd-servers "http://$ETCD_CLIENT" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC \
  --client-ca-file "$pki/ca.crt" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
  --kubelet-certificate-authority "$pki/ca.crt" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --enable-admission-plugins NodeRestriction \
  --requestheader-client-ca-file "$pki/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
  --enable-aggregator-routing=true \
  --allow-privileged=true \
  --profiling=false \
  --v=1
wait_for "kube-apiserver /readyz" 60 "${KUBECTL[@]}" get --raw /readyz
say "API server ready ($(elapsed))"

start kube-controller-manager "$KBIN/kube-controller-manager" \
  --kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --leader-elect=false \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --use-service-account-credentials=true \
  --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_CIDR" --node-cidr-mask-size 24 \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --flex-volume-plugin-dir "$STATE/flex" \
  --profiling=false --v=1
start kube-scheduler "$KBIN/kube-scheduler" \
  --kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false --v=1

# --- Node
: >"$STATE/etc/resolv.conf"   # pods with dnsPolicy Default (CoreDNS itself) get no resolver: nothing leaves
cat >"$STATE/etc/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
containerRuntimeEndpoint: unix://$STATE/run/containerd.sock
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: $STATE/etc/resolv.conf
podLogsDir: $STATE/pod-logs
volumePluginDir: $STATE/kubelet-plugins
# The images cannot be pulled again: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
# ConfigMap and Secret volume updates reach pods within seconds (default: up to a minute and more).
syncFrequency: 10s
serializeImagePulls: false
allowedUnsafeSysctls: []
EOF
start kubelet "$KBIN/kubelet" --config "$STATE/etc/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
  --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet-pki" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1

cat >"$STATE/etc/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $CLUSTER_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
hostnameOverride: $NODE_NAME
nodePortAddresses: ["$NODE_IP/32"]
clientConnection:
  kubeconfig: $KUBECONFIG_FILE
conntrack:
  maxPerCore: 0
EOF
start kube-proxy "$KBIN/kube-proxy" --config "$STATE/etc/kube-proxy.yaml" --v=1

wait_for "node $NODE_NAME Ready" 90 "${KUBECTL[@]}" wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
say "node ready ($(elapsed))"

# kube-router looks its node up at start: after the node registered.
start kube-router "$BIN/kube-router-$KUBE_ROUTER_VERSION" --kubeconfig "$KUBECONFIG_FILE" \
  --run-firewall=true --run-router=false --run-service-proxy=false --bgp-graceful-restart=false \
  --hostname-override "$NODE_NAME" --health-port 0 --metrics-port 0 \
  --service-cluster-ip-range "$SERVICE_CIDR" --v=1

sed "s#COREDNS_IMAGE#localhost/coredns:$COREDNS_VERSION#" "$REPO/tests/cluster/manifests/coredns.yaml" \
  | "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null
# metrics-server: not waited for here (the autoscaling test waits for the metrics API); it needs seconds.
sed "s#METRICS_SERVER_IMAGE#localhost/metrics-server:$METRICS_SERVER_VERSION#" "$REPO/tests/cluster/manifests/metrics-server.yaml" \
  | "${KUBECTL[@]}" apply --server-side --force-conflicts -f - >/dev/null
wait_for "the default ServiceAccount" 60 "${KUBECTL[@]}" -n default get serviceaccount default
wait_for "CoreDNS" 120 "${KUBECTL[@]}" -n kube-system wait --for=condition=Available deployment/coredns --timeout=1s
alive kube-router || die "kube-router stopped: $(tail -n 5 "$LOGS/kube-router.log")"
say "cluster up ($(elapsed)): kubectl --kubeconfig $KUBECONFIG_FILE"
echo "$KUBECONFIG_FILE"
