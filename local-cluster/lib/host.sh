# shellcheck shell=bash
# What the machine must have before anything starts: root, Debian's packages, Go, cgroups,
# br_netfilter, and a node network address range nobody else uses.

# Debian's packages the cluster runs on. ipset: k3s's network policy controller keeps each
# policy's pods in ipsets (and, if `ipset save` fails, does not start, with only a warning).
# ethtool: break-mtu turns segmentation offloads off on the node links.
APT_PACKAGES=(containerd runc containernetworking-plugins iptables ipset ethtool util-linux iproute2
  procps gcc libc6-dev curl unzip jq ca-certificates)

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
