import { z } from "zod";
import { count, Parsed, positive } from "./schemaParts";

/**
 * The every-node mesh (`pod-to-pod:coverage: every-node`): an echo server, a client and a node
 * probe on every schedulable node, and the checks from every client to every server. These are its
 * plan (what the runner is told) and its results (what the stack exports, compact as nodes grow).
 */

/** The schema of the mesh's plan: what the runner needs to find the mesh's pods and probe them. */
export const meshPlanSchema = z.strictObject({
  /** Namespace of the lab (and of the mesh). */
  namespace: z.string(),
  /** Label selector (`k=v,k=v`) of the echo servers' pods. */
  echoSelector: z.string(),
  clientSelector: z.string(),
  /** Label selector of the node probes' pods (hostNetwork), when the mesh has them. */
  nodeProbeSelector: z.string().optional(),
  /** The DaemonSets whose own pods are the mesh (ownPods): a label alone makes no pod one of them. */
  echoDaemonSet: z.string(),
  clientDaemonSet: z.string(),
  nodeProbeDaemonSet: z.string().optional(),
  /** Container of a mesh client that runs its scripts (the one its reporter hands them to). */
  clientContainer: z.string(),
  nodeProbeContainer: z.string(),
  /** The Service in front of every echo server. */
  serviceName: z.string(),
  servicePort: positive,
  /** Port the echo servers serve the mesh clients on. */
  echoPort: positive,
  /** Port the echo servers serve the nodes on (the only one the nodes are let in on). */
  nodePort: positive,
  clusterDomain: z.string(),
  /** Bound on each probe, in seconds. */
  timeoutSeconds: positive,
  /** At most this many targets probed at once per pod. */
  parallelism: positive,
  /** Every pair of nodes is probed up to this many nodes; above, a rotation (scenarios/mesh/coverage.ts). */
  allPairsUpTo: positive,
  /** The ConfigMap holding the lab's run counter, which the rotation is keyed by. */
  rotationConfigMap: z.string(),
});
/** The key of the lab's run counter in its ConfigMap (`rotationConfigMap`), created at "0". */
export const ROTATION_RUN_KEY = "run";

/** The mesh's plan. */
export type MeshPlan = Parsed<typeof meshPlanSchema>;

const pathOutcome = z.enum(["pass", "mtu", "fail", "unserved", "absent"]);
/**
 * How one path fared, a client (or node) on one node to the echo server on another (or the same):
 * every probe passed; small packets passed, full-size ones did not (an MTU black hole); nothing got
 * through; the client reports an answer the echo server meant never logged, or logged from another
 * sender (it came from elsewhere); the client or the server was not there to probe.
 */
export type PathOutcome = Parsed<typeof pathOutcome>;

const meshPath = z.strictObject({
  /** The client's node (for a node-to-pod path, the node itself). */
  from: z.string(),
  /** The echo server's node. */
  to: z.string(),
  outcome: pathOutcome,
  /** Wall time of the path's probes, in milliseconds. */
  ms: z.number().nonnegative(),
  /** One line of evidence. */
  detail: z.string(),
});
/** One path's result. */
export type MeshPath = Parsed<typeof meshPath>;

/** How a node-to-pod path's failure begins its detail in `failures`, after the pod paths'. */
export const NODE_TO_POD = "node to pod: ";

/** A path's outcome as a matrix cell's letter (`verification.mesh.matrix`). */
export const MATRIX_LETTER: Record<PathOutcome, string> = {
  pass: "P",
  mtu: "M",
  fail: "F",
  unserved: "N",
  absent: "-",
};

const meshServerWitness = z.strictObject({
  /** Logged by the echo server meant, from the sender's own address. */
  witnessed: count,
  /** That echo server's log could not be read: the client's word alone. */
  clientsWordAlone: count,
  /** Never logged by the echo server meant, or logged from another sender: failed. */
  notServed: count,
  /** The echo servers whose log could not be read, and why. */
  unreadable: z.array(z.string()),
});
/**
 * How many HTTP passes the clients and node probes reported (pod paths, node paths, each client's
 * Service fetch) the echo servers' own logs witnessed (see checks/scenarios/mesh/witness.ts).
 */
export type MeshServerWitness = Parsed<typeof meshServerWitness>;

/**
 * Above this many nodes the matrices are not kept (a million cells at 1,000 nodes, 4 MB of stack
 * output): the counts and the failures stand for them.
 */
export const MATRIX_NODES_KEPT = 100;
/** At most this many failures are kept in full, pod paths first; the counts hold every one. */
export const FAILURES_KEPT = 200;

/** The schema of what the stack exports of the mesh: counts, the matrix compact, failures in full. */
export const meshReportSchema = z.strictObject({
  /** The nodes, in matrix order. */
  nodes: z.array(z.string()),
  /** How many paths of each kind, and how many failed. */
  counts: z.strictObject({
    nodes: count,
    podPaths: count,
    podPathsFailed: count,
    nodePaths: count,
    nodePathsFailed: count,
  }),
  serverWitness: meshServerWitness,
  /**
   * Client node × server node, one string per client node in `nodes` order: a cell per server node,
   * `<P|M|F|N|->` (pass, MTU black hole, fail, not served by that echo server, absent) and the
   * path's milliseconds, e.g. `P12 M5012`; `.` where this run did not probe the pair (a sampled
   * coverage: the `mesh-coverage` check says which pairs it probed). Empty above
   * MATRIX_NODES_KEPT nodes.
   */
  matrix: z.array(z.string()),
  /** Node × pods on the other nodes, the same way (the node's own column is `.`). */
  nodeMatrix: z.array(z.string()),
  /** Every path that did not pass, with its evidence: the first FAILURES_KEPT of them. */
  failures: z.array(meshPath),
  /** The links on the path and their MTUs, per node, as the node probes read them. */
  links: z.record(z.string(), z.string()),
});
/** What the stack exports of the mesh. */
export type MeshReport = Parsed<typeof meshReportSchema>;

/** One mesh pod as the API server has it. */
export interface MeshPod {
  readonly name: string;
  readonly node: string;
  readonly ip: string;
  readonly uid: string;
  readonly ready: boolean;
}

/** The mesh as deployed: its nodes and, per node, its pods. */
export interface MeshLayout {
  /** Every node the mesh covers, in name order: the matrix's rows and columns. */
  readonly nodes: readonly string[];
  readonly echo: ReadonlyMap<string, MeshPod>;
  readonly clients: ReadonlyMap<string, MeshPod>;
  /** The node probe of each node (hostNetwork: its IP is the node's). */
  readonly nodeProbes: ReadonlyMap<string, MeshPod>;
  /** Schedulable nodes that lack one of the mesh's pods, and why: a hole in the coverage. */
  readonly missing: readonly string[];
  /** Pods carrying the mesh's labels that no DaemonSet of the mesh controls: never probed. */
  readonly ignored: readonly string[];
}
