import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHECK_NAMES, MESH_CHECK_NAMES, POLICY_CHECK_NAMES } from "../checks/contract/types";
import { verificationSchema } from "../checks/contract/verification";
import { DEFAULTS, LAB_CONFIG_KEYS } from "../config";
import { DOCS_PAGES_DIR, docsParts, fillParts, markedParts } from "../tools/lib/generatedDocs";

const ROOT = path.join(__dirname, "..");

function read(page: string): string {
  return fs.readFileSync(path.join(ROOT, page), "utf8");
}

/** README.md and every page of docs/, by path from the repository's root. */
const PAGES = [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, DOCS_PAGES_DIR))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `${DOCS_PAGES_DIR}/${name}`),
];

/** A page's text outside its fenced code blocks: the prose and the tables. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, "");
}

/**
 * The rows of the table whose header row is `header`, the first after `after` when given, each
 * as its cells.
 */
function table(page: string, header: string, after = ""): string[][] {
  const text = read(page);
  const start = text.indexOf(header, text.indexOf(after));
  expect(start, `${page}: a table headed ${header} after "${after}"`).toBeGreaterThan(0);
  const lines = text.slice(start).split("\n");
  const end = lines.findIndex((line) => !line.startsWith("|"));
  return lines.slice(2, end).map((row) =>
    row
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

/** The names a cell gives in backticks, leaving out those in parentheses (what they hold). */
function namesIn(cell: string): string[] {
  let outer = cell;
  for (let previous = ""; previous !== outer;) {
    previous = outer;
    outer = outer.replace(/\([^()]*\)/g, "");
  }
  return [...outer.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}

/** Every value's scalars as text: a default written in a table and in YAML compare alike. */
function scalarsAsText(value: unknown): unknown {
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, scalarsAsText(v)]),
    );
  }
  return String(value);
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(text: string): Set<string> {
  return new Set([...prose(text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1])));
}

describe("the README", () => {
  it("is a front door: at most 250 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(250);
  });

  it("names the CLI and provider versions package.json pins", () => {
    const pkg = JSON.parse(read("package.json"));
    const readme = read("README.md").replace(/\s+/g, " ");
    expect(readme).toContain(`The Pulumi CLI ${pkg.devDependencies.pulumi}`);
    expect(readme).toContain(`kubernetes (${pkg.dependencies["@pulumi/kubernetes"]})`);
    expect(readme).toContain(`command (${pkg.dependencies["@pulumi/command"]})`);
  });

  it("links every page of docs/", () => {
    const readme = read("README.md");
    for (const page of PAGES.filter((p) => p !== "README.md")) {
      expect(readme, page).toContain(`](${page})`);
    }
  });
});

describe("the generated parts of the docs (npm run docs)", () => {
  const parts = docsParts(read);

  it("are what the report's renderers make of the captured verdicts: run npm run docs", () => {
    for (const page of PAGES) {
      expect(fillParts(page, read(page), parts), page).toBe(read(page));
    }
  });

  it("are each shown somewhere", () => {
    const marked = new Set(PAGES.flatMap((page) => markedParts(read(page))));
    expect([...marked].sort()).toEqual(Object.keys(parts).sort());
  });

  it("come from one passing and one failing verdict, both real captures the schema accepts", () => {
    const capture = (name: string) =>
      verificationSchema.parse(
        JSON.parse(read(`test/fixtures/docs/verification-${name}.json`)) as unknown,
      );
    const [pass, fail] = [capture("pass"), capture("fail")];
    expect([pass.checks.length, pass.failed]).toEqual([14, 0]);
    expect(fail.failed).toBeGreaterThan(0);
    expect(parts["report-pass"].join("\n")).toContain(`(${pass.passed} passed, 0 failed)`);
    expect(parts["report-fail"].join("\n")).toContain(
      `(${fail.passed} passed, ${fail.failed} failed)`,
    );
    expect(parts["report-fail"].join("\n")).toContain("Broken layer: ");
  });

  it("refuse a marker that names no part, naming the page and the part", () => {
    expect(() =>
      fillParts("x.md", "<!-- npm run docs: nope -->\n<!-- end: nope -->", parts),
    ).toThrow(/x\.md marks a generated part "nope"/);
  });
});

describe("the check lists (docs/verdict.md, docs/every-node.md)", () => {
  const names = (rows: string[][]) => rows.flatMap(([cell]) => namesIn(cell));

  it("list the checks of every lab, exactly", () => {
    expect(new Set(names(table("docs/verdict.md", "| check | what it proves |")))).toEqual(
      new Set(CHECK_NAMES),
    );
    expect(names(table("docs/verdict.md", "| check | what it proves |"))).toHaveLength(
      CHECK_NAMES.length,
    );
  });

  it("list the checks isolation adds, exactly", () => {
    const rows = table("docs/verdict.md", "| check | what it proves |", "With isolation on");
    expect(new Set(names(rows))).toEqual(new Set(POLICY_CHECK_NAMES));
    expect(names(rows)).toHaveLength(POLICY_CHECK_NAMES.length);
  });

  it("list every layer a diagnosis can name, exactly", () => {
    const layers = verificationSchema.shape.diagnosis.unwrap().shape.layer.options;
    const rows = table("docs/verdict.md", "| layer | what the diagnosis says |");
    expect(new Set(rows.map(([layer]) => namesIn(layer)[0]))).toEqual(new Set(layers));
    expect(rows).toHaveLength(layers.length);
  });

  it("list the checks every-node coverage adds, exactly", () => {
    const rows = table("docs/every-node.md", "| check | what it proves, on every node |");
    expect(new Set(names(rows))).toEqual(new Set(MESH_CHECK_NAMES));
    expect(names(rows)).toHaveLength(MESH_CHECK_NAMES.length);
  });
});

describe("the config keys (docs/configuration.md, docs/package.md)", () => {
  const project = parse(read("Pulumi.yaml")) as {
    config: Record<string, { default?: unknown } | unknown>;
  };
  const declared = Object.keys(project.config).filter((key) => key.startsWith("pod-to-pod:"));
  const rows = table("docs/configuration.md", "| key | default | accepted |");

  it("list exactly the keys Pulumi.yaml declares and the program reads", () => {
    const keys = rows.map(([key]) => namesIn(key)).flat();
    expect(new Set(keys)).toEqual(new Set(declared));
    expect(keys).toHaveLength(declared.length);
    expect(new Set(keys)).toEqual(new Set(LAB_CONFIG_KEYS.map((key) => `pod-to-pod:${key}`)));
  });

  it("give each key the default Pulumi.yaml declares and the schema applies", () => {
    for (const [keyCell, defaultCell] of rows) {
      const key = namesIn(keyCell)[0];
      const written = parse(defaultCell.replace(/^`|`$/g, "")) as unknown;
      const declaration = project.config[key] as { default: unknown };
      expect(scalarsAsText(written), key).toEqual(scalarsAsText(declaration.default));
      const schemaKey = key.replace(/^pod-to-pod:/, "") as keyof typeof DEFAULTS;
      expect(scalarsAsText(written), key).toEqual(scalarsAsText(DEFAULTS[schemaKey]));
    }
  });

  it("give the package's arguments as the config keys, and walkthroughNames", () => {
    const args = table("docs/package.md", "| argument (Python: snake_case) | as the config key |");
    expect(new Set(args.flatMap(([cell]) => namesIn(cell)))).toEqual(
      new Set([...LAB_CONFIG_KEYS, "walkthroughNames"]),
    );
  });
});

describe("docs/development.md", () => {
  const page = read("docs/development.md");

  it("names every suite, benchmark and tool of package.json's scripts", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts as object);
    // npm test is lint and test:unit; verify is the README's; format is Prettier's own.
    const covered = new Set(["lint", "test:unit", "verify", "format"]);
    for (const script of scripts.filter((name) => !covered.has(name))) {
      const command = script === "test" ? "`npm test`" : `\`npm run ${script}`;
      expect(page, script).toContain(command);
    }
  });

  it("maps only folders and files that exist", () => {
    const layout = /## Layout\n\n```\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
    const entries = [...layout.matchAll(/^(\S+)/gm)].map((match) => match[1]);
    expect(entries.length).toBeGreaterThan(10);
    for (const entry of entries) {
      expect(fs.existsSync(path.join(ROOT, entry)), entry).toBe(true);
    }
  });
});

describe("every page", () => {
  it("links only to files and headings that exist", () => {
    for (const page of PAGES) {
      const text = prose(read(page));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) {
          continue;
        }
        const [file, hash] = target.split("#");
        const resolved = file === "" ? page : path.join(path.dirname(page), file);
        expect(fs.existsSync(path.join(ROOT, resolved)), `${page} links ${target}`).toBe(true);
        if (hash !== undefined && resolved.endsWith(".md")) {
          expect(anchorsOf(read(resolved)).has(hash), `${page} links ${target}`).toBe(true);
        }
      }
    }
  });

  it("holds no internal notes: no issue numbers, sessions or the lab's old jargon", () => {
    for (const page of PAGES) {
      const text = read(page).replace(/walkthroughNames|walkthrough\.test\.ts/g, "");
      expect(text, page).not.toMatch(/issue #\d+|\bsession\b|walkthrough/i);
    }
  });

  it("states no count of checks in prose (a count drifts; the tables above do not)", () => {
    const count =
      /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|twenty)( more)? checks\b/i;
    for (const page of PAGES) {
      expect(prose(read(page)), page).not.toMatch(count);
    }
    for (const [key, declaration] of Object.entries(parse(read("Pulumi.yaml")).config)) {
      expect(JSON.stringify(declaration), key).not.toMatch(count);
    }
  });
});
