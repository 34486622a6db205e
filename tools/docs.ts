/**
 * `npm run docs`: rewrites the generated parts of README.md and docs/*.md (the pictures and reports
 * of the captured real verdicts in test/fixtures/docs/, from the report's own renderers, and the
 * example programs of examples/). Run it after a change to the renderers, the captures or the
 * examples; test/docs.test.ts fails until it is run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DOCS_PAGES_DIR, docsParts, fillParts } from "./lib/generatedDocs";

const root = path.join(__dirname, "..");
const parts = docsParts((file) => fs.readFileSync(path.join(root, file), "utf8"));
const pages = [
  "README.md",
  ...fs
    .readdirSync(path.join(root, DOCS_PAGES_DIR))
    .filter((name) => name.endsWith(".md"))
    .map((name) => path.join(DOCS_PAGES_DIR, name)),
];
for (const page of pages) {
  const file = path.join(root, page);
  const text = fs.readFileSync(file, "utf8");
  const filled = fillParts(page, text, parts);
  if (filled !== text) {
    fs.writeFileSync(file, filled);
    console.log(`docs: rewrote the generated parts of ${page}`);
  }
}
