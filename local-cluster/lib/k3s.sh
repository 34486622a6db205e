# shellcheck shell=bash
# shellcheck disable=SC2153 # STATE is lib/common.sh's, not a misspelt local
# k3s itself (built by build-k3s.sh): `k3s server` on node 1 in the host's namespaces, `k3s agent`
# on node k in the namespaces of its containerd; their readiness, and a restart of them all.

node_pod_cidr() { kc get node "$1" -o jsonpath='{.spec.podCIDR}' 2>/dev/null | grep -q .; }

start_server() {
  local pidfile="${K3S_PID}"
  render "${CLUSTER_DIR}/templates/k3s-config.yaml.tmpl" "${STATE}/k3s-config.yaml"
  if pid_alive "${pidfile}"; then
    log "node $(node_name): k3s server already running (pid $(cat "${pidfile}"))"
  else
    made process "${pidfile}"
    local item
    while IFS= read -r item; do made "${item}"; done < <(k3s_host_items)
    log "node $(node_name): starting k3s server ${K3S_VERSION}, log ${LOG_DIR}/k3s.log"
    (close_inherited_fds; PATH="${CNI_BIN_DIR}:${PATH}" exec setsid "${K3S_BIN}" server --config "${STATE}/k3s-config.yaml" \
      >>"${LOG_DIR}/k3s.log" 2>&1 </dev/null) &
    echo $! >"${pidfile}"
  fi
  wait_for 180 "kubeconfig and API server" kc get --raw /readyz
  # The controller-manager hands out pod CIDRs in the order nodes register: the server first.
  wait_for 180 "node $(node_name): pod CIDR" node_pod_cidr "$(node_name)"
}

start_agent() {
  local k="$1" name state run pidfile log
  name="$(agent_name "${k}")"
  state="$(node_state "${k}")"
  run="$(node_run "${k}")"
  pidfile="${run}/k3s.pid"
  log="$(node_logs "${k}")/k3s.log"
  create_node_cgroups "${k}"
  render "${CLUSTER_DIR}/templates/k3s-agent-config.yaml.tmpl" "${state}/k3s-agent-config.yaml" "${k}"
  if pid_alive "${pidfile}"; then
    log "node ${name}: k3s agent already running (pid $(cat "${pidfile}"))"
    return
  fi
  made process "${pidfile}"
  log "node ${name}: starting k3s agent in netns ${name}, log ${log}"
  # Into the network and mount namespaces of the node's containerd (see cmd_node_exec).
  (close_inherited_fds; PATH="${CNI_BIN_DIR}:${PATH}" exec setsid nsenter --target "$(cat "${run}/containerd.pid")" \
    --mount --net -- "${K3S_BIN}" agent --config "${state}/k3s-agent-config.yaml" \
    >>"${log}" 2>&1 </dev/null) &
  echo $! >"${pidfile}"
}

node_ready() { kc wait --for=condition=Ready "node/$1" --timeout=2s; }

# The agent nodes whose k3s runs.
running_agents() {
  local k
  for k in $(agents); do
    if pid_alive "$(node_run "${k}")/k3s.pid"; then printf '%s\n' "${k}"; fi
  done
}

# Restarts every node's k3s (server first) with the configuration the fault files give, waiting
# until each node's Flannel and network policy controller are back. Pods keep running: they belong
# to the nodes' containerds, which stay up.
restart_k3s() {
  local agents k pidfiles=("${K3S_PID}")
  mapfile -t agents < <(running_agents)
  for k in "${agents[@]}"; do pidfiles+=("$(node_run "${k}")/k3s.pid"); done
  stop_pids "${pidfiles[@]}"
  for k in 1 "${agents[@]}"; do
    [[ "$(network_policy_disabled)" == false ]] || remove_kube_router "${k}"
    # Written again by each node's Flannel once its k3s is back: the sign that it is.
    rm -f "$(subnet_env "${k}")"
  done
  start_server
  for k in "${agents[@]}"; do start_agent "${k}"; done
  for k in 1 "${agents[@]}"; do
    flannel_ready "${k}"
    write_cni_conf "${k}"
    wait_for 120 "node $(node_name_of "${k}") Ready" node_ready "$(node_name_of "${k}")"
  done
  network_policy_ready 1 "${agents[@]}"
  coredns_watching
}
