/**
 * The report a workflow writes about one Pulumi operation (a preview or an update), and, after or
 * before it, `npm run verify`: the PR comment of preview.yml and the job summaries of up.yml.
 * Outcome and totals first (resource changes, policy findings by level), then every policy finding
 * and the engine's errors, then the checks' report, and the operation's output last, collapsed and
 * trimmed from the front to fit a GitHub comment. Secrets are redacted from everything it shows.
 * Pure: no files, no GitHub API.
 */
import { MERMAID_END, MERMAID_START } from "../../../checks/report/meshRender";
import { secretValues } from "./events";
import { cell, describeChanges, fenced, keepEnd, plural, resourceOf, shorten } from "./markdown";
import { redactEvents, redactor } from "./redact";
import { PulumiRun, RunSummary, summarizeRun } from "./summary";

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

/**
 * The input with its secrets redacted: the job's, the engine's secret plaintexts, and anything
 * shaped like a credential, in the output, the events and the checks' report alike.
 */
function redacted(input: ReportInput): { run: PulumiRun; verify?: VerifyRun } {
  const { pulumi: run, verify } = input;
  const redact = redactor([...(input.secrets ?? []), ...secretValues(run.events)]);
  return {
    run: { ...run, log: redact(run.log), events: redactEvents(run.events, redact) },
    verify: verify && { ...verify, output: redact(verify.output) },
  };
}

/**
 * The checks' report without its Mermaid block, and the block's graph lines (between the start and
 * end markers, which are Mermaid comments); the graph only when both markers are there, in order,
 * and no backticks could close the block early.
 */
export function splitMermaid(output: string): { text: string; graph?: string[] } {
  const lines = output.split("\n");
  const start = lines.indexOf(MERMAID_START);
  const end = lines.indexOf(MERMAID_END);
  if (start < 0 || end < start) {
    return { text: output };
  }
  const graph = lines.slice(start + 1, end);
  const text = [...lines.slice(0, start), ...lines.slice(end + 1)].join("\n");
  return graph.some((line) => line.includes("`")) ? { text } : { text, graph };
}

/** Renders the report as GitHub markdown. */
export function renderReport(input: ReportInput): string {
  const limit = input.limit ?? COMMENT_LIMIT;
  const { run, verify } = redacted(input);
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
    // With coverage every-node the report carries a picture of the cluster's paths (Mermaid):
    // GitHub draws it from a mermaid block, so it is lifted out of the text.
    const { text, graph } = splitMermaid(verify.output);
    if (graph) {
      lines.push("Paths between the nodes:", "", "```mermaid", ...graph, "```", "");
    }
    // The checks' report is short unless verify crashed; a quarter of the room is plenty.
    const output = keepEnd(fenced(text).trimEnd(), Math.floor(limit / 4));
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
