import { renderMeshMermaid, renderMeshText } from "./meshRender";
import { MeshReport } from "../contract/meshTypes";
import { Diagnosis, Verification } from "../contract/types";

/** The widest line of the text report: it reads in a terminal and in a CI log without scrolling. */
export const REPORT_WIDTH = 100;

/** Where a check's detail starts: under the check's name, clear of PASS and FAIL. */
const DETAIL_INDENT = " ".repeat(8);

/**
 * `text` broken at spaces into lines of at most `width` characters, the first starting with
 * `first`, the others with `rest`. Runs of spaces within a line are kept (the matrices align by
 * them), a break swallows the run it falls on, and a line break or tab is a space, so every line
 * keeps its indent. A word longer than a line (a URL, a long FQDN) stays whole on its own line, so
 * that it can still be copied and searched for.
 */
export function wrap(text: string, first = "", rest = first, width = REPORT_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const [, run, word] of text.matchAll(/(\s*)(\S+)/g)) {
    const gap = /^ *$/.test(run) ? run : " ";
    if (empty) {
      line += word;
    } else if (line.length + gap.length + word.length <= width) {
      line += gap + word;
    } else {
      lines.push(line);
      line = rest + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** renderMeshText's lines, each wrapped under its own indent. */
export function meshReportText(mesh: MeshReport): string[] {
  return renderMeshText(mesh).flatMap((line) => {
    const indent = /^ */.exec(line)?.[0] ?? "";
    return wrap(line.slice(indent.length), indent, indent + "    ");
  });
}

/** The diagnosis as the text report ends with it: the broken layer, the summary, the evidence. */
export function diagnosisText(diagnosis: Diagnosis): string[] {
  return [
    `Broken layer: ${diagnosis.layer}`,
    ...wrap(diagnosis.summary, "  "),
    ...diagnosis.evidence.flatMap((e) => wrap(e, "  - ", "    ")),
  ];
}

/**
 * A verification as the plain-text report exported as the `report` stack output: each check a
 * line of its verdict, name and time, its detail wrapped below it, then the diagnosis and the
 * mesh, wrapped the same way. The mesh's Mermaid block is not wrapped: a statement cut in two is
 * no longer Mermaid.
 */
export function renderReport(verification: Verification): string {
  const width = Math.max(...verification.checks.map((c) => c.name.length));
  const lines = [
    `pod-to-pod network verification (${verification.passed} passed, ${verification.failed} failed)`,
    ...wrap(`checked at ${verification.checkedAt} by runner ${verification.runnerVersion}`),
    ...verification.checks.flatMap((c) => [
      `  ${c.ok ? "PASS" : "FAIL"}  ${c.name.padEnd(width)}  ${String(c.ms).padStart(5)} ms`,
      ...wrap(c.detail, DETAIL_INDENT),
    ]),
  ];
  const { diagnosis, mesh } = verification;
  if (diagnosis) {
    lines.push("", ...diagnosisText(diagnosis));
  }
  if (mesh) {
    lines.push("", ...meshReportText(mesh), "", ...renderMeshMermaid(mesh));
  }
  return lines.join("\n");
}
