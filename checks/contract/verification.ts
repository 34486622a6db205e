import { Verification, VERIFICATION_SCHEMA_VERSION, verificationSchema } from "./types";

/** Reading a verdict: the schema (contract/types.ts) applied to what any reader was given. */
export { VERIFICATION_SCHEMA_VERSION, verificationSchema };

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
