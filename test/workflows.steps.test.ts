import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  preview,
  PULUMI_JOBS,
  ROOT,
  runStep,
  scratchDir,
  setupAction,
  stepNamed,
  up,
} from "./workflows.helpers";

// The workflows' own commands, run in bash as a runner runs a step, with stand-ins for pulumi and
// npm that record how they were called: the command lines, where the output and the event log
// go, and that the step keeps the CLI's exit code (not tee's) for the later steps.

const PULUMI_FLAGS = ["--non-interactive", "--color", "never", "--suppress-progress"];

/** A stand-in pulumi that prints to both streams and exits with `code`. */
const pulumiExiting = (code: number) =>
  `echo "pulumi says $1"; echo "pulumi warns" >&2; exit ${code}`;

describe("the backend check of each job", () => {
  for (const [name, job] of PULUMI_JOBS) {
    it(`${name}: stops the job when there is no backend, before anything is installed`, () => {
      const step = stepNamed(job, /^Require a Pulumi backend$/);
      const ran = runStep(step, {
        cwd: ROOT,
        env: { STACK: "dev", RUNNER_ENVIRONMENT: "github-hosted" },
      });
      expect(ran.status).toBe(1);
      expect(ran.output).toContain("::error title=Pulumi backend for stack dev::No Pulumi backend");
      expect(ran.file("summary.md")).toContain("### ❌ No usable Pulumi backend for stack `dev`");
    });
  }
});

describe("preview.yml's refusal of the deploy runner", () => {
  const step = stepNamed(preview.jobs.preview, /^Refuse the deploy runner$/);
  const run = (env: Record<string, string>) => runStep(step, { env });

  it("stops the job when previews are given the deploy runner's label, saying why", () => {
    const ran = run({ PREVIEW_RUNNER: "k3s-vm", DEPLOY_RUNNER: "k3s-vm" });
    expect(ran.status).toBe(1);
    expect(ran.output).toContain(
      "::error title=Preview runner::POD_TO_POD_PREVIEW_RUNNER and POD_TO_POD_DEPLOY_RUNNER are both 'k3s-vm'",
    );
  });

  it("lets a runner of their own, or GitHub's, run previews", () => {
    expect(run({ PREVIEW_RUNNER: "k3s-preview", DEPLOY_RUNNER: "k3s-vm" }).status).toBe(0);
    expect(run({ PREVIEW_RUNNER: "", DEPLOY_RUNNER: "k3s-vm" }).status).toBe(0);
    expect(run({ PREVIEW_RUNNER: "", DEPLOY_RUNNER: "" }).status).toBe(0);
  });

  it("reads the two labels from the repository variables", () => {
    expect(step.env).toEqual({
      PREVIEW_RUNNER: "${{ vars.POD_TO_POD_PREVIEW_RUNNER }}",
      DEPLOY_RUNNER: "${{ vars.POD_TO_POD_DEPLOY_RUNNER }}",
    });
  });
});

describe("preview.yml's preview step", () => {
  const step = stepNamed(preview.jobs.preview, /^Preview with the policy pack$/);

  it("previews the stack with the diff and the policy pack, keeping output, events and exit code", () => {
    const ran = runStep(step, {
      env: { STACK: "dev" },
      stubs: { pulumi: pulumiExiting(3) },
    });
    expect(ran.status, ran.output).toBe(0);
    // One call: no `stack select --create`, so a stack never deployed is an error, not a plan.
    expect(ran.calls).toEqual([
      [
        ...["pulumi", "preview", "--stack", "dev", "--diff", "--policy-pack", "policy"],
        ...PULUMI_FLAGS,
        ...["--event-log", `${ran.dir}/preview-events.jsonl`],
      ],
    ]);
    expect(ran.file("preview.txt")).toBe("pulumi says preview\npulumi warns\n");
    expect(ran.file("output")).toBe("exit-code=3\n");
    expect(runStep(step, { stubs: { pulumi: pulumiExiting(0) } }).file("output")).toBe(
      "exit-code=0\n",
    );
  });

  it("fails the job after the comment when the preview failed, saying with which code", () => {
    const fail = stepNamed(preview.jobs.preview, /^Fail when the preview failed$/);
    const ran = runStep(fail, { env: { EXIT_CODE: "1" } });
    expect(ran.status).toBe(1);
    expect(ran.output).toContain("::error title=pulumi preview::pulumi preview exited with 1");
  });

  it("tells a fork's pull request why it gets no preview, in the job summary", () => {
    const [note] = preview.jobs.fork.steps;
    const ran = runStep(note, {
      env: { HEAD: "someone/pod-to-pod", GITHUB_REPOSITORY: "lab/pod-to-pod" },
    });
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([]);
    expect(ran.output).toContain("::notice title=No preview for a fork::");
    expect(ran.file("summary.md")).toMatch(
      /^### No preview for a fork\n\nThis pull request comes from the fork someone\/pod-to-pod\..*pushing the branch to lab\/pod-to-pod\.\n$/,
    );
  });
});

describe("up.yml's up job", () => {
  const job = up.jobs.up;

  it("selects the stack, creating it on the first deploy", () => {
    const ran = runStep(stepNamed(job, /^Select the stack/), {
      env: { STACK: "dev" },
      stubs: { pulumi: "" },
    });
    expect(ran.status).toBe(0);
    expect(ran.calls).toEqual([
      ["pulumi", "stack", "select", "--create", "dev", "--non-interactive"],
    ]);
  });

  it("deploys with the diff and the policy pack, keeping output, events and exit code", () => {
    const ran = runStep(stepNamed(job, /^Deploy with the policy pack$/), {
      env: { STACK: "dev" },
      stubs: { pulumi: pulumiExiting(255) },
    });
    expect(ran.status, ran.output).toBe(0);
    expect(ran.calls).toEqual([
      [
        ...["pulumi", "up", "--stack", "dev", "--yes", "--diff", "--policy-pack", "policy"],
        ...PULUMI_FLAGS,
        ...["--event-log", `${ran.dir}/up-events.jsonl`],
      ],
    ]);
    expect(ran.file("up.txt")).toBe("pulumi says up\npulumi warns\n");
    expect(ran.file("output")).toBe("exit-code=255\n");
  });

  it("fails when the deploy or the checks failed, naming both codes", () => {
    const fail = stepNamed(job, /^Fail when/);
    const ran = runStep(fail, { env: { UP_EXIT_CODE: "0", VERIFY_EXIT_CODE: "1" } });
    expect(ran.status).toBe(1);
    expect(ran.output).toContain(
      "::error title=up::pulumi up exited with 0, npm run verify with 1; the job summary says why",
    );
    const notRun = runStep(fail, { env: { UP_EXIT_CODE: "2", VERIFY_EXIT_CODE: "" } });
    expect(notRun.output).toContain("npm run verify with nothing (not run)");
  });
});

describe("the network checks step of both up.yml jobs", () => {
  for (const name of ["up", "drift"]) {
    it(`${name}: runs npm run verify on the stack, keeping its verdict, output and exit code`, () => {
      const verify = stepNamed(up.jobs[name], /^Re-run the network checks/);
      const ran = runStep(verify, {
        env: { PULUMI_STACK: "dev" },
        stubs: {
          npm: 'echo "checks of $PULUMI_STACK"; echo \'{"verdict":1}\' >"$POD_TO_POD_VERIFICATION_FILE"; exit 1',
        },
        files: { "verification.json": "a verdict left from before" },
      });
      expect(ran.status, ran.output).toBe(0);
      expect(ran.calls).toEqual([["npm", "run", "--silent", "verify"]]);
      expect(ran.file("verification.json")).toBe('{"verdict":1}\n');
      expect(ran.file("verify.txt")).toBe("checks of dev\n");
      expect(ran.file("output")).toBe("exit-code=1\n");
    });

    it(`${name}: leaves no verdict from before when verify crashes without one`, () => {
      const verify = stepNamed(up.jobs[name], /^Re-run the network checks/);
      const ran = runStep(verify, {
        env: { PULUMI_STACK: "dev" },
        stubs: { npm: 'echo "verify: boom" >&2; exit 2' },
        files: { "verification.json": JSON.stringify({ passed: 14 }) },
      });
      expect(ran.status, ran.output).toBe(0);
      expect(ran.file("verification.json")).toBe("");
      expect(ran.file("verify.txt")).toBe("verify: boom\n");
      expect(ran.file("output")).toBe("exit-code=2\n");
    });
  }
});

describe("up.yml's drift job", () => {
  const job = up.jobs.drift;

  it("previews with a refresh, expecting no changes, keeping output, events and exit code", () => {
    const ran = runStep(stepNamed(job, /^Preview with a refresh/), {
      env: { STACK: "dev" },
      stubs: { pulumi: pulumiExiting(7) },
    });
    expect(ran.status, ran.output).toBe(0);
    expect(ran.calls).toEqual([
      [
        ...["pulumi", "preview", "--stack", "dev", "--refresh", "--expect-no-changes", "--diff"],
        ...["--policy-pack", "policy", ...PULUMI_FLAGS],
        ...["--event-log", `${ran.dir}/preview-events.jsonl`],
      ],
    ]);
    expect(ran.file("preview.txt")).toBe("pulumi says preview\npulumi warns\n");
    expect(ran.file("output")).toBe("exit-code=7\n");
  });

  it("fails on drift or a broken network, naming both codes", () => {
    const fail = stepNamed(job, /^Fail on drift/);
    const ran = runStep(fail, { env: { PREVIEW_EXIT_CODE: "7", VERIFY_EXIT_CODE: "0" } });
    expect(ran.status).toBe(1);
    expect(ran.output).toContain(
      "::error title=drift::npm run verify exited with 0, pulumi preview --refresh --expect-no-changes with 7",
    );
  });
});

describe("the setup action", () => {
  it("installs the program's and the policy pack's locked dependencies, running no install scripts", () => {
    const install = stepNamed(setupAction.runs, /^Install dependencies/);
    const ran = runStep(install, { stubs: { npm: "" } });
    expect(ran.status, ran.output).toBe(0);
    expect(ran.calls).toEqual([
      ["npm", "ci", "--ignore-scripts"],
      ["npm", "ci", "--ignore-scripts", "--prefix", "policy"],
    ]);
  });

  it("installs the CLI through the npm launcher at the lock file's pin, and puts it on PATH", () => {
    const step = stepNamed(setupAction.runs, /^Install the Pulumi CLI/);
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const version: string = lock.packages["node_modules/pulumi"].version;
    const home = scratchDir("pulumi-home");
    const bin = path.join(home, "versions", version, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
    const install = (npx: string) =>
      runStep(step, {
        cwd: ROOT,
        // The launcher would install PULUMI_VERSION instead of its own: the script unsets it.
        env: { PULUMI_HOME: home, PULUMI_VERSION: "3.1.0" },
        stubs: { npx: `[[ -z "\${PULUMI_VERSION:-}" ]] || exit 9\n${npx}` },
      });
    const ran = install(`echo v${version}`);
    expect(ran.status, ran.output).toBe(0);
    expect(ran.calls).toEqual([["npx", "--no-install", "pulumi", "version"]]);
    expect(ran.file("path")).toBe(`${bin}\n`);
    const wrong = install("echo v3.0.0");
    expect(wrong.status).toBe(1);
    expect(wrong.output).toContain(
      `::error title=Pulumi CLI::npx pulumi reports 'v3.0.0', not v${version}`,
    );
    expect(wrong.file("path")).toBe("");
  });
});
