# shellcheck shell=bash
# shellcheck disable=SC2034 # constants for the other modules (cluster.sh sources them all)
# What every part of the local cluster shares: where its files live, the names and addresses of
# the nodes, and small helpers (logging, waiting, rendering templates, stopping processes).
# Node 1 is `k3s server` in the host's namespaces; node k (2..N) is `k3s agent` p2p-node<k> in
# network namespace p2p-node<k> with its own mount namespace (see nodes.sh).

STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
RUN_DIR="${POD_TO_POD_RUN:-/run/pod-to-pod}"
LOG_DIR="${STATE}/logs"
KUBECONFIG_PATH="${STATE}/kubeconfig.yaml"
# Node 1's; node k's are in its own run dir (node_run).
K3S_PID="${RUN_DIR}/k3s.pid"
# One file per fault that is switched on (faults.sh, netpol.sh), so that `up` (which restarts a
# dead k3s) keeps a fault a test switched on, and `status` and `smoke` know about it.
FAULTS_DIR="${STATE}/faults"

# Bumped whenever a cluster made by an older cluster.sh must be recreated rather than reused.
LAYOUT="own-cni-netpol-1"
DEFAULT_NODES="${POD_TO_POD_NODES:-2}"
MAX_NODES=9

CLUSTER_DNS="10.43.0.10"
# The Services' ClusterIPs (templates/k3s-config.yaml.tmpl's service-cidr).
SERVICE_CIDR="10.43.0.0/16"
POD_CIDR="10.42.0.0/16"
BRIDGE="cni0"
VXLAN_LINK="flannel.1"
VXLAN_PORT=8472
# The node network: the host's bridge holds node 1's address; node k has .<k> on its eth0.
NODE_NET_BRIDGE="p2p-nodes"
NODE_NET_PREFIX="192.168.240"
NODE_NET_CIDR="${NODE_NET_PREFIX}.0/24"
SERVER_IP="${NODE_NET_PREFIX}.1"
# The MSS the nodes' own TCP advertises on the node network (API, kubelet, kubectl exec): small
# enough for a 1400-byte link, so that break-mtu hits the pods' VXLAN traffic and not the nodes'
# (where the nodes' own traffic finds its path MTU, as it does across real routers). The pods'
# traffic and VXLAN keep the full 1500.
NODE_NET_ADVMSS=1360

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

die() {
  log "ERROR: $*"
  exit 1
}

kc() { "$(k3s_tool kubectl)" --kubeconfig "${KUBECONFIG_PATH}" "$@"; }

agent_name() { printf 'p2p-node%s\n' "$1"; }

node_name_of() { if (($1 == 1)); then node_name; else agent_name "$1"; fi; }

node_ip_of() { printf '%s.%s\n' "${NODE_NET_PREFIX}" "$1"; }

node_state() { if (($1 == 1)); then printf '%s\n' "${STATE}"; else printf '%s/%s\n' "${STATE}" "$(agent_name "$1")"; fi; }

node_run() { if (($1 == 1)); then printf '%s\n' "${RUN_DIR}"; else printf '%s/%s\n' "${RUN_DIR}" "$(agent_name "$1")"; fi; }

node_logs() { if (($1 == 1)); then printf '%s\n' "${LOG_DIR}"; else printf '%s/%s\n' "${LOG_DIR}" "$(agent_name "$1")"; fi; }

node_sock() { printf '%s/containerd/containerd.sock\n' "$(node_run "$1")"; }

netns_path() { printf '/run/netns/%s\n' "$(agent_name "$1")"; }

# in_node <k> <command...>: runs a command in node k's network namespace.
in_node() {
  local k="$1"
  shift
  if ((k == 1)); then "$@"; else nsenter --net="$(netns_path "${k}")" -- "$@"; fi
}

node_name() { hostname | tr '[:upper:]' '[:lower:]'; }

# A daemon keeps only its stdio: any other fd inherited from whoever ran this script (a lock held
# by `flock`, a test runner's pipe) would stay open, and that lock held, as long as the daemon runs.
close_inherited_fds() {
  local fd
  for fd in /proc/"${BASHPID}"/fd/*; do
    fd="${fd##*/}"
    if ((fd > 2 && fd != 255)); then
      eval "exec ${fd}>&-" 2>/dev/null || true
    fi
  done
}

pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for <seconds> <description> <command...>: polls every 2s, printing progress every 20s.
wait_for() {
  local timeout="$1" what="$2" start=${SECONDS}
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= timeout)); then
      log "timed out after ${timeout}s waiting for ${what}"
      return 1
    fi
    (((SECONDS - start) % 20 < 2)) && log "waiting for ${what} ($((SECONDS - start))s)"
    sleep 2
  done
  log "${what}: ok ($((SECONDS - start))s)"
}

# render <template> <output> [<node k>]: substitutes the @NAME@ placeholders; the @NODE_*@ ones
# describe node k (default 1, the server).
render() {
  local k="${3:-1}" iface=eth0 node_a node_b
  ((k == 1)) && iface="${NODE_NET_BRIDGE}"
  node_a="$(node_name)"
  node_b="$(agent_name 2)"
  [[ -e "$(netns_path 2)" ]] || node_b="${node_a}"
  sed -e "s|@STATE@|${STATE}|g" -e "s|@RUN@|${RUN_DIR}|g" \
    -e "s|@NODE_STATE@|$(node_state "${k}")|g" -e "s|@NODE_RUN@|$(node_run "${k}")|g" \
    -e "s|@NODE_NAME@|$(node_name_of "${k}")|g" -e "s|@NODE_IP@|$(node_ip_of "${k}")|g" \
    -e "s|@NODE_IFACE@|${iface}|g" -e "s|@SERVER_IP@|${SERVER_IP}|g" \
    -e "s|@NODE_A@|${node_a}|g" -e "s|@NODE_B@|${node_b}|g" -e "s|@CNI_BIN@|${CNI_BIN_DIR}|g" \
    -e "s|@PAUSE_IMAGE@|$(image pause)|g" -e "s|@COREDNS_IMAGE@|$(image coredns)|g" \
    -e "s|@NGINX_IMAGE@|$(image nginx)|g" -e "s|@BUSYBOX_IMAGE@|$(image busybox)|g" \
    -e "s|@CLUSTER_DNS@|${CLUSTER_DNS}|g" -e "s|@DISABLE_NETWORK_POLICY@|$(network_policy_disabled)|g" \
    "$1" >"$2.tmp"
  mv "$2.tmp" "$2"
}

# stop_pids <pidfile>...: TERM to every live one at once, then KILL what is left after 30s. Only
# a process that runs the program its PID file is named after (k3s.pid: k3s, containerd.pid:
# containerd): a PID the kernel has since given to another process is not ours to stop.
stop_pids() {
  local f pids=() pid i exe
  for f in "$@"; do
    if pid_alive "${f}"; then
      pid="$(cat "${f}")"
      exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
      exe="${exe% (deleted)}"
      if [[ "${exe##*/}" != "$(basename "${f}" .pid)" ]]; then
        log "not stopping pid ${pid} of ${f}: it runs ${exe:-an unknown program}, not $(basename "${f}" .pid)"
        continue
      fi
      log "stopping ${f#"${RUN_DIR}"/} (pid ${pid}: $(tr '\0' ' ' <"/proc/${pid}/cmdline" |
        awk '{sub(".*/", "", $1); print $1, $2}'))"
      kill -TERM "${pid}" 2>/dev/null || true
      pids+=("${pid}")
    fi
  done
  ((${#pids[@]})) || return 0
  for ((i = 0; i < 60; i++)); do
    for pid in "${pids[@]}"; do
      kill -0 "${pid}" 2>/dev/null && break
      pid=""
    done
    [[ -z "${pid:-}" ]] && return 0
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    kill -KILL "${pid}" 2>/dev/null || true
  done
}

unmount_under() { # unmounts every mount point at or below the given paths, deepest first
  local prefix mnt
  for prefix in "$@"; do
    while read -r mnt; do
      umount "${mnt}" 2>/dev/null || umount -l "${mnt}" 2>/dev/null || true
    done < <(awk -v p="${prefix}" '$5 == p || index($5, p "/") == 1 {print $5}' \
      /proc/self/mountinfo | sort -r)
  done
}

# iptables_tables: one line per "<command> <table>" for every iptables variant on this machine
# (nft and legacy, IPv4 and IPv6) and the tables it has, in the current network namespace.
iptables_tables() {
  local cmd table tables
  for cmd in iptables ip6tables iptables-legacy ip6tables-legacy; do
    command -v "${cmd}-save" >/dev/null || continue
    tables=(filter nat mangle raw)
    # Merely listing a legacy (x_tables) table instantiates it; only look at those that exist.
    case "${cmd}" in
      iptables-legacy) mapfile -t tables < <(cat /proc/net/ip_tables_names 2>/dev/null || true) ;;
      ip6tables-legacy) mapfile -t tables < <(cat /proc/net/ip6_tables_names 2>/dev/null || true) ;;
    esac
    for table in "${tables[@]}"; do
      echo "${cmd} ${table}"
    done
  done
}
