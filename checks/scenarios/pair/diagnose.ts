import { CheckName, CheckResult, Diagnosis } from "../../contract/types";

/**
 * The one diagnosis of a run: what broke, named by layer, from the bottom of the stack up. The
 * pair's checks are read by `diagnose`, the mesh's matrix by `diagnoseMesh`, and `withMesh` joins
 * the two into the verdict's one diagnosis.
 */

/**
 * How a pod-IP check fails when something answers that is not the lab's nginx: another UID, a
 * redirect elsewhere, an answer nginx never logged, or logged from another sender (a relay).
 */
const IMPOSTOR = ["wrong-server", "redirect", "not-served", "other-request", "other-sender"];

function failedDetails(results: readonly CheckResult[], names: readonly CheckName[]): string[] {
  return results
    .filter((r) => !r.ok && names.includes(r.name))
    .map((r) => `${r.name}: ${r.detail}`);
}

/**
 * Names the layer that broke, reading the checks from the bottom of the stack up: the pod's own
 * interface and routes, then pod-to-pod reachability, then the nginx server, then the Service's
 * virtual IP, then DNS. The first layer that fails explains the failures above it.
 */
export function diagnose(results: readonly CheckResult[]): Diagnosis | undefined {
  const ok = (name: CheckName) => results.find((r) => r.name === name)?.ok ?? false;
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) {
    return undefined;
  }
  if (!ok("pod-interface") || !ok("pod-routes")) {
    return {
      layer: "client",
      summary:
        "The client pod's own network is wrong (eth0 or its routes), so nothing it reports beyond that can be trusted.",
      evidence: failedDetails(results, ["pod-interface", "pod-routes"]),
    };
  }
  const fact = (name: CheckName, key: string) => results.find((r) => r.name === name)?.facts?.[key];
  const policy = policyDiagnosis(results, ok, fact);
  if (policy) {
    return policy;
  }
  if (
    !ok("pod-ip-http") &&
    !ok("ping") &&
    fact("pod-cidr", "crossNode") === true &&
    fact("pod-routes", "gatewayAnswers") === true
  ) {
    return {
      layer: "cross-node",
      summary:
        "The pods are on different nodes and the client reaches its own node but not the nginx pod: the path between the nodes (the overlay, e.g. flannel.1 VXLAN, or the routes to the other node's pod CIDR) is broken, not the pods.",
      evidence: [
        ...failedDetails(results, ["ping", "pod-ip-http"]),
        `pod-cidr: ${results.find((r) => r.name === "pod-cidr")?.detail ?? ""}`,
        `pod-routes: gateway ${String(fact("pod-routes", "gateway"))} answers ping`,
      ],
    };
  }
  if (!ok("pod-ip-http") && !ok("ping")) {
    return {
      layer: "pod-network",
      summary:
        "Pod networking is broken: the client cannot reach the nginx pod's IP at all (no ping, no HTTP); look at the CNI bridge, veths and routes.",
      evidence: failedDetails(results, ["ping", "pod-ip-http"]),
    };
  }
  if (!ok("pod-ip-http") && IMPOSTOR.includes(String(fact("pod-ip-http", "failure")))) {
    return {
      layer: "server",
      summary:
        "Something answers HTTP at the nginx pod's IP, but it is not the lab's nginx pod serving the client: another pod's UID, a redirect to elsewhere, or an answer nginx never logged as sent from the client (a relay, a reused IP), so nothing proves the lab's own pod is reachable.",
      evidence: failedDetails(results, ["pod-ip-http"]),
    };
  }
  if (!ok("pod-ip-http")) {
    return {
      layer: "server",
      summary:
        "The nginx pod answers ping but not HTTP on its pod IP: the network is fine, nginx (or its port) is not.",
      evidence: failedDetails(results, ["pod-ip-http"]),
    };
  }
  if (!ok("path-mtu") && results.some((r) => r.name === "path-mtu")) {
    const nodes =
      fact("pod-cidr", "crossNode") === true
        ? `${String(fact("pod-cidr", "clientNode"))} → ${String(fact("pod-cidr", "serverNode"))}`
        : `on ${String(fact("pod-cidr", "serverNode"))}`;
    const mtu = fact("path-mtu", "podMtu") ?? fact("pod-interface", "mtu");
    return {
      layer: "mtu",
      summary: `Small packets pass and full-size ones do not: an MTU black hole on the path ${nodes}. The pods' eth0 MTU is ${String(mtu ?? "unknown")}; across nodes VXLAN adds 50 bytes, so flannel.1 must carry ${String(mtu ?? "the pods' MTU")} and every node link on the way ${typeof mtu === "number" ? mtu + 50 : "50 bytes more"} (compare \`ip link show cni0\`, \`flannel.1\` and the node's link on each node; a lowered link MTU or a hop that drops large frames does this).`,
      evidence: [
        ...failedDetails(results, ["path-mtu"]),
        `pod-ip-http: ${results.find((r) => r.name === "pod-ip-http")?.detail ?? ""}`,
        `pod-interface: ${results.find((r) => r.name === "pod-interface")?.detail ?? ""}`,
      ],
    };
  }
  const serviceChecks: CheckName[] = [
    "service-clusterip-http",
    "service-dns-http",
    "service-fqdn-http",
  ];
  if (serviceChecks.some((name) => IMPOSTOR.includes(String(fact(name, "failure"))))) {
    return {
      layer: "service",
      summary:
        "The Service answers, but from a pod that is not the lab's nginx or not one of its endpoints: check what else its selector matches, and which backends kube-proxy programs for its ClusterIP.",
      evidence: failedDetails(results, serviceChecks),
    };
  }
  if (!ok("service-clusterip-http")) {
    return {
      layer: "service",
      summary:
        "The pod IP works but the Service's ClusterIP does not: check the Service's selector, targetPort and endpoints, and kube-proxy.",
      evidence: failedDetails(results, [
        "service-clusterip-http",
        "service-dns-http",
        "service-fqdn-http",
        "dns",
      ]),
    };
  }
  if (!ok("dns") || !ok("service-dns-http") || !ok("service-fqdn-http")) {
    return {
      layer: "dns",
      summary:
        "The pod IP and the ClusterIP work but the Service's name does not: DNS (CoreDNS or the pod's resolv.conf) is broken, not pod networking.",
      evidence: failedDetails(results, ["dns", "service-dns-http", "service-fqdn-http"]),
    };
  }
  const strangerRefusals = results.filter(
    (r) => r.name === "stranger-to-pod-ip" || r.name === "stranger-to-service",
  );
  if (strangerRefusals.some((r) => r.facts?.got === "nothing")) {
    return {
      layer: "network-policy",
      summary:
        "The stranger pod does not even reach the Kubernetes API by its ClusterIP, which no policy of the lab covers: its refusals cannot be told from a dead pod, so nothing shows the policies are enforced. Look at the stranger pod and its node.",
      evidence: failedDetails(results, [
        "stranger-to-pod-ip",
        "stranger-to-service",
        "stranger-dns",
      ]),
    };
  }
  if (strangerRefusals.some((r) => r.facts?.got === "own-egress")) {
    return {
      layer: "network-policy",
      summary:
        "A NetworkPolicy restricts the stranger's own egress, so its refusals may be its own policies' doing: nothing shows the policies around nginx refuse it. Remove the egress policy that selects the stranger.",
      evidence: failedDetails(results, ["stranger-to-pod-ip", "stranger-to-service"]),
    };
  }
  const unrouted = strangerRefusals.filter((r) => !r.ok && r.facts?.got === "unreachable");
  if (unrouted.length > 0) {
    return {
      layer: unrouted.some((r) => r.name === "stranger-to-service") ? "service" : "pod-network",
      summary:
        "The stranger's request found no route at all (unreachable), which is no policy's refusal: to the Service's ClusterIP, kube-proxy on the stranger's node has no rule for it; to the pod IP, that node has no route to the pod network. Nothing shows the policies refuse the stranger until its node routes the request.",
      evidence: failedDetails(results, ["stranger-to-pod-ip", "stranger-to-service"]),
    };
  }
  if (strangerRefusals.some((r) => !r.ok && r.facts?.got !== "through")) {
    return {
      layer: "network-policy",
      summary:
        "The stranger's request failed, but not as a policy refuses (neither dropped nor refused): nothing shows the policies refuse the stranger.",
      evidence: failedDetails(results, ["stranger-to-pod-ip", "stranger-to-service"]),
    };
  }
  if (results.some((r) => r.name === "stranger-dns") && !ok("stranger-dns")) {
    return {
      layer: "dns",
      summary:
        "The stranger pod cannot resolve the Service's name at CoreDNS while the client's checks pass: look at CoreDNS and the stranger's node.",
      evidence: failedDetails(results, ["stranger-dns"]),
    };
  }
  if (!ok("ping")) {
    return {
      layer: "pod-network",
      summary:
        "HTTP works but ICMP to the nginx pod loses packets: the path is lossy, or ICMP is filtered.",
      evidence: failedDetails(results, ["ping"]),
    };
  }
  return {
    layer: "ipam",
    summary:
      "Traffic flows, but the pod IPs do not fit the nodes' pod CIDRs: IP address management is off.",
    evidence: failedDetails(results, ["pod-cidr"]),
  };
}

/** What a k3s user checks when a NetworkPolicy is accepted but not enforced. */
const NOT_ENFORCED_HELP =
  "The API server accepts NetworkPolicy objects whether or not anything enforces them. On k3s, the server's embedded network policy controller (kube-router) enforces them unless k3s was started with --disable-network-policy (look in /etc/rancher/k3s/config.yaml and the k3s service's arguments); with another CNI, check that it enforces policies (Flannel alone does not).";

/**
 * The NetworkPolicy layer, when the lab isolates itself: a stranger (or the client, with no policy
 * letting it in) that gets through means the policies are not enforced; the client refused while
 * the policies refuse it too means the policy, not the network, blocks it.
 */
function policyDiagnosis(
  results: readonly CheckResult[],
  ok: (name: CheckName) => boolean,
  fact: (name: CheckName, key: string) => string | number | boolean | undefined,
): Diagnosis | undefined {
  const verdict = results.find((r) => r.name === "policy-allows-client");
  if (!verdict) {
    return undefined;
  }
  const isolatedBy = String(fact("policy-allows-client", "isolatedBy") ?? "none");
  const through = results.filter(
    (r) =>
      (r.name === "stranger-to-pod-ip" || r.name === "stranger-to-service") &&
      r.facts?.got === "through",
  );
  const clientDenied = !verdict.ok && isolatedBy !== "none" && verdict.facts !== undefined;
  if (through.length > 0 || (clientDenied && ok("pod-ip-http"))) {
    return {
      layer: "policy-enforcement",
      summary: `NetworkPolicy is not enforced by this cluster: traffic the policies (${isolatedBy}) refuse reached nginx. ${NOT_ENFORCED_HELP}`,
      evidence: [
        ...through.map((r) => `${r.name}: ${r.detail}`),
        ...(clientDenied && ok("pod-ip-http")
          ? [`policy-allows-client: ${verdict.detail}, yet pod-ip-http passed`]
          : []),
      ],
    };
  }

  if (clientDenied && !ok("pod-ip-http")) {
    return {
      layer: "network-policy",
      summary: `The client is refused by NetworkPolicy, not by the network: ${verdict.detail}. Add a rule that lets the client in, or look at what changed in ${isolatedBy}.`,
      evidence: failedDetails(results, [
        "policy-allows-client",
        "pod-ip-http",
        "ping",
        "service-clusterip-http",
      ]),
    };
  }
  return undefined;
}
