#!/usr/bin/env bash
# A real k3s for pod-to-pod with one node or more, entirely on this machine:
#   k3s (built from the Go module proxy, local-cluster/k3s.sh) + Debian's containerd/runc per node
#   + Flannel as k3s ships it (VXLAN; the flannel CNI plugin from local-cluster/flannel-cni.sh
#   delegating to Debian's bridge plugin: cni0, a /24 per node, MTU 1450) + CoreDNS without
#   forwarding, with every image built locally (local-cluster/images/build.sh) and imported, never
#   pulled. Node 1 is `k3s server` in the host's network namespace; node k (2..N) is `k3s agent`
#   named p2p-node<k> in network namespace p2p-node<k>, with its own mount namespace, containerd,
#   kubelet root, cgroup root and CNI state. The nodes share the node network 192.168.240.0/24:
#   bridge p2p-nodes (192.168.240.1, node 1) on the host and a veth into each node's netns
#   (eth0, 192.168.240.<k>); Flannel's VXLAN runs over it, never over eth0.
#
# Usage: local-cluster/cluster.sh <verb>, the verbs below
#   up      install what is missing, build/cache k3s, the flannel plugin and the images, start
#           every node, wait for the nodes to be Ready and CoreDNS to answer. Idempotent; N
#           (default 2, or POD_TO_POD_NODES) adds or removes agent nodes of a running cluster.
#   down    stop and remove every process, mount, netns, link, iptables rule, sysctl change and
#           file that `up` made (caches under ${POD_TO_POD_CACHE} stay).
#   status  what runs.
#   smoke   throwaway pods on two nodes: same-node and cross-node ping/wget, Service by name from
#           both nodes, the CNI's links on every node, kubectl exec; then deletes them.
#   break-cross-node  drop VXLAN (udp 8472) arriving at node 1 from the other nodes: pod traffic
#           between nodes dies while pods on one node, the API and the nodes stay fine.
#   mend-cross-node   undo it (does nothing if nothing is broken).
#   break-network-policy  restart every node's k3s with disable-network-policy: true (and without
#           kube-router's chains and ipsets): NetworkPolicy objects are accepted and ignored.
#   mend-network-policy   restart them with the policy controller on; wait for its first sync.
#   break-mtu [--node K]  an MTU black hole on agent node K's link (default 2): frames above 1400
#           bytes are dropped, so pod packets near the pods' 1450 MTU are lost, small ones pass.
#   mend-mtu          undo it.
# Environment: POD_TO_POD_STATE (/var/lib/pod-to-pod), POD_TO_POD_CACHE (/var/cache/pod-to-pod),
#   POD_TO_POD_RUN (/run/pod-to-pod), POD_TO_POD_NODES (2).
set -euo pipefail
shopt -s inherit_errexit

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=local-cluster/k3s.sh
source "${CLUSTER_DIR}/k3s.sh"
# shellcheck source=local-cluster/flannel-cni.sh
source "${CLUSTER_DIR}/flannel-cni.sh"

STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
RUN_DIR="${POD_TO_POD_RUN:-/run/pod-to-pod}"
LOG_DIR="${STATE}/logs"
KUBECONFIG_PATH="${STATE}/kubeconfig.yaml"
# Node 1's; node k's are in its own run dir (node_run).
K3S_PID="${RUN_DIR}/k3s.pid"
# What `down` must restore: paths `up` created and sysctl values it changed.
CREATED_PATHS="${STATE}/created-paths"
SAVED_SYSCTLS="${STATE}/saved-sysctls"
# One file per fault that is switched on (break-network-policy ...), so that `up` (which restarts a
# dead k3s) keeps a fault the tests switched on, and `status` and `smoke` know about it.
FAULTS_DIR="${STATE}/faults"

# Bumped whenever a running cluster from an older cluster.sh must be recreated rather than reused.
LAYOUT="flannel-vxlan-netpol-1"
DEFAULT_NODES="${POD_TO_POD_NODES:-2}"
MAX_NODES=9

CLUSTER_DNS="10.43.0.10"
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
EGRESS_CHAIN="POD-TO-POD-EGRESS"
# Marks the iptables rule break-cross-node inserts (`down` strips it with everything else of ours).
FAULT_TAG="POD-TO-POD-FAULT"
# Debian's CNI plugins and the flannel plugin, linked into one dir (containerd's bin_dir, and on
# k3s's PATH: k3s looks up host-local to find the CNI bin dir).
CNI_BIN_DIR="${STATE}/cni/bin"
# Paths that containerd, the kubelet, k3s and the CNI plugins use at fixed places, whatever their
# flags: each agent node gets its own copy, bind-mounted in its mount namespace. /run/flannel is the
# one that forces it (k3s's Flannel always writes /run/flannel/subnet.env); the kubelet deletes the
# /var/log/pods dirs of pods it does not know, and listens on /var/lib/kubelet/device-plugins.
NODE_PRIVATE_PATHS=(/etc/rancher /run/containerd /run/flannel /run/netns /var/lib/cni
  /var/lib/kubelet /var/log/containers /var/log/pods)
# ipset: k3s's network policy controller (kube-router) keeps a policy's pods in ipsets and skips
# starting, with only a warning, when `ipset save` fails.
# ethtool: break-mtu turns segmentation offloads off on the node links.
APT_PACKAGES=(containerd runc containernetworking-plugins iptables ipset ethtool util-linux iproute2
  procps gcc libc6-dev curl unzip jq ca-certificates)
# Paths outside STATE/RUN_DIR that containerd, the kubelet or k3s write; removed by `down` only
# when they did not exist before `up`.
FOREIGN_PATHS=(/etc/rancher /var/lib/rancher /run/k3s /var/lib/kubelet /var/log/pods
  /var/log/containers /var/lib/cni /run/netns /etc/cni /opt/cni /run/containerd
  /var/lib/containerd /opt/containerd /run/flannel)
# Sysctls k3s, the kubelet and kube-proxy may set.
SYSCTLS=(net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding
  net.ipv6.conf.all.forwarding net.ipv6.conf.default.forwarding
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.ipv4.conf.all.route_localnet net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait vm.overcommit_memory vm.panic_on_oom
  kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

kc() { "$(k3s_tool kubectl)" --kubeconfig "${KUBECONFIG_PATH}" "$@"; }

# --- nodes: 1 is the server in the host's namespaces, 2..N are agents in their own -------------

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
ctr_() { ctr --address "$(node_sock "$1")" --namespace k8s.io "${@:2}"; }
crictl_() { "$(k3s_tool crictl)" --runtime-endpoint "unix://$(node_sock "$1")" "${@:2}"; }

# The agent nodes that have anything left on this machine (netns, run dir or state dir).
present_agents() {
  local p
  for p in /run/netns/p2p-node* "${RUN_DIR}"/p2p-node* "${STATE}"/p2p-node*; do
    if [[ -e "${p}" && "${p##*/}" =~ ^p2p-node([0-9]+)$ ]]; then
      printf '%s\n' "${BASH_REMATCH[1]}"
    fi
  done | sort -un
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

image() { jq -er --arg k "$1" '.[$k]' "${STATE}/images.json"; }
# The cached docker-archive local-cluster/images/build.sh wrote for an image.
image_tar() {
  local ref
  ref="$(image "$1")"
  printf '%s\n' "${POD_TO_POD_CACHE}/images/$1-${ref##*:}.tar"
}
node_name() { hostname | tr '[:upper:]' '[:lower:]'; }

# --- up ---------------------------------------------------------------------------------------

preflight() {
  [[ ${EUID} -eq 0 ]] || die "run as root (containerd, netns, iptables)"
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("${pkg}")
  done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  command -v go >/dev/null || die "Go >= 1.24 is needed to build k3s and CoreDNS (not Debian's 1.19)"
  # cgroups: k3s 1.33's kubelet still accepts v1 (it refuses it from 1.35) but needs pids.
  [[ -d /sys/fs/cgroup/pids || -f /sys/fs/cgroup/cgroup.controllers ]] ||
    die "no pids cgroup controller mounted"
  local used
  used="$(ip -4 -o addr show | awk -v p="${NODE_NET_PREFIX}." -v b="${NODE_NET_BRIDGE}" \
    '$2 != b && index($4, p) == 1 {print $2}')"
  [[ -z "${used}" ]] || die "the node network ${NODE_NET_CIDR} is already in use here (${used})"
  # Pod -> ClusterIP -> pod on the same bridge only works if bridged replies pass conntrack.
  if [[ ! -d /proc/sys/net/bridge ]]; then
    if command -v modprobe >/dev/null; then
      modprobe br_netfilter 2>/dev/null || true
    fi
    [[ -d /proc/sys/net/bridge ]] || die "br_netfilter is unavailable (no /proc/sys/net/bridge):" \
      "Service traffic between pods on ${BRIDGE} would break; load br_netfilter first"
  fi
}

# Records, once, what the machine looked like before the first `up`.
record_baseline() {
  mkdir -p "${STATE}" "${RUN_DIR}" "${LOG_DIR}"
  if [[ ! -f "${CREATED_PATHS}" ]]; then
    local p hierarchies=()
    # The kubelet's cgroup tree (cgroupfs driver), in every v1 hierarchy and the v2 one.
    for p in /sys/fs/cgroup/*/; do
      hierarchies+=("${p}kubepods")
    done
    [[ -f /sys/fs/cgroup/cgroup.controllers ]] && hierarchies+=(/sys/fs/cgroup/kubepods)
    for p in "${FOREIGN_PATHS[@]}" "${hierarchies[@]}"; do
      [[ -e "${p}" ]] || printf '%s\n' "${p}"
    done >"${CREATED_PATHS}.tmp"
    mv "${CREATED_PATHS}.tmp" "${CREATED_PATHS}"
  fi
  if [[ ! -f "${SAVED_SYSCTLS}" ]]; then
    local s v
    for s in "${SYSCTLS[@]}"; do
      if v="$(sysctl -n "${s}" 2>/dev/null)"; then
        printf '%s=%s\n' "${s}" "${v//$'\t'/ }"
      fi
    done >"${SAVED_SYSCTLS}.tmp"
    mv "${SAVED_SYSCTLS}.tmp" "${SAVED_SYSCTLS}"
  fi
}

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
  # The CNI plugins: Debian's and the flannel one, in one dir.
  mkdir -p "${CNI_BIN_DIR}"
  local plugin
  for plugin in /usr/lib/cni/*; do
    ln -sfn "${plugin}" "${CNI_BIN_DIR}/${plugin##*/}"
  done
  ln -sfn "$(flannel_cni_bin)" "${CNI_BIN_DIR}/flannel"
  # The node network: node 1's address on a bridge, which each agent node's veth joins.
  if ! ip link show "${NODE_NET_BRIDGE}" >/dev/null 2>&1; then
    log "node network: bridge ${NODE_NET_BRIDGE} ${SERVER_IP}/24"
    ip link add "${NODE_NET_BRIDGE}" type bridge
    ip addr add "${SERVER_IP}/24" dev "${NODE_NET_BRIDGE}"
  fi
  ip link set "${NODE_NET_BRIDGE}" up
  node_net_route 1
  egress_rules "${NODE_NET_BRIDGE}" host
}

# node_net_route <k>: node k's route to the node network, with NODE_NET_ADVMSS.
node_net_route() {
  local k="$1" link=eth0
  ((k == 1)) && link="${NODE_NET_BRIDGE}"
  in_node "${k}" ip route replace "${NODE_NET_CIDR}" dev "${link}" proto kernel scope link \
    src "$(node_ip_of "${k}")" advmss "${NODE_NET_ADVMSS}"
}

# Network namespace p2p-node<k>: eth0 (a veth whose host end is on the node-network bridge) with
# 192.168.240.<k>/24, lo, no default route, forwarding on, and the same egress rules.
create_node_netns() {
  local k="$1" name ns
  name="$(agent_name "${k}")"
  ns="$(netns_path "${k}")"
  if ! nsenter --net="${ns}" true 2>/dev/null; then
    log "node ${name}: network namespace ${name}, eth0 $(node_ip_of "${k}")/24"
    mkdir -p /run/netns
    rm -f "${ns}"
    touch "${ns}"
    # A bind-mounted netns file, as containerd makes them; not `ip netns add`, which would also
    # turn /run/netns itself into a shared mount point that `down` would have to undo.
    unshare --net="${ns}" true
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

start_containerd() {
  local k="$1" name state run pidfile log
  name="$(node_name_of "${k}")"
  state="$(node_state "${k}")"
  run="$(node_run "${k}")"
  pidfile="${run}/containerd.pid"
  log="$(node_logs "${k}")/containerd.log"
  mkdir -p "${state}/containerd" "${state}/k3s/agent/etc/cni/net.d" "${run}/containerd" "${log%/*}"
  render "${CLUSTER_DIR}/templates/containerd-config.toml.tmpl" "${state}/containerd/config.toml" "${k}"
  if pid_alive "${pidfile}"; then
    log "node ${name}: containerd already running (pid $(cat "${pidfile}"))"
  else
    # An agent's kubelet lives in the mount namespace this containerd makes: kill a stale one.
    ((k == 1)) || stop_pids "$(node_run "${k}")/k3s.pid"
    log "node ${name}: starting containerd ($(containerd --version | awk '{print $3}')), log ${log}"
    # A new session so it outlives this script; PID recorded for `down`.
    if ((k == 1)); then
      (exec setsid containerd --config "${state}/containerd/config.toml" \
        >>"${log}" 2>&1 </dev/null) &
    else
      # In the node's netns and in a new private mount namespace, which its k3s agent joins.
      (exec setsid nsenter --net="$(netns_path "${k}")" -- \
        unshare --mount --propagation private -- \
        bash "${CLUSTER_DIR}/cluster.sh" node-exec "${k}" \
        containerd --config "${state}/containerd/config.toml" >>"${log}" 2>&1 </dev/null) &
    fi
    echo $! >"${pidfile}"
  fi
}

import_images() {
  local k="$1" name ref tar present
  wait_for 60 "node $(node_name_of "${k}"): containerd socket" \
    ctr --address "$(node_sock "${k}")" version
  present="$(ctr_ "${k}" images ls -q)"
  for name in pause busybox nginx coredns; do
    ref="$(image "${name}")"
    if grep -qFx "${ref}" <<<"${present}"; then
      continue
    fi
    tar="$(image_tar "${name}")"
    log "node $(node_name_of "${k}"): importing ${ref}"
    ctr_ "${k}" images import "${tar}" >/dev/null
  done
}

host_tools() {
  # A host-side busybox for checking DNS through the kube-dns Service.
  mkdir -p "${STATE}/bin"
  if [[ ! -x "${STATE}/bin/busybox" ]]; then
    local archive layer
    archive="$(image_tar busybox)"
    layer="$(tar -xOf "${archive}" manifest.json | jq -r '.[0].Layers[0]')"
    tar -xOf "${archive}" "${layer}" | tar -xO bin/busybox >"${STATE}/bin/busybox"
    chmod 0755 "${STATE}/bin/busybox"
  fi
  local tool
  for tool in kubectl crictl; do
    ln -sfn "${K3S_BIN}" "${STATE}/bin/${tool}"
  done
}

node_pod_cidr() { kc get node "$1" -o jsonpath='{.spec.podCIDR}' 2>/dev/null | grep -q .; }

# Where node k's Flannel writes its lease for the flannel CNI plugin (node k's private /run/flannel).
subnet_env() {
  if (($1 == 1)); then echo /run/flannel/subnet.env; else echo "$(node_state "$1")/private/run/flannel/subnet.env"; fi
}

# A node is Ready as soon as k3s has written the CNI conflist, which is before its Flannel has
# written subnet.env; a pod sandbox made in between fails ("loadFlannelSubnetEnv failed") and the
# kubelet retries it only after a back-off (measured: CoreDNS started 14 s late). So `up` waits for
# every node's subnet.env, and deploys CoreDNS itself once the server node's is there (k3s's
# manifests dir is applied at start, too early, or rescanned every 15 s).
flannel_ready() {
  wait_for 120 "node $(node_name_of "$1"): Flannel's subnet.env" test -s "$(subnet_env "$1")"
}

deploy_coredns() {
  render "${CLUSTER_DIR}/templates/coredns.yaml.tmpl" "${STATE}/coredns.yaml"
  kc apply -f "${STATE}/coredns.yaml" >/dev/null
}

start_server() {
  local pidfile="${K3S_PID}"
  render "${CLUSTER_DIR}/templates/k3s-config.yaml.tmpl" "${STATE}/k3s-config.yaml"
  if pid_alive "${pidfile}"; then
    log "node $(node_name): k3s server already running (pid $(cat "${pidfile}"))"
  else
    log "node $(node_name): starting k3s server ${K3S_VERSION}, log ${LOG_DIR}/k3s.log"
    (PATH="${CNI_BIN_DIR}:${PATH}" exec setsid "${K3S_BIN}" server --config "${STATE}/k3s-config.yaml" \
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
  log "node ${name}: starting k3s agent in netns ${name}, log ${log}"
  # Into the network and mount namespaces of the node's containerd (see cmd_node_exec).
  (PATH="${CNI_BIN_DIR}:${PATH}" exec setsid nsenter --target "$(cat "${run}/containerd.pid")" \
    --mount --net -- "${K3S_BIN}" agent --config "${state}/k3s-agent-config.yaml" \
    >>"${log}" 2>&1 </dev/null) &
  echo $! >"${pidfile}"
}

node_ready() { kc wait --for=condition=Ready "node/$1" --timeout=2s; }

cmd_up() {
  local start=${SECONDS} nodes="${DEFAULT_NODES}" k
  while (($#)); do
    case "$1" in
      --nodes) nodes="${2:-}"; shift 2 || die "--nodes needs a number" ;;
      --nodes=*) nodes="${1#*=}"; shift ;;
      *) die "up: unknown argument $1 (usage: up [--nodes N])" ;;
    esac
  done
  [[ "${nodes}" =~ ^[1-9]$ ]] || die "--nodes must be 1..${MAX_NODES}, not '${nodes}'"
  preflight
  if pid_alive "${K3S_PID}" && [[ "$(cat "${STATE}/layout" 2>/dev/null)" != "${LAYOUT}" ]]; then
    log "the running cluster was made by an older cluster.sh (layout '$(cat "${STATE}/layout" 2>/dev/null)'): recreating it"
    cmd_down
  fi
  record_baseline
  echo "${LAYOUT}" >"${STATE}/layout"
  log "k3s binary"
  k3s_build
  flannel_cni_build
  log "images"
  bash "${CLUSTER_DIR}/images/build.sh" all >/dev/null
  configure_host
  # Agent nodes beyond N go first (up --nodes 1 on a two-node cluster).
  for k in $(present_agents); do
    if ((k > nodes)); then
      stop_agent_node "${k}"
      kc delete node "$(agent_name "${k}")" --ignore-not-found >/dev/null 2>&1 || true
    fi
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
  flannel_ready 1
  deploy_coredns
  for ((k = 2; k <= nodes; k++)); do
    start_agent "${k}"
    # One at a time, so that node k gets 10.42.<k-1>.0/24.
    ((k == nodes)) || wait_for 180 "node $(agent_name "${k}"): pod CIDR" node_pod_cidr "$(agent_name "${k}")"
  done
  for ((k = 1; k <= nodes; k++)); do
    wait_for 180 "node $(node_name_of "${k}") Ready" node_ready "$(node_name_of "${k}")"
    ((k == 1)) || flannel_ready "${k}"
  done
  for ((k = 1; k <= nodes; k++)); do
    network_policy_ready "${k}"
  done
  wait_for 180 "CoreDNS deployment" \
    kc -n kube-system rollout status deployment/coredns --timeout=2s
  wait_for 60 "CoreDNS answering through the kube-dns Service (${CLUSTER_DNS})" \
    "${STATE}/bin/busybox" nslookup kubernetes.default.svc.cluster.local "${CLUSTER_DNS}"
  log "up in $((SECONDS - start))s, ${nodes} node(s): kubeconfig ${KUBECONFIG_PATH}"
  kc get nodes -o custom-columns='NODE:.metadata.name,INTERNAL-IP:.status.addresses[?(@.type=="InternalIP")].address,POD-CIDR:.spec.podCIDR,FLANNEL:.metadata.annotations.flannel\.alpha\.coreos\.com/backend-type' >&2
  log "  export KUBECONFIG=${KUBECONFIG_PATH} PATH=${STATE}/bin:\$PATH   # kubectl = k3s ${K3S_VERSION}"
  log "  images: $(jq -c . "${STATE}/images.json")"
}

# --- down -------------------------------------------------------------------------------------

# stop_pids <pidfile>...: TERM to every live one at once, then KILL what is left after 30s.
stop_pids() {
  local f pids=() pid i
  for f in "$@"; do
    if pid_alive "${f}"; then
      pid="$(cat "${f}")"
      log "stopping ${f#"${RUN_DIR}"/} (pid ${pid}: $(tr '\0' ' ' <"/proc/${pid}/cmdline" |
        awk '{sub(".*/", "", $1); print $1, $2}'))"
      kill -TERM "${pid}" 2>/dev/null || true
      pids+=("${pid}")
    fi
  done
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

# Removes agent node k entirely: its k3s agent, pods, containerd, shims, namespaces (its mounts go
# with its mount namespace), veth, cgroups and files.
stop_agent_node() {
  local k="$1" name run pid
  name="$(agent_name "${k}")"
  run="$(node_run "${k}")"
  log "node ${name}: stopping"
  stop_pids "${run}/k3s.pid"
  remove_pods "${k}"
  stop_pids "${run}/containerd.pid"
  kill_shims "${k}"
  release_agent_node "${k}"
  rm -rf "$(node_state "${k}")" "${run}" "$(node_logs "${k}")"
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

unmount_under() { # unmounts every mount point at or below the given paths, deepest first
  local prefix mnt
  for prefix in "$@"; do
    while read -r mnt; do
      umount "${mnt}" 2>/dev/null || umount -l "${mnt}" 2>/dev/null || true
    done < <(awk -v p="${prefix}" '$5 == p || index($5, p "/") == 1 {print $5}' \
      /proc/self/mountinfo | sort -r)
  done
}

clean_iptables() {
  local cmd table tables ours="KUBE-|CNI-|FLANNEL-|POD-TO-POD-"
  for cmd in iptables ip6tables iptables-legacy ip6tables-legacy; do
    command -v "${cmd}-save" >/dev/null || continue
    tables=(filter nat mangle raw)
    # Merely listing a legacy (x_tables) table instantiates it; only look at those that exist.
    case "${cmd}" in
      iptables-legacy) mapfile -t tables < <(cat /proc/net/ip_tables_names 2>/dev/null || true) ;;
      ip6tables-legacy) mapfile -t tables < <(cat /proc/net/ip6_tables_names 2>/dev/null || true) ;;
    esac
    for table in "${tables[@]}"; do
      local saved
      saved="$("${cmd}-save" -t "${table}" 2>/dev/null)" || continue
      grep -qE "${ours}" <<<"${saved}" || continue
      log "removing pod-to-pod/kube-proxy/flannel/CNI rules from ${cmd} ${table}"
      grep -vE "${ours}" <<<"${saved}" | "${cmd}-restore" -w 5 -T "${table}"
    done
  done
}

cmd_down() {
  [[ ${EUID} -eq 0 ]] || die "run as root"
  local agents k pidfiles=()
  mapfile -t agents < <(present_agents)
  # Every k3s at once (server and agents), then every node's pods, then every containerd.
  pidfiles=("${K3S_PID}")
  for k in "${agents[@]}"; do pidfiles+=("$(node_run "${k}")/k3s.pid"); done
  stop_pids "${pidfiles[@]}"
  for k in 1 "${agents[@]}"; do remove_pods "${k}"; done
  pidfiles=()
  for k in 1 "${agents[@]}"; do pidfiles+=("$(node_run "${k}")/containerd.pid"); done
  stop_pids "${pidfiles[@]}"
  for k in 1 "${agents[@]}"; do kill_shims "${k}"; done
  for k in "${agents[@]}"; do release_agent_node "${k}"; done
  unmount_under "${STATE}" "${RUN_DIR}"
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cni-/ {print $1}'); do
    log "deleting netns ${ns}"
    ip netns delete "${ns}" 2>/dev/null || true
  done
  if ip link show "${BRIDGE}" >/dev/null 2>&1; then
    local veth
    for veth in $(ip -o link show master "${BRIDGE}" | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip link delete "${veth}" 2>/dev/null || true
    done
    log "deleting ${BRIDGE}"
    ip link delete "${BRIDGE}"
  fi
  local link
  for link in "${VXLAN_LINK}" "${NODE_NET_BRIDGE}"; do
    if ip link show "${link}" >/dev/null 2>&1; then
      log "deleting ${link}"
      ip link delete "${link}"
    fi
  done
  clean_iptables
  # kube-router's ipsets on node 1 (the agent nodes' go with their network namespaces); its chains
  # went with every other KUBE-* chain above.
  remove_kube_router 1
  if [[ -f "${SAVED_SYSCTLS}" ]]; then
    log "restoring sysctls"
    local line
    while IFS= read -r line; do
      sysctl -qw "${line%%=*}=${line#*=}" 2>/dev/null || true
    done <"${SAVED_SYSCTLS}"
  fi
  if [[ -f "${CREATED_PATHS}" ]]; then
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
    done <"${CREATED_PATHS}"
  fi
  log "removing ${STATE} and ${RUN_DIR}"
  rm -rf "${STATE}" "${RUN_DIR}"
  log "down (caches kept in ${POD_TO_POD_CACHE})"
}

# --- status -----------------------------------------------------------------------------------

link_summary() { # link_summary <k> <link>: "<addr>, mtu N" or "absent"
  local k="$1" link="$2"
  if in_node "${k}" ip link show "${link}" >/dev/null 2>&1; then
    printf '%s mtu %s\n' "$(in_node "${k}" ip -br -4 addr show "${link}" | awk '{print $3}')" \
      "$(in_node "${k}" ip -o link show "${link}" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
  else
    echo absent
  fi
}

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

cmd_status() {
  local rc=0 k what f
  for k in 1 $(present_agents); do
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

# --- faults -----------------------------------------------------------------------------------

# The rule break-cross-node inserts: VXLAN packets from the other nodes are dropped on arrival at
# node 1, so every round trip between pods on different nodes fails (requests one way, replies the
# other), while pods on one node, Services with local endpoints, the API and the nodes' own
# traffic (TCP on the node network) stay up.
cross_node_fault() {
  printf '%s\n' INPUT -i "${NODE_NET_BRIDGE}" -p udp --dport "${VXLAN_PORT}" -j DROP \
    -m comment --comment "${FAULT_TAG}: VXLAN from the other nodes dropped"
}

cmd_break_cross_node() {
  local rule
  mapfile -t rule < <(cross_node_fault)
  iptables -w -C "${rule[@]}" 2>/dev/null || iptables -w -I "${rule[0]}" 1 "${rule[@]:1}"
  log "cross-node path broken: VXLAN (udp ${VXLAN_PORT}) from the other nodes is dropped on" \
    "${NODE_NET_BRIDGE}; undo: $0 mend-cross-node"
}

cmd_mend_cross_node() {
  local rule
  mapfile -t rule < <(cross_node_fault)
  while iptables -w -C "${rule[@]}" 2>/dev/null; do
    iptables -w -D "${rule[@]}"
  done
  log "cross-node path: nothing dropped"
}

# --- MTU black hole on one node's link ----------------------------------------------------------

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

# The node-network end of node k as its own network namespace sees it.
node_link() { if (($1 == 1)); then printf '%s\n' "${NODE_NET_BRIDGE}"; else echo eth0; fi; }
link_mtu() { in_node "$1" ip -o link show "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\).*/\1/p'; }

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
  for j in $(present_agents); do
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
  for j in $(present_agents); do
    offloads "${j}" eth0 on
  done
  rm -f "${MTU_FAULT}"
  log "MTU: node links back to $(link_mtu 1 "${NODE_NET_BRIDGE}")"
}

# --- network policy: k3s's embedded controller (kube-router's) on every node ------------------

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

# The agent nodes whose k3s runs.
running_agents() {
  local k
  for k in $(present_agents); do
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
    wait_for 120 "node $(node_name_of "${k}") Ready" node_ready "$(node_name_of "${k}")"
  done
  network_policy_ready 1 "${agents[@]}"
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

# --- smoke ------------------------------------------------------------------------------------

cmd_smoke() {
  pid_alive "${K3S_PID}" || die "the cluster is not up (local-cluster/cluster.sh up)"
  local ns=pod-to-pod-smoke manifest="${RUN_DIR}/smoke-test.yaml"
  render "${CLUSTER_DIR}/templates/smoke-test.yaml.tmpl" "${manifest}"
  # A previous run's namespace may still be terminating.
  kc delete namespace "${ns}" --ignore-not-found --timeout=120s >/dev/null
  trap 'log "deleting namespace '"${ns}"'"; kc delete namespace '"${ns}"' --timeout=120s >/dev/null 2>&1 || true' EXIT
  kc apply -f "${manifest}" >/dev/null
  kc -n "${ns}" wait --for=condition=Ready pod --all --timeout=120s
  local node_a node_b nginx_ip default_ip busybox_ip svc_ip k_b=1 cross="cross-node"
  node_a="$(node_name)"
  node_b="$(kc -n "${ns}" get pod busybox-b -o jsonpath='{.spec.nodeName}')"
  if [[ "${node_b}" == "${node_a}" ]]; then
    cross="same node: one-node cluster"
  else
    k_b="${node_b#p2p-node}"
  fi
  nginx_ip="$(kc -n "${ns}" get pod nginx-nonroot -o jsonpath='{.status.podIP}')"
  default_ip="$(kc -n "${ns}" get pod nginx-default -o jsonpath='{.status.podIP}')"
  busybox_ip="$(kc -n "${ns}" get pod busybox -o jsonpath='{.status.podIP}')"
  svc_ip="$(kc -n "${ns}" get service nginx-smoke -o jsonpath='{.spec.clusterIP}')"
  kc get nodes -o custom-columns='NODE:.metadata.name,INTERNAL-IP:.status.addresses[?(@.type=="InternalIP")].address,POD-CIDR:.spec.podCIDR,FLANNEL:.metadata.annotations.flannel\.alpha\.coreos\.com/backend-type'
  kc -n "${ns}" get pods,svc -o wide
  local failed=0
  check() { # check <description> <command...>
    local what="$1" out
    shift
    if out="$("$@" 2>&1)"; then
      printf 'PASS  %s\n' "${what}"
    else
      printf 'FAIL  %s\n%s\n' "${what}" "${out}"
      failed=1
    fi
  }
  in_pod() { local pod="$1"; shift; kc -n "${ns}" exec "${pod}" -- "$@"; }
  matches() { # matches <extended regex> <command...>: the command succeeds and its output matches
    local pattern="$1" out
    shift
    out="$("$@")" && grep -qE -- "${pattern}" <<<"${out}"
  }
  says() { # says <extended regex> <command...>: the output matches, whatever the exit code
    local pattern="$1" out
    shift
    out="$("$@" 2>&1 || true)"
    grep -qE -- "${pattern}" <<<"${out}"
  }
  fails() { ! "$@"; }
  # Not `wget -T`: Debian busybox 1.35 wget segfaults with it; timeout(1) bounds the wait instead.
  welcome() { matches "<title>Welcome to nginx!</title>" in_pod "$1" timeout 5 wget -q -O - "$2"; }
  cidr_of() { kc get node "$1" -o jsonpath='{.spec.podCIDR}'; }
  # The CNI's links on node k: cni0 is the .1 of the node's pod CIDR, flannel.1 is VXLAN VNI 1 on
  # UDP 8472 over the node-network interface, both MTU 1450.
  node_links() {
    local k="$1" cidr gw iface=eth0
    ((k == 1)) && iface="${NODE_NET_BRIDGE}"
    cidr="$(cidr_of "$(node_name_of "${k}")")"
    gw="${cidr%.0/24}.1"
    in_node "${k}" ip -4 addr show "${BRIDGE}" | grep -q "inet ${gw}/24" &&
      in_node "${k}" ip -o link show "${BRIDGE}" | grep -q 'mtu 1450' &&
      in_node "${k}" ip -d -o link show "${VXLAN_LINK}" | grep -qE "mtu 1450 .*vxlan id 1 .*dev ${iface} .*dstport ${VXLAN_PORT}"
  }
  # default-deny-ingress selects nginx-isolated-a (node A) and -b (node B) and nothing else.
  network_policy_checks() {
    local ip_a ip_b
    ip_a="$(kc -n "${ns}" get pod nginx-isolated-a -o jsonpath='{.status.podIP}')"
    ip_b="$(kc -n "${ns}" get pod nginx-isolated-b -o jsonpath='{.status.podIP}')"
    if [[ -e "${NETPOL_FAULT}" ]]; then
      check "network policy off (break-network-policy): busybox gets nginx-isolated-a ${ip_a} despite default-deny-ingress" \
        welcome busybox "http://${ip_a}"
      check "network policy off: ${cross}: busybox gets nginx-isolated-b ${ip_b}" welcome busybox "http://${ip_b}"
      local k
      for k in 1 ${k_b}; do
        check "network policy off: no kube-router chains on node $(node_name_of "${k}")" \
          fails says "${KUBE_ROUTER_RULES}" in_node "${k}" iptables -w -S
      done
      return
    fi
    # The controller syncs on the policy's and the pods' events; give it a moment after Ready.
    wait_for 30 "default-deny-ingress in force for nginx-isolated-a and -b" \
      refused busybox "http://${ip_a}" "http://${ip_b}" || true
    check "NetworkPolicy default-deny-ingress: busybox refused by nginx-isolated-a ${ip_a} (same node)" \
      refused busybox "http://${ip_a}"
    check "NetworkPolicy default-deny-ingress: ${cross}: busybox refused by nginx-isolated-b ${ip_b}" \
      refused busybox "http://${ip_b}"
    check "NetworkPolicy default-deny-ingress: busybox-b refused by nginx-isolated-b ${ip_b} (same node)" \
      refused busybox-b "http://${ip_b}"
    # Not a dead pod: each still serves its own node (kube-router always admits the node's own
    # addresses, for the kubelet's probes), and the pods no policy selects serve everyone (above).
    check "nginx-isolated-a serves node $(node_name_of 1) itself (policies admit the node)" \
      matches "<title>Welcome to nginx!</title>" timeout 5 "${STATE}/bin/busybox" wget -q -O - "http://${ip_a}"
    check "nginx-isolated-b serves node ${node_b} itself" \
      matches "<title>Welcome to nginx!</title>" in_node "${k_b}" timeout 5 "${STATE}/bin/busybox" wget -q -O - "http://${ip_b}"
  }
  # Packets that fill the pod MTU, and a response of many of them, across the nodes both ways: the
  # pods' 1450 needs 1500 on the node links (VXLAN adds 50). ping: 1422 + 8 (ICMP) + 20 (IP) = 1450.
  mtu_checks() {
    local big=65536 broken=""
    if [[ -e "${MTU_FAULT}" ]] && grep -q "^node ${k_b}:" "${MTU_FAULT}"; then broken="${node_b}"; fi
    # busybox httpd serves a file of ${big} bytes from each busybox pod (it forks into the background).
    local pod
    for pod in busybox busybox-b; do
      in_pod "${pod}" sh -c "mkdir -p /tmp/www && head -c ${big} /dev/zero >/tmp/www/big && httpd -p 8080 -h /tmp/www"
    done
    size_is() { # size_is <bytes> <pod> <url>
      [[ "$(in_pod "$2" timeout 10 wget -q -O - "$3" | wc -c)" == "$1" ]]
    }
    local expect=check what="crosses" b_ip
    b_ip="$(kc -n "${ns}" get pod busybox-b -o jsonpath='{.status.podIP}')"
    if [[ -n "${broken}" ]]; then
      expect=check_fails
      what="is lost (break-mtu on ${broken})"
      check "break-mtu: ${cross}: a small ping still crosses to busybox-b" \
        in_pod busybox ping -c 2 -W 2 "${b_ip}"
    fi
    "${expect}" "${cross}: a ping filling the pod MTU (1450 bytes) ${what}: busybox -> busybox-b" \
      in_pod busybox ping -c 2 -W 2 -s 1422 "${b_ip}"
    "${expect}" "${cross}: a ${big}-byte response ${what}: busybox-b -> busybox" \
      size_is "${big}" busybox "http://${b_ip}:8080/big"
    "${expect}" "${cross}: a ${big}-byte response ${what}: busybox -> busybox-b" \
      size_is "${big}" busybox-b "http://${busybox_ip}:8080/big"
  }
  check_fails() { # check_fails <description> <command...>: the command must fail
    local what="$1"
    shift
    check "${what}" fails "$@"
  }
  refused() { # refused <pod> <url>...: every URL fails from the pod within 5 s each
    local pod="$1" url
    shift
    for url in "$@"; do
      ! in_pod "${pod}" timeout 5 wget -q -O - "${url}" >/dev/null 2>&1 || return 1
    done
  }
  # The controller-manager hands out /24s in the order nodes register: on a fresh `up`, node k gets
  # 10.42.<k-1>.0/24; a node added again later gets the next free one.
  check "node ${node_a} has pod CIDR 10.42.0.0/24" matches '^10\.42\.0\.0/24$' cidr_of "${node_a}"
  [[ "${node_b}" == "${node_a}" ]] ||
    check "node ${node_b} has a /24 of ${POD_CIDR} of its own" \
      matches '^10\.42\.([1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\.0/24$' cidr_of "${node_b}"
  check "node ${node_a}: cni0 gateway of its CIDR, flannel.1 vxlan id 1 dstport ${VXLAN_PORT}, mtu 1450" node_links 1
  [[ "${node_b}" == "${node_a}" ]] ||
    check "node ${node_b}: cni0 gateway of its CIDR, flannel.1 vxlan id 1 dstport ${VXLAN_PORT}, mtu 1450" node_links "${k_b}"
  check "kubectl exec into busybox (${node_a})" in_pod busybox true
  check "kubectl exec into busybox-b (${node_b})" in_pod busybox-b true
  check "same node: wget nginx (non-root, read-only) by pod IP ${nginx_ip}" welcome busybox "http://${nginx_ip}"
  check "same node: ping nginx pod ${nginx_ip}" in_pod busybox ping -c 2 -W 2 "${nginx_ip}"
  check "${cross}: wget nginx (default CMD) by pod IP ${default_ip}:80" welcome busybox "${default_ip}:80"
  check "${cross}: ping nginx-default pod ${default_ip}" in_pod busybox ping -c 2 -W 2 "${default_ip}"
  check "${cross}: ping busybox ${busybox_ip} from busybox-b" in_pod busybox-b ping -c 2 -W 2 "${busybox_ip}"
  # CoreDNS caches answers for the kubernetes plugin's TTL (5 s): a run right after another may first
  # get the old ClusterIP.
  wait_for 40 "nginx-smoke.${ns}.svc.cluster.local to resolve to ${svc_ip}" \
    matches "Address:? *${svc_ip//./\\.}" in_pod busybox nslookup "nginx-smoke.${ns}.svc.cluster.local" || true
  check "wget Service by name nginx-smoke" welcome busybox "http://nginx-smoke"
  check "${cross}: wget Service by name nginx-smoke from busybox-b" welcome busybox-b "http://nginx-smoke"
  check "wget Service by FQDN" welcome busybox "http://nginx-smoke.${ns}.svc.cluster.local"
  check "wget Service by ClusterIP ${svc_ip}" welcome busybox "http://${svc_ip}"
  check "nslookup nginx-smoke FQDN -> ${svc_ip}" \
    matches "Address:? *${svc_ip//./\\.}" in_pod busybox nslookup "nginx-smoke.${ns}.svc.cluster.local"
  # busybox nslookup walks the search list for a bare name and exits 1 because the other
  # candidates are NXDOMAIN, even though it printed the answer.
  check "nslookup nginx-smoke (search list) -> ${svc_ip}" \
    says "Address:? *${svc_ip//./\\.}" in_pod busybox-b nslookup nginx-smoke
  check "names outside cluster.local are not resolved (no forwarding)" fails in_pod busybox nslookup example.com
  check "busybox eth0@ifN, mtu 1450" matches "eth0@if[0-9]+:.*mtu 1450" in_pod busybox ip addr show eth0
  check "busybox eth0 has ${busybox_ip}/24" \
    matches "inet ${busybox_ip//./\\.}/24" in_pod busybox ip addr show eth0
  check "busybox default via 10.42.0.1" matches '^default via 10\.42\.0\.1 dev eth0' in_pod busybox ip route
  check "busybox 10.42.0.0/16 via 10.42.0.1 (Flannel's cluster route)" \
    matches '^10\.42\.0\.0/16 via 10\.42\.0\.1 dev eth0' in_pod busybox ip route
  network_policy_checks
  mtu_checks
  echo "--- busybox-b (${node_b}): ip addr / ip route"
  in_pod busybox-b ip addr
  in_pod busybox-b ip route
  ((failed == 0)) || die "smoke test failed"
  log "smoke test passed"
}

main() {
  case "${1:-}" in
    up) cmd_up "${@:2}" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    smoke) cmd_smoke ;;
    break-cross-node) cmd_break_cross_node ;;
    mend-cross-node) cmd_mend_cross_node ;;
    break-mtu) cmd_break_mtu "${@:2}" ;;
    mend-mtu) cmd_mend_mtu ;;
    break-network-policy) cmd_break_network_policy ;;
    mend-network-policy) cmd_mend_network_policy ;;
    node-exec) cmd_node_exec "${@:2}" ;;
    *)
      echo "usage: $0 up [--nodes N]|down|status|smoke|break-cross-node|mend-cross-node|break-mtu [--node K]|mend-mtu|break-network-policy|mend-network-policy" >&2
      exit 2
      ;;
  esac
}

main "$@"
