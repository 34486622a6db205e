import { EnforcementLevel, ReportViolation } from "./types";

/** The object form of a violation that @pulumi/policy's reportViolation also takes. */
interface ViolationObject {
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The resource a stack policy's finding is about; the object form reads it here. */
  readonly urn?: string;
}

/**
 * Reports a message at the advisory level from a policy of any level: a visible note (an
 * exemption in use) that never blocks an update; a stack policy passes the resource's URN.
 *
 * @pulumi/policy 1.21.0 accepts an object in place of the message string and takes its
 * enforcementLevel for that one diagnostic (pulumi/pulumi-policy#424). Its typings keep that
 * overload private for now, hence the cast; test/policy/analyzer.test.ts runs the pinned
 * analyzer to prove the diagnostic comes out advisory, so an upgrade that drops it fails there.
 */
export function reportAdvisory(report: ReportViolation, message: string, urn?: string): void {
  const reportObject = report as unknown as (violation: ViolationObject) => void;
  reportObject({ message, enforcementLevel: "advisory", ...(urn === undefined ? {} : { urn }) });
}
