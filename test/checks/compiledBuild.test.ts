import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The check runner from a compiled build (`tsc` to JavaScript, run by plain node): the command line
 * the component gives the provider, the digest that re-runs the checks, and the runner starting
 * without tsx. Compiled into a temp folder that is removed afterwards, beside the runner's one
 * dependency (yaml, which reads a kubeconfig) installed as a package's dependencies are.
 */
const ROOT = path.resolve(__dirname, "../..");
let build: string;

/** Calls a function of the compiled runner.ts in a plain node process and returns its result. */
function compiledRunner(expression: string): string {
  return execFileSync(
    process.execPath,
    [
      "-e",
      `const r = require(${JSON.stringify(path.join(build, "checks/runner.js"))}); console.log(${expression});`,
    ],
    { encoding: "utf8" },
  ).trim();
}

beforeAll(() => {
  build = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-compiled-"));
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/typescript/bin/tsc"),
      "--outDir",
      build,
      "--rootDir",
      ROOT,
      "--strict",
      "--target",
      "es2022",
      "--module",
      "commonjs",
      "--moduleResolution",
      "node",
      "--esModuleInterop",
      "--skipLibCheck",
      "--types",
      "node",
      path.join(ROOT, "checks/run.ts"),
      path.join(ROOT, "checks/runner.ts"),
    ],
    { cwd: ROOT, stdio: "pipe" },
  );
  // A deployed build has its dependencies beside it: the runner's are zod and yaml.
  fs.mkdirSync(path.join(build, "node_modules"));
  for (const pkg of ["zod", "yaml"]) {
    fs.symlinkSync(
      fs.realpathSync(path.join(ROOT, "node_modules", pkg)),
      path.join(build, "node_modules", pkg),
    );
  }
}, 120_000);

afterAll(() => fs.rmSync(build, { recursive: true, force: true }));

describe("the check runner in a compiled build", () => {
  it("is started by plain node with a command line relative to the project root", () => {
    expect(compiledRunner(`r.runnerCommand(${JSON.stringify(build)})`)).toBe("node checks/run.js");
  });

  it("re-runs the checks when the compiled check code changes: the version covers the .js files", () => {
    const before = compiledRunner("r.runnerVersion()");
    // No package.json above the build folder: the version part says so.
    expect(before).toMatch(/^0\.0\.0\+[0-9a-f]{12}$/);
    // A source file beside the build is not what runs, so it does not count.
    fs.writeFileSync(path.join(build, "checks/extra.ts"), "export {};\n");
    expect(compiledRunner("r.runnerVersion()")).toBe(before);
    const compiled = path.join(build, "checks/scenarios/pair/checks.js");
    expect(fs.existsSync(compiled)).toBe(true);
    fs.appendFileSync(compiled, "\nexports.changed = true;\n");
    expect(compiledRunner("r.runnerVersion()")).not.toBe(before);
  });

  it("runs without tsx and says what is missing when its environment is incomplete", () => {
    const result = spawnSync(process.execPath, [path.join(build, "checks/run.js")], {
      cwd: build,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("pod-to-pod checks could not run:");
    expect(result.stderr).toContain("POD_TO_POD_NAMESPACE");
  });
});
