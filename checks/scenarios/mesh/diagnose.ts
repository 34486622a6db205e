import { arrow, describeLinks, EVIDENCE_LINES, listed } from "./checks";
import { WitnessedMesh } from "./witness";
import { MeshLayout, MeshPath } from "../../contract/meshTypes";
import { CheckResult, Diagnosis } from "../../contract/types";

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
