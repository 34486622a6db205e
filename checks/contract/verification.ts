import { z } from "zod";
import { meshReportSchema } from "./meshTypes";
import { checkResultSchema, count, diagnosisSchema, Verification } from "./types";

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
