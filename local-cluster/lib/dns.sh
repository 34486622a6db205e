# shellcheck shell=bash
# The cluster's DNS: our CoreDNS manifest (templates/coredns.yaml.tmpl), applied once the server
# node's pod network is up, and the wait until it answers through the kube-dns Service.

deploy_coredns() {
  render "${CLUSTER_DIR}/templates/coredns.yaml.tmpl" "${STATE}/coredns.yaml"
  kc apply -f "${STATE}/coredns.yaml" >/dev/null
}

coredns_ready() {
  wait_for 180 "CoreDNS deployment" \
    kc -n kube-system rollout status deployment/coredns --timeout=2s
  wait_for 60 "CoreDNS answering through the kube-dns Service (${CLUSTER_DNS})" \
    "${STATE}/bin/busybox" nslookup kubernetes.default.svc.cluster.local "${CLUSTER_DNS}"
  coredns_watching
}

# CoreDNS answering is not CoreDNS seeing: after the API server restarts (restart_k3s, an up of a
# stopped cluster) its watches fail ("apiserver not ready") and come back after a backoff, and
# meanwhile a name in a namespace made since is NXDOMAIN while older names still resolve (seen once
# in CI: a new lab's first lookup, after the fault suite's restarts). A Service in a namespace made
# now resolving proves both watches it needs (namespaces, services) are live again.
coredns_watching() {
  local canary="p2p-dns-canary-${RANDOM}"
  kc create namespace "${canary}" >/dev/null
  kc -n "${canary}" create service clusterip canary --tcp=53:53 >/dev/null
  local seen=0
  wait_for 120 "CoreDNS seeing a namespace and Service made now (${canary})" \
    "${STATE}/bin/busybox" nslookup "canary.${canary}.svc.cluster.local" "${CLUSTER_DNS}" ||
    seen=$?
  kc delete namespace "${canary}" --wait=false >/dev/null
  return "${seen}"
}
