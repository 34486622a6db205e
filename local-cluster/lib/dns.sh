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
}
