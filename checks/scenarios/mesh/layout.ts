import { MeshLayout, MeshPod } from "../../contract/meshTypes";

interface PodJson {
  metadata?: { name?: string; uid?: string };
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: Array<{ type?: string; status?: string }> };
}

interface NodeJson {
  metadata?: { name?: string };
  spec?: { unschedulable?: boolean; taints?: Array<{ effect?: string }> };
}

/** Reads `kubectl get pods -o json` into the mesh's pods (those scheduled somewhere). */
export function parseMeshPods(json: string): MeshPod[] {
  const items = (JSON.parse(json) as { items?: PodJson[] }).items ?? [];
  return items.flatMap((pod) =>
    pod.metadata?.name && pod.spec?.nodeName
      ? [
          {
            name: pod.metadata.name,
            node: pod.spec.nodeName,
            ip: pod.status?.podIP ?? "",
            uid: pod.metadata.uid ?? "",
            ready:
              pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ??
              false,
          },
        ]
      : [],
  );
}

/**
 * The nodes a DaemonSet of the mesh must cover, from `kubectl get nodes -o json`: every node a pod
 * can be scheduled on. A cordoned node or one with a NoSchedule or NoExecute taint is left out, as
 * the scheduler leaves it out for the lab's own pods (the mesh tolerates no taint).
 */
export function parseSchedulableNodes(json: string): string[] {
  const parsed = JSON.parse(json) as NodeJson & { kind?: string; items?: NodeJson[] };
  const nodes = parsed.kind === "Node" ? [parsed] : (parsed.items ?? []);
  return nodes
    .filter(
      (node) =>
        node.spec?.unschedulable !== true &&
        !(node.spec?.taints ?? []).some(
          (t) => t.effect === "NoSchedule" || t.effect === "NoExecute",
        ),
    )
    .flatMap((node) => (node.metadata?.name ? [node.metadata.name] : []));
}

function byNode(pods: readonly MeshPod[]): Map<string, MeshPod> {
  const map = new Map<string, MeshPod>();
  for (const pod of pods) {
    // Two of one DaemonSet on a node happen only mid-rollout; the Ready one is the one to probe.
    const there = map.get(pod.node);
    if (!there || (!there.ready && pod.ready)) {
      map.set(pod.node, pod);
    }
  }
  return map;
}

/**
 * The mesh as deployed: the nodes to cover (the schedulable ones, and any other a mesh pod runs
 * on), each node's pods, and what is missing or not Ready where it should be.
 */
export function meshLayout(
  schedulable: readonly string[],
  echo: readonly MeshPod[],
  clients: readonly MeshPod[],
  nodeProbes: readonly MeshPod[] | undefined,
): MeshLayout {
  const kinds: Array<[string, Map<string, MeshPod>]> = [
    ["echo server", byNode(echo)],
    ["client", byNode(clients)],
    ...(nodeProbes
      ? ([["node probe", byNode(nodeProbes)]] as Array<[string, Map<string, MeshPod>]>)
      : []),
  ];
  const nodes = [
    ...new Set([...schedulable, ...kinds.flatMap(([, pods]) => [...pods.keys()])]),
  ].sort();
  const missing: string[] = [];
  for (const node of nodes) {
    const lacking = kinds.flatMap(([kind, pods]) => {
      const pod = pods.get(node);
      return !pod ? [`no ${kind}`] : !pod.ready || !pod.ip ? [`${kind} ${pod.name} not Ready`] : [];
    });
    if (lacking.length > 0) {
      missing.push(`${node}: ${lacking.join(", ")}`);
    }
  }
  return {
    nodes,
    echo: kinds[0][1],
    clients: kinds[1][1],
    nodeProbes: kinds[2]?.[1] ?? new Map(),
    missing,
  };
}
