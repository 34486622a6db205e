import { z } from "zod";
import { CHECK_NAMES, MESH_CHECK_NAMES, POLICY_CHECK_NAMES, Verification } from "./types";

/**
 * The verdict's one schema: the runner writes a verification that passes it, and every reader
 * (the component's outputs, `npm run verify`, the workflows' reports, the tests) parses with it,
 * so nothing downstream reads the text report. `schemaVersion` changes whenever the shape does: a
 * consumer can tell an old verdict from a new one.
 */
export const VERIFICATION_SCHEMA_VERSION = 2;

const fact = z.union([z.string(), z.number(), z.boolean()]);

const checkResult = z.strictObject({
  name: z.enum([...CHECK_NAMES, ...POLICY_CHECK_NAMES, ...MESH_CHECK_NAMES]),
  ok: z.boolean(),
  detail: z.string(),
  ms: z.number().nonnegative(),
  facts: z.record(z.string(), fact).optional(),
});

const diagnosis = z.strictObject({
  layer: z.enum([
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
  ]),
  summary: z.string(),
  evidence: z.array(z.string()),
});

const count = z.int().nonnegative();

const meshReport = z.strictObject({
  nodes: z.array(z.string()),
  counts: z.strictObject({
    nodes: count,
    podPaths: count,
    podPathsFailed: count,
    nodePaths: count,
    nodePathsFailed: count,
  }),
  serverWitness: z.strictObject({
    witnessed: count,
    clientsWordAlone: count,
    notServed: count,
    unreadable: z.array(z.string()),
  }),
  matrix: z.array(z.string()),
  nodeMatrix: z.array(z.string()),
  failures: z.array(
    z.strictObject({
      from: z.string(),
      to: z.string(),
      outcome: z.enum(["pass", "mtu", "fail", "unserved", "absent"]),
      ms: z.number().nonnegative(),
      detail: z.string(),
    }),
  ),
  links: z.record(z.string(), z.string()),
});

/** The schema of the `verification` stack output. */
export const verificationSchema = z
  .strictObject({
    schemaVersion: z.literal(VERIFICATION_SCHEMA_VERSION),
    checkedAt: z.iso.datetime(),
    runnerVersion: z.string().min(1),
    passed: count,
    failed: count,
    checks: z.array(checkResult).min(1),
    diagnosis: diagnosis.optional(),
    mesh: meshReport.optional(),
  })
  .refine(
    (v) =>
      v.passed === v.checks.filter((c) => c.ok).length && v.failed === v.checks.length - v.passed,
    { message: "passed and failed must count the checks" },
  )
  .refine((v) => new Set(v.checks.map((c) => c.name)).size === v.checks.length, {
    message: "each check appears once",
  });

/** Validates a verification read from anywhere; throws naming what is wrong. */
export function toVerification(value: unknown, source = "The verification"): Verification {
  const parsed = verificationSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
      .join("; ");
    throw new Error(
      `${source} is not a verification of schema ${VERIFICATION_SCHEMA_VERSION}: ${issues}`,
    );
  }
  return parsed.data;
}

/** Parses the runner's JSON stdout (its last line), rejecting anything that is not a verification. */
export function parseVerification(stdout: string): Verification {
  const line = stdout.trim().split("\n").pop() ?? "";
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(
      `The check runner printed no JSON verification; it printed: ${stdout.trim().slice(0, 200) || "nothing"}`,
    );
  }
  return toVerification(value, "The check runner's JSON");
}
