/**
 * The parts of README.md and docs/*.md that the code writes: the pictures and reports of real
 * verdicts, rendered by the report's own renderers from verdicts captured on a real cluster
 * (test/fixtures/docs/). A page marks each part with a pair of HTML comments,
 * `<!-- npm run docs: <name> -->` and `<!-- end: <name> -->`; `npm run docs` rewrites what lies
 * between them, and test/docs.test.ts fails when a page is not what `npm run docs` would write.
 */
import { toVerification } from "../../checks/contract/verification";
import { Verification } from "../../checks/contract/types";
import { renderMeshMermaid, renderMeshText } from "../../checks/report/meshRender";
import { renderPairMermaid } from "../../checks/report/pairMermaid";
import { renderReport } from "../../checks/report/report";
import { renderVerdict } from "../../.github/scripts/report/verdict";

/** The captured verdicts, by name, relative to the repository's root. */
export const DOCS_VERDICTS = {
  pass: "test/fixtures/docs/verification-pass.json",
  fail: "test/fixtures/docs/verification-fail.json",
  mesh: "test/fixtures/docs/verification-mesh.json",
} as const;

/** The pages that may hold generated parts, relative to the repository's root. */
export const DOCS_PAGES_DIR = "docs";

const REGION = /(<!-- npm run docs: ([a-z-]+) -->\n)[\s\S]*?(<!-- end: \2 -->)/g;

/** The generated parts by name, each as the lines between its two markers. */
export function docsParts(
  readVerdict: (file: string) => unknown,
): Readonly<Record<string, readonly string[]>> {
  const verdict = (name: keyof typeof DOCS_VERDICTS): Verification =>
    toVerification(readVerdict(DOCS_VERDICTS[name]), DOCS_VERDICTS[name]);
  const pass = verdict("pass");
  const fail = verdict("fail");
  const mesh = verdict("mesh").mesh;
  if (mesh === undefined) {
    throw new Error(`${DOCS_VERDICTS.mesh} has no mesh: capture it with coverage every-node`);
  }
  const block = (language: string, lines: readonly string[]) => ["```" + language, ...lines, "```"];
  return {
    "pair-picture-pass": block("mermaid", renderPairMermaid(pass)),
    "pair-picture-fail": block("mermaid", renderPairMermaid(fail)),
    "report-pass": block("text", renderReport(pass).split("\n")),
    "report-fail": block("text", renderReport(fail).split("\n")),
    "mesh-text-pass": block(
      "text",
      renderMeshText(mesh).filter((line, i) => i > 0 || line !== ""),
    ),
    "mesh-picture-pass": block(
      "mermaid",
      renderMeshMermaid(mesh).filter((line) => !line.startsWith("%%")),
    ),
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
