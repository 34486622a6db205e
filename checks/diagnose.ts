import { CheckName, CheckResult, Diagnosis, Verification } from "./types";

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
  if (!ok("pod-ip-http") && fact("pod-ip-http", "failure") === "wrong-server") {
    return {
      layer: "server",
      summary:
        "Something answers HTTP at the nginx pod's IP, but it is not the lab's nginx pod: its address now belongs to another server (a replaced pod, a reused IP), so nothing proves the lab's own pod is reachable.",
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
  const serviceChecks: CheckName[] = [
    "service-clusterip-http",
    "service-dns-http",
    "service-fqdn-http",
  ];
  if (serviceChecks.some((name) => fact(name, "failure") === "wrong-server")) {
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

/** Counts and diagnoses a run's results, stamped with when and by which runner. */
export function summarize(
  results: readonly CheckResult[],
  stamp: { readonly checkedAt: string; readonly runnerVersion: string },
): Verification {
  const passed = results.filter((r) => r.ok).length;
  const diagnosis = diagnose(results);
  return {
    checkedAt: stamp.checkedAt,
    runnerVersion: stamp.runnerVersion,
    passed,
    failed: results.length - passed,
    checks: results,
    ...(diagnosis ? { diagnosis } : {}),
  };
}
