# shellcheck shell=bash
# Fake nodes for the bench (`cluster.sh fake-nodes N`): Node objects that kwok (build-kwok.sh), one
# process on the host, keeps Ready and whose pods it marks Running and Ready with an address, as a
# kubelet would; nothing runs in them and nothing is sent to them. What they are for: the API
# server, the scheduler and the DaemonSet controller at hundreds of nodes, and the runner's reads
# of that (tools/benchMesh.ts), beside the real nodes.

FAKE_NODE_LABEL="pod-to-pod.dev/fake-node"
FAKE_NODE_PREFIX="p2p-kwok-"
KWOK_PID="${RUN_DIR}/kwok.pid"
MAX_FAKE_NODES=2000
# The fake pods' addresses: 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks, a /26 per
# node from the node's podCIDR (kwok takes pod IPs from there). Outside the pods' 10.42.0.0/16, so
# the egress rules (nodes.sh) drop any pod packet that would go there; none is sent. k3s's node
# IPAM logs each such podCIDR as outside its range, and leaves it be.
FAKE_NODE_IP="198.19.255.254"

# fake_node_cidr <i>: fake node i's /26.
fake_node_cidr() {
  local a=$(($1 * 64))
  printf '198.%d.%d.%d/26\n' $((18 + a / 65536)) $(((a / 256) % 256)) $((a % 256))
}

fake_node_name() { printf '%s%04d\n' "${FAKE_NODE_PREFIX}" "$1"; }

# A pod that kwok made Ready and the node controller marked not Ready (its node's Lease late, as
# seen at 1,000 nodes on 2 cores) is Ready again once the node is back, as a kubelet would report
# it; kwok's own stages only make Pending pods Ready.
POD_READY_AGAIN_STAGE='---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-to-pod-pod-ready-again
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: .metadata.deletionTimestamp
      operator: DoesNotExist
    - key: .status.phase
      operator: In
      values: [Running]
    - key: .status.conditions.[] | select( .type == "Ready" ) | .status
      operator: NotIn
      values: ["True"]
  next:
    statusTemplate: |
      conditions:
      - lastTransitionTime: {{ Now | Quote }}
        status: "True"
        type: Ready
      - lastTransitionTime: {{ Now | Quote }}
        status: "True"
        type: ContainersReady'

# kwok renews each fake node's Lease as a kubelet does (--node-lease-duration-seconds; without it
# kwok keeps none, and the node controller takes the nodes for dead between two status updates:
# seen here at 1,000 nodes, every one flapping NotReady and its pods with it).
start_kwok() {
  # shellcheck source=../build-kwok.sh
  source "${CLUSTER_DIR}/build-kwok.sh"
  kwok_build
  if pid_alive "${KWOK_PID}"; then
    return
  fi
  made process "${KWOK_PID}"
  { cat "${KWOK_STAGES}"; printf '%s\n' "${POD_READY_AGAIN_STAGE}"; } >"${STATE}/kwok-stages.yaml"
  log "starting kwok ${KWOK_VERSION} for the nodes labelled ${FAKE_NODE_LABEL}=kwok, log ${LOG_DIR}/kwok.log"
  (close_inherited_fds; exec setsid "${KWOK_BIN}" --kubeconfig "${KUBECONFIG_PATH}" --config "${STATE}/kwok-stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-label-selector="${FAKE_NODE_LABEL}=kwok" \
    --node-ip "${FAKE_NODE_IP}" --cidr 198.19.255.0/25 --node-lease-duration-seconds 40 \
    >>"${LOG_DIR}/kwok.log" 2>&1 </dev/null) &
  echo $! >"${KWOK_PID}"
}

# The Nodes fake-nodes creates, as one List: named, labelled as a kubelet labels its node, with
# their podCIDR.
fake_node_list() {
  local i first="$1" last="$2" sep=""
  printf '{"apiVersion":"v1","kind":"List","items":['
  for ((i = first; i < last; i++)); do
    printf '%s{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"%s":"kwok","kubernetes.io/hostname":"%s","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","type":"kwok"}},"spec":{"podCIDR":"%s","podCIDRs":["%s"]}}' \
      "${sep}" "$(fake_node_name "${i}")" "${FAKE_NODE_LABEL}" "$(fake_node_name "${i}")" \
      "$(fake_node_cidr "${i}")" "$(fake_node_cidr "${i}")"
    sep=","
  done
  printf ']}\n'
}

fake_node_count() { kc get nodes -l "${FAKE_NODE_LABEL}=kwok" -o name | wc -l; }

all_fake_nodes_ready() {
  local want="$1" ready
  ready="$(kc get nodes -l "${FAKE_NODE_LABEL}=kwok" \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true)"
  ((ready == want))
}

# wait_for_kwok <what> <command...>: wait_for's loop, which stops at once, naming why, when kwok does.
wait_for_kwok() {
  local what="$1" start=${SECONDS}
  shift
  until "$@" >/dev/null 2>&1; do
    pid_alive "${KWOK_PID}" || die "kwok stopped while waiting for ${what}: $(tail -n 3 "${LOG_DIR}/kwok.log")"
    ((SECONDS - start < 600)) || die "timed out after 600s waiting for ${what}"
    (((SECONDS - start) % 20 < 2)) && log "waiting for ${what} ($((SECONDS - start))s)"
    sleep 2
  done
}

no_pods_on_fake_nodes() {
  ! kc get pods -A -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | grep -q "^${FAKE_NODE_PREFIX}"
}

# fake-nodes <N>: exactly N fake nodes p2p-kwok-0000.., Ready; 0 removes them, waits until no pod
# is left on them and stops kwok. DaemonSets place their pods on them like on any node.
cmd_fake_nodes() {
  local want="${1:-}" have
  if ! [[ "${want}" =~ ^[0-9]+$ ]] || ((want > MAX_FAKE_NODES)); then
    die "fake-nodes takes a count from 0 to ${MAX_FAKE_NODES}, got '${want}'"
  fi
  kc get --raw /readyz >/dev/null 2>&1 || die "the cluster is not up: run local-cluster/cluster.sh up first"
  have="$(fake_node_count)"
  if ((want > 0)); then
    start_kwok
  fi
  if ((want > have)); then
    log "creating fake nodes ${have}..$((want - 1))"
    fake_node_list "${have}" "${want}" | kc create -f - >/dev/null
  elif ((want < have)); then
    local i names=()
    for ((i = want; i < have; i++)); do names+=("$(fake_node_name "${i}")"); done
    log "deleting fake nodes ${want}..$((have - 1))"
    printf '%s\n' "${names[@]}" | xargs -n 200 "$(k3s_tool kubectl)" --kubeconfig "${KUBECONFIG_PATH}" \
      delete node --wait=false >/dev/null
  fi
  if ((want > 0)); then
    wait_for_kwok "${want} fake nodes Ready" all_fake_nodes_ready "${want}"
  else
    # The pod garbage collector removes the pods of deleted nodes (after 40 s); kwok stays to
    # finish those being deleted gracefully.
    wait_for_kwok "no pod on a fake node" no_pods_on_fake_nodes
    stop_pids "${KWOK_PID}"
    forget process "${KWOK_PID}"
  fi
  log "fake nodes: $(fake_node_count)"
}
