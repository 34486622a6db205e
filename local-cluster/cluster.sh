#!/usr/bin/env bash
# A real single-node k3s for pod-to-pod, entirely on this machine:
#   k3s (built from the Go module proxy, local-cluster/k3s.sh) + Debian's containerd/runc
#   + Debian's CNI bridge plugin (cni0, 10.42.0.0/24, MTU 1450) + CoreDNS without forwarding,
#   with every image built locally (local-cluster/images/build.sh) and imported, never pulled.
#
# Usage: local-cluster/cluster.sh up|down|status|smoke
#   up      install what is missing, build/cache k3s and the images, start containerd and k3s,
#           wait for the node to be Ready and CoreDNS to answer. Idempotent.
#   down    stop and remove every process, mount, netns, link, iptables rule, sysctl change and
#           file that `up` made (caches under ${POD_TO_POD_CACHE} stay).
#   status  what runs.
#   smoke   throwaway pods: pod-to-pod ping/wget, Service by name, kubectl exec; then deletes them.
# Environment: POD_TO_POD_STATE (/var/lib/pod-to-pod), POD_TO_POD_CACHE (/var/cache/pod-to-pod),
#   POD_TO_POD_RUN (/run/pod-to-pod).
set -euo pipefail
shopt -s inherit_errexit

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=local-cluster/k3s.sh
source "${CLUSTER_DIR}/k3s.sh"

STATE="${POD_TO_POD_STATE:-/var/lib/pod-to-pod}"
RUN_DIR="${POD_TO_POD_RUN:-/run/pod-to-pod}"
LOG_DIR="${STATE}/logs"
KUBECONFIG_PATH="${STATE}/kubeconfig.yaml"
CTR_SOCK="${RUN_DIR}/containerd/containerd.sock"
CONTAINERD_PID="${RUN_DIR}/containerd.pid"
K3S_PID="${RUN_DIR}/k3s.pid"
# What `down` must restore: paths `up` created and sysctl values it changed.
CREATED_PATHS="${STATE}/created-paths"
SAVED_SYSCTLS="${STATE}/saved-sysctls"

CLUSTER_DNS="10.43.0.10"
POD_CIDR="10.42.0.0/16"
BRIDGE="cni0"
EGRESS_CHAIN="POD-TO-POD-EGRESS"
APT_PACKAGES=(containerd runc containernetworking-plugins iptables util-linux iproute2 procps gcc
  libc6-dev curl unzip jq ca-certificates)
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
ctr_() { ctr --address "${CTR_SOCK}" --namespace k8s.io "$@"; }
crictl_() { "$(k3s_tool crictl)" --runtime-endpoint "unix://${CTR_SOCK}" "$@"; }

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

render() { # render <template> <output>: substitutes the @NAME@ placeholders.
  sed -e "s|@STATE@|${STATE}|g" -e "s|@RUN@|${RUN_DIR}|g" \
    -e "s|@PAUSE_IMAGE@|$(image pause)|g" -e "s|@COREDNS_IMAGE@|$(image coredns)|g" \
    -e "s|@NGINX_IMAGE@|$(image nginx)|g" -e "s|@BUSYBOX_IMAGE@|$(image busybox)|g" \
    -e "s|@CLUSTER_DNS@|${CLUSTER_DNS}|g" -e "s|@NODE_NAME@|$(node_name)|g" \
    -e "s|@NODE_IP@|$(node_ip)|g" "$1" >"$2.tmp"
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
# The address of the interface holding the default route (this machine's own address), else the
# first global IPv4 address.
node_ip() {
  local ip
  ip="$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')"
  [[ -n "${ip}" ]] || ip="$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1)"
  [[ -n "${ip}" ]] || die "no IPv4 address for the node"
  printf '%s\n' "${ip}"
}

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

configure_host() {
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # Safety net for the network rule: pods may talk to pods, Services and this machine, but
  # nothing they send is forwarded out of the machine (no masquerade, and dropped here).
  iptables -w -N "${EGRESS_CHAIN}" 2>/dev/null || true
  iptables -w -C "${EGRESS_CHAIN}" -s "${POD_CIDR}" ! -o "${BRIDGE}" -j DROP 2>/dev/null ||
    iptables -w -A "${EGRESS_CHAIN}" -s "${POD_CIDR}" ! -o "${BRIDGE}" -j DROP \
      -m comment --comment "pod-to-pod: pods never leave the machine"
  iptables -w -C FORWARD -j "${EGRESS_CHAIN}" 2>/dev/null ||
    iptables -w -I FORWARD 1 -j "${EGRESS_CHAIN}"
}

start_containerd() {
  mkdir -p "${STATE}/containerd" "${STATE}/cni/net.d" "${RUN_DIR}/containerd"
  render "${CLUSTER_DIR}/templates/containerd-config.toml.tmpl" "${STATE}/containerd/config.toml"
  render "${CLUSTER_DIR}/templates/10-pod-to-pod.conflist.tmpl" "${STATE}/cni/net.d/10-pod-to-pod.conflist"
  if pid_alive "${CONTAINERD_PID}"; then
    log "containerd already running (pid $(cat "${CONTAINERD_PID}"))"
  else
    log "starting containerd ($(containerd --version | awk '{print $3}')), log ${LOG_DIR}/containerd.log"
    # A new session so it outlives this script; PID recorded for `down`.
    (exec setsid containerd --config "${STATE}/containerd/config.toml" \
      >>"${LOG_DIR}/containerd.log" 2>&1 </dev/null) &
    echo $! >"${CONTAINERD_PID}"
  fi
  wait_for 60 "containerd socket" ctr --address "${CTR_SOCK}" version
}

import_images() {
  local name ref tar present
  present="$(ctr_ images ls -q)"
  for name in pause busybox nginx coredns; do
    ref="$(image "${name}")"
    if grep -qFx "${ref}" <<<"${present}"; then
      continue
    fi
    tar="$(image_tar "${name}")"
    log "importing ${ref}"
    ctr_ images import "${tar}" >/dev/null
  done
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

start_k3s() {
  render "${CLUSTER_DIR}/templates/k3s-config.yaml.tmpl" "${STATE}/k3s-config.yaml"
  # k3s applies everything in this dir (and re-applies it when it changes).
  mkdir -p "${STATE}/k3s/server/manifests"
  render "${CLUSTER_DIR}/templates/coredns.yaml.tmpl" "${STATE}/k3s/server/manifests/pod-to-pod-coredns.yaml"
  if pid_alive "${K3S_PID}"; then
    log "k3s already running (pid $(cat "${K3S_PID}"))"
  else
    log "starting k3s server ${K3S_VERSION}, log ${LOG_DIR}/k3s.log"
    (exec setsid "${K3S_BIN}" server --config "${STATE}/k3s-config.yaml" \
      >>"${LOG_DIR}/k3s.log" 2>&1 </dev/null) &
    echo $! >"${K3S_PID}"
  fi
  wait_for 180 "kubeconfig and API server" kc get --raw /readyz
  wait_for 180 "node $(node_name) Ready" \
    kc wait --for=condition=Ready "node/$(node_name)" --timeout=2s
  wait_for 180 "CoreDNS deployment" \
    kc -n kube-system rollout status deployment/coredns --timeout=2s
  wait_for 60 "CoreDNS answering through the kube-dns Service (${CLUSTER_DNS})" \
    "${STATE}/bin/busybox" nslookup kubernetes.default.svc.cluster.local "${CLUSTER_DNS}"
}

cmd_up() {
  local start=${SECONDS}
  preflight
  record_baseline
  log "k3s binary"
  k3s_build
  log "images"
  bash "${CLUSTER_DIR}/images/build.sh" all >/dev/null
  configure_host
  start_containerd
  import_images
  start_k3s
  log "up in $((SECONDS - start))s: kubeconfig ${KUBECONFIG_PATH}"
  log "  export KUBECONFIG=${KUBECONFIG_PATH} PATH=${STATE}/bin:\$PATH   # kubectl = k3s ${K3S_VERSION}"
  log "  images: $(jq -c . "${STATE}/images.json")"
}

# --- down -------------------------------------------------------------------------------------

stop_pid() { # stop_pid <pidfile> <name>: TERM, then KILL after 30s.
  local pid
  pid_alive "$1" || return 0
  pid="$(cat "$1")"
  log "stopping $2 (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  local i
  for ((i = 0; i < 30; i++)); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 1
  done
  kill -KILL "${pid}" 2>/dev/null || true
}

# Shims outlive containerd; ours are the ones started with our containerd's socket.
our_shims() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"${p}/cmdline" | grep -qF -- "-address ${CTR_SOCK} " &&
      printf '%s\n' "${p#/proc/}"
  done
  return 0
}

remove_pods() {
  [[ -S "${CTR_SOCK}" ]] && pid_alive "${CONTAINERD_PID}" || return 0
  local pods
  pods="$(crictl_ pods -q 2>/dev/null || true)"
  [[ -n "${pods}" ]] || return 0
  log "removing $(wc -w <<<"${pods}") pod sandboxes (CNI DEL releases veths and IPs)"
  # shellcheck disable=SC2086
  crictl_ stopp ${pods} >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  crictl_ rmp -f ${pods} >/dev/null 2>&1 || true
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
      local saved
      saved="$("${cmd}-save" -t "${table}" 2>/dev/null)" || continue
      grep -qE "KUBE-|CNI-|${EGRESS_CHAIN}" <<<"${saved}" || continue
      log "removing pod-to-pod/kube-proxy/CNI rules from ${cmd} ${table}"
      grep -vE "KUBE-|CNI-|${EGRESS_CHAIN}" <<<"${saved}" | "${cmd}-restore" -w 5 -T "${table}"
    done
  done
}

cmd_down() {
  [[ ${EUID} -eq 0 ]] || die "run as root"
  stop_pid "${K3S_PID}" "k3s server"
  remove_pods
  stop_pid "${CONTAINERD_PID}" "containerd"
  local pid
  for pid in $(our_shims); do
    log "killing leftover shim ${pid}"
    kill -KILL "${pid}" 2>/dev/null || true
  done
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
  clean_iptables
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
        # cgroupfs: directories go with rmdir once empty, deepest first.
        find "${p}" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [[ -e "${p}" ]] && log "WARNING: could not remove cgroup ${p} (processes left in it?)"
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

cmd_status() {
  local rc=0
  if pid_alive "${CONTAINERD_PID}"; then
    echo "containerd: running (pid $(cat "${CONTAINERD_PID}"), socket ${CTR_SOCK})"
  else
    echo "containerd: not running"
    rc=3
  fi
  if pid_alive "${K3S_PID}"; then
    echo "k3s:        running (pid $(cat "${K3S_PID}"), ${K3S_VERSION}, log ${LOG_DIR}/k3s.log)"
  else
    echo "k3s:        not running"
    rc=3
  fi
  if ip link show "${BRIDGE}" >/dev/null 2>&1; then
    echo "${BRIDGE}:       $(ip -br -4 addr show "${BRIDGE}" | awk '{print $3}')," \
      "mtu $(cat "/sys/class/net/${BRIDGE}/mtu")"
  else
    echo "${BRIDGE}:       absent"
  fi
  [[ -f "${STATE}/images.json" ]] && echo "images:     $(jq -c . "${STATE}/images.json")"
  if [[ ${rc} -eq 0 && -f "${KUBECONFIG_PATH}" ]]; then
    echo "kubeconfig: ${KUBECONFIG_PATH}"
    kc get nodes -o wide 2>&1 || rc=3
    kc get pods -A -o wide 2>&1 || rc=3
  fi
  return "${rc}"
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
  local nginx_ip default_ip busybox_ip svc_ip
  nginx_ip="$(kc -n "${ns}" get pod nginx-nonroot -o jsonpath='{.status.podIP}')"
  default_ip="$(kc -n "${ns}" get pod nginx-default -o jsonpath='{.status.podIP}')"
  busybox_ip="$(kc -n "${ns}" get pod busybox -o jsonpath='{.status.podIP}')"
  svc_ip="$(kc -n "${ns}" get service nginx-smoke -o jsonpath='{.spec.clusterIP}')"
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
  bb() { kc -n "${ns}" exec busybox -- "$@"; }
  bb_matches() { # bb_matches <extended regex> <command...>: the command's output matches
    local pattern="$1" out
    shift
    out="$(bb "$@")" && grep -qE -- "${pattern}" <<<"${out}"
  }
  bb_says() { # bb_says <extended regex> <command...>: the output matches, whatever the exit code
    local pattern="$1" out
    shift
    out="$(bb "$@" 2>&1 || true)"
    grep -qE -- "${pattern}" <<<"${out}"
  }
  bb_fails() { ! bb "$@"; }
  # Not `wget -T`: Debian busybox 1.35 wget segfaults with it; timeout(1) bounds the wait instead.
  welcome() { bb_matches "<title>Welcome to nginx!</title>" timeout 5 wget -q -O - "$1"; }
  host_cni0() { ip addr show "${BRIDGE}" | grep -q 'mtu 1450' && ip addr show "${BRIDGE}" | grep -q 'inet 10\.42\.0\.1/24'; }
  check "kubectl exec into busybox" bb true
  check "wget nginx (non-root, read-only) by pod IP ${nginx_ip}" welcome "http://${nginx_ip}"
  check "wget nginx (default CMD) by pod IP ${default_ip}:80" welcome "${default_ip}:80"
  check "ping nginx pod ${nginx_ip} from busybox" bb ping -c 2 -W 2 "${nginx_ip}"
  check "ping nginx-default pod ${default_ip} from busybox" bb ping -c 2 -W 2 "${default_ip}"
  check "wget Service by name nginx-smoke" welcome "http://nginx-smoke"
  check "wget Service by FQDN" welcome "http://nginx-smoke.${ns}.svc.cluster.local"
  check "wget Service by ClusterIP ${svc_ip}" welcome "http://${svc_ip}"
  check "nslookup nginx-smoke FQDN -> ${svc_ip}" \
    bb_matches "Address:? *${svc_ip//./\\.}" nslookup "nginx-smoke.${ns}.svc.cluster.local"
  # busybox nslookup walks the search list for a bare name and exits 1 because the other
  # candidates are NXDOMAIN, even though it printed the answer.
  check "nslookup nginx-smoke (search list) -> ${svc_ip}" \
    bb_says "Address:? *${svc_ip//./\\.}" nslookup nginx-smoke
  check "names outside cluster.local are not resolved (no forwarding)" bb_fails nslookup example.com
  check "busybox eth0@ifN, mtu 1450" bb_matches "eth0@if[0-9]+:.*mtu 1450" ip addr show eth0
  check "busybox eth0 has ${busybox_ip}/24" \
    bb_matches "inet ${busybox_ip//./\\.}/24" ip addr show eth0
  check "busybox default via 10.42.0.1" bb_matches '^default via 10\.42\.0\.1 dev eth0' ip route
  check "host ${BRIDGE} is 10.42.0.1/24, mtu 1450" host_cni0
  echo "--- busybox: ip addr / ip route / date +%s%N"
  bb ip addr
  bb ip route
  bb date +%s%N
  ((failed == 0)) || die "smoke test failed"
  log "smoke test passed"
}

main() {
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    smoke) cmd_smoke ;;
    *)
      echo "usage: $0 up|down|status|smoke" >&2
      exit 2
      ;;
  esac
}

main "$@"
