import * as pulumi from "@pulumi/pulumi";

/**
 * How a failed check fails `pulumi up` while the stack's outputs still show it.
 *
 * Measured with the engine (3.259.0, a file backend): when the check command itself fails, the
 * engine keeps the stack's previous outputs, so `verification` went on saying the last pass. When
 * the program registers its outputs and then exits non-zero, the update fails (exit 1) and the new
 * outputs are saved (the engine keeps what the program registered: pulumi/pulumi#15754). So the
 * runner reports (exits 0, its verdict stored with the command) and the program fails the update
 * after its outputs are registered. A stored failed verdict must not stick: the next `up` runs the
 * checks again, keyed on the verdict the stack exported last (read back from the stack itself).
 */

/** What the previous `up` exported as `verification`, as far as the re-run needs it. */
export interface PreviousVerdict {
  /** When it was measured. */
  readonly checkedAt?: string;
  /** How many checks failed. */
  readonly failed?: number;
}

/**
 * The check command's trigger that re-runs it after a failed verdict: empty while the last verdict
 * passed (or there was none), the failed verdict's time otherwise, which differs after each failed
 * run. After the run that passes again, the next `up` runs the checks once more (its trigger goes
 * back to empty); then they rest until something changes.
 */
export function rerunTrigger(previous: PreviousVerdict | undefined): string {
  if (previous && typeof previous.failed === "number" && previous.failed > 0) {
    return `after the failed verdict of ${previous.checkedAt ?? "an earlier up"}`;
  }
  return "";
}

/** The stack's organization; a test's mocks may name none: the file backend's, then. */
function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "organization";
  }
}

/**
 * The stack's own last `verification` output, read from its backend (a StackReference to itself:
 * the program cannot see its state otherwise). Absent on a stack's first `up`.
 */
export function previousVerdict(
  name: string,
  parent: pulumi.Resource,
): pulumi.Output<PreviousVerdict | undefined> {
  const self = `${organization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const reference = new pulumi.StackReference(name, { name: self }, { parent });
  return reference
    .getOutput("verification")
    .apply((value) =>
      value && typeof value === "object" ? (value as PreviousVerdict) : undefined,
    );
}

/** The message a failed verdict fails `pulumi up` with: the report, and how to report only. */
export function failureMessage(report: string, failed: number, total: number): string {
  return `${report}\n\n${failed} of ${total} checks failed. Set pod-to-pod:checks.reportOnly to true to report without failing.`;
}

/**
 * Fails the deployment when the verdict failed (unless report-only): the report as an error on the
 * check's resource, and a non-zero exit of the program once everything it registered (the stack's
 * outputs too) is sent.
 */
export function failOnFailedVerdict(
  verdict: pulumi.Output<{ failed: number; checks: readonly unknown[] }>,
  report: pulumi.Output<string>,
  resource: pulumi.Resource,
  reportOnly: boolean,
): void {
  if (reportOnly) {
    return;
  }
  pulumi.all([verdict, report]).apply(([v, text]) => {
    if (v.failed > 0) {
      void pulumi.log.error(failureMessage(text, v.failed, v.checks.length), resource);
      process.exitCode = 1;
    }
  });
}
