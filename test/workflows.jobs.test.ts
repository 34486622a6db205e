import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isScalar, parseDocument, visit } from "yaml";
import {
  ACTION_FILES,
  indexOfStep,
  preview,
  PULUMI_JOBS,
  ROOT,
  setupAction,
  stepNamed,
  up,
} from "./workflows.helpers";

// The workflows' triggers, jobs, permissions and the order and wiring of their steps, read from
// the parsed workflow files. What the steps' commands do is run in workflows.steps.test.ts;
// actionlint runs in test/real/actionlint.test.ts.

/** Every `uses:` of a file, with the comment after it, from the parsed YAML document. */
function usesOf(file: string): { uses: string; comment?: string }[] {
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, file), "utf8"));
  const found: { uses: string; comment?: string }[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value)) {
        found.push({ uses: String(pair.value.value), comment: pair.value.comment ?? undefined });
      }
    },
  });
  return found;
}

/** The `secrets.NAME` a job's steps reference. */
function secretsOf(steps: { env?: Record<string, string>; with?: Record<string, unknown> }[]) {
  const text = JSON.stringify(steps.map((s) => [s.env ?? {}, s.with ?? {}]));
  return [...new Set([...text.matchAll(/\$\{\{ secrets\.(\w+) \}\}/g)].map((m) => m[1]))].sort();
}

describe("the workflows", () => {
  it("pin every action they use by its full commit SHA, with the release tag beside it", () => {
    const all = ACTION_FILES.flatMap((file) => usesOf(file).map((u) => ({ file, ...u })));
    const remote = all.filter((u) => !u.uses.startsWith("./"));
    expect(remote.map((u) => u.uses.split("@")[0]).sort()).toEqual([
      "actions/cache",
      "actions/checkout",
      "actions/checkout",
      "actions/checkout",
      "actions/github-script",
      "actions/setup-node",
    ]);
    for (const { file, uses, comment } of remote) {
      expect(uses, file).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(comment?.trim(), `${file}: ${uses}`).toMatch(/^v\d+\.\d+\.\d+$/);
    }
    // One release of an action everywhere it is used.
    const byAction = new Map<string, Set<string>>();
    for (const { uses, comment } of remote) {
      const [action, sha] = uses.split("@");
      byAction.set(action, (byAction.get(action) ?? new Set()).add(`${sha} ${comment}`));
    }
    for (const [action, versions] of byAction) {
      expect(versions.size, action).toBe(1);
    }
  });

  it("check out without leaving a token behind for the program the later steps run", () => {
    for (const [name, job] of PULUMI_JOBS) {
      const checkout = indexOfStep(job, /^actions\/checkout@/);
      // Only the preview's refusal of the deploy runner comes first, before any of the branch.
      expect(
        job.steps.slice(0, checkout).map((s) => s.name),
        name,
      ).toEqual(name.startsWith("preview.yml") ? ["Refuse the deploy runner"] : []);
      expect(job.steps[checkout].with?.["persist-credentials"], name).toBe(false);
    }
  });

  it("get Node from package.json's engines, the CLI from the npm launcher, and no Go", () => {
    const node = setupAction.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(node?.with?.["node-version-file"]).toBe("package.json");
    expect(node?.with).not.toHaveProperty("node-version");
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.engines.node).toMatch(/\d/);
    expect(setupAction.runs.steps.map((s) => s.uses?.split("@")[0])).toEqual([
      "actions/setup-node",
      undefined,
      "actions/cache",
      undefined,
    ]);
    for (const [name, job] of PULUMI_JOBS) {
      expect(job.steps.map((s) => s.uses?.split("@")[0]).filter(Boolean), name).toEqual([
        "actions/checkout",
        "./.github/actions/setup",
        ...(name.startsWith("preview.yml") ? ["actions/github-script"] : []),
      ]);
    }
  });

  it("share one composite setup action that actionlint cannot check: every run step has its shell", () => {
    expect(setupAction.runs.using).toBe("composite");
    const runs = setupAction.runs.steps.filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const step of runs) {
      expect(step.shell, step.name).toBe("bash");
    }
  });

  it("never put an expression in a script, where a value would run as shell", () => {
    const jobs = [...Object.values(preview.jobs), ...Object.values(up.jobs), setupAction.runs];
    for (const step of jobs.flatMap((j) => j.steps)) {
      expect(step.run ?? "", step.name).not.toContain("${{");
    }
  });

  it("check the backend before anything else, and never set a passphrase of their own", () => {
    for (const [name, job] of PULUMI_JOBS) {
      const check = indexOfStep(job, /^Require a Pulumi backend$/);
      expect(check, name).toBe(indexOfStep(job, /^actions\/checkout@/) + 1);
      for (const step of job.steps) {
        for (const [key, value] of Object.entries(step.env ?? {})) {
          if (key === "PULUMI_CONFIG_PASSPHRASE" || key === "PULUMI_ACCESS_TOKEN") {
            expect(value, `${name}: ${step.name}`).toBe(`\${{ secrets.${key} }}`);
          }
        }
      }
    }
    for (const workflow of [preview, up]) {
      expect(workflow.env.PULUMI_BACKEND_URL).toBe("${{ vars.PULUMI_BACKEND_URL }}");
      expect(workflow.env).not.toHaveProperty("PULUMI_CONFIG_PASSPHRASE");
    }
  });

  it("give the report step every secret the job has, for it to redact", () => {
    for (const [name, job] of PULUMI_JOBS) {
      const report = stepNamed(job, /^(Render the report|Report to the job summary)$/);
      const before = job.steps.slice(0, job.steps.indexOf(report));
      expect(secretsOf(before), name).toEqual([
        "KUBECONFIG",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
      ]);
      expect(secretsOf([report]), name).toEqual(secretsOf(before));
      // That the step names them to the report is run in workflows.captures.test.ts.
    }
  });

  it("preview same-repository pull requests only, one run per pull request", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(preview.jobs.preview.if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    const fork = preview.jobs.fork;
    expect(fork.if).toBe("github.event.pull_request.head.repo.full_name != github.repository");
    expect(fork.permissions).toEqual({});
    expect(fork.steps.map((s) => s.uses).filter(Boolean)).toEqual([]);
    expect(preview.concurrency).toEqual({
      group:
        "preview-${{ vars.POD_TO_POD_STACK || 'dev' }}-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("preview and deploy the stack a repository variable names, dev unless it is set", () => {
    for (const workflow of [preview, up]) {
      expect(workflow.env.STACK).toBe("${{ vars.POD_TO_POD_STACK || 'dev' }}");
    }
    expect(up.concurrency.group).toBe("pulumi-stack-${{ vars.POD_TO_POD_STACK || 'dev' }}");
  });

  it("deploy in the stack's GitHub environment on a runner of their own, which previews never use", () => {
    for (const job of [up.jobs.up, up.jobs.drift]) {
      expect(job.environment).toBe("${{ vars.POD_TO_POD_STACK || 'dev' }}");
      expect(job["runs-on"]).toBe("${{ vars.POD_TO_POD_DEPLOY_RUNNER || 'ubuntu-latest' }}");
    }
    // A branch's program runs with the repository's secrets only, on the preview's runner.
    expect(preview.jobs.preview.environment).toBeUndefined();
    expect(preview.jobs.preview["runs-on"]).toBe(
      "${{ vars.POD_TO_POD_PREVIEW_RUNNER || 'ubuntu-latest' }}",
    );
    // The one runner label both used to share is gone.
    for (const file of ACTION_FILES) {
      expect(fs.readFileSync(path.join(ROOT, file), "utf8"), file).not.toMatch(
        /\bPOD_TO_POD_RUNNER\b/,
      );
    }
  });

  it("deploy main, then verify only a deploy that succeeded, one operation on the stack at a time", () => {
    expect(up.on).toHaveProperty("push", { branches: ["main"] });
    expect(up.concurrency).toEqual({
      group: "pulumi-stack-${{ vars.POD_TO_POD_STACK || 'dev' }}",
      "cancel-in-progress": false,
    });
    expect(up.permissions).toEqual({ contents: "read" });
    const job = up.jobs.up;
    expect(job.if).toBe("github.event_name == 'push'");
    const select = indexOfStep(job, /^Select the stack/);
    const deploy = indexOfStep(job, /^Deploy with the policy pack$/);
    const verify = indexOfStep(job, /^Re-run the network checks/);
    expect(select).toBeLessThan(deploy);
    expect(verify).toBeGreaterThan(deploy);
    expect(job.steps[deploy].id).toBe("up");
    expect(job.steps[verify].if).toBe("steps.up.outputs.exit-code == '0'");
    expect(job.steps[verify].env?.PULUMI_STACK).toBe("${{ env.STACK }}");
    expect(stepNamed(job, /^Report to the job summary$/).if).toBe(
      "always() && steps.up.outputs.exit-code != ''",
    );
    expect(stepNamed(job, /^Fail when/).if).toBe(
      "steps.up.outputs.exit-code != '0' || steps.verify.outputs.exit-code != '0'",
    );
  });

  it("check for drift and a broken network on a schedule, failing on either", () => {
    expect(up.on).toHaveProperty("schedule");
    expect((up.on.schedule as { cron: string }[])[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(up.on).toHaveProperty("workflow_dispatch");
    const job = up.jobs.drift;
    expect(job.if).toBe("github.event_name != 'push'");
    const verify = indexOfStep(job, /^Re-run the network checks/);
    const drift = indexOfStep(job, /^Preview with a refresh/);
    expect(job.steps[verify].if).toBeUndefined();
    expect(verify).toBeLessThan(drift);
    expect(job.steps[drift].id).toBe("preview");
    expect(stepNamed(job, /^Fail on drift/).if).toBe(
      "steps.preview.outputs.exit-code != '0' || steps.verify.outputs.exit-code != '0'",
    );
  });

  it("comment on the pull request with the report the render step wrote, whatever the outcome", () => {
    const job = preview.jobs.preview;
    const render = indexOfStep(job, /^Render the report$/);
    const comment = indexOfStep(job, /^Comment on the pull request$/);
    expect(comment).toBe(render + 1);
    expect(job.steps[render].if).toBe("always() && steps.preview.outputs.exit-code != ''");
    expect(job.steps[comment].if).toBe(job.steps[render].if);
    expect(job.steps[comment].env?.REPORT).toBe("${{ runner.temp }}/report.md");
    expect(stepNamed(job, /^Fail when the preview failed$/).if).toBe(
      "steps.preview.outputs.exit-code != '0'",
    );
  });
});
