# shellcheck shell=bash
# NetworkPolicy, enforced as k3s ships it: k3s's embedded network policy controller (kube-router's)
# runs in every node's k3s and turns each policy into ipsets and iptables chains in the node's
# network namespace. break-network-policy / mend-network-policy switch it off and on for tests.

# While this file exists the cluster runs with disable-network-policy: true (break-network-policy).
NETPOL_FAULT="${FAULTS_DIR}/network-policy-off"
# What the controller puts in a node's filter table: its top-level chains and the jumps to them,
# the per-policy and per-pod chains, and its explicit ACCEPT in INPUT/FORWARD/OUTPUT.
KUBE_ROUTER_RULES='KUBE-ROUTER|KUBE-NWPLCY-|KUBE-POD-FW-'
# Its ipsets: a policy's source and destination pods (inet6: for IPv6, unused here).
KUBE_ROUTER_IPSETS='^(inet6:)?KUBE-(SRC|DST)-'

network_policy_disabled() { if [[ -e "${NETPOL_FAULT}" ]]; then echo true; else echo false; fi; }

# Node k's controller has run a full sync: the explicit ACCEPT it appends to FORWARD is written by
# every sync and by nothing else, so it is there only once its policy chains are.
network_policy_synced() {
  in_node "$1" iptables -w -S FORWARD | grep -q 'KUBE-ROUTER rule to explicitly ACCEPT'
}

# remove_kube_router <k>: removes the controller's chains, rules and ipsets from node k, as
# k3s-killall.sh does: k3s started with disable-network-policy leaves them in place, still
# enforcing the last policies they saw (k3s-io/k3s#7244). Only while node k's k3s is stopped.
remove_kube_router() {
  local k="$1" cmd saved set
  for cmd in iptables ip6tables; do
    saved="$(in_node "${k}" "${cmd}-save" -t filter 2>/dev/null)" || continue
    grep -qE "${KUBE_ROUTER_RULES}" <<<"${saved}" || continue
    log "node $(node_name_of "${k}"): removing kube-router's ${cmd} chains"
    grep -vE "${KUBE_ROUTER_RULES}" <<<"${saved}" | in_node "${k}" "${cmd}-restore" -w 5 -T filter
  done
  command -v ipset >/dev/null || return 0
  for set in $(in_node "${k}" ipset list -n 2>/dev/null | grep -E "${KUBE_ROUTER_IPSETS}"); do
    in_node "${k}" ipset destroy "${set}"
  done
}

# network_policy_ready <k>...: with enforcement on, waits for each node's first full sync.
network_policy_ready() {
  [[ "$(network_policy_disabled)" == false ]] || return 0
  local k
  for k in "$@"; do
    wait_for 120 "node $(node_name_of "${k}"): network policy controller synced" \
      network_policy_synced "${k}"
  done
}

cmd_break_network_policy() {
  pid_alive "${K3S_PID}" || die "the cluster is not up (local-cluster/cluster.sh up)"
  if [[ -e "${NETPOL_FAULT}" ]]; then
    log "network policy: already not enforced"
    return
  fi
  mkdir -p "${FAULTS_DIR}"
  touch "${NETPOL_FAULT}"
  log "network policy: restarting every node's k3s with disable-network-policy: true"
  restart_k3s
  log "network policy not enforced: NetworkPolicy objects are accepted by the API server and" \
    "ignored by every node (no kube-router chains or ipsets left); undo: $0 mend-network-policy"
}

cmd_mend_network_policy() {
  if [[ ! -e "${NETPOL_FAULT}" ]]; then
    log "network policy: enforced (nothing to mend)"
    return
  fi
  rm -f "${NETPOL_FAULT}"
  if ! pid_alive "${K3S_PID}"; then
    log "network policy: the cluster is not running; the next up enforces it again"
    return
  fi
  log "network policy: restarting every node's k3s with its network policy controller"
  restart_k3s
  log "network policy enforced again on every node"
}

network_policy_summary() { # network_policy_summary <k>: what node k's filter table holds of kube-router
  local rules
  rules="$(in_node "$1" iptables -w -S 2>/dev/null | grep -cE '^-A KUBE-(ROUTER|NWPLCY-|POD-FW-)' || true)"
  if network_policy_synced "$1" 2>/dev/null; then
    printf 'kube-router synced: %s rules, %s pod firewall chains, %s ipsets\n' "${rules}" \
      "$(in_node "$1" iptables -w -S 2>/dev/null | grep -c '^-N KUBE-POD-FW-' || true)" \
      "$(in_node "$1" ipset list -n 2>/dev/null | grep -cE "${KUBE_ROUTER_IPSETS}" || true)"
  else
    printf 'no kube-router sync (%s rules)\n' "${rules}"
  fi
}
