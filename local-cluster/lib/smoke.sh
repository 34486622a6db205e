# shellcheck shell=bash
# `smoke`: throwaway pods on two nodes (templates/smoke-test.yaml.tmpl) and the checks a newcomer
# would run by hand: same-node and cross-node ping and wget, a Service by name from both nodes,
# the CNI's links, full-MTU packets across the nodes, a default-deny NetworkPolicy enforced; each
# fault that is switched on turns its checks into the failure it must cause.

# shellcheck disable=SC2317 # its helpers are called through check "$@" and wait_for "$@"
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
