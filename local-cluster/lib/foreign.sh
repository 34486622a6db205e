# shellcheck shell=bash
# What is not ours: a k3s, a CNI bridge, a Flannel device or the iptables chains of a Kubernetes
# network that this machine has and that the state file (state.sh) does not list, such as a user's
# own k3s on the VM. Ours share their names (cni0, flannel.1, KUBE-*, …), so `up` refuses to start
# next to them, `down` leaves them alone and says so, and scripts/test.sh refuses to run the
# cluster's tests (`cluster.sh check-host`).

# The root of the files looked at (units, k3s's dirs); tests point it at a fake tree.
HOST_ROOT="${POD_TO_POD_HOST_ROOT:-}"
# Where systemd looks for units; k3s's install script writes k3s.service or k3s-agent.service.
K3S_UNIT_DIRS=(/etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system
  /usr/lib/systemd/system /lib/systemd/system)
K3S_UNITS=(k3s.service k3s-agent.service)
# k3s's config and data dirs, wherever it runs from.
K3S_DIRS=(/etc/rancher/k3s /var/lib/rancher/k3s)
# The chains kube-proxy, kube-router, Flannel and the CNI plugins put in a node's tables.
K8S_CHAINS='^(KUBE-|FLANNEL|CNI-)'

# Ours: a k3s whose PID is in one of the recorded PID files.
our_pids() {
  local f
  while IFS= read -r f; do
    [[ -s "${f}" ]] && cat "${f}"
  done < <(made_items process)
  return 0
}

# owned_path <path>: a recorded path is the path or one of its parents.
owned_path() {
  local p
  while IFS= read -r p; do
    [[ "$1" == "${p}" || "$1" == "${p}/"* ]] && return 0
  done < <(made_items path)
  return 1
}

# owned_chain <name>: the chain matches a recorded iptables pattern.
owned_chain() {
  local pattern
  while IFS= read -r pattern; do
    grep -qE -- "${pattern}" <<<"$1" && return 0
  done < <(made_items iptables)
  return 1
}

# The chains of a Kubernetes network in the current network namespace, one line per
# "<command> <table> <chain>", in every table of every iptables variant there.
k8s_chains() {
  local cmd table
  while read -r cmd table; do
    "${cmd}-save" -t "${table}" 2>/dev/null |
      awk -v c="${cmd}" -v t="${table}" -v re="${K8S_CHAINS}" \
        'substr($1, 1, 1) == ":" { n = substr($1, 2); if (n ~ re) print c, t, n }' || true
  done < <(iptables_tables)
}

# foreign_findings: one line per thing found that is not ours, or nothing.
foreign_findings() {
  local ours pid comm exe dir unit link cmd table chain
  ours=" $(our_pids | tr '\n' ' ') "
  for pid in /proc/[0-9]*; do
    pid="${pid#/proc/}"
    comm="$(cat "/proc/${pid}/comm" 2>/dev/null)" || continue
    exe="$(readlink "/proc/${pid}/exe" 2>/dev/null || true)"
    [[ "${comm}" =~ ^k3s($|-) || "${exe##*/}" == k3s ]] || continue
    [[ "${ours}" == *" ${pid} "* ]] && continue
    printf 'k3s process %s: %s\n' "${pid}" \
      "$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | sed 's/ *$//' | cut -c1-100)"
  done
  for dir in "${K3S_UNIT_DIRS[@]}"; do
    for unit in "${K3S_UNITS[@]}"; do
      [[ -e "${HOST_ROOT}${dir}/${unit}" ]] && printf 'systemd unit %s\n' "${HOST_ROOT}${dir}/${unit}"
    done
  done
  for dir in "${K3S_DIRS[@]}"; do
    [[ -e "${HOST_ROOT}${dir}" ]] && ! owned_path "${HOST_ROOT}${dir}" &&
      printf 'k3s directory %s\n' "${HOST_ROOT}${dir}"
  done
  for link in "${BRIDGE}" "${VXLAN_LINK}"; do
    ip link show "${link}" >/dev/null 2>&1 && ! was_made link "${link}" &&
      printf 'link %s (%s)\n' "${link}" \
        "$([[ "${link}" == "${BRIDGE}" ]] && echo "a CNI bridge" || echo "a Flannel VXLAN device")"
  done
  local -A foreign_chains=()
  while read -r cmd table chain; do
    owned_chain "${chain}" && continue
    foreign_chains["${cmd} ${table}"]+=" ${chain}"
  done < <(k8s_chains)
  local key names
  for key in "${!foreign_chains[@]}"; do
    read -ra names <<<"${foreign_chains[${key}]}"
    printf '%s: %s chain(s): %s%s\n' "${key}" "${#names[@]}" "$(printf '%s\n' "${names[@]:0:4}" |
      paste -sd' ')" "$( ((${#names[@]} > 4)) && echo " …")"
  done | LC_ALL=C sort
  return 0
}

# The advice printed with the findings: what they mean and where to run the tests instead.
foreign_advice() {
  cat <<EOF
These belong to a cluster that local-cluster/cluster.sh did not make (its state file,
${MADE}, does not list them). Its cluster would take the same names (cni0, flannel.1, the
KUBE-/FLANNEL/CNI- chains, port 6443), and its \`down\` would remove them: nothing was started,
stopped or deleted. Run the cluster and its tests where no other k3s runs: a throwaway VM, or a
privileged container with its own network namespace (systemd-nspawn, \`docker run --privileged\`).
Here, \`npm test\` runs the lint and unit tests, and \`pulumi up\` deploys the lab onto that cluster.
A leftover of this project's cluster whose state dir is gone: remove it yourself once sure.
EOF
}

# refuse_foreign <verb>: dies, naming what was found, if anything here is not ours.
refuse_foreign() {
  local findings
  findings="$(foreign_findings)"
  [[ -z "${findings}" ]] && return 0
  log "ERROR: refusing to $1: this machine has a k3s or CNI that is not ours:"
  # shellcheck disable=SC2001 # a prefix on every line of a list
  sed 's/^/  - /' <<<"${findings}" >&2
  foreign_advice >&2
  exit 1
}

# `check-host`: exits 0 if nothing here is foreign, 1 with the findings and advice otherwise.
cmd_check_host() {
  [[ ${EUID} -eq 0 ]] || die "run as root (iptables)"
  upgrade_record
  refuse_foreign "run the cluster here"
  log "check-host: no k3s, CNI bridge, Flannel device or Kubernetes iptables chains but ours"
}
