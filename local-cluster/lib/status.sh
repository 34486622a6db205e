# shellcheck shell=bash
# `status`: per node its processes, the links on every pod path with their MTUs (cni0, flannel.1,
# the node link), network policy enforcement; then the nodes and pods as the API sees them.

# node_link_summary <k>: node k's end of the node network and, for an agent, the host end of its
# veth: the last hops of every cross-node path, whose MTU VXLAN needs at 1450 + 50.
node_link_summary() {
  local k="$1" link
  link="$(node_link "${k}")"
  printf '%s %s' "${link}" "$(link_summary "${k}" "${link}")"
  ((k == 1)) || printf ', host end %s mtu %s' "$(agent_name "${k}")" "$(link_mtu 1 "$(agent_name "${k}")")"
  if [[ -e "${MTU_FAULT}" ]] && grep -q "^node ${k}:" "${MTU_FAULT}"; then printf ' (break-mtu)'; fi
  echo
}

cmd_status() {
  local rc=0 k what f
  for k in 1 $(agents); do
    echo "node $(node_name_of "${k}") ($( ((k == 1)) && echo "host netns, k3s server" || echo "netns $(agent_name "${k}"), k3s agent"), $(node_ip_of "${k}")):"
    for what in containerd k3s; do
      f="$(node_run "${k}")/${what}.pid"
      if pid_alive "${f}"; then
        printf '  %-11s running (pid %s), log %s/%s.log\n' "${what}:" "$(cat "${f}")" "$(node_logs "${k}")" "${what}"
      else
        printf '  %-11s not running\n' "${what}:"
        rc=3
      fi
    done
    # The bridge plugin makes cni0 at the node's first pod; Flannel makes flannel.1 at start.
    printf '  %-11s %s\n' "${BRIDGE}:" "$(link_summary "${k}" "${BRIDGE}" | sed 's/^absent$/absent (made with the first pod on the node)/')" \
      "${VXLAN_LINK}:" "$(link_summary "${k}" "${VXLAN_LINK}")"
    printf '  %-11s %s\n' "node link:" "$(node_link_summary "${k}")"
    printf '  %-11s %s\n' "netpol:" "$(network_policy_summary "${k}")"
  done
  if [[ -e "${NETPOL_FAULT}" ]]; then
    echo "network policy: NOT enforced (disable-network-policy: true, by break-network-policy)"
  else
    echo "network policy: enforced by k3s's embedded controller on every node"
  fi
  [[ -f "${STATE}/images.json" ]] && echo "images:     $(jq -c . "${STATE}/images.json")"
  if [[ ${rc} -eq 0 && -f "${KUBECONFIG_PATH}" ]]; then
    echo "kubeconfig: ${KUBECONFIG_PATH}"
    kc get nodes -o wide 2>&1 || rc=3
    kc get pods -A -o wide 2>&1 || rc=3
  fi
  return "${rc}"
}
