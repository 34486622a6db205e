import { MeshLayout, MeshPod } from "../../contract/meshTypes";

interface OwnerJson {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

interface PodJson {
  metadata?: { name?: string; uid?: string; ownerReferences?: OwnerJson[] };
  spec?: { nodeName?: string };
  status?: { podIP?: string; conditions?: Array<{ type?: string; status?: string }> };
}

interface NodeJson {
  metadata?: { name?: string };
  spec?: { unschedulable?: boolean; taints?: Array<{ effect?: string }> };
}

/** A pod with a mesh's labels as listed, and the object that controls it (`Kind name`, uid). */
export interface ListedPod extends MeshPod {
  readonly controller?: { readonly kind: string; readonly name: string; readonly uid: string };
}

/** Reads `kubectl get pods -o json` into the pods listed (those scheduled somewhere). */
export function parseMeshPods(json: string): ListedPod[] {
  const items = (JSON.parse(json) as { items?: PodJson[] }).items ?? [];
  return items.flatMap((pod) => {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
    return pod.metadata?.name && pod.spec?.nodeName
      ? [
          {
            ...(owner
              ? {
                  controller: {
                    kind: owner.kind ?? "",
                    name: owner.name ?? "",
                    uid: owner.uid ?? "",
                  },
                }
              : {}),
            name: pod.metadata.name,
            node: pod.spec.nodeName,
            ip: pod.status?.podIP ?? "",
            uid: pod.metadata.uid ?? "",
            ready:
              pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ??
              false,
          },
        ]
      : [];
  });
}

/** Reads `kubectl get daemonsets -o json` into each DaemonSet's UID, by name. */
export function parseDaemonSets(json: string): Map<string, string> {
  const items = (JSON.parse(json) as { items?: PodJson[] }).items ?? [];
  return new Map(
    items.flatMap((ds) => (ds.metadata?.name ? [[ds.metadata.name, ds.metadata.uid ?? ""]] : [])),
  );
}

/**
 * The pods of one kind that the mesh's own DaemonSet (`daemonSet`, its UID `uid`) controls, and
 * a line for each other pod carrying its labels. A label is no proof of who a pod is: a decoy
 * with a client's labels, probed in the client's place, would report for a client that may be
 * cut off; so only the DaemonSet's own pods are probed, and the others are named, never used.
 */
export function ownPods(
  listed: readonly ListedPod[],
  daemonSet: string,
  uid: string | undefined,
  kind: string,
): { readonly pods: MeshPod[]; readonly ignored: string[] } {
  const pods: MeshPod[] = [];
  const ignored: string[] = [];
  for (const { controller, ...pod } of listed) {
    if (uid !== undefined && controller?.kind === "DaemonSet" && controller.uid === uid) {
      pods.push(pod);
    } else {
      const by = controller
        ? `its controller: ${controller.kind} ${controller.name}`
        : "no controller";
      ignored.push(
        `pod ${pod.name} on ${pod.node} carries the mesh ${kind}' labels, but no DaemonSet of the mesh controls it (${by})`,
      );
    }
  }
  return { pods, ignored: uid === undefined ? [`no DaemonSet ${daemonSet}`, ...ignored] : ignored };
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
  ignored: readonly string[] = [],
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
    ignored,
  };
}
