import { MeshPlan, MeshReport } from "./meshTypes";

/** The names of the checks, in the order they run and are reported. */
export const CHECK_NAMES = [
  "pod-ip-http",
  "service-dns-http",
  "service-fqdn-http",
  "service-clusterip-http",
  "dns",
  "ping",
  "pod-interface",
  "pod-routes",
  "pod-cidr",
  "path-mtu",
] as const;

/**
 * The checks added when the lab isolates itself with NetworkPolicy: the policies let the client
 * in (read from the API), and a stranger pod the policies do not allow is refused, while it can
 * still reach what they do not cover (so a dead stranger cannot pass as "denied").
 */
export const POLICY_CHECK_NAMES = [
  "policy-allows-client",
  "stranger-to-pod-ip",
  "stranger-to-service",
  "stranger-dns",
] as const;

/**
 * The checks added with `pod-to-pod:coverage: every-node`, each over every node of the mesh (see
 * checks/meshTypes.ts): one result per kind of path, the matrix in `verification.mesh`.
 */
export const MESH_CHECK_NAMES = [
  "mesh-coverage",
  "mesh-pod-to-pod",
  "mesh-path-mtu",
  "mesh-service",
  "mesh-dns",
  "mesh-node-to-pod",
] as const;

/** One check's name. */
export type CheckName =
  | (typeof CHECK_NAMES)[number]
  | (typeof POLICY_CHECK_NAMES)[number]
  | (typeof MESH_CHECK_NAMES)[number];

/** The result of one check, as exported in the stack output `verification.checks`. */
export interface CheckResult {
  /** Which check. */
  readonly name: CheckName;
  /** Whether it passed. */
  readonly ok: boolean;
  /** One line of evidence: what was seen, or why it failed. */
  readonly detail: string;
  /** How long the check took inside the client pod, in milliseconds. */
  readonly ms: number;
  /** Parsed facts (RTTs, MTU, veth index, …) for checks that measure something. */
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
}

/** The network layer a failure points at. */
export type Layer =
  | "pod-network"
  | "cross-node"
  | "server"
  | "service"
  | "dns"
  | "ipam"
  | "client"
  | "network-policy"
  | "policy-enforcement"
  | "mtu"
  | "coverage";

/** What broke, derived from which checks failed together. */
export interface Diagnosis {
  /** The layer that broke. */
  readonly layer: Layer;
  /** One sentence for a person. */
  readonly summary: string;
  /** The failed checks' details that led to the verdict. */
  readonly evidence: readonly string[];
}

/** The whole outcome of a run: the `verification` stack output. */
export interface Verification {
  /** The shape's version (contract/verification.ts): a reader can tell an old verdict from a new one. */
  readonly schemaVersion: 2;
  /** When the checks ran (UTC, ISO 8601): a verdict is only as fresh as this. */
  readonly checkedAt: string;
  /** The version of the check runner that produced it. */
  readonly runnerVersion: string;
  /** How many checks passed. */
  readonly passed: number;
  /** How many checks failed. */
  readonly failed: number;
  /** Every check, in run order. */
  readonly checks: readonly CheckResult[];
  /** Present when something failed. */
  readonly diagnosis?: Diagnosis;
  /** With `coverage: every-node`: every node's paths, compact (see checks/meshTypes.ts). */
  readonly mesh?: MeshReport;
}

/** Everything the checks need to know about the deployed lab. */
export interface CheckPlan {
  /** Namespace of the lab. */
  readonly namespace: string;
  /** Name of the nginx server pod. */
  readonly serverPod: string;
  /** UID of the nginx server pod: what it must answer on the identity path. */
  readonly serverPodUid: string;
  /** Name of the busybox client pod (the checks run inside it). */
  readonly clientPod: string;
  /** Container of the client pod to exec into. */
  readonly clientContainer: string;
  /** Name of the Service in front of nginx. */
  readonly serviceName: string;
  /** IP of the nginx pod. */
  readonly serverPodIp: string;
  /** IP of the client pod. */
  readonly clientPodIp: string;
  /** Node the nginx pod runs on. */
  readonly serverNode: string;
  /** Node the client pod runs on. */
  readonly clientNode: string;
  /** ClusterIP of the Service. */
  readonly serviceClusterIp: string;
  /** Port the Service listens on. */
  readonly servicePort: number;
  /** Port nginx listens on in its pod. */
  readonly serverPort: number;
  /** Cluster DNS domain, usually cluster.local. */
  readonly clusterDomain: string;
  /** Packets to send in the ping check. */
  readonly pingCount: number;
  /** Upper bound, in seconds, for each network check. */
  readonly timeoutSeconds: number;
  /** Present when the lab isolates itself with NetworkPolicy: the stranger that must be refused. */
  readonly policy?: PolicyPlan;
}

/** The NetworkPolicy half of a plan. */
export interface PolicyPlan {
  /** The stranger pod: in the namespace, allowed by no policy. */
  readonly strangerPod: string;
  /** Its container. */
  readonly strangerContainer: string;
  /** How long a refused request may take to count as refused, in seconds. */
  readonly denyBoundSeconds: number;
}

/** Everything the runner runs: the pair's scenarios, and the mesh's with coverage every-node. */
export interface RunPlan {
  readonly pair: CheckPlan;
  readonly mesh?: MeshPlan;
}
