# shellcheck shell=bash
# Faults for tests, each undone by its mend verb (and by `down`): break-cross-node drops the VXLAN
# between the nodes; break-mtu makes one node's link an MTU black hole. (break-network-policy is
# with the rest of network policy, in netpol.sh.)

# Marks the iptables rule break-cross-node inserts (`down` strips it with everything else of ours).
FAULT_TAG="POD-TO-POD-FAULT"

# The pods' MTU is Flannel's 1450, which VXLAN turns into 1500-byte frames on the node network; a
# link below 1500 drops the largest of them without a word (no ICMP: it is one L2 hop, not a
# router), while small packets pass: the classic Flannel MTU black hole.
MTU_FAULT="${FAULTS_DIR}/mtu"
MTU_FAULT_MTU=1400
# A veth hands a GSO super-packet to its peer without any MTU check, and a bridge forwards one the
# same way: with these offloads on, a TCP stream crosses a 1400-byte veth whole. Turned off on the
# node links for the fault, every frame on the node network is split to its real size first, as
# on a wire (the bridge drops a feature every port lacks).
MTU_FAULT_OFFLOADS=(tso gso tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation)

# The rule break-cross-node inserts in node k's network namespace: VXLAN packets from the other
# nodes are dropped on arrival at node k (on its node-network link), so every round trip between a
# pod on node k and a pod on another node fails (requests one way, replies the other), while pods
# on one node, the paths among the other nodes, Services with local endpoints, the API and the
# nodes' own traffic (TCP on the node network) stay up. Without --node, k is 1.
# cross_node_fault <k>
cross_node_fault() {
  printf '%s\n' INPUT -i "$(node_link "$1")" -p udp --dport "${VXLAN_PORT}" -j DROP \
    -m comment --comment "${FAULT_TAG}: VXLAN from the other nodes dropped"
}

cmd_break_cross_node() {
  local k=1 rule
  while (($#)); do
    case "$1" in
      --node) k="${2:-}"; shift 2 || die "--node needs a node number" ;;
      --node=*) k="${1#*=}"; shift ;;
      *) die "break-cross-node: unknown argument $1 (usage: break-cross-node [--node K], K = 1..${MAX_NODES})" ;;
    esac
  done
  [[ "${k}" =~ ^[1-9]$ ]] || die "break-cross-node --node must be a node number, 1..${MAX_NODES}, not '${k}'"
  ((k == 1)) || [[ -e "$(netns_path "${k}")" ]] || die "node $(agent_name "${k}") is not up"
  mapfile -t rule < <(cross_node_fault "${k}")
  in_node "${k}" iptables -w -C "${rule[@]}" 2>/dev/null ||
    in_node "${k}" iptables -w -I "${rule[0]}" 1 "${rule[@]:1}"
  log "cross-node path broken on node $(node_name_of "${k}"): VXLAN (udp ${VXLAN_PORT}) from the" \
    "other nodes is dropped on $(node_link "${k}"); undo: $0 mend-cross-node"
}

cmd_mend_cross_node() {
  local k rule
  for k in 1 $(agents); do
    [[ "${k}" == 1 || -e "$(netns_path "${k}")" ]] || continue
    mapfile -t rule < <(cross_node_fault "${k}")
    while in_node "${k}" iptables -w -C "${rule[@]}" 2>/dev/null; do
      in_node "${k}" iptables -w -D "${rule[@]}"
    done
  done
  log "cross-node path: nothing dropped"
}

# offloads <k> <link> on|off: sets the MTU_FAULT_OFFLOADS of a link in node k's namespace.
offloads() {
  local k="$1" link="$2" value="$3" args=() feature
  for feature in "${MTU_FAULT_OFFLOADS[@]}"; do args+=("${feature}" "${value}"); done
  in_node "${k}" ethtool -K "${link}" "${args[@]}" 2>/dev/null ||
    log "WARNING: ethtool -K ${link} ${args[*]} failed on node $(node_name_of "${k}")"
}

cmd_break_mtu() {
  local k=2
  while (($#)); do
    case "$1" in
      --node) k="${2:-}"; shift 2 || die "--node needs a node number" ;;
      --node=*) k="${1#*=}"; shift ;;
      *) die "break-mtu: unknown argument $1 (usage: break-mtu [--node K], K = 2..${MAX_NODES})" ;;
    esac
  done
  [[ "${k}" =~ ^[2-9]$ ]] || die "break-mtu --node must be an agent node, 2..${MAX_NODES} (node 1's" \
    "link is the bridge every node hangs off), not '${k}'"
  [[ -e "$(netns_path "${k}")" ]] || die "node $(agent_name "${k}") is not up"
  if [[ -e "${MTU_FAULT}" ]]; then
    log "MTU already broken: $(cat "${MTU_FAULT}")"
    return
  fi
  local port bridge_mtu j
  port="$(agent_name "${k}")"
  bridge_mtu="$(link_mtu 1 "${NODE_NET_BRIDGE}")"
  mkdir -p "${FAULTS_DIR}"
  printf 'node %s: host end %s mtu %s (was %s)\n' "${k}" "${port}" "${MTU_FAULT_MTU}" \
    "$(link_mtu 1 "${port}")" >"${MTU_FAULT}"
  for j in $(agents); do
    offloads "${j}" eth0 off
  done
  offloads 1 "${port}" off
  ip link set "${port}" mtu "${MTU_FAULT_MTU}"
  # A bridge follows its smallest port unless its MTU was set: set it back, so node 1 still sends
  # 1500-byte frames (a smaller MTU there would make it fragment instead of lose them).
  ip link set "${NODE_NET_BRIDGE}" mtu "${bridge_mtu}"
  log "MTU black hole: ${port} (the host end of node $(agent_name "${k}")'s link) has mtu" \
    "${MTU_FAULT_MTU} < 1450 + 50 (VXLAN): pod packets up to $((MTU_FAULT_MTU - 50)) bytes cross" \
    "to and from $(agent_name "${k}"), larger ones are dropped; undo: $0 mend-mtu"
}

cmd_mend_mtu() {
  if [[ ! -e "${MTU_FAULT}" ]]; then
    log "MTU: nothing broken"
    return
  fi
  local k j
  k="$(awk '{print $2}' "${MTU_FAULT}" | tr -d :)"
  if ip link show "$(agent_name "${k}")" >/dev/null 2>&1; then
    ip link set "$(agent_name "${k}")" mtu "$(link_mtu "${k}" eth0)"
    offloads 1 "$(agent_name "${k}")" on
  fi
  for j in $(agents); do
    offloads "${j}" eth0 on
  done
  rm -f "${MTU_FAULT}"
  log "MTU: node links back to $(link_mtu 1 "${NODE_NET_BRIDGE}")"
}
