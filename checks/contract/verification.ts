import {
  CHECK_NAMES,
  CheckResult,
  MESH_CHECK_NAMES,
  POLICY_CHECK_NAMES,
  Verification,
} from "./types";

/** Parses the runner's JSON stdout, rejecting anything that is not a verification. */
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
  const v = value as Partial<Verification>;
  const checksOk =
    Array.isArray(v.checks) &&
    v.checks.every(
      (c: Partial<CheckResult>) =>
        [...CHECK_NAMES, ...POLICY_CHECK_NAMES, ...MESH_CHECK_NAMES].includes(
          c.name as CheckResult["name"],
        ) &&
        typeof c.ok === "boolean" &&
        typeof c.detail === "string" &&
        typeof c.ms === "number",
    );
  const stamped =
    typeof v.checkedAt === "string" &&
    !Number.isNaN(Date.parse(v.checkedAt)) &&
    typeof v.runnerVersion === "string";
  if (typeof v.passed !== "number" || typeof v.failed !== "number" || !checksOk || !stamped) {
    throw new Error(`The check runner's JSON is not a verification: ${line.slice(0, 200)}`);
  }
  return v as Verification;
}
