#!/usr/bin/env bash
# A real k3s for pod-to-pod with one node or more, entirely on this machine: k3s (built from the Go
# module proxy by build-k3s.sh) with Debian's containerd and runc per node, Flannel as k3s ships it
# (VXLAN), the pods' CNI from our own conflist over Debian's bridge/host-local/portmap plugins,
# k3s's embedded NetworkPolicy controller, and our own CoreDNS without forwarding; every image is
# built locally (images/build.sh) and imported, never pulled. README.md has the map of the files.
#
# Usage: local-cluster/cluster.sh <verb>, the verbs below
#   up      install what is missing, build/cache k3s and the images, start
#           every node, wait for the nodes to be Ready and CoreDNS to answer. Idempotent; N
#           (default 2, or POD_TO_POD_NODES) adds or removes agent nodes of a running cluster.
#   down    stop and remove every process, mount, netns, link, iptables rule, sysctl change and
#           file that `up` made, as its state file lists them, and nothing else (caches under
#           ${POD_TO_POD_CACHE} stay).
#   check-host  exits 1, naming them, if this machine has a k3s (process, systemd unit, dirs), a
#           cni0, a flannel.1 or Kubernetes iptables chains that the state file does not list
#           (not ours: up refuses to start next to them, down leaves them alone).
#   status  what runs.
#   import-image <tar> [<name>...]  import an images/build.sh tarball into every node and tag it
#           with each name (e.g. docker.io/library/nginx:1.28.0 for nginx-official).
#   smoke   throwaway pods on two nodes: same-node and cross-node ping/wget, Service by name from
#           both nodes, the CNI's links on every node, kubectl exec; then deletes them.
#   break-cross-node [--node K]  drop VXLAN (udp 8472) arriving at node K (default 1) from the
#           other nodes: pod traffic between node K and the others dies while pods on one node,
#           the paths among the other nodes, the API and the nodes stay fine.
#   mend-cross-node   undo it (does nothing if nothing is broken).
#   break-network-policy  restart every node's k3s with disable-network-policy: true (and without
#           kube-router's chains and ipsets): NetworkPolicy objects are accepted and ignored.
#   mend-network-policy   restart them with the policy controller on; wait for its first sync.
#   break-mtu [--node K]  an MTU black hole on agent node K's link (default 2): frames above 1400
#           bytes are dropped, so pod packets near the pods' 1450 MTU are lost, small ones pass.
#   mend-mtu          undo it.
#   fake-nodes N  exactly N fake nodes (0..2000) beside the real ones, Ready, played by kwok
#           (build-kwok.sh): for the bench at hundreds of nodes; 0 removes them and stops kwok.
# Environment: POD_TO_POD_STATE (/var/lib/pod-to-pod), POD_TO_POD_CACHE (/var/cache/pod-to-pod),
#   POD_TO_POD_RUN (/run/pod-to-pod), POD_TO_POD_NODES (2), POD_TO_POD_HOST_ROOT (empty: the root
#   under which check-host looks for k3s's units and dirs; tests point it at a fake tree).
set -euo pipefail
shopt -s inherit_errexit

CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=build-k3s.sh
source "${CLUSTER_DIR}/build-k3s.sh"
# One file per concern; each only defines constants and functions, so the order does not matter.
# shellcheck source=lib/common.sh
source "${CLUSTER_DIR}/lib/common.sh"
# shellcheck source=lib/state.sh
source "${CLUSTER_DIR}/lib/state.sh"
# shellcheck source=lib/host.sh
source "${CLUSTER_DIR}/lib/host.sh"
# shellcheck source=lib/nodes.sh
source "${CLUSTER_DIR}/lib/nodes.sh"
# shellcheck source=lib/containerd.sh
source "${CLUSTER_DIR}/lib/containerd.sh"
# shellcheck source=lib/images.sh
source "${CLUSTER_DIR}/lib/images.sh"
# shellcheck source=lib/k3s.sh
source "${CLUSTER_DIR}/lib/k3s.sh"
# shellcheck source=lib/cni.sh
source "${CLUSTER_DIR}/lib/cni.sh"
# shellcheck source=lib/dns.sh
source "${CLUSTER_DIR}/lib/dns.sh"
# shellcheck source=lib/netpol.sh
source "${CLUSTER_DIR}/lib/netpol.sh"
# shellcheck source=lib/faults.sh
source "${CLUSTER_DIR}/lib/faults.sh"
# shellcheck source=lib/foreign.sh
source "${CLUSTER_DIR}/lib/foreign.sh"
# shellcheck source=lib/lifecycle.sh
source "${CLUSTER_DIR}/lib/lifecycle.sh"
# shellcheck source=lib/status.sh
source "${CLUSTER_DIR}/lib/status.sh"
# shellcheck source=lib/smoke.sh
source "${CLUSTER_DIR}/lib/smoke.sh"
# shellcheck source=lib/kwok.sh
source "${CLUSTER_DIR}/lib/kwok.sh"

main() {
  case "${1:-}" in
    up) cmd_up "${@:2}" ;;
    down) cmd_down ;;
    check-host) cmd_check_host ;;
    status) cmd_status ;;
    import-image) cmd_import_image "${@:2}" ;;
    smoke) cmd_smoke ;;
    break-cross-node) cmd_break_cross_node "${@:2}" ;;
    mend-cross-node) cmd_mend_cross_node ;;
    break-mtu) cmd_break_mtu "${@:2}" ;;
    mend-mtu) cmd_mend_mtu ;;
    break-network-policy) cmd_break_network_policy ;;
    mend-network-policy) cmd_mend_network_policy ;;
    fake-nodes) cmd_fake_nodes "${@:2}" ;;
    # Internal: how an agent node's containerd enters its own mount namespace (lib/nodes.sh).
    node-exec) cmd_node_exec "${@:2}" ;;
    *)
      echo "usage: $0 up [--nodes N]|down|check-host|status|import-image <tar> [<name>...]|smoke|break-cross-node [--node K]|mend-cross-node|break-mtu [--node K]|mend-mtu|break-network-policy|mend-network-policy|fake-nodes N" >&2
      exit 2
      ;;
  esac
}

main "$@"
