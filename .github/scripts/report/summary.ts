/**
 * What a report says about one Pulumi operation: its outcome, totals, policy findings and errors,
 * read from its exit code, its output and its engine events.
 */
import {
  EngineEvent,
  errorDiagnostics,
  OpMap,
  PolicyFinding,
  policyFindings,
  resourceChanges,
} from "./events";

/** A Pulumi operation as a workflow step captured it. */
export interface PulumiRun {
  /** The operation: `preview` or `up`. */
  readonly command: "preview" | "up";
  /** The run used --expect-no-changes: changes are drift, not a plan. */
  readonly expectNoChanges?: boolean;
  /** stdout and stderr. */
  readonly log: string;
  /** The --event-log lines. */
  readonly events: readonly EngineEvent[];
  /** The CLI's exit code. */
  readonly exitCode: number;
}

/** How an operation ended. */
export type Status = "succeeded" | "blocked" | "drift" | "failed";

/** What the report says about a Pulumi operation. */
export interface RunSummary {
  /** succeeded; blocked by a mandatory policy; drift (changes under --expect-no-changes); failed. */
  readonly status: Status;
  /** Resource counts by operation, from the summary event; undefined if the run never got there. */
  readonly changes?: OpMap;
  /** Every policy finding, mandatory first. */
  readonly findings: readonly PolicyFinding[];
  /** Findings at mandatory level. */
  readonly mandatory: number;
  /** The other findings (advisory). */
  readonly advisory: number;
  /** The engine's and the program's error messages, in order, without repeats. */
  readonly errors: readonly string[];
}

/**
 * The `error:` messages of an operation: the engine's error diagnostics, and the errors the CLI
 * prints outside the engine (no such stack, --expect-no-changes), which only the output has.
 * Each once, in order; the bare "preview failed" / "update failed" that closes a failed run says
 * nothing the exit code does not, and is left out.
 */
export function errorsOf(log: string, events: readonly EngineEvent[]): string[] {
  // A top-level "error: " line and the indented lines that continue it.
  const fromLog = [...log.matchAll(/^error: (.*(?:\n[ \t]+.*)*)/gm)].map((m) => m[1]);
  return [
    ...new Set(
      [...errorDiagnostics(events), ...fromLog]
        .map((message) => message.trim())
        .filter((message) => message !== "" && !/^(preview|update) failed$/.test(message)),
    ),
  ];
}

/** Reads an operation's outcome, totals, findings and errors from its exit code and events. */
export function summarizeRun(run: PulumiRun): RunSummary {
  const level = (f: PolicyFinding) => (f.enforcementLevel === "mandatory" ? 0 : 1);
  const findings = policyFindings(run.events).sort((a, b) => level(a) - level(b));
  const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory").length;
  const changes = resourceChanges(run.events);
  const errors = errorsOf(run.log, run.events);
  let status: Status;
  if (run.exitCode === 0) {
    status = "succeeded";
  } else if (mandatory > 0) {
    status = "blocked";
  } else if (run.expectNoChanges && changes && changed(changes)) {
    status = "drift";
  } else {
    status = "failed";
  }
  return { status, changes, findings, mandatory, advisory: findings.length - mandatory, errors };
}

function changed(changes: OpMap): boolean {
  return Object.entries(changes).some(([op, n]) => op !== "same" && (n ?? 0) > 0);
}
