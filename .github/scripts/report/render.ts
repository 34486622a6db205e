/**
 * The report a workflow writes about one Pulumi operation (a preview or an update), and, after or
 * before it, `npm run verify`: the PR comment of preview.yml and the job summaries of up.yml.
 * Outcome and totals first (resource changes, policy findings by level, the checks' totals), then
 * every policy finding and the engine's errors, then the checks from the verdict verify wrote
 * (./verdict.ts), and the operation's output last, collapsed and trimmed from the front to fit a
 * GitHub comment. Secrets are redacted from everything it shows.
 * Pure: no files, no GitHub API.
 */
import { secretValues } from "./events";
import { cell, describeChanges, fenced, keepEnd, plural, resourceOf, shorten } from "./markdown";
import { redactEvents, redactor, redactStrings } from "./redact";
import { PulumiRun, RunSummary, summarizeRun } from "./summary";
import { renderVerify, VerifyRun, verifyLine } from "./verdict";

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
  /** Values the job knows to be secret (its secrets' values), redacted wherever they appear. */
  readonly secrets?: readonly string[];
  /** Most characters the report may have; GitHub refuses comments over 65536. */
  readonly limit?: number;
}

/** Default size bound, below GitHub's 65536-character comment limit with room for a marker. */
export const COMMENT_LIMIT = 60_000;

/** Errors listed in the summary; the output below has them all. */
const MAX_ERRORS = 10;

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

/**
 * The input with its secrets redacted: the job's, the engine's secret plaintexts, and anything
 * shaped like a credential, in the output, the events and the checks' report alike.
 */
function redacted(input: ReportInput): { run: PulumiRun; verify?: VerifyRun } {
  const { pulumi: run, verify } = input;
  const redact = redactor([...(input.secrets ?? []), ...secretValues(run.events)]);
  return {
    run: { ...run, log: redact(run.log), events: redactEvents(run.events, redact) },
    verify: verify && {
      ...verify,
      verdict: redactStrings(verify.verdict, redact),
      output: redact(verify.output),
    },
  };
}

/** Renders the report as GitHub markdown. */
export function renderReport(input: ReportInput): string {
  const limit = input.limit ?? COMMENT_LIMIT;
  const { run, verify } = redacted(input);
  const summary = summarizeRun(run);
  const lines = [`### ${input.title}`, "", outcomeLine(run, summary)];
  if (verify) {
    lines.push(verifyLine(verify, run.command === "up" ? "update" : "preview"));
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
  if (verify) {
    // The verdict is short; verify's output, shown only when it crashed, gets a quarter of the room.
    lines.push(...renderVerify(verify, Math.floor(limit / 4)));
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
