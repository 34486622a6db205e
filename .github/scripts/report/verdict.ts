/**
 * The network checks' part of a workflow report, read from the verdict `npm run verify` wrote as
 * JSON (POD_TO_POD_VERIFICATION_FILE) and validated by the schema that wrote it: the totals, a
 * table of the checks, the diagnosis and the pictures, drawn by checks/report's renderers. The
 * text report verify prints is never read; its output is shown only when there is no verdict.
 */
import { toVerification } from "../../../checks/contract/verification";
import { Verification } from "../../../checks/contract/types";
import { renderMeshMermaid, renderMeshText } from "../../../checks/report/meshRender";
import { renderPairMermaid } from "../../../checks/report/pairMermaid";
import { cell, fenced, keepEnd, plural, shorten } from "./markdown";

/** The verdict verify wrote, validated, or why there is none. */
export type Verdict = { readonly verification: Verification } | { readonly problem: string };

/** `npm run verify` as a workflow step left it. */
export interface VerifyRun {
  /** Its exit code (0 passed, 1 a check failed, else it could not run); undefined: not run. */
  readonly exitCode?: number;
  /** The verification it wrote, or why there is none. */
  readonly verdict: Verdict;
  /** stdout and stderr, shown only when there is no verdict: why the checks could not run. */
  readonly output: string;
}

/** Longest detail of a check in the table; the job's log, where verify prints, has all of it. */
export const DETAIL_SHOWN = 300;

/**
 * Reads a verification file's text (undefined: no such file) as the verdict: JSON that the
 * verification's schema accepts, or the reason it is not one.
 */
export function readVerdict(file: string, text: string | undefined): Verdict {
  if (text === undefined) {
    return { problem: `\`npm run verify\` wrote no verification (no file ${file})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `${file} is not JSON: ${(error as Error).message}` };
  }
  try {
    return { verification: toVerification(value, file) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The line under the operation's outcome: the checks' totals, or why there are none. */
export function verifyLine(verify: VerifyRun, operation: "update" | "preview"): string {
  if (verify.exitCode === undefined) {
    return `⏭️ **Network checks not run**: the ${operation} failed`;
  }
  const exit = `\`npm run verify\` exit code ${verify.exitCode}`;
  if (!("verification" in verify.verdict)) {
    return `❌ **Network checks could not run** (${exit}): ${cell(shorten(verify.verdict.problem, 500))}`;
  }
  const v = verify.verdict.verification;
  const outcome = v.failed > 0 ? "❌ **Network checks failed**" : "✅ **Network checks passed**";
  // verify exits 1 exactly when a check failed: another code is worth showing next to the verdict.
  const odd = verify.exitCode !== (v.failed > 0 ? 1 : 0) ? ` (${exit})` : "";
  return `${outcome}: ${v.passed} passed, ${v.failed} failed, checked at ${v.checkedAt} by runner ${cell(v.runnerVersion)}, verdict schema ${v.schemaVersion}${odd}`;
}

/** A Mermaid block GitHub draws, under a caption. */
function picture(caption: string, graph: readonly string[]): string[] {
  return graph.length > 0 ? [caption, "", "```mermaid", ...graph, "```", ""] : [];
}

/** The checks of a verification: table, diagnosis, the pictures of every scenario. */
export function renderVerdict(v: Verification): string[] {
  const lines = [
    "Network checks:",
    "",
    "| Check | Result | Detail |",
    "| --- | --- | --- |",
    ...v.checks.map(
      (c) =>
        `| ${c.name} | ${c.ok ? "PASS" : "FAIL"} | ${cell(shorten(c.detail.trim(), DETAIL_SHOWN))} |`,
    ),
    "",
  ];
  if (v.diagnosis) {
    lines.push(
      `**Broken layer: ${v.diagnosis.layer}**. ${cell(v.diagnosis.summary)}`,
      "",
      ...v.diagnosis.evidence.map((e) => `- ${cell(shorten(e, DETAIL_SHOWN))}`),
      ...(v.diagnosis.evidence.length > 0 ? [""] : []),
    );
  }
  lines.push(...picture("The lab as the checks saw it:", renderPairMermaid(v)));
  if (v.mesh) {
    lines.push("```text", fenced(renderMeshText(v.mesh).join("\n")), "```", "");
    lines.push(...picture("Paths between the nodes:", renderMeshMermaid(v.mesh)));
  }
  return lines;
}

/** What a report shows of verify: its verdict, or, without one, its output (collapsed). */
export function renderVerify(verify: VerifyRun, room: number): string[] {
  if (verify.exitCode === undefined) {
    return [];
  }
  if ("verification" in verify.verdict) {
    return renderVerdict(verify.verdict.verification);
  }
  if (verify.output.trim() === "") {
    return [];
  }
  const output = keepEnd(fenced(verify.output).trimEnd(), room);
  const count = verify.output.split("\n").filter((line) => line !== "").length;
  return [
    "<details>",
    `<summary>\`npm run verify\` output (${plural(count, "line")})</summary>`,
    "",
    "```text",
    ...(output.cut ? ["[the start was cut to fit]"] : []),
    output.text,
    "```",
    "</details>",
    "",
  ];
}
