# shellcheck shell=bash
# `up` and `down`: the order of the steps. Each step lives with its concern (nodes.sh,
# containerd.sh, k3s.sh, images.sh, cni.sh, dns.sh, netpol.sh); what up makes is recorded in the
# state file (state.sh) and down removes exactly that, the last made first.

cmd_up() {
  local start=${SECONDS} nodes="${DEFAULT_NODES}" k
  while (($#)); do
    case "$1" in
      --nodes)
        nodes="${2:-}"
        shift 2 || die "--nodes needs a number"
        ;;
      --nodes=*)
        nodes="${1#*=}"
        shift
        ;;
      *) die "up: unknown argument $1 (usage: up [--nodes N])" ;;
    esac
  done
  [[ "${nodes}" =~ ^[1-9]$ ]] || die "--nodes must be 1..${MAX_NODES}, not '${nodes}'"
  [[ ${EUID} -eq 0 ]] || die "run as root (containerd, netns, iptables)"
  adopt_legacy_state
  upgrade_record
  refuse_foreign "start a cluster here"
  preflight
  if [[ -d "${STATE}" && "$(cat "${STATE}/layout" 2>/dev/null)" != "${LAYOUT}" ]]; then
    log "the cluster here was made by an older cluster.sh (layout '$(cat "${STATE}/layout" 2>/dev/null)'): recreating it"
    cmd_down
  fi
  record_baseline
  echo "${LAYOUT}" >"${STATE}/layout"
  log "k3s binary"
  k3s_build
  log "images"
  build_images
  configure_host
  # Agent nodes beyond N go first (up --nodes 1 on a two-node cluster).
  for k in $(made_items node); do
    ((k > nodes)) || continue
    stop_agent_node "${k}"
    kc delete node "$(agent_name "${k}")" --ignore-not-found >/dev/null 2>&1 || true
  done
  for ((k = 2; k <= nodes; k++)); do
    create_node_netns "${k}"
  done
  for ((k = 1; k <= nodes; k++)); do
    start_containerd "${k}"
  done
  for ((k = 1; k <= nodes; k++)); do
    import_images "${k}"
  done
  host_tools
  start_server
  # The node's pod network, and so the node, is ready once its CNI conf is written from its lease.
  flannel_ready 1
  write_cni_conf 1
  deploy_coredns
  for ((k = 2; k <= nodes; k++)); do
    start_agent "${k}"
    # One at a time, so that node k gets 10.42.<k-1>.0/24.
    ((k == nodes)) || wait_for 180 "node $(agent_name "${k}"): pod CIDR" node_pod_cidr "$(agent_name "${k}")"
  done
  for ((k = 1; k <= nodes; k++)); do
    if ((k > 1)); then
      flannel_ready "${k}"
      write_cni_conf "${k}"
    fi
    wait_for 180 "node $(node_name_of "${k}") Ready" node_ready "$(node_name_of "${k}")"
    network_policy_ready "${k}"
  done
  coredns_ready
  log "up in $((SECONDS - start))s, ${nodes} node(s): kubeconfig ${KUBECONFIG_PATH}"
  kc get nodes -o custom-columns='NODE:.metadata.name,INTERNAL-IP:.status.addresses[?(@.type=="InternalIP")].address,POD-CIDR:.spec.podCIDR,FLANNEL:.metadata.annotations.flannel\.alpha\.coreos\.com/backend-type' >&2
  log "  export KUBECONFIG=${KUBECONFIG_PATH} PATH=${STATE}/bin:\$PATH   # kubectl = k3s ${K3S_VERSION}"
  log "  images: $(jq -c . "${STATE}/images.json")"
}

# Removes agent node k entirely (up --nodes N below k): its k3s agent, pods, containerd, shims,
# namespaces (its mounts go with its mount namespace), veth, cgroups and files.
stop_agent_node() {
  local k="$1" run
  run="$(node_run "${k}")"
  log "node $(agent_name "${k}"): stopping"
  stop_pids "${run}/k3s.pid"
  remove_pods "${k}"
  stop_pids "${run}/containerd.pid"
  kill_shims "${k}"
  release_agent_node "${k}"
  rm -rf "$(node_state "${k}")" "${run}" "$(node_logs "${k}")"
  forget process "${run}/k3s.pid"
  forget process "${run}/containerd.pid"
  forget link "$(agent_name "${k}")"
  forget node "${k}"
}

# strip_iptables <pattern>: removes every chain and rule matching an extended regex from every
# table of every iptables variant in the host's namespace (save, filter, restore: one table at a
# time, atomically).
strip_iptables() {
  local ours="$1" cmd table saved
  while read -r cmd table; do
    saved="$("${cmd}-save" -t "${table}" 2>/dev/null)" || continue
    grep -qE "${ours}" <<<"${saved}" || continue
    log "removing ${ours} from ${cmd} ${table}"
    grep -vE "${ours}" <<<"${saved}" | "${cmd}-restore" -w 5 -T "${table}"
  done < <(iptables_tables)
}

# remove_netns <prefix>: deletes every network namespace /run/netns/<prefix>* (the pods' netns,
# with the host ends of their veths).
remove_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk -v p="$1" 'index($1, p) == 1 {print $1}'); do
    log "deleting netns ${ns}"
    ip netns delete "${ns}" 2>/dev/null || true
  done
}

# remove_ipsets <pattern>: destroys the host's ipsets matching it, once no rule uses them.
remove_ipsets() {
  local set
  command -v ipset >/dev/null || return 0
  for set in $(ipset list -n 2>/dev/null | grep -E -- "$1" || true); do
    ipset destroy "${set}" 2>/dev/null || log "WARNING: could not destroy ipset ${set}"
  done
}

# remove_link <name>: deletes a link of ours, and first the veths on it if it is a bridge (the
# pods' host ends on cni0).
remove_link() {
  local veth
  ip link show "$1" >/dev/null 2>&1 || return 0
  for veth in $(ip -o link show master "$1" type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "${veth}" 2>/dev/null || true
  done
  log "deleting $1"
  ip link delete "$1"
}

cmd_down() {
  [[ ${EUID} -eq 0 ]] || die "run as root"
  adopt_legacy_state
  upgrade_record
  # Looked for before anything goes, against the record as it is.
  local foreign
  foreign="$(foreign_findings)"
  if [[ ! -f "${MADE}" ]]; then
    log "nothing to take down (no ${MADE})"
    rm -rf "${STATE}" "${RUN_DIR}"
  else
    remove_made
  fi
  if [[ -n "${foreign}" ]]; then
    log "left untouched, not ours:"
    # shellcheck disable=SC2001 # a prefix on every line of a list
    sed 's/^/  - /' <<<"${foreign}" >&2
    foreign_advice >&2
  fi
}

# Removes everything the state file lists, the last made first, then the state itself.
remove_made() {
  local agents k pidfiles=() item
  mapfile -t agents < <(made_items node)
  # Every k3s at once (server and agents), then every node's pods, then every containerd.
  mapfile -t pidfiles < <(made_items process | grep '/k3s\.pid$' || true)
  stop_pids "${pidfiles[@]}"
  for k in 1 "${agents[@]}"; do remove_pods "${k}"; done
  mapfile -t pidfiles < <(made_items process | grep -v '/k3s\.pid$' || true)
  stop_pids "${pidfiles[@]}"
  for k in 1 "${agents[@]}"; do kill_shims "${k}"; done
  for k in "${agents[@]}"; do release_agent_node "${k}"; done
  unmount_under "${STATE}" "${RUN_DIR}"
  # Only what the record lists: the pods' netns, then the chains (and the rules that use the
  # ipsets), the ipsets, and the links, the last made first.
  while IFS= read -r item; do remove_netns "${item}"; done < <(made_items netns)
  while IFS= read -r item; do strip_iptables "${item}"; done < <(made_items iptables)
  while IFS= read -r item; do remove_ipsets "${item}"; done < <(made_items ipset)
  while IFS= read -r item; do remove_link "${item}"; done < <(made_items link)
  local line
  log "restoring sysctls"
  while IFS= read -r line; do
    sysctl -qw "${line%%=*}=${line#*=}" 2>/dev/null || true
  done < <(made_items sysctl)
  local p
  while IFS= read -r p; do
    [[ -e "${p}" ]] || continue
    if [[ "${p}" == /sys/fs/cgroup/* ]]; then
      remove_cgroup "${p}"
      continue
    fi
    unmount_under "${p}"
    log "removing ${p}"
    rm -rf "${p}"
  done < <(made_items path)
  log "removing ${STATE} and ${RUN_DIR}"
  rm -rf "${STATE}" "${RUN_DIR}"
  log "down (caches kept in ${POD_TO_POD_CACHE})"
}
