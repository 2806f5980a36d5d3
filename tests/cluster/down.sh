#!/usr/bin/env bash
# Stops the test node that tests/cluster/up.sh started and removes everything it added to the host:
# processes, containers and their shims, mounts, the bridge and its route, iptables chains and ipsets of
# kube-proxy, kube-router and the guard, cgroups, the host paths containerd and the kubelet insist on, and
# the node's state directory. Sysctls are put back to what they were. The caches (binaries, base images)
# stay. Safe to run when nothing is up.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "down.sh needs root (it undoes what up.sh did as root)"
KBIN=$(k8s_bin)
PIDS=$STATE/pids

stop() { # NAME: SIGTERM, then SIGKILL after 10 s; the whole session (its children too)
  local name=$1 pid
  [ -s "$PIDS/$name.pid" ] || return 0
  pid=$(cat "$PIDS/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

if [ -d "$STATE" ]; then
  # kube-router first, then its own clean-up of NetworkPolicy chains and ipsets (it needs no API server for
  # that; it may panic afterwards in the service-proxy part, which is not running: ignored).
  stop kube-router
  if [ -x "$BIN/kube-router-$KUBE_ROUTER_VERSION" ]; then
    timeout 30 "$BIN/kube-router-$KUBE_ROUTER_VERSION" --cleanup-config >/dev/null 2>&1 || true
  fi
  # The kubelet stops first so it does not restart the containers that are removed next.
  stop kubelet
  if [ -S "$STATE/run/containerd.sock" ]; then
    CTR=(ctr --address "$STATE/run/containerd.sock" --namespace k8s.io)
    for task in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
      "${CTR[@]}" tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for task in $("${CTR[@]}" tasks ls -q 2>/dev/null); do
      "${CTR[@]}" tasks delete -f "$task" >/dev/null 2>&1 || true
    done
    for c in $("${CTR[@]}" containers ls -q 2>/dev/null); do
      "${CTR[@]}" containers delete "$c" >/dev/null 2>&1 || true
    done
  fi
  for name in kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do stop "$name"; done
  # containerd's shims outlive it; any left for this node's state go now.
  pkill -KILL -f "containerd-shim-runc-v2 .*-address $STATE/run/containerd.sock" 2>/dev/null || true
  [ -x "$KBIN/kube-proxy" ] && "$KBIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
fi

# iptables: every KUBE-* chain (kube-proxy, the kubelet, kube-router) and the guard, in every table.
for cmd in iptables ip6tables; do
  command -v "$cmd" >/dev/null 2>&1 || continue
  for table in filter nat mangle raw; do
    rules=$("$cmd" -w -t "$table" -S 2>/dev/null) || continue
    # Jumps into our chains from the built-in ones first, then the chains themselves.
    jumps=$(grep -E -- "^-A [A-Z]+ .*-j (KUBE-[A-Z0-9-]+|$GUARD_CHAIN)( |$)" <<<"$rules" \
      | grep -Ev "^-A (KUBE-|$GUARD_CHAIN)" | sed 's/^-A/-D/' || true)
    while read -r rule; do
      [ -n "$rule" ] && eval "$cmd -w -t $table $rule" 2>/dev/null || true
    done <<<"$jumps"
    chains=$(grep -Eo -- "^-N (KUBE-[A-Z0-9-]+|$GUARD_CHAIN)" <<<"$rules" | cut -d' ' -f2 || true)
    for chain in $chains; do "$cmd" -w -t "$table" -F "$chain" 2>/dev/null || true; done
    for chain in $chains; do "$cmd" -w -t "$table" -X "$chain" 2>/dev/null || true; done
  done
done
# kube-router's ipsets (kube-router-*, KUBE-*), and conntrack entries of the node's networks.
if command -v ipset >/dev/null 2>&1; then
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router|inet6:KUBE-|inet6:kube-router)' || true); do
    ipset destroy "$set" 2>/dev/null || true
  done
fi
if command -v conntrack >/dev/null 2>&1; then
  for net in "$CLUSTER_CIDR" "$SERVICE_CIDR"; do
    conntrack -D -s "$net" >/dev/null 2>&1 || true
    conntrack -D -d "$net" >/dev/null 2>&1 || true
  done
fi

# Network: the bridge (its route goes with it) and any veth left on it.
if ip link show "$BRIDGE" >/dev/null 2>&1; then
  for veth in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
fi
ip route del "$SERVICE_CIDR" 2>/dev/null || true

# Mounts under the node's state (the kubelet bind-mounts its root, volumes, network namespaces), deepest first.
if [ -d "$STATE" ]; then
  awk -v s="$STATE" '$2 ~ "^"s {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
fi
awk '$2 ~ "^/run/containerd/" {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done

# cgroups the kubelet made (cgroupfs driver, cgroup v1 and v2 layouts).
for root in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  [ -d "$root/kubepods" ] || continue
  find "$root/kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

# Sysctls back to what they were before up.sh, and the host paths it made.
if [ -s "$STATE/sysctl-before" ]; then
  while IFS='=' read -r key value; do
    sysctl -qw "$key=$value" 2>/dev/null || true
  done <"$STATE/sysctl-before"
fi
if [ -s "$STATE/created-host-paths" ]; then
  while read -r p; do
    [ -n "$p" ] && rm -rf "$p"
  done <"$STATE/created-host-paths"
fi

rm -rf "$STATE"
say "down"
