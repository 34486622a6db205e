# shellcheck shell=bash
# Debian's containerd, one per node, each on its own root, state and socket
# (templates/containerd-config.toml.tmpl); the pods it runs, and the shims that outlive it.

ctr_() { ctr --address "$(node_sock "$1")" --namespace k8s.io "${@:2}"; }

crictl_() { "$(k3s_tool crictl)" --runtime-endpoint "unix://$(node_sock "$1")" "${@:2}"; }

start_containerd() {
  local k="$1" name state run pidfile log
  name="$(node_name_of "${k}")"
  state="$(node_state "${k}")"
  run="$(node_run "${k}")"
  pidfile="${run}/containerd.pid"
  log="$(node_logs "${k}")/containerd.log"
  mkdir -p "${state}/containerd" "$(cni_conf_dir "${k}")" "${run}/containerd" "${log%/*}"
  render "${CLUSTER_DIR}/templates/containerd-config.toml.tmpl" "${state}/containerd/config.toml" "${k}"
  if pid_alive "${pidfile}"; then
    log "node ${name}: containerd already running (pid $(cat "${pidfile}"))"
  else
    # An agent's kubelet lives in the mount namespace this containerd makes: kill a stale one.
    ((k == 1)) || stop_pids "$(node_run "${k}")/k3s.pid"
    made process "${pidfile}"
    log "node ${name}: starting containerd ($(containerd --version | awk '{print $3}')), log ${log}"
    # A new session so it outlives this script; PID recorded for `down`.
    if ((k == 1)); then
      (close_inherited_fds; exec setsid containerd --config "${state}/containerd/config.toml" \
        >>"${log}" 2>&1 </dev/null) &
    else
      # In the node's netns and in a new private mount namespace, which its k3s agent joins.
      (close_inherited_fds; exec setsid nsenter --net="$(netns_path "${k}")" -- \
        unshare --mount --propagation private -- \
        bash "${CLUSTER_DIR}/cluster.sh" node-exec "${k}" \
        containerd --config "${state}/containerd/config.toml" >>"${log}" 2>&1 </dev/null) &
    fi
    echo $! >"${pidfile}"
  fi
}

# Shims outlive containerd; a node's are the ones started with its containerd's socket.
our_shims() {
  local p sock="$1"
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"${p}/cmdline" | grep -qF -- "-address ${sock} " &&
      printf '%s\n' "${p#/proc/}"
  done
  return 0
}

remove_pods() {
  local k="$1" pods
  [[ -S "$(node_sock "${k}")" ]] && pid_alive "$(node_run "${k}")/containerd.pid" || return 0
  pods="$(crictl_ "${k}" pods -q 2>/dev/null || true)"
  [[ -n "${pods}" ]] || return 0
  log "node $(node_name_of "${k}"): removing $(wc -w <<<"${pods}") pod sandboxes (CNI DEL releases veths and IPs)"
  # shellcheck disable=SC2086 # one argument per pod ID, split on purpose
  crictl_ "${k}" stopp ${pods} >/dev/null 2>&1 || true
  # shellcheck disable=SC2086 # one argument per pod ID, split on purpose
  crictl_ "${k}" rmp -f ${pods} >/dev/null 2>&1 || true
}

kill_shims() {
  local pid
  for pid in $(our_shims "$(node_sock "$1")"); do
    log "killing leftover shim ${pid}"
    kill -KILL "${pid}" 2>/dev/null || true
  done
}
