import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isMap, isScalar, isSeq, parseDocument, visit } from "yaml";

/**
 * The workflows linted by actionlint, which scripts/actionlint.sh builds from the Go module proxy
 * (cached): Go and the proxy are needed, so this runs in its own stage (`npm run lint:workflows`),
 * not with the hermetic unit tests.
 */
const ROOT = path.join(__dirname, "..", "..");

function actionlint(...files: string[]): { status: number | null; output: string } {
  const result = spawnSync("bash", [path.join(ROOT, "scripts", "actionlint.sh"), ...files], {
    cwd: ROOT,
    encoding: "utf8",
    // A cold cache builds actionlint from the Go proxy first.
    timeout: 280_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("scripts/actionlint.sh", () => {
  it("passes the workflows in .github/workflows", () => {
    const { status, output } = actionlint();
    expect(output).toContain(".github/workflows/preview.yml .github/workflows/up.yml");
    expect(status, output).toBe(0);
  }, 300_000);

  it("fails on a broken workflow and names the problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-actionlint-"));
    const broken = path.join(dir, "broken.yml");
    fs.writeFileSync(
      broken,
      [
        "on: pull_request",
        "jobs:",
        "  preview:",
        "    steps:",
        "      - run: echo ${{ steps.preview.outputs.exit-code }}",
        "",
      ].join("\n"),
    );
    try {
      const { status, output } = actionlint(broken);
      expect(status).not.toBe(0);
      expect(output).toContain('"runs-on" section is missing in job "preview"');
      expect(output).toMatch(/property "preview" is not defined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

/**
 * actionlint checks an action's inputs only when it knows the action's version, which it does by
 * tag, not by commit: so the pinned workflows are linted again with each `owner/repo@<sha> # vX.Y.Z`
 * read as `owner/repo@vX`, and the setup action's actions as the steps of a workflow of their own.
 */
function asTagged(text: string): string {
  const doc = parseDocument(text);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value)) {
        const pinned = /^([^@]+)@[0-9a-f]{40}$/.exec(String(pair.value.value));
        const tag = /^\s*(v\d+)\.\d+\.\d+$/.exec(pair.value.comment ?? "");
        if (pinned && tag) {
          pair.value.value = `${pinned[1]}@${tag[1]}`;
          pair.value.comment = null;
        }
      }
    },
  });
  return doc.toString();
}

/** The setup action's `uses:` steps, with their comments, as the steps of a workflow. */
function setupActionAsWorkflow(): string {
  const action = parseDocument(
    fs.readFileSync(path.join(ROOT, ".github/actions/setup/action.yml"), "utf8"),
  );
  const steps = action.getIn(["runs", "steps"], true);
  if (!isSeq(steps)) {
    throw new Error(".github/actions/setup/action.yml has no runs.steps");
  }
  steps.items = steps.items.filter((step) => isMap(step) && step.has("uses"));
  const workflow = parseDocument("on: push\njobs:\n  setup:\n    runs-on: ubuntu-latest\n");
  workflow.setIn(["jobs", "setup", "steps"], steps);
  return asTagged(workflow.toString());
}

describe("the pinned actions' inputs", () => {
  const lintTagged = (edit: (text: string) => string = (t) => t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-actionlint-tags-"));
    try {
      const files = ["preview.yml", "up.yml"].map((name) => {
        const file = path.join(dir, name);
        const text = fs.readFileSync(path.join(ROOT, ".github/workflows", name), "utf8");
        fs.writeFileSync(file, edit(asTagged(text)));
        return file;
      });
      const setup = path.join(dir, "setup-action.yml");
      fs.writeFileSync(setup, edit(setupActionAsWorkflow()));
      const result = actionlint(...files, setup);
      const tagged = [...files, setup].map((f) => fs.readFileSync(f, "utf8")).join("\n");
      return { ...result, tagged };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it("are the inputs of the tagged releases, as actionlint knows them", () => {
    const { status, output, tagged } = lintTagged();
    for (const uses of [
      "actions/checkout@v6",
      "actions/github-script@v8",
      "actions/setup-node@v6",
      "actions/cache@v5",
    ]) {
      expect(tagged, uses).toContain(`uses: ${uses}\n`);
    }
    expect(tagged).not.toMatch(/@[0-9a-f]{40}/);
    expect(status, output).toBe(0);
  }, 300_000);

  it("fail on an input the tagged release does not have", () => {
    const { status, output } = lintTagged((text) =>
      text
        .replace("persist-credentials:", "persist-credential:")
        .replace("node-version-file:", "node-version-fil:"),
    );
    expect(status).not.toBe(0);
    expect(output).toContain(
      'input "persist-credential" is not defined in action "actions/checkout@v6"',
    );
    expect(output).toContain(
      'input "node-version-fil" is not defined in action "actions/setup-node@v6"',
    );
  }, 300_000);
});
