/**
 * The report a workflow writes about one Pulumi operation (a preview or an update), and, after or
 * before it, `npm run verify`: the PR comment of preview.yml and the job summaries of up.yml.
 * Outcome and totals first (resource changes, policy findings by level), then every policy finding
 * and the engine's errors, then the checks' report, and the operation's output last, collapsed and
 * trimmed from the front to fit a GitHub comment. Pure: no files, no GitHub API.
 */

/** A policy finding, as the engine's event log records it (apitype.PolicyEvent). */
export interface PolicyEvent {
  /** The resource's URN; absent for a stack-level policy. */
  readonly resourceUrn?: string;
  /** The policy's description, a newline, then what it found. */
  readonly message: string;
  /** The policy's name. */
  readonly policyName: string;
  /** The pack's name. */
  readonly policyPackName: string;
  /** advisory, mandatory, remediate or disabled. */
  readonly enforcementLevel: string;
}

/** The line of the event log that closes an operation (apitype.SummaryEvent). */
export interface SummaryEvent {
  /** Resource counts by operation: create, update, delete, replace, same... */
  readonly resourceChanges?: Readonly<Record<string, number>>;
}

/** A message the engine, a provider or the program printed (apitype.DiagnosticEvent). */
export interface DiagnosticEvent {
  /** The resource it is about, if any. */
  readonly urn?: string;
  /** The message (plain with --color never). */
  readonly message: string;
  /** error, warning, info, info#err or debug. */
  readonly severity: string;
}

/** One line of `pulumi --event-log`; only the fields the report reads. */
export interface EngineEvent {
  /** A policy finding. */
  readonly policyEvent?: PolicyEvent;
  /** The operation's totals. */
  readonly summaryEvent?: SummaryEvent;
  /** A printed message. */
  readonly diagnosticEvent?: DiagnosticEvent;
}

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

/** `npm run verify` as a workflow step captured it. */
export interface VerifyRun {
  /** stdout and stderr: the checks' report, or why they could not run. */
  readonly output: string;
  /** Its exit code (0 passed, 1 a check failed, else it could not run); undefined: not run. */
  readonly exitCode?: number;
}

/** Everything a report shows. */
export interface ReportInput {
  /** The heading, markdown. */
  readonly title: string;
  /** The Pulumi operation. */
  readonly pulumi: PulumiRun;
  /** The checks, when the job ran them. */
  readonly verify?: VerifyRun;
  /** The workflow run, linked for the whole output. */
  readonly runUrl: string;
  /** The commit the run is about. */
  readonly commit: string;
  /** Most characters the report may have; GitHub refuses comments over 65536. */
  readonly limit?: number;
}

/** How an operation ended. */
export type Status = "succeeded" | "blocked" | "drift" | "failed";

/** What the report says about a Pulumi operation. */
export interface RunSummary {
  /** succeeded; blocked by a mandatory policy; drift (changes under --expect-no-changes); failed. */
  readonly status: Status;
  /** Resource counts by operation, from the summary event; undefined if the run never got there. */
  readonly changes?: Readonly<Record<string, number>>;
  /** Every policy finding, mandatory first. */
  readonly findings: readonly PolicyEvent[];
  /** Findings at mandatory level. */
  readonly mandatory: number;
  /** The other findings (advisory). */
  readonly advisory: number;
  /** The engine's and the program's error messages, in order, without repeats. */
  readonly errors: readonly string[];
}

/** Default size bound, below GitHub's 65536-character comment limit with room for a marker. */
export const COMMENT_LIMIT = 60_000;

/** Errors listed in the summary; the output below has them all. */
const MAX_ERRORS = 10;

const SYMBOLS: Readonly<Record<string, string>> = {
  create: "+",
  update: "~",
  delete: "-",
  replace: "+-",
};

/** Parses the JSON lines of `pulumi --event-log`; a torn last line (a killed run) is skipped. */
export function parseEventLog(text: string): EngineEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as EngineEvent];
      } catch {
        return [];
      }
    });
}

/**
 * The `error:` messages of an operation: the engine's error diagnostics, and the errors the CLI
 * prints outside the engine (no such stack, --expect-no-changes), which only the output has.
 * Each once, in order; the bare "preview failed" / "update failed" that closes a failed run says
 * nothing the exit code does not, and is left out.
 */
export function errorsOf(log: string, events: readonly EngineEvent[]): string[] {
  const fromEvents = events.flatMap((e) =>
    e.diagnosticEvent?.severity === "error" ? [e.diagnosticEvent.message] : [],
  );
  // A top-level "error: " line and the indented lines that continue it.
  const fromLog = [...log.matchAll(/^error: (.*(?:\n[ \t]+.*)*)/gm)].map((m) => m[1]);
  return [
    ...new Set(
      [...fromEvents, ...fromLog]
        .map((message) => message.trim())
        .filter((message) => message !== "" && !/^(preview|update) failed$/.test(message)),
    ),
  ];
}

/** Reads an operation's outcome, totals, findings and errors from its exit code and events. */
export function summarizeRun(run: PulumiRun): RunSummary {
  const level = (f: PolicyEvent) => (f.enforcementLevel === "mandatory" ? 0 : 1);
  const findings = run.events
    .flatMap((e) => (e.policyEvent ? [e.policyEvent] : []))
    .sort((a, b) => level(a) - level(b));
  const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory").length;
  const changes = run.events.find((e) => e.summaryEvent)?.summaryEvent?.resourceChanges;
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

function changed(changes: Readonly<Record<string, number>>): boolean {
  return Object.entries(changes).some(([op, n]) => op !== "same" && n > 0);
}

/** "+7 to create, 1 unchanged": the non-zero counts of a summary event. */
export function describeChanges(changes: Readonly<Record<string, number>>): string {
  return Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => (op === "same" ? `${n} unchanged` : `${SYMBOLS[op] ?? ""}${n} to ${op}`))
    .join(", ");
}

/** "kubernetes:core/v1:Pod nginx-pod": a URN's type and name, or "stack". */
export function resourceOf(urn: string | undefined): string {
  const parts = (urn ?? "").split("::");
  return parts.length >= 4 ? `${parts[2].split("$").pop()} ${parts.slice(3).join("::")}` : "stack";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function outcomeLine(run: PulumiRun, summary: RunSummary): string {
  const noun = run.command === "up" ? "Update" : "Preview";
  const changes = summary.changes ? describeChanges(summary.changes) : "";
  switch (summary.status) {
    case "succeeded":
      return run.expectNoChanges
        ? "✅ **No drift**: the refreshed stack matches the program"
        : `✅ **${noun} succeeded**`;
    case "blocked":
      return `❌ **${noun} blocked by ${plural(summary.mandatory, "mandatory policy violation")}**`;
    case "drift":
      return `❌ **Drift**: the refreshed stack differs from the program (${changes})`;
    case "failed":
      return `❌ **${noun} failed** (exit code ${run.exitCode}): ${
        summary.errors.length > 0 ? "the errors are below" : "see the output below"
      }`;
  }
}

/** The first line of `npm run verify`'s report, e.g. "... verification (9 passed, 0 failed)". */
function verifyTotals(output: string): string | undefined {
  return /network verification \((\d+ passed, \d+ failed)\)/.exec(output)?.[1];
}

function verifyLine(verify: VerifyRun, run: PulumiRun): string {
  const totals = verifyTotals(verify.output);
  if (verify.exitCode === undefined) {
    return `⏭️ **Network checks not run**: the ${run.command === "up" ? "update" : "preview"} failed`;
  }
  if (verify.exitCode === 0) {
    return `✅ **Network checks passed**${totals ? ` (${totals})` : ""}`;
  }
  if (verify.exitCode === 1) {
    return `❌ **Network checks failed**${totals ? ` (${totals})` : ""}`;
  }
  return `❌ **Network checks could not run** (\`npm run verify\` exit code ${verify.exitCode})`;
}

/** Text for a markdown table cell: no HTML (`<version>` would vanish), pipes escaped, lines joined. */
function cell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** The start of a long message, marked as cut. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Text for a fenced block: a fence inside it would end the block early. */
function fenced(text: string): string {
  return text.replace(/```/g, "ʼʼʼ");
}

/** Keeps the end of a text within `room` characters, from a line start. */
function keepEnd(text: string, room: number): { text: string; cut: boolean } {
  if (text.length <= room) {
    return { text, cut: false };
  }
  const tail = text.slice(text.length - Math.max(room, 0));
  return { text: tail.slice(tail.indexOf("\n") + 1), cut: true };
}

/** Renders the report as GitHub markdown. */
export function renderReport(input: ReportInput): string {
  const limit = input.limit ?? COMMENT_LIMIT;
  const { pulumi: run, verify } = input;
  const summary = summarizeRun(run);
  const lines = [`### ${input.title}`, "", outcomeLine(run, summary)];
  if (verify) {
    lines.push(verifyLine(verify, run));
  }
  lines.push(
    "",
    summary.changes
      ? `- Resources: ${describeChanges(summary.changes) || "none"}`
      : `- Resources: no summary (the ${run.command === "up" ? "update" : "preview"} did not finish)`,
    summary.changes || summary.findings.length > 0
      ? `- Policies: ${summary.mandatory} mandatory, ${summary.advisory} advisory`
      : "- Policies: no results",
    ...summary.errors.slice(0, MAX_ERRORS).map((e) => `- Error: ${cell(shorten(e, 1000))}`),
    ...(summary.errors.length > MAX_ERRORS
      ? [`- ${summary.errors.length - MAX_ERRORS} more errors in the output`]
      : []),
    "",
  );
  if (summary.findings.length > 0) {
    lines.push(
      "| Level | Policy | Resource | Message |",
      "| --- | --- | --- | --- |",
      ...summary.findings.map(
        (f) =>
          `| ${cell(f.enforcementLevel)} | ${cell(f.policyName)} | ${cell(resourceOf(f.resourceUrn))} | ${cell(f.message.trim())} |`,
      ),
      "",
    );
  }
  if (verify && verify.output.trim() !== "") {
    // The checks' report is short unless verify crashed; a quarter of the room is plenty.
    const output = keepEnd(fenced(verify.output).trimEnd(), Math.floor(limit / 4));
    lines.push(
      "`npm run verify`:",
      "",
      "```text",
      ...(output.cut ? ["[the start was cut to fit]"] : []),
      output.text,
      "```",
      "",
    );
  }
  const head = lines.join("\n");
  const footer = [
    "",
    `<sub>[Workflow run](${input.runUrl}) · commit ${input.commit.slice(0, 7)}</sub>`,
  ].join("\n");
  const count = run.log.split("\n").filter((line) => line !== "").length;
  const opening = [
    "<details>",
    `<summary>Full ${run.command} output (${plural(count, "line")})</summary>`,
    "",
  ].join("\n");
  const cutNote = `The start of the output was cut to fit; the [workflow run](${input.runUrl}) has all of it.\n\n`;
  // Keep the end of the output: it holds the diagnostics, the policy results and the totals.
  const room = limit - head.length - opening.length - footer.length - cutNote.length - 100;
  const output = keepEnd(fenced(run.log), room);
  return [
    head,
    opening,
    `${output.cut ? cutNote : ""}\`\`\`diff`,
    output.text.replace(/\n$/, ""),
    "```",
    "</details>",
    footer,
  ].join("\n");
}
