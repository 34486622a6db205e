/**
 * The arguments and outputs of PodToPodLab, as plain interfaces: the component provider reads these
 * TypeScript types to write the package's schema, from which `pulumi package add` generates every
 * language's SDK. So they use only what a schema can say (strings, numbers, booleans, objects,
 * arrays, maps) and each field's JSDoc is its documentation in every language. The values are
 * checked by the stack config's schema (config/schema.ts): what is accepted is said once, there.
 */
import { Verification } from "../checks/contract/types";

/** CPU and memory of one container, as Kubernetes quantities. */
export interface LabResourceQuantities {
  /** CPU, e.g. "50m" or "0.25". */
  readonly cpu?: string;
  /** Memory, e.g. "32Mi" or "1.5Gi". */
  readonly memory?: string;
}

/** A container's requests and limits; requests may not exceed limits. */
export interface LabResources {
  /** What the scheduler reserves for the container. */
  readonly requests?: LabResourceQuantities;
  /** What the container may use at most. */
  readonly limits?: LabResourceQuantities;
}

/** The nginx server. Keys left out keep their defaults. */
export interface LabNginx {
  /** The image, pinned by tag or digest (default nginx:1.28.0). */
  readonly image?: string;
  /** Always, IfNotPresent (default) or Never. */
  readonly imagePullPolicy?: string;
  /** The port nginx listens on in its pod, 1-65535 (default 80). */
  readonly port?: number;
  /** Requests 50m CPU and 32Mi memory, limits 250m and 64Mi by default. */
  readonly resources?: LabResources;
}

/** The busybox client (and the stranger, which runs the same image). Keys left out keep their defaults. */
export interface LabBusybox {
  /** The image, pinned by tag or digest (default busybox:1.37.0). */
  readonly image?: string;
  /** Always, IfNotPresent (default) or Never. */
  readonly imagePullPolicy?: string;
  /** Requests 10m CPU and 8Mi memory, limits 100m and 32Mi by default. */
  readonly resources?: LabResources;
}

/** The connectivity check's settings. Keys left out keep their defaults. */
export interface LabChecks {
  /** Packets each ping sends, 1-100 (default 4). */
  readonly pingCount?: number;
  /** Bound on each network probe in seconds, 1-60 (default 5). */
  readonly timeoutSeconds?: number;
  /** Record failed checks in the outputs without failing the deployment (default false). */
  readonly reportOnly?: boolean;
}

/** The every-node mesh (coverage every-node). Keys left out keep their defaults. */
export interface LabMesh {
  /** How many targets each mesh pod probes at once, 1-256 (default 8). */
  readonly parallelism?: number;
  /** Probe the pods from every node's own network namespace too (default true). */
  readonly nodeToPod?: boolean;
  /**
   * Every pair of nodes is probed up to this many nodes, 1-100000 (default 32); above it, each node
   * probes this many per run, in a rotation that covers every pair in ceil(nodes / allPairsUpTo) runs.
   */
  readonly allPairsUpTo?: number;
  /**
   * The image of every mesh pod's reporter sidecar, pinned (default registry.k8s.io/kubectl:v1.36.1):
   * bash, jq and kubectl, which file the pod's results with the API server.
   */
  readonly reporterImage?: string;
}

/** One check's result. */
export interface LabCheckResult {
  /** Which check: pod-ip-http, service-dns-http, dns, ping, pod-cidr, ... */
  readonly name: string;
  /** Whether it passed. */
  readonly ok: boolean;
  /** One line of evidence: what was seen, or why it failed. */
  readonly detail: string;
  /** How long the check took inside the client pod, in milliseconds. */
  readonly ms: number;
  /** Parsed facts (RTTs, MTU, veth index, ...) of the checks that measure something. */
  // A map of strings, numbers and booleans: a schema has no union type, so its values are any.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly facts?: Record<string, any>;
}

/** What broke, when something did. */
export interface LabDiagnosis {
  /** The layer: pod-network, cross-node, server, service, dns, ipam, client, network-policy, policy-enforcement or mtu. */
  readonly layer: string;
  /** One sentence for a person. */
  readonly summary: string;
  /** The failed checks' details that led to the verdict. */
  readonly evidence: string[];
}

/** The whole outcome of the checks' last run. */
export interface LabVerification {
  /** When the checks ran (UTC, ISO 8601). */
  readonly checkedAt: string;
  /** The version of the check runner that produced it. */
  readonly runnerVersion: string;
  /** How many checks passed. */
  readonly passed: number;
  /** How many checks failed. */
  readonly failed: number;
  /** Every check, in run order. */
  readonly checks: LabCheckResult[];
  /** Present when something failed. */
  readonly diagnosis?: LabDiagnosis;
  /**
   * With coverage every-node: the nodes, the counts, what the echo servers' own logs witnessed
   * (`serverWitness`), the matrix client node × server node (one string per client node, a cell per
   * server node: P, M, F, N or - and the path's milliseconds), the node-to-pod matrix, every failed
   * path with its evidence and each node's links.
   */
  // Nested records and arrays of records: the schema carries it as a map of any.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly mesh?: Record<string, any>;
}

/** A verification as the schema carries it: the same values, in arrays the schema can type. */
export function toLabVerification(verification: Verification): LabVerification {
  const { checks, diagnosis, mesh, ...counts } = verification;
  return {
    ...counts,
    checks: checks.map((check) => ({ ...check })),
    ...(diagnosis ? { diagnosis: { ...diagnosis, evidence: [...diagnosis.evidence] } } : {}),
    ...(mesh ? { mesh: { ...mesh } } : {}),
  };
}
