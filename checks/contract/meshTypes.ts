/**
 * The every-node mesh (`pod-to-pod:coverage: every-node`): an echo server, a client and a node
 * probe on every schedulable node, and the checks from every client to every server. These are its
 * plan (what the runner is told) and its results (what the stack exports, compact as nodes grow).
 */

/** What the runner needs to find the mesh's pods and probe them. */
export interface MeshPlan {
  /** Namespace of the lab (and of the mesh). */
  readonly namespace: string;
  /** Label selector (`k=v,k=v`) of the echo servers' pods. */
  readonly echoSelector: string;
  /** Label selector of the mesh clients' pods. */
  readonly clientSelector: string;
  /** Label selector of the node probes' pods (hostNetwork), when the mesh has them. */
  readonly nodeProbeSelector?: string;
  /** Container of a mesh client to exec into. */
  readonly clientContainer: string;
  /** Container of a node probe to exec into. */
  readonly nodeProbeContainer: string;
  /** The Service in front of every echo server. */
  readonly serviceName: string;
  /** Port of that Service. */
  readonly servicePort: number;
  /** Port the echo servers serve the mesh clients on. */
  readonly echoPort: number;
  /** Port the echo servers serve the nodes on (the only one the nodes are let in on). */
  readonly nodePort: number;
  /** Cluster DNS domain. */
  readonly clusterDomain: string;
  /** Bound on each probe, in seconds. */
  readonly timeoutSeconds: number;
  /** At most this many kubectl execs at once, and this many targets probed at once per pod. */
  readonly parallelism: number;
}

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
  /** The echo server of each node. */
  readonly echo: ReadonlyMap<string, MeshPod>;
  /** The client of each node. */
  readonly clients: ReadonlyMap<string, MeshPod>;
  /** The node probe of each node (hostNetwork: its IP is the node's). */
  readonly nodeProbes: ReadonlyMap<string, MeshPod>;
  /** Schedulable nodes that lack one of the mesh's pods, and why: a hole in the coverage. */
  readonly missing: readonly string[];
}

/** How one path fared: a client (or node) on one node to the echo server on another (or the same). */
export type PathOutcome =
  /** Every probe passed. */
  | "pass"
  /** Small packets passed, full-size ones did not: an MTU black hole. */
  | "mtu"
  /** Nothing got through. */
  | "fail"
  /**
   * The client reports an answer that the echo server it was meant for never logged (or logged
   * from another sender): the answer came from elsewhere.
   */
  | "unserved"
  /** The client or the server was not there to probe. */
  | "absent";

/** One path's result. */
export interface MeshPath {
  /** The client's node (for a node-to-pod path, the node itself). */
  readonly from: string;
  /** The echo server's node. */
  readonly to: string;
  readonly outcome: PathOutcome;
  /** Wall time of the path's probes, in milliseconds. */
  readonly ms: number;
  /** One line of evidence. */
  readonly detail: string;
}

/** What the stack exports of the mesh: counts, the matrix compact, failures in full. */
export interface MeshReport {
  /** The nodes, in matrix order. */
  readonly nodes: readonly string[];
  /** How many paths of each kind, and how many failed. */
  readonly counts: {
    readonly nodes: number;
    readonly podPaths: number;
    readonly podPathsFailed: number;
    readonly nodePaths: number;
    readonly nodePathsFailed: number;
  };
  /**
   * The server's side of the HTTP passes the clients and node probes reported (pod paths, node
   * paths, each client's Service fetch): how many the echo server meant logged, from the sender's
   * own address; how many stand on the client's word alone (that server's log could not be read);
   * how many no intended server served (failed).
   */
  readonly serverWitness: MeshServerWitness;
  /**
   * Client node × server node, one string per client node in `nodes` order: a cell per server node,
   * `<P|M|F|N|->` (pass, MTU black hole, fail, not served by that echo server, absent) and the
   * path's milliseconds, e.g. `P12 M5012`.
   */
  readonly matrix: readonly string[];
  /** Node × pods on the other nodes, the same way (the node's own column is `.`). */
  readonly nodeMatrix: readonly string[];
  /** Every path that did not pass, with its evidence. */
  readonly failures: readonly MeshPath[];
  /** The links on the path and their MTUs, per node, as the node probes read them. */
  readonly links: Readonly<Record<string, string>>;
}

/** How many HTTP passes the echo servers' own logs witnessed (see checks/scenarios/mesh/witness.ts). */
export interface MeshServerWitness {
  /** Logged by the echo server meant, from the sender's own address. */
  readonly witnessed: number;
  /** That echo server's log could not be read: the client's word alone. */
  readonly clientsWordAlone: number;
  /** Never logged by the echo server meant, or logged from another sender: failed. */
  readonly notServed: number;
  /** The echo servers whose log could not be read, and why. */
  readonly unreadable: readonly string[];
}
