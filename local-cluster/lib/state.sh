# shellcheck shell=bash
# The record of what `up` made on this machine, which `down` reads to remove exactly that.
# ${STATE}/made holds one line per thing, "<kind> <value>", written just before the thing is made
# (an interrupted `up` leaves nothing unrecorded), in the order it was made:
#   path <p>             a path outside STATE/RUN_DIR that did not exist before the first up, and
#                        that containerd, the kubelet, k3s or the CNI plugins write
#   sysctl <name>=<v>    a sysctl's value before the first up (up, k3s and kube-proxy change them)
#   link <name>          a link up made in the host's network namespace (the node-network bridge,
#                        the host end of each agent node's veth)
#   node <k>             agent node k: network namespace /run/netns/p2p-node<k>, its cgroups, its
#                        state, run and log dirs (its mount namespace goes with its processes)
#   process <pidfile>    a containerd or k3s started in its own session
#   iptables <pattern>   chains and rules of ours in the host's tables (a grep -E pattern)
#   netns <prefix>       network namespaces /run/netns/<prefix>* (node 1's pods': cni-)
#   ipset <pattern>      ipsets of ours in the host's network namespace (a grep -E pattern)
# Node 1's k3s runs in the host's namespaces, where it and the CNI plugins make cni0, flannel.1,
# the pods' netns, chains and ipsets: start_server records each of those (k3s_host_items) before
# it starts k3s. Whatever the file does not list is not ours (foreign.sh): `down` never touches it.
# Lines are unique; `forget` drops one when up removes the thing itself (up --nodes 1).
MADE="${STATE}/made"
# Paths outside STATE/RUN_DIR that containerd, the kubelet or k3s write; removed by `down` only
# when they did not exist before the first `up`.
FOREIGN_PATHS=(/etc/rancher /var/lib/rancher /run/k3s /var/lib/kubelet /var/log/pods
  /var/log/containers /var/lib/cni /run/netns /etc/cni /opt/cni /run/containerd
  /var/lib/containerd /opt/containerd /run/flannel)
# Sysctls up, k3s, the kubelet and kube-proxy may set.
SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding
  net.ipv6.conf.all.forwarding net.ipv6.conf.default.forwarding
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait vm.overcommit_memory vm.panic_on_oom
  kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

made() {
  mkdir -p "${STATE}"
  grep -qxF -- "$*" "${MADE}" 2>/dev/null || printf '%s\n' "$*" >>"${MADE}"
}

# made_items <kind>: the values recorded for a kind, the last made first.
made_items() {
  [[ -f "${MADE}" ]] || return 0
  awk -v kind="$1" '$1 == kind { sub(/^[^ ]+ /, ""); print }' "${MADE}" | tac
}

was_made() { [[ -f "${MADE}" ]] && grep -qxF -- "$*" "${MADE}"; }

forget() {
  [[ -f "${MADE}" ]] || return 0
  grep -vxF -- "$*" "${MADE}" >"${MADE}.tmp" || true
  mv "${MADE}.tmp" "${MADE}"
}

# What node 1's k3s and the CNI plugins make in the host's namespaces, as state-file lines: the
# pods' netns, kube-proxy's, kube-router's, Flannel's and the plugins' chains, kube-router's
# ipsets, Flannel's VXLAN device and the pods' bridge (`down` removes links the last made first).
k3s_host_items() {
  printf '%s\n' "netns cni-" "iptables KUBE-|CNI-|FLANNEL-" "ipset ${KUBE_ROUTER_IPSETS}" \
    "link ${VXLAN_LINK}" "link ${BRIDGE}"
}

# A record from before k3s_host_items has one line "k3s-host" in their place: writes them there.
upgrade_record() {
  was_made k3s-host || return 0
  local line
  while IFS= read -r line; do
    if [[ "${line}" == k3s-host ]]; then k3s_host_items; else printf '%s\n' "${line}"; fi
  done <"${MADE}" | awk '!seen[$0]++' >"${MADE}.tmp"
  mv "${MADE}.tmp" "${MADE}"
}

# Records, at the first up, which foreign paths do not exist yet and the sysctls' values.
record_baseline() {
  mkdir -p "${STATE}" "${RUN_DIR}" "${LOG_DIR}"
  [[ -f "${MADE}" ]] && return 0
  local p hierarchies=() s v
  # The kubelet's cgroup tree (cgroupfs driver), in every v1 hierarchy and the v2 one.
  for p in /sys/fs/cgroup/*/; do
    hierarchies+=("${p}kubepods")
  done
  [[ -f /sys/fs/cgroup/cgroup.controllers ]] && hierarchies+=(/sys/fs/cgroup/kubepods)
  {
    for p in "${FOREIGN_PATHS[@]}" "${hierarchies[@]}"; do
      [[ -e "${p}" ]] || printf 'path %s\n' "${p}"
    done
    for s in "${SYSCTLS[@]}"; do
      if v="$(sysctl -n "${s}" 2>/dev/null)"; then
        printf 'sysctl %s=%s\n' "${s}" "${v//$'\t'/ }"
      fi
    done
  } >"${MADE}.tmp"
  mv "${MADE}.tmp" "${MADE}"
}

# The agent nodes recorded, in order.
agents() { made_items node | sort -n; }

# A cluster made by a cluster.sh from before the state file: writes the record from what that one
# left (its created-paths and saved-sysctls files, the agent nodes whose namespace or dirs are
# here), so that down removes it the same way. Only where that cluster.sh's own files say it ran
# here: a state dir holding only images.json (images/build.sh) is no sign of a cluster.
adopt_legacy_state() {
  [[ ! -f "${MADE}" && (-f "${STATE}/created-paths" || -f "${STATE}/saved-sysctls") ]] || return 0
  log "no ${MADE}: recording what an older cluster.sh left"
  local p k
  mkdir -p "${STATE}"
  {
    sed 's/^/path /' "${STATE}/created-paths" 2>/dev/null || true
    sed 's/^/sysctl /' "${STATE}/saved-sysctls" 2>/dev/null || true
    printf '%s\n' "link ${NODE_NET_BRIDGE}" "iptables POD-TO-POD-" \
      "process ${RUN_DIR}/containerd.pid" "process ${K3S_PID}"
    k3s_host_items
    for p in /run/netns/p2p-node* "${RUN_DIR}"/p2p-node* "${STATE}"/p2p-node*; do
      [[ -e "${p}" && "${p##*/}" =~ ^p2p-node([0-9]+)$ ]] || continue
      k="${BASH_REMATCH[1]}"
      printf '%s\n' "node ${k}" "link $(agent_name "${k}")" \
        "process $(node_run "${k}")/containerd.pid" "process $(node_run "${k}")/k3s.pid"
    done
  } | awk '!seen[$0]++' >"${MADE}"
}
