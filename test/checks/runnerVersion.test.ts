import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { podScriptDigest, runnerVersion } from "../../checks/runner";

/** A copy of checks/ to edit: the version is computed over whatever folder it is given. */
const CHECKS = path.resolve(__dirname, "../../checks");
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function copyOfChecks(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-checks-"));
  copies.push(dir);
  for (const file of fs.readdirSync(CHECKS)) {
    fs.copyFileSync(path.join(CHECKS, file), path.join(dir, file));
  }
  return dir;
}

describe("the runner's version, the checks' trigger", () => {
  it("names the package version and a digest of the code", () => {
    const version = JSON.parse(fs.readFileSync(path.resolve(CHECKS, "../package.json"), "utf8"))
      .version as string;
    expect(runnerVersion(CHECKS)).toMatch(
      new RegExp(`^${version.replace(/\./g, "\\.")}\\+[0-9a-f]{12}$`),
    );
  });

  it("stays the same when only comments or layout change", () => {
    const dir = copyOfChecks();
    const before = runnerVersion(dir);
    const report = path.join(dir, "report.ts");
    const source = fs.readFileSync(report, "utf8");
    fs.writeFileSync(
      report,
      `// A comment a pull request adds.\n/** And a doc comment. */\n${source.replace(/\n/g, "\n\n")}`,
    );
    expect(runnerVersion(dir)).toBe(before);
  });

  it("changes when what the code does changes", () => {
    const dir = copyOfChecks();
    const before = runnerVersion(dir);
    const report = path.join(dir, "report.ts");
    fs.writeFileSync(
      report,
      fs.readFileSync(report, "utf8").replace("network verification", "network check"),
    );
    expect(runnerVersion(dir)).not.toBe(before);
  });

  it("digests the pod script: the same for every lab, a stable hex", () => {
    expect(podScriptDigest()).toMatch(/^[0-9a-f]{12}$/);
    expect(podScriptDigest()).toBe(podScriptDigest());
  });
});
