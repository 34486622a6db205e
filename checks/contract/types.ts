import { z } from "zod";
import { MeshPlan, meshReportSchema } from "./meshTypes";
import { count, Parsed, positive } from "./schemaParts";

/**
 * The runner's contract, each shape a zod schema and its type read from it: the plan it is given
 * (contract/environment.ts) and the verdict it writes (contract/verification.ts).
 */

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
 * meshTypes.ts): one result per kind of path, the matrix in `verification.mesh`.
 */
export const MESH_CHECK_NAMES = [
  "mesh-coverage",
  "mesh-pod-to-pod",
  "mesh-path-mtu",
  "mesh-service",
  "mesh-dns",
  "mesh-node-to-pod",
] as const;

/** The network layers a diagnosis can name. */
export const LAYERS = [
  "pod-network",
  "cross-node",
  "server",
  "service",
  "dns",
  "ipam",
  "client",
  "network-policy",
  "policy-enforcement",
  "mtu",
  "coverage",
] as const;

/** The schema of one check's result, as exported in the stack output `verification.checks`. */
export const checkResultSchema = z.strictObject({
  name: z.enum([...CHECK_NAMES, ...POLICY_CHECK_NAMES, ...MESH_CHECK_NAMES]),
  ok: z.boolean(),
  /** One line of evidence: what was seen, or why it failed. */
  detail: z.string(),
  /** How long the check took inside the client pod, in milliseconds. */
  ms: z.number().nonnegative(),
  /** Parsed facts (RTTs, MTU, veth index, …) for checks that measure something. */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
/** One check's result. */
export type CheckResult = Parsed<typeof checkResultSchema>;
/** One check's name. */
export type CheckName = CheckResult["name"];

/** The schema of a diagnosis: what broke, derived from which checks failed together. */
export const diagnosisSchema = z.strictObject({
  layer: z.enum(LAYERS),
  /** One sentence for a person. */
  summary: z.string(),
  /** The failed checks' details that led to the verdict. */
  evidence: z.array(z.string()),
});
/** What broke. */
export type Diagnosis = Parsed<typeof diagnosisSchema>;
/** The network layer a failure points at. */
export type Layer = Diagnosis["layer"];

/**
 * The verdict's one schema: the runner writes a verification that passes it, and every reader
 * (the component's outputs, `npm run verify`, the workflows' reports, the tests) parses with it,
 * so nothing downstream reads the text report. `schemaVersion` changes whenever the shape does: a
 * consumer can tell an old verdict from a new one.
 */
export const VERIFICATION_SCHEMA_VERSION = 2;

/** The schema of the `verification` stack output. */
export const verificationSchema = z
  .strictObject({
    schemaVersion: z.literal(VERIFICATION_SCHEMA_VERSION),
    /** When the checks ran (UTC, ISO 8601): a verdict is only as fresh as this. */
    checkedAt: z.iso.datetime(),
    /** The version of the check runner that produced it. */
    runnerVersion: z.string().min(1),
    passed: count,
    failed: count,
    /** Every check, in run order. */
    checks: z.array(checkResultSchema).min(1),
    /** Present when something failed. */
    diagnosis: diagnosisSchema.optional(),
    /** With `coverage: every-node`: every node's paths, compact. */
    mesh: meshReportSchema.optional(),
  })
  .refine(
    (v) =>
      v.passed === v.checks.filter((c) => c.ok).length && v.failed === v.checks.length - v.passed,
    { message: "passed and failed must count the checks" },
  )
  .refine((v) => new Set(v.checks.map((c) => c.name)).size === v.checks.length, {
    message: "each check appears once",
  });

/** The whole outcome of a run: the `verification` stack output. */
export type Verification = Parsed<typeof verificationSchema>;

/** The schema of the NetworkPolicy half of a plan. */
export const policyPlanSchema = z.strictObject({
  /** The stranger pod: in the namespace, allowed by no policy. */
  strangerPod: z.string(),
  strangerContainer: z.string(),
  /** How long a refused request may take to count as refused, in seconds. */
  denyBoundSeconds: positive,
});
/** The NetworkPolicy half of a plan. */
export type PolicyPlan = Parsed<typeof policyPlanSchema>;

/** The schema of the pair's plan: everything its checks need to know about the deployed lab. */
export const checkPlanSchema = z.strictObject({
  namespace: z.string(),
  /** The nginx server pod. */
  serverPod: z.string(),
  /** What the nginx pod must answer on the identity path. */
  serverPodUid: z.string(),
  /** The busybox client pod (the checks run inside it). */
  clientPod: z.string(),
  /** Container of the client pod to exec into. */
  clientContainer: z.string(),
  /** The Service in front of nginx. */
  serviceName: z.string(),
  serverPodIp: z.string(),
  clientPodIp: z.string(),
  serverNode: z.string(),
  clientNode: z.string(),
  serviceClusterIp: z.string(),
  servicePort: positive,
  /** Port nginx listens on in its pod. */
  serverPort: positive,
  /** Cluster DNS domain, usually cluster.local. */
  clusterDomain: z.string(),
  /** Packets to send in the ping check. */
  pingCount: positive,
  /** Upper bound, in seconds, for each network check. */
  timeoutSeconds: positive,
  /** Present when the lab isolates itself with NetworkPolicy: the stranger that must be refused. */
  policy: policyPlanSchema.optional(),
});
/** The pair's plan. */
export type CheckPlan = Parsed<typeof checkPlanSchema>;

/** Everything the runner runs: the pair's scenarios, and the mesh's with coverage every-node. */
export interface RunPlan {
  readonly pair: CheckPlan;
  readonly mesh?: MeshPlan;
}
