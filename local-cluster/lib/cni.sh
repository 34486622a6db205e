# shellcheck shell=bash
# shellcheck disable=SC2034 # CNI_BIN_DIR is for the templates and lib/k3s.sh
# The pods' CNI on each node: one conflist, written by us from what Flannel leased the node.
# k3s's Flannel (VXLAN, flannel.1) writes /run/flannel/subnet.env once it holds the node's lease:
#   FLANNEL_NETWORK=10.42.0.0/16  FLANNEL_SUBNET=10.42.1.1/24  FLANNEL_MTU=1450  FLANNEL_IPMASQ=true
# From it: Debian's bridge plugin (cni0, the subnet's first address as every pod's gateway, the
# MTU), host-local IPAM over the subnet with a route to the whole cluster network, and portmap.
# containerd reads the conflist from the node's own conf dir (cni_conf_dir), which k3s never
# writes: k3s keeps writing its flannel conflist into its agent dir, where nothing reads it. Until
# the conflist is there, containerd reports the pod network not ready and the node stays NotReady,
# so no pod is ever set up before its node's subnet is known.

# The Debian plugins' directory: containerd's bin_dir, and first on k3s's PATH, where k3s looks
# for host-local before it starts Flannel.
CNI_BIN_DIR=/usr/lib/cni
CNI_NETWORK_NAME="pod-to-pod"

cni_conf_dir() { printf '%s/cni/net.d\n' "$(node_state "$1")"; }

# Where node k's Flannel writes its lease (node k's private /run/flannel).
subnet_env() {
  if (($1 == 1)); then echo /run/flannel/subnet.env; else echo "$(node_state "$1")/private/run/flannel/subnet.env"; fi
}

# network_of <a.b.c.d/len>: the network address of that prefix (10.42.1.1/24 -> 10.42.1.0/24).
network_of() {
  local ip="${1%/*}" len="${1#*/}" a b c d n mask
  IFS=. read -r a b c d <<<"${ip}"
  n=$(((a << 24) | (b << 16) | (c << 8) | d))
  mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
  n=$((n & mask))
  printf '%d.%d.%d.%d/%d\n' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)) "${len}"
}

# write_cni_conf <k>: node k's conflist from its subnet.env (read as data, never sourced).
write_cni_conf() {
  local k="$1" env key value network="" subnet="" mtu="" ipmasq="" dir
  env="$(subnet_env "${k}")"
  while IFS='=' read -r key value; do
    case "${key}" in
      FLANNEL_NETWORK) network="${value}" ;;
      FLANNEL_SUBNET) subnet="${value}" ;;
      FLANNEL_MTU) mtu="${value}" ;;
      FLANNEL_IPMASQ) ipmasq="${value}" ;;
    esac
  done <"${env}"
  [[ "${network}" =~ ^[0-9.]+/[0-9]+$ && "${subnet}" =~ ^[0-9.]+/[0-9]+$ && "${mtu}" =~ ^[0-9]+$ &&
    "${ipmasq}" =~ ^(true|false)$ ]] ||
    die "${env}: expected FLANNEL_NETWORK, FLANNEL_SUBNET (a.b.c.d/len), FLANNEL_MTU (a number) and" \
      "FLANNEL_IPMASQ (true|false); got network='${network}' subnet='${subnet}' mtu='${mtu}' ipmasq='${ipmasq}'"
  dir="$(cni_conf_dir "${k}")"
  mkdir -p "${dir}"
  # ipMasq stays off when Flannel masquerades (FLANNEL_IPMASQ=true): one NAT rule set, not two.
  jq -n --arg name "${CNI_NETWORK_NAME}" --arg bridge "${BRIDGE}" --argjson mtu "${mtu}" \
    --argjson flannel_masq "${ipmasq}" --arg subnet "$(network_of "${subnet}")" \
    --arg gateway "${subnet%/*}" --arg network "${network}" '{
      cniVersion: "1.0.0",
      name: $name,
      plugins: [
        {
          type: "bridge",
          bridge: $bridge,
          isDefaultGateway: true,
          forceAddress: true,
          hairpinMode: true,
          mtu: $mtu,
          ipMasq: ($flannel_masq | not),
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: $subnet, gateway: $gateway }]],
            routes: [{ dst: $network }]
          }
        },
        { type: "portmap", capabilities: { portMappings: true } }
      ]
    }' >"${dir}/.10-${CNI_NETWORK_NAME}.conflist.tmp"
  # Renamed into place: containerd watches the dir and must never read half a file.
  mv "${dir}/.10-${CNI_NETWORK_NAME}.conflist.tmp" "${dir}/10-${CNI_NETWORK_NAME}.conflist"
  log "node $(node_name_of "${k}"): CNI ${BRIDGE} $(network_of "${subnet}") gateway ${subnet%/*} mtu ${mtu}"
}

# Flannel has leased node k its subnet (and made flannel.1): the conflist can be written.
flannel_ready() {
  wait_for 120 "node $(node_name_of "$1"): Flannel's subnet.env" test -s "$(subnet_env "$1")"
}
