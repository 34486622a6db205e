import { arrow, describeLinks, EVIDENCE_LINES, listed } from "./meshSummary";
import { WitnessedMesh } from "./witnessed";
import { MeshLayout, MeshPath, MeshReport } from "../contract/meshTypes";
import { CheckName, CheckResult, Diagnosis, Layer, Verification } from "../contract/types";

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

/**
 * The verification of a run's checks: counted, stamped with when and by which runner, with the
 * diagnosis (the pair's own, unless the run's scenarios joined theirs) and the mesh's report.
 */
export function summarize(
  results: readonly CheckResult[],
  stamp: { readonly checkedAt: string; readonly runnerVersion: string },
  diagnosis: Diagnosis | undefined = diagnose(results),
  mesh?: MeshReport,
): Verification {
  const passed = results.filter((r) => r.ok).length;
  return {
    schemaVersion: 2,
    checkedAt: stamp.checkedAt,
    runnerVersion: stamp.runnerVersion,
    passed,
    failed: results.length - passed,
    checks: results,
    ...(diagnosis ? { diagnosis } : {}),
    ...(mesh ? { mesh } : {}),
  };
}

/** The nodes every one of these paths starts or ends on. */
export function commonNodes(paths: readonly MeshPath[]): string[] {
  if (paths.length === 0) {
    return [];
  }
  const first = [paths[0].from, paths[0].to];
  return [...new Set(first)].filter((node) => paths.every((p) => p.from === node || p.to === node));
}

function evidence(paths: readonly MeshPath[], extra: readonly string[] = []): string[] {
  return [
    ...paths.slice(0, EVIDENCE_LINES).map((p) => `${arrow(p)}: ${p.detail}`),
    ...(paths.length > EVIDENCE_LINES
      ? [`${paths.length - EVIDENCE_LINES} more in verification.mesh.failures`]
      : []),
    ...extra,
  ];
}

/** Where on the cluster a set of failing cross-node paths points. */
function blame(paths: readonly MeshPath[], nodes: readonly string[]): string {
  const common = commonNodes(paths);
  if (nodes.length === 2) {
    return `between ${nodes[0]} and ${nodes[1]} (with two nodes either one's side can be at fault; a third node would tell which)`;
  }
  if (common.length === 1) {
    const own = 2 * (nodes.length - 1);
    return `on node ${common[0]}: every failing path runs to or from it (${paths.length} of its ${own} cross-node paths), while the paths among the other nodes pass`;
  }
  return `between several nodes: ${listed(paths)}`;
}

/**
 * Names what broke in the mesh, from the bottom up: a node's own pods (same-node paths), the
 * paths between nodes (told apart from a broken pod by the node probes), full-size packets (MTU),
 * the coverage, the Service, DNS, and the nodes' own routes to pods.
 */
export function diagnoseMesh(
  layout: MeshLayout,
  evaluation: WitnessedMesh,
  checks: readonly CheckResult[],
): Diagnosis | undefined {
  if (checks.every((c) => c.ok)) {
    return undefined;
  }
  const failing = evaluation.podPaths.filter((p) => p.outcome === "fail");
  const sameNode = failing.filter((p) => p.from === p.to);
  if (sameNode.length > 0) {
    const nodes = [...new Set(sameNode.map((p) => p.from))];
    return {
      layer: "pod-network",
      summary: `Pods cannot reach a pod on their own node on ${nodes.join(", ")}: that node's pod network (the cni0 bridge, the pods' veths) is broken, whatever the paths between nodes do.`,
      evidence: evidence(sameNode),
    };
  }
  const crossNode = failing.filter((p) => p.from !== p.to);
  if (crossNode.length > 0) {
    const nodeRoute = (p: MeshPath) =>
      evaluation.nodePaths.find((n) => n.from === p.from && n.to === p.to);
    const nodesReach = crossNode.filter((p) => nodeRoute(p)?.outcome === "pass");
    if (nodesReach.length === crossNode.length) {
      const clients = [...new Set(crossNode.map((p) => p.from))];
      return {
        layer: "pod-network",
        summary: `The clients on ${clients.join(", ")} cannot reach the echo servers on other nodes, yet their nodes reach those very pods from the node's own network namespace: the route between the nodes works, the client pods' side (their veth, bridge or policy) is broken.`,
        evidence: evidence(
          crossNode,
          nodesReach.map((p) => `node ${p.from} → ${p.to}: ${nodeRoute(p)?.detail}`),
        ),
      };
    }
    return {
      layer: "cross-node",
      summary: `Pods on one node reach each other, and pods across nodes do not, ${blame(crossNode, layout.nodes)}: the overlay (flannel.1, VXLAN on udp 8472) or the node routes to the other nodes' pod CIDRs are broken, not the pods.`,
      evidence: evidence(crossNode, [
        ...crossNode
          .map(nodeRoute)
          .filter((p): p is MeshPath => p !== undefined && p.outcome !== "pass")
          .slice(0, 2)
          .map((p) => `the node itself fails too: ${p.detail}`),
      ]),
    };
  }
  const blackHoles = evaluation.podPaths.filter((p) => p.outcome === "mtu");
  if (blackHoles.length > 0) {
    const common = commonNodes(blackHoles);
    const podMtus = [...new Set(evaluation.clients.flatMap((c) => (c.podMtu ? [c.podMtu] : [])))];
    const podMtu = podMtus.length === 1 ? podMtus[0] : undefined;
    const needed = podMtu !== undefined ? podMtu + 50 : undefined;
    const involved = [...new Set(blackHoles.flatMap((p) => [p.from, p.to]))];
    const tooSmall = involved.flatMap((node) => {
      const links = evaluation.links.get(node);
      return needed === undefined || !links
        ? []
        : [
            ...(links.nodeLink && links.nodeLink.mtu < needed
              ? [`${node}: ${links.nodeLink.name} mtu ${links.nodeLink.mtu}`]
              : []),
            ...links.ports
              .filter((p) => p.mtu < needed)
              .map((p) => `${node}: ${p.name} mtu ${p.mtu}`),
            ...(links.flannelMtu !== undefined && links.flannelMtu < (podMtu ?? 0)
              ? [`${node}: flannel.1 mtu ${links.flannelMtu}`]
              : []),
          ];
    });
    const where =
      common.length === 1 && layout.nodes.length > 2
        ? `every such path runs to or from ${common[0]}`
        : `on ${listed(blackHoles)}`;
    return {
      layer: "mtu",
      summary: `Small packets pass and full-size ones do not: an MTU black hole, ${where}. The pods' eth0 MTU is ${podMtu ?? "unknown"}; across nodes VXLAN adds 50 bytes, so flannel.1 must carry ${podMtu ?? "the pods' MTU"} and every node link on the way ${needed ?? "50 bytes more"}.${tooSmall.length > 0 ? ` Below that: ${tooSmall.join(", ")}.` : ""}`,
      evidence: evidence(
        blackHoles,
        involved
          .slice(0, EVIDENCE_LINES)
          .map(
            (node) =>
              `${node}: pod eth0 mtu ${evaluation.clients.find((c) => c.node === node)?.podMtu ?? "unknown"}, ${describeLinks(evaluation.links.get(node))}`,
          ),
      ),
    };
  }
  const unserved = [...evaluation.podPaths, ...evaluation.nodePaths].filter(
    (p) => p.outcome === "unserved",
  );
  const unservedServices = evaluation.clients.filter((c) => c.service.unserved);
  if (unserved.length > 0 || unservedServices.length > 0) {
    const servers = [
      ...new Set([
        ...unserved.map((p) => p.to),
        ...unservedServices.map((c) => c.serviceAnsweredBy ?? "?"),
      ]),
    ];
    return {
      layer: "server",
      summary: `Answers came back as ${servers.map((n) => `${n}'s echo server`).join(", ")}, but that server's own access log has no such request of this run (or has it from another sender): something else answers at its address (a pod that took the IP, a proxy on the path), or a client's report is not what happened. The network under those answers is not proven.`,
      evidence: evidence(
        unserved,
        unservedServices.map((c) => `${c.node} via the Service: ${c.service.detail}`),
      ),
    };
  }
  const failed = (name: string) => checks.find((c) => c.name === name && !c.ok);
  const unprobed = evaluation.podPaths.filter((p) => p.outcome === "absent");
  const coverage = failed("mesh-coverage");
  if (unprobed.length > 0 && !coverage) {
    return {
      layer: "coverage",
      summary: `${unprobed.length} paths could not be probed (the script in their client did not run or was cut off), so nothing is proven about them; the paths that ran are in the matrix.`,
      evidence: evidence(unprobed),
    };
  }
  if (coverage) {
    return {
      layer: "coverage",
      summary: `The mesh does not cover every schedulable node, so those nodes' paths were not proven: look at the DaemonSets' pods there (kubectl get pods -o wide).`,
      evidence: [coverage.detail, ...evidence(unprobed)],
    };
  }
  const service = failed("mesh-service");
  if (service) {
    return {
      layer: "service",
      summary:
        "Every pod path works, but the mesh's Service does not from some nodes: kube-proxy's rules for its ClusterIP on those nodes, or its endpoints.",
      evidence: [service.detail],
    };
  }
  const dns = failed("mesh-dns");
  if (dns) {
    return {
      layer: "dns",
      summary:
        "Pod IPs and the Service work, but its name does not resolve from some nodes: CoreDNS, or the path from those nodes to it.",
      evidence: [dns.detail],
    };
  }
  const nodeToPod = evaluation.nodePaths.filter((p) => p.outcome !== "pass");
  if (nodeToPod.length > 0) {
    const nodes = [...new Set(nodeToPod.map((p) => p.from))];
    return {
      layer: "cross-node",
      summary: `Every pod path works, but ${nodes.join(", ")} cannot reach the pods of the other nodes from the node's own network namespace: the node's routes to the other pod CIDRs (or what filters the node's own traffic) are broken, not the pods.`,
      evidence: evidence(nodeToPod),
    };
  }
  const other = checks.filter((c) => !c.ok);
  return {
    layer: "pod-network",
    summary: "A mesh check failed.",
    evidence: other.map((c) => `${c.name}: ${c.detail}`),
  };
}

/** Layers only the pair's checks can see: there, the pair's diagnosis is the one to read. */
const PAIR_ONLY: readonly Layer[] = [
  "client",
  "server",
  "network-policy",
  "policy-enforcement",
  "ipam",
];

/**
 * The verdict's one diagnosis from the scenarios' (the pair's, then the mesh's): the mesh's where
 * it has one (it sees every path, and names the node), unless the pair's points at a layer the
 * mesh does not probe (the lab's own server, client, policies).
 */
export function joinDiagnoses(
  diagnoses: ReadonlyArray<Diagnosis | undefined>,
): Diagnosis | undefined {
  const [first, ...others] = diagnoses.filter((d): d is Diagnosis => d !== undefined);
  const wider = others[0];
  return first && (PAIR_ONLY.includes(first.layer) || !wider) ? first : (wider ?? first);
}
