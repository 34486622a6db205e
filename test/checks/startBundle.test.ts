import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * checks/start.js, the check command's entry point: it runs a bundle of run.ts on plain node,
 * built by esbuild when there is none or when a source changed. Run on a copy of checks/ in a temp
 * project whose node_modules holds only esbuild and the runner's two dependencies (zod, which
 * reads the runner's contract, and yaml, which reads a kubeconfig), so no TypeScript loader is
 * there to lean on.
 */
const ROOT = path.resolve(__dirname, "../..");
let project: string;

function link(pkg: string): void {
  const target = path.join(project, "node_modules", pkg);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules", pkg)), target);
}

function start(env: NodeJS.ProcessEnv = {}): { code: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(project, "checks/start.js")], {
    cwd: project,
    // Only what node needs: the runner reads its plan from POD_TO_POD_* variables.
    env: { PATH: process.env.PATH ?? "", TMPDIR: project, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stderr: result.stderr };
}

const cache = () => path.join(project, "node_modules/.cache/pod-to-pod");
const bundles = () => fs.readdirSync(cache()).filter((f) => /^check-runner\..*\.js$/.test(f));

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "p2p-start-"));
  fs.cpSync(path.join(ROOT, "checks"), path.join(project, "checks"), { recursive: true });
  link("esbuild");
  link("zod");
  link("yaml");
});

afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

describe("the check command's entry point", () => {
  it("builds the runner's bundle, runs it, and names what its environment lacks", () => {
    const run = start();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("POD_TO_POD_NAMESPACE is not set");
    expect(bundles()).toHaveLength(1);
    const manifest = JSON.parse(fs.readFileSync(path.join(cache(), "check-runner.json"), "utf8"));
    expect(Object.keys(manifest.inputs)).toContain("checks/run.ts");
    expect(Object.keys(manifest.inputs)).toContain("checks/probe/script.ts");
  });

  it("runs a current bundle without esbuild, and rebuilds after an edit to any input", () => {
    start();
    const [first] = bundles();
    fs.rmSync(path.join(project, "node_modules/esbuild"));
    // No bundler now: a second run that needed one would fail to start.
    expect(start().stderr).toContain("POD_TO_POD_NAMESPACE is not set");
    expect(bundles()).toEqual([first]);

    link("esbuild");
    const environment = path.join(project, "checks/contract/environment.ts");
    fs.writeFileSync(
      environment,
      fs.readFileSync(environment, "utf8").replace("is not set", "is missing (edited)"),
    );
    expect(start().stderr).toContain("POD_TO_POD_NAMESPACE is missing (edited)");
    expect(bundles()).toHaveLength(1);
    expect(bundles()).not.toEqual([first]);
  });

  it("fails to start with esbuild's own message when a source does not parse", () => {
    fs.appendFileSync(path.join(project, "checks/report/report.ts"), "\nexport const = ;\n");
    const run = start();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /pod-to-pod checks could not start: could not bundle checks\/run.ts: .*report.ts/s,
    );
  });

  it("builds in a private temp folder when node_modules cannot be written", () => {
    fs.mkdirSync(path.join(project, "node_modules/.cache"), { recursive: true });
    fs.writeFileSync(cache(), "a file where the cache folder would be");
    expect(start().stderr).toContain("POD_TO_POD_NAMESPACE is not set");
    const temp = fs.readdirSync(project).find((f) => f.startsWith("pod-to-pod-"));
    expect(temp).toBeDefined();
    expect(fs.statSync(path.join(project, temp as string)).mode & 0o077).toBe(0);
    expect(fs.readdirSync(path.join(project, temp as string))).toContain("check-runner.json");
  });
});
