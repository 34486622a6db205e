import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { labLabels } from "./labels";

/**
 * How a failed check fails `pulumi up` while the stack's outputs still show it.
 *
 * Measured with the engine (3.259.0, a file backend): when the check command itself fails, the
 * engine keeps the stack's previous outputs, so `verification` went on saying the last pass. When
 * the program registers its outputs and then exits non-zero, the update fails (exit 1) and the new
 * outputs are saved (the engine keeps what the program registered: pulumi/pulumi#15754). So the
 * runner reports (exits 0, its verdict stored with the command) and the program fails the update
 * after its outputs are registered. A stored failed verdict must not stick: the next `up` runs the
 * checks again, keyed on the last verdict, which the lab keeps in a ConfigMap of its namespace
 * (VERDICT_CONFIGMAP) and reads back before it registers anything. (A StackReference to the stack
 * itself was tried first: on a file backend its read races the update's own checkpoint writes and
 * failed first `up`s with "failed to load checkpoint: EOF".)
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

/** The name of the ConfigMap that keeps the lab's last verdict in its namespace. */
export const VERDICT_CONFIGMAP = "pod-to-pod-verdict";

/**
 * The last verdict as the lab's ConfigMap keeps it (`failed`, `checkedAt`), read with the lab's
 * other objects before anything is registered; undefined when there is none or it cannot be read.
 */
export function verdictOf(
  data: Readonly<Record<string, string>> | undefined,
): PreviousVerdict | undefined {
  if (!data || !/^\d+$/.test(data.failed ?? "")) {
    return undefined;
  }
  return { failed: Number(data.failed), checkedAt: data.checkedAt };
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

/**
 * Keeps the verdict in the lab's namespace once the check ran, for the next `up` to read: how many
 * checks failed and when. Updated by every run (before a failed one fails the program).
 */
export function keepVerdict(
  name: string,
  namespace: pulumi.Input<string>,
  verdict: pulumi.Output<{ failed: number; checkedAt: string }>,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: {
        name: VERDICT_CONFIGMAP,
        namespace,
        labels: { "app.kubernetes.io/name": VERDICT_CONFIGMAP, ...labLabels() },
        // The lab's own bookkeeping, written by every run: a copy an interrupted up left behind
        // (the claim has already checked it is this stack's) is taken over, not a field conflict.
        annotations: { "pulumi.com/patchForce": "true" },
      },
      data: {
        failed: verdict.apply((v) => String(v.failed)),
        checkedAt: verdict.apply((v) => v.checkedAt),
      },
    },
    opts,
  );
}
