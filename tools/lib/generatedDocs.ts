/**
 * The parts of README.md and docs/*.md that the code writes: the pictures and reports of real
 * verdicts, rendered by the report's own renderers from verdicts captured on a real cluster
 * (test/fixtures/docs/), and the package's examples in other languages, copied from the programs
 * in examples/ that `npm run test:consumers` deploys (so a snippet is never a copy that drifts). A page marks each part with a pair of HTML comments,
 * `<!-- npm run docs: <name> -->` and `<!-- end: <name> -->`; `npm run docs` rewrites what lies
 * between them, and test/docs.test.ts fails when a page is not what `npm run docs` would write.
 */
import { toVerification } from "../../checks/contract/verification";
import { Verification } from "../../checks/contract/types";
import { renderMeshMermaid } from "../../checks/report/meshRender";
import { renderPairMermaid } from "../../checks/report/pairMermaid";
import { diagnosisText, meshReportText, renderReport } from "../../checks/report/report";
import { renderVerdict } from "../../.github/scripts/report/verdict";

/** The captured verdicts, by name, relative to the repository's root. */
export const DOCS_VERDICTS = {
  pass: "test/fixtures/docs/verification-pass.json",
  fail: "test/fixtures/docs/verification-fail.json",
  mesh: "test/fixtures/docs/verification-mesh.json",
} as const;

/** The example programs the docs show, relative to the repository's root. */
export const DOCS_EXAMPLES = {
  python: "examples/python/__main__.py",
  yaml: "examples/yaml/Pulumi.yaml",
  go: "examples/go/main.go",
} as const;

/** The pages that may hold generated parts, relative to the repository's root. */
export const DOCS_PAGES_DIR = "docs";

const REGION = /(<!-- npm run docs: ([a-z-]+) -->\n)[\s\S]*?(<!-- end: \2 -->)/g;

/** The generated parts by name, each as the lines between its two markers. */
export function docsParts(
  readFile: (file: string) => string,
): Readonly<Record<string, readonly string[]>> {
  const verdict = (name: keyof typeof DOCS_VERDICTS): Verification =>
    toVerification(JSON.parse(readFile(DOCS_VERDICTS[name])), DOCS_VERDICTS[name]);
  const example = (name: keyof typeof DOCS_EXAMPLES, from?: string): string[] => {
    const lines = readFile(DOCS_EXAMPLES[name]).replace(/\n$/, "").split("\n");
    const start = from === undefined ? 0 : lines.findIndex((line) => line.startsWith(from));
    if (start < 0) {
      throw new Error(`${DOCS_EXAMPLES[name]} has no line starting "${from}" to show from`);
    }
    return lines.slice(start);
  };
  const pass = verdict("pass");
  const fail = verdict("fail");
  const mesh = verdict("mesh").mesh;
  if (mesh === undefined) {
    throw new Error(`${DOCS_VERDICTS.mesh} has no mesh: capture it with coverage every-node`);
  }
  if (fail.diagnosis === undefined) {
    throw new Error(`${DOCS_VERDICTS.fail} has no diagnosis: capture a failed verdict`);
  }
  const block = (language: string, lines: readonly string[]) => ["```" + language, ...lines, "```"];
  return {
    "pair-picture-pass": block("mermaid", renderPairMermaid(pass)),
    "pair-picture-fail": block("mermaid", renderPairMermaid(fail)),
    "report-pass": block("text", renderReport(pass).split("\n")),
    "report-fail": block("text", renderReport(fail).split("\n")),
    // The end of the failing report: the layer that broke and its evidence.
    "report-fail-diagnosis": block("text", diagnosisText(fail.diagnosis)),
    "mesh-text-pass": block("text", meshReportText(mesh)),
    "mesh-picture-pass": block(
      "mermaid",
      renderMeshMermaid(mesh).filter((line) => !line.startsWith("%%")),
    ),
    // The programs' own words, from their first import (the module comment is for their readers).
    "example-python": block("python", example("python", "import pulumi")),
    "example-yaml": block("yaml", example("yaml")),
    "example-go": block("go", example("go", "package main")),
    // The network checks' part of a workflow's job summary, as GitHub shows it.
    "summary-fail": renderVerdict(fail).filter((line, i, all) => i < all.length - 1 || line !== ""),
  };
}

/** The names of the generated parts a page marks, in order. */
export function markedParts(text: string): string[] {
  return [...text.matchAll(REGION)].map((match) => match[2]);
}

/**
 * The page with each marked part rewritten from `parts`. A marker naming no part is an error that
 * names the page and the part, and the parts it could be.
 */
export function fillParts(
  page: string,
  text: string,
  parts: Readonly<Record<string, readonly string[]>>,
): string {
  return text.replace(REGION, (_whole, start: string, name: string, end: string) => {
    const lines = parts[name];
    if (lines === undefined) {
      throw new Error(
        `${page} marks a generated part "${name}", which does not exist: one of ${Object.keys(parts).join(", ")}`,
      );
    }
    return `${start}${lines.join("\n")}\n${end}`;
  });
}
