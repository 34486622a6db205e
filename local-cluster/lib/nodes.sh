# shellcheck shell=bash
# The nodes' namespaces and links: the node-network bridge on the host (node 1), and for each
# agent node k a network namespace p2p-node<k> joined to it by a veth, its own mount namespace
# (node-exec), its cgroup root, and the egress rules that keep every pod packet on this machine.

EGRESS_CHAIN="POD-TO-POD-EGRESS"
# Paths that containerd, the kubelet, k3s and the CNI plugins use at fixed places, whatever their
# flags: each agent node gets its own copy, bind-mounted in its mount namespace. /run/flannel is the
# one that forces it (k3s's Flannel always writes /run/flannel/subnet.env); the kubelet deletes the
# /var/log/pods dirs of pods it does not know, and listens on /var/lib/kubelet/device-plugins.
NODE_PRIVATE_PATHS=(/etc/rancher /run/containerd /run/flannel /run/netns /var/lib/cni
  /var/lib/kubelet /var/log/containers /var/log/pods)

# iptables rules that keep every pod packet on this machine, for the node in the current network
# namespace: pods may reach pods (on this node through cni0, on the others through Flannel's VXLAN
# link), the nodes' addresses and Services; whatever else a pod sends is dropped, and there is no
# masquerade to the outside either (the agent nodes have no default route at all).
# egress_rules <node-network interface> [host]
egress_rules() {
  local nodenet="$1" host="${2:-}" c="${EGRESS_CHAIN}"
  iptables -w -N "${c}" 2>/dev/null || true
  iptables -w -F "${c}"
  iptables -w -A "${c}" -s "${POD_CIDR}" -o "${BRIDGE}" -j RETURN \
    -m comment --comment "pod-to-pod: to pods on this node"
  iptables -w -A "${c}" -s "${POD_CIDR}" -d "${POD_CIDR}" -o "${VXLAN_LINK}" -j RETURN \
    -m comment --comment "pod-to-pod: to pods on the other nodes (VXLAN)"
  iptables -w -A "${c}" -s "${POD_CIDR}" -d "${NODE_NET_CIDR}" -o "${nodenet}" -j RETURN \
    -m comment --comment "pod-to-pod: to the nodes"
  iptables -w -A "${c}" -s "${POD_CIDR}" -j DROP \
    -m comment --comment "pod-to-pod: pods never leave the machine"
  if [[ -n "${host}" ]]; then
    # What arrives from the agent nodes is for the nodes or this node's pods, never for eth0.
    iptables -w -A "${c}" -i "${nodenet}" -o "${nodenet}" -j RETURN \
      -m comment --comment "pod-to-pod: between the other nodes"
    iptables -w -A "${c}" -i "${nodenet}" -o "${BRIDGE}" -j RETURN \
      -m comment --comment "pod-to-pod: from the other nodes to pods on this node"
    iptables -w -A "${c}" -i "${nodenet}" -j DROP \
      -m comment --comment "pod-to-pod: nothing from the nodes leaves the machine"
  fi
  iptables -w -C FORWARD -j "${c}" 2>/dev/null || iptables -w -I FORWARD 1 -j "${c}"
}

configure_host() {
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # The node network: node 1's address on a bridge, which each agent node's veth joins.
  if ! ip link show "${NODE_NET_BRIDGE}" >/dev/null 2>&1; then
    log "node network: bridge ${NODE_NET_BRIDGE} ${SERVER_IP}/24"
    made link "${NODE_NET_BRIDGE}"
    ip link add "${NODE_NET_BRIDGE}" type bridge
    ip addr add "${SERVER_IP}/24" dev "${NODE_NET_BRIDGE}"
  fi
  ip link set "${NODE_NET_BRIDGE}" up
  node_net_route 1
  made iptables "POD-TO-POD-"
  egress_rules "${NODE_NET_BRIDGE}" host
}

# node_net_route <k>: node k's route to the node network, with NODE_NET_ADVMSS; and on an agent
# node, a route to the Services through node 1. A real node reaches a ClusterIP from its own
# network namespace (a hostNetwork pod calling the API server at 10.43.0.1) by its default route,
# kube-proxy's DNAT then sending it to the endpoint; an agent node here has no default route, so
# without this one the kernel refuses the packet before kube-proxy sees it ("network is
# unreachable"). Whatever is not DNATed to a node goes no further than node 1, whose egress rules
# drop anything from the nodes that would leave the node network.
node_net_route() {
  local k="$1" link=eth0
  ((k == 1)) && link="${NODE_NET_BRIDGE}"
  in_node "${k}" ip route replace "${NODE_NET_CIDR}" dev "${link}" proto kernel scope link \
    src "$(node_ip_of "${k}")" advmss "${NODE_NET_ADVMSS}"
  if ((k > 1)); then
    in_node "${k}" ip route replace "${SERVICE_CIDR}" via "${SERVER_IP}" dev eth0
  fi
}

# Network namespace p2p-node<k>: eth0 (a veth whose host end is on the node-network bridge) with
# 192.168.240.<k>/24, lo, no default route, forwarding on, and the same egress rules.
create_node_netns() {
  local k="$1" name ns
  name="$(agent_name "${k}")"
  ns="$(netns_path "${k}")"
  made node "${k}"
  if ! nsenter --net="${ns}" true 2>/dev/null; then
    log "node ${name}: network namespace ${name}, eth0 $(node_ip_of "${k}")/24"
    mkdir -p /run/netns
    rm -f "${ns}"
    touch "${ns}"
    # A bind-mounted netns file, as containerd makes them; not `ip netns add`, which would also
    # turn /run/netns itself into a shared mount point that `down` would have to undo.
    unshare --net="${ns}" true
    made link "${name}"
    ip link add "${name}" type veth peer name eth0 netns "${name}"
    ip -n "${name}" addr add "$(node_ip_of "${k}")/24" dev eth0
  fi
  ip link set "${name}" master "${NODE_NET_BRIDGE}" up
  ip -n "${name}" link set lo up
  ip -n "${name}" link set eth0 up
  node_net_route "${k}"
  in_node "${k}" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  in_node "${k}" bash -c "$(declare -f egress_rules); $(declare -p EGRESS_CHAIN POD_CIDR BRIDGE \
    VXLAN_LINK NODE_NET_CIDR); egress_rules eth0"
}

# Node k's own cgroup root (kubelet --cgroup-root=/p2p-node<k>) in every hierarchy; the kubelet
# refuses a cgroup root that does not exist.
create_node_cgroups() {
  local name h
  name="$(agent_name "$1")"
  for h in /sys/fs/cgroup/*/; do
    [[ -d "${h}${name}" ]] || mkdir "${h}${name}"
  done
  if [[ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/${name}/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/${name}/cpuset.mems"
  fi
}

# Runs inside an agent node's new mount namespace (see start_containerd): drops the copies of the
# host's runtime mounts (node 1's pods and netns files) and gives the node its own copy of every
# fixed path, then execs the command. Internal: `cluster.sh node-exec <k> <command...>`.
cmd_node_exec() {
  local k="$1" p src
  shift
  [[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ]] ||
    die "node-exec must run in a node's own mount namespace"
  unmount_under "${STATE}" "${RUN_DIR}" /run/netns
  for p in "${NODE_PRIVATE_PATHS[@]}"; do
    src="$(node_state "${k}")/private${p}"
    mkdir -p "${src}" "${p}"
    mount --bind "${src}" "${p}"
  done
  exec "$@"
}

# remove_cgroup <dir>: kills what is left in a cgroup tree (pods whose shim is gone), then removes
# its directories (cgroupfs: rmdir once empty, deepest first).
remove_cgroup() {
  local dir="$1" procs
  [[ -d "${dir}" ]] || return 0
  procs="$(find "${dir}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)"
  if [[ -n "${procs}" ]]; then
    log "killing $(wc -w <<<"${procs}") processes left in cgroup ${dir}"
    # shellcheck disable=SC2086 # one argument per PID, split on purpose
    kill -KILL ${procs} 2>/dev/null || true
    sleep 0.5
  fi
  find "${dir}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  [[ ! -e "${dir}" ]] || log "WARNING: could not remove cgroup ${dir}"
}

# The part of stopping agent node k that follows its processes' end.
release_agent_node() {
  local k="$1" name ns pid
  name="$(agent_name "${k}")"
  ns="$(netns_path "${k}")"
  if [[ -e "${ns}" ]]; then
    for pid in $(ip netns pids "${name}" 2>/dev/null); do
      log "node ${name}: killing leftover process ${pid} ($(cat "/proc/${pid}/comm" 2>/dev/null))"
      kill -KILL "${pid}" 2>/dev/null || true
    done
  fi
  local h
  for h in /sys/fs/cgroup/*/; do
    remove_cgroup "${h}${name}"
  done
  ip link delete "${name}" 2>/dev/null || true
  if [[ -e "${ns}" ]]; then
    log "node ${name}: deleting network namespace ${name}"
    umount "${ns}" 2>/dev/null || umount -l "${ns}" 2>/dev/null || true
    rm -f "${ns}"
  fi
}

# The node-network end of node k as its own network namespace sees it.
node_link() { if (($1 == 1)); then printf '%s\n' "${NODE_NET_BRIDGE}"; else echo eth0; fi; }

link_mtu() { in_node "$1" ip -o link show "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }

link_summary() { # link_summary <k> <link>: "<addr>, mtu N" or "absent"
  local k="$1" link="$2"
  if in_node "${k}" ip link show "${link}" >/dev/null 2>&1; then
    printf '%s mtu %s\n' "$(in_node "${k}" ip -br -4 addr show "${link}" | awk '{print $3}')" \
      "$(in_node "${k}" ip -o link show "${link}" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
  else
    echo absent
  fi
}
