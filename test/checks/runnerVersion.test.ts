import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runnerInputs, runnerVersion } from "../../checks/runner";

/** A copy of checks/ to edit: the version is computed over whatever folder it is given. */
const CHECKS = path.resolve(__dirname, "../../checks");
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function copyOfChecks(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-checks-"));
  copies.push(dir);
  fs.cpSync(CHECKS, dir, { recursive: true });
  return dir;
}

function edit(file: string, change: (source: string) => string): void {
  fs.writeFileSync(file, change(fs.readFileSync(file, "utf8")));
}

describe("the runner's version, the checks' trigger", () => {
  it("names the package version and a digest of the code", () => {
    const version = JSON.parse(fs.readFileSync(path.resolve(CHECKS, "../package.json"), "utf8"))
      .version as string;
    const [, name, digest] = /^(.*)\+([0-9a-f]{12})$/.exec(runnerVersion(CHECKS)) ?? [];
    expect(name).toBe(version);
    expect(digest).toHaveLength(12);
  });

  it("is made of run.ts and the modules it imports, in every folder, and nothing else", () => {
    const names = runnerInputs(CHECKS).map(([name]) => name);
    expect(names).toContain("run.ts");
    expect(names).toContain("report/report.ts");
    expect(names).toContain("witness/witness.ts");
    expect(names).toContain("probe/script.ts");
    // start.js starts the runner; runner.ts computes this very version: neither is the runner.
    expect(names).not.toContain("start.js");
    expect(names).not.toContain("runner.ts");
    expect([...names].sort()).toEqual(names);
  });

  it("stays the same when only comments or layout change", () => {
    const dir = copyOfChecks();
    const before = runnerVersion(dir);
    edit(
      path.join(dir, "report/report.ts"),
      (source) =>
        `// A comment a pull request adds.\n/** And a doc comment. */\n${source.replace(/\n/g, "\n\n")}`,
    );
    expect(runnerVersion(dir)).toBe(before);
  });

  it("changes when what the code of a module in a sub-folder does changes", () => {
    const dir = copyOfChecks();
    const before = runnerVersion(dir);
    edit(path.join(dir, "report/report.ts"), (source) =>
      source.replace("network verification", "network check"),
    );
    expect(runnerVersion(dir)).not.toBe(before);
  });

  it("ignores a file the runner never imports", () => {
    const dir = copyOfChecks();
    const before = runnerVersion(dir);
    fs.writeFileSync(path.join(dir, "judge/unused.ts"), "export const unused = 1;\n");
    expect(runnerVersion(dir)).toBe(before);
  });
});
