# Shared settings of tests/cluster/{provision,up,down}.sh: where things live, the node's addresses and the
# versions of what is built. Sourced, never run.
#
# The cluster is one node on this machine. Its pod network (10.244.0.0/24 on bridge rg0, whose address
# 10.244.0.1 is the node's) and its Service network (10.96.0.0/16) exist only here: pods get routes to
# those two blocks and nothing else, and a guard chain drops anything forwarded to or from another interface.

# shellcheck disable=SC2034  # the variables are used by the scripts that source this file

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${REALMGATE_CACHE:-$HOME/.cache/realmgate}
# Built once and kept (binaries by version, base images): what provision.sh makes.
CLUSTER_CACHE=$CACHE/cluster
BIN=$CLUSTER_CACHE/bin
IMAGES=$CLUSTER_CACHE/images
# The running node's state (PKI, etcd data, containerd root, kubelet root, logs): what up.sh makes and
# down.sh removes.
STATE=${REALMGATE_CLUSTER_STATE:-$CLUSTER_CACHE/node}
KUBECONFIG_FILE=$STATE/kubeconfig

NODE_NAME=realmgate-node
BRIDGE=rg0
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
ETCD_CLIENT=127.0.0.1:12379
ETCD_PEER=127.0.0.1:12380
GUARD_CHAIN=REALMGATE-GUARD

# Versions. Kubernetes and etcd come from tests/kube/provision.sh (one build for the API server of
# tests/kube and the node here).
K8S_VERSION=$("$REPO/tests/kube/provision.sh" --print-version)
KUBE_ROUTER_VERSION=2.1.0
COREDNS_VERSION=1.14.7
# The version the Go module proxy serves here (not the newest upstream).
METRICS_SERVER_VERSION=0.8.0
PAUSE_TAG=3.10
# The project's images carry the chart's appVersion, which is also the default tag the chart and the
# Kustomize base use.
APP_VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$REPO/helm/realmgate/Chart.yaml")

# Hard-coded host paths that containerd 1.6, libcni and the kubelet use whatever they are told; down.sh
# removes them when up.sh created them (recorded in $STATE/created-host-paths).
HOST_PATHS="/run/containerd /var/lib/cni /var/lib/kubelet /var/log/containers /var/log/pods"

# Sysctls the node changes (the kubelet and kube-proxy rewrite some); saved by up.sh, restored by down.sh.
SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom
net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait
net.netfilter.nf_conntrack_max"

say() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

k8s_bin() { echo "$CACHE/kube-api-test/k8s/$K8S_VERSION-$(go_os_arch)"; }
go_os_arch() { echo "linux-amd64"; }

# Go lives in /usr/local/go on this kind of machine, on PATH only for interactive shells.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
