import {
  apiObjects,
  endpointsOf,
  nodesOf,
  ofKind,
  podsOf,
  PodView,
  ServiceEndpoint,
} from "../../probe/cluster";
import { MeshLayout, MeshPlan, MeshPod } from "../../contract/meshTypes";

/**
 * What the mesh's layout is read from: one `kubectl get` of these kinds in the lab's namespace
 * (nodes are cluster-wide), whatever the cluster's size, rather than a kubectl for each.
 */
export const LAYOUT_KINDS = "nodes,daemonsets,pods,services,endpointslices";

/** What one read of the API says of the mesh. */
export interface LayoutRead {
  readonly layout: MeshLayout;
  /** The mesh's Service's ClusterIP. */
  readonly clusterIp: string;
  /** Every endpoint of the mesh's Service. */
  readonly endpoints: ServiceEndpoint[];
}

/**
 * Reads the list (LAYOUT_KINDS) into the mesh's layout: the schedulable nodes, each kind's pods by
 * its selector (the lab's selectors are equalities, `k=v,k=v`) kept where its own DaemonSet
 * controls them (ownPods), and the Service's ClusterIP and endpoints.
 */
export function parseLayout(json: string, plan: MeshPlan): LayoutRead {
  const objects = apiObjects(json);
  const uids = new Map(
    ofKind(objects, "DaemonSet").flatMap((ds) =>
      ds.metadata?.name && ds.metadata.uid ? [[ds.metadata.name, ds.metadata.uid] as const] : [],
    ),
  );
  const pods = podsOf(objects).filter((pod) => pod.node !== "");
  const kind = (selector: string, daemonSet: string, what: string) =>
    ownPods(
      pods.filter((pod) => selects(selector, pod.labels)),
      daemonSet,
      uids.get(daemonSet),
      what,
    );
  const echo = kind(plan.echoSelector, plan.echoDaemonSet, "echo servers");
  const clients = kind(plan.clientSelector, plan.clientDaemonSet, "clients");
  const probes =
    plan.nodeProbeSelector && plan.nodeProbeDaemonSet
      ? kind(plan.nodeProbeSelector, plan.nodeProbeDaemonSet, "node probes")
      : undefined;
  const service = ofKind(objects, "Service").find(
    (item) => item.metadata?.name === plan.serviceName,
  );
  if (!service?.spec?.clusterIP) {
    throw new Error(`the mesh's Service ${plan.serviceName} is not in namespace ${plan.namespace}`);
  }
  return {
    layout: meshLayout(
      [...nodesOf(objects).values()].flatMap((node) => (node.schedulable ? [node.name] : [])),
      echo.pods,
      clients.pods,
      probes?.pods,
      [echo, clients, ...(probes ? [probes] : [])].flatMap((read) => read.ignored),
    ),
    clusterIp: service.spec.clusterIP,
    endpoints: endpointsOf(objects, plan.serviceName),
  };
}

/** Whether `labels` satisfy an equality selector (`k=v,k=v`, as components/meshPlan.ts writes them). */
function selects(selector: string, labels: Readonly<Record<string, string>>): boolean {
  return selector.split(",").every((term) => {
    const [key, value, ...rest] = term.split("=");
    if (!key || key.endsWith("!") || value === undefined || rest.length > 0) {
      throw new Error(`the mesh's label selectors are equalities (k=v,k=v), got "${selector}"`);
    }
    return labels[key] === value;
  });
}

/**
 * The pods of one kind that the mesh's own DaemonSet (`daemonSet`, its UID `uid`) controls, and
 * a line for each other pod carrying its labels. A label is no proof of who a pod is: a decoy
 * with a client's labels, probed in the client's place, would report for a client that may be
 * cut off; so only the DaemonSet's own pods are probed, and the others are named, never used.
 */
export function ownPods(
  listed: readonly PodView[],
  daemonSet: string,
  uid: string | undefined,
  kind: string,
): { readonly pods: MeshPod[]; readonly ignored: string[] } {
  const pods: MeshPod[] = [];
  const ignored: string[] = [];
  // Oldest first: where two of the DaemonSet's pods are Ready on one node, the one probed
  // (meshLayout takes the first) is the one the DaemonSet controller keeps, never a newer pod
  // that names the DaemonSet as its controller.
  const oldestFirst = [...listed].sort((a, b) =>
    (a.created ?? "~").localeCompare(b.created ?? "~"),
  );
  for (const { controller, name, node, ip, uid: podUid, ready } of oldestFirst) {
    const pod: MeshPod = { name, node, ip, uid: podUid, ready };
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
function meshLayout(
  schedulable: readonly string[],
  echo: readonly MeshPod[],
  clients: readonly MeshPod[],
  nodeProbes: readonly MeshPod[] | undefined,
  ignored: readonly string[],
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
