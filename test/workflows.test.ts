import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  EngineEvent,
  parseEventLog,
  PulumiRun,
  renderReport,
  summarizeRun,
} from "../.github/scripts/pulumiReport";
import { main as reportMain } from "../.github/scripts/report";

// The workflows, their scripts and the report they post, without GitHub, a backend or a network:
// the workflow files are read as data, the scripts run in a temporary directory, the report is
// rendered from real `pulumi preview` captures (test/fixtures/previews) and the PR comment step
// runs with GitHub's API stood in for. actionlint runs in test/real/actionlint.test.ts.

const ROOT = path.join(__dirname, "..");
const CAPTURES = path.join(__dirname, "fixtures", "previews");

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string>;
}

interface Job {
  readonly if?: string;
  readonly "runs-on": string;
  readonly permissions?: Record<string, string>;
  readonly steps: Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly concurrency: { readonly group: string; readonly "cancel-in-progress": boolean };
  readonly env: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function readYaml<T>(file: string): T {
  return parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as T;
}

const preview = readYaml<Workflow>(".github/workflows/preview.yml");
const up = readYaml<Workflow>(".github/workflows/up.yml");
const setupAction = readYaml<{ runs: { using: string; steps: (Step & { shell?: string })[] } }>(
  ".github/actions/setup/action.yml",
);

function stepNamed(job: Job, name: RegExp): Step {
  const step = job.steps.find((s) => name.test(s.name ?? s.uses ?? ""));
  if (!step) {
    throw new Error(`no step matching ${name}`);
  }
  return step;
}

function indexOfStep(job: Job, name: RegExp): number {
  return job.steps.indexOf(stepNamed(job, name));
}

/** The jobs that talk to the backend: the PR preview, the deploy and the drift check. */
const PULUMI_JOBS: [string, Job][] = [
  ["preview.yml preview", preview.jobs.preview],
  ["up.yml up", up.jobs.up],
  ["up.yml drift", up.jobs.drift],
];

describe("the workflows", () => {
  it("get Node from package.json's engines and the CLI from the npm launcher, without Go", () => {
    const node = setupAction.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(node?.with?.["node-version-file"]).toBe("package.json");
    expect(node?.with).not.toHaveProperty("node-version");
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.engines.node).toMatch(/\d/);
    const install = setupAction.runs.steps.map((s) => s.run ?? "").join("\n");
    expect(install).toContain("npm ci --ignore-scripts\n");
    expect(install).toContain("npm ci --ignore-scripts --prefix policy");
    expect(install).toContain("bash .github/scripts/install-pulumi.sh");
    expect(fs.readFileSync(path.join(ROOT, ".github/scripts/install-pulumi.sh"), "utf8")).toMatch(
      /npx --no-install pulumi version/,
    );
    for (const [name, job] of PULUMI_JOBS) {
      expect(job.steps.map((s) => s.uses).filter(Boolean), name).toEqual([
        "actions/checkout@v6",
        "./.github/actions/setup",
        ...(name.startsWith("preview.yml") ? ["actions/github-script@v8"] : []),
      ]);
    }
    const everything = [
      ".github/workflows/preview.yml",
      ".github/workflows/up.yml",
      ".github/actions/setup/action.yml",
      ...fs.readdirSync(path.join(ROOT, ".github/scripts")).map((f) => `.github/scripts/${f}`),
    ]
      .map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"))
      .join("\n");
    expect(everything).not.toMatch(/setup-go|toolchain\.sh|pulumi-env\.sh|go build|go install/);
  });

  it("share one composite setup action that actionlint cannot check: every run step has its shell", () => {
    expect(setupAction.runs.using).toBe("composite");
    const runs = setupAction.runs.steps.filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const step of runs) {
      expect(step.shell, step.name).toBe("bash");
    }
  });

  it("check the backend before anything else, and never set a passphrase of their own", () => {
    for (const [name, job] of PULUMI_JOBS) {
      const check = indexOfStep(job, /^Require a Pulumi backend$/);
      expect(check, name).toBe(1);
      expect(job.steps[check].run).toBe("bash .github/scripts/require-backend.sh");
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

  it("preview same-repository pull requests only, one run per pull request", () => {
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(preview.jobs.preview.if).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
    const fork = preview.jobs.fork;
    expect(fork.if).toBe("github.event.pull_request.head.repo.full_name != github.repository");
    expect(fork.permissions).toEqual({});
    expect(fork.steps.map((s) => s.run ?? "").join("\n")).not.toContain("pulumi");
    expect(preview.concurrency).toEqual({
      group: "preview-dev-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("preview with the diff and the policy pack, against the stack as it is", () => {
    const run = stepNamed(preview.jobs.preview, /^Preview with the policy pack$/).run ?? "";
    expect(run).toContain(
      'pulumi preview --stack "$STACK" --diff --policy-pack policy --non-interactive',
    );
    expect(run).toContain('--event-log "$RUNNER_TEMP/preview-events.jsonl"');
    const commands = preview.jobs.preview.steps.map((s) => s.run ?? "").join("\n");
    expect(commands).not.toMatch(/^\s*pulumi stack (select|init)/m);
    expect(preview.env.STACK).toBe("dev");
  });

  it("deploy main with the policy pack, then verify, one operation on the stack at a time", () => {
    expect(up.on).toHaveProperty("push", { branches: ["main"] });
    expect(up.concurrency).toEqual({ group: "pulumi-stack-dev", "cancel-in-progress": false });
    const job = up.jobs.up;
    expect(job.if).toBe("github.event_name == 'push'");
    const deploy = indexOfStep(job, /^Deploy with the policy pack$/);
    expect(job.steps[deploy].run).toContain(
      'pulumi up --stack "$STACK" --yes --diff --policy-pack policy --non-interactive',
    );
    const verify = indexOfStep(job, /^Re-run the network checks/);
    expect(verify).toBeGreaterThan(deploy);
    expect(job.steps[verify].if).toBe("steps.up.outputs.exit-code == '0'");
    expect(job.steps[verify].run).toContain("npm run --silent verify");
    expect(job.steps[verify].env?.PULUMI_STACK).toBe("${{ env.STACK }}");
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
    const verify = stepNamed(job, /^Re-run the network checks/);
    expect(verify.if).toBeUndefined();
    expect(verify.run).toContain("npm run --silent verify");
    const drift = stepNamed(job, /^Preview with a refresh/);
    expect(drift.run).toContain(
      'pulumi preview --stack "$STACK" --refresh --expect-no-changes --diff --policy-pack policy',
    );
    const report = stepNamed(job, /^Report to the job summary$/);
    expect(report.run).toContain("--expect-no-changes");
    expect(report.run).toContain('>>"$GITHUB_STEP_SUMMARY"');
    expect(stepNamed(job, /^Fail on drift/).if).toBe(
      "steps.preview.outputs.exit-code != '0' || steps.verify.outputs.exit-code != '0'",
    );
  });
});

const scratch: string[] = [];
afterEach(() => {
  scratch.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

/** Runs one of .github/scripts' bash scripts in a temporary directory, removed after the test. */
function runScript(
  script: string,
  env: Record<string, string>,
  files: Record<string, string> = {},
): { status: number | null; stdout: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-workflow-"));
  scratch.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  const result = spawnSync("bash", [path.join(ROOT, ".github/scripts", script)], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return { status: result.status, stdout: `${result.stdout}${result.stderr}`, dir };
}

describe("require-backend.sh", () => {
  const check = (env: Record<string, string>, stackFile?: string) => {
    const result = runScript(
      "require-backend.sh",
      {
        STACK: "dev",
        RUNNER_ENVIRONMENT: "github-hosted",
        GITHUB_STEP_SUMMARY: "summary.md",
        ...env,
      },
      stackFile === undefined ? {} : { "Pulumi.dev.yaml": stackFile },
    );
    const summaryFile = path.join(result.dir, "summary.md");
    const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, "utf8") : "";
    return { ...result, summary };
  };
  const DEV = "config:\n  pod-to-pod:namespace: pod-to-pod\n";

  it("fails without a backend, naming the variable and the secret to set", () => {
    const { status, stdout, summary } = check({}, DEV);
    expect(status).toBe(1);
    expect(stdout).toContain("::error title=Pulumi backend for stack dev::No Pulumi backend");
    expect(stdout).toContain("repository variable PULUMI_BACKEND_URL");
    expect(stdout).toContain("repository secret PULUMI_ACCESS_TOKEN");
    expect(summary).toContain("### ❌ No usable Pulumi backend for stack `dev`");
    expect(summary).toContain("- No Pulumi backend");
  });

  it("accepts object storage with the passphrase, and asks for the passphrase without it", () => {
    const ok = check({ PULUMI_BACKEND_URL: "s3://state", PULUMI_CONFIG_PASSPHRASE: "x" }, DEV);
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toContain("Stack dev on s3://state; secrets: the passphrase.");
    expect(ok.summary).toBe("");
    const missing = check({ PULUMI_BACKEND_URL: "s3://state" }, DEV);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("repository secret PULUMI_CONFIG_PASSPHRASE");
    expect(missing.stdout).toContain("CI does not make one up");
  });

  it("needs no passphrase for a stack whose file names a KMS secrets provider", () => {
    const { status, stdout } = check(
      { PULUMI_BACKEND_URL: "gs://state" },
      `secretsprovider: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k\n${DEV}`,
    );
    expect(status, stdout).toBe(0);
    expect(stdout).toContain("secrets: gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k.");
  });

  it("wants an access token for Pulumi Cloud, and a passphrase only for a passphrase stack", () => {
    const noToken = check({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, DEV);
    expect(noToken.status).toBe(1);
    expect(noToken.stdout).toContain("set the repository secret PULUMI_ACCESS_TOKEN");
    const cloud = check({ PULUMI_ACCESS_TOKEN: "pul-x" }, DEV);
    expect(cloud.status, cloud.stdout).toBe(0);
    expect(cloud.stdout).toContain("Stack dev on Pulumi Cloud; secrets: the backend's own.");
    const salted = check({ PULUMI_ACCESS_TOKEN: "pul-x" }, `encryptionsalt: v1:abc\n${DEV}`);
    expect(salted.status).toBe(1);
    expect(salted.stdout).toContain("PULUMI_CONFIG_PASSPHRASE");
  });

  it("refuses a file:// backend on a GitHub-hosted runner, which is deleted with its state", () => {
    const env = { PULUMI_BACKEND_URL: "file:///var/lib/state", PULUMI_CONFIG_PASSPHRASE: "x" };
    const hosted = check(env, DEV);
    expect(hosted.status).toBe(1);
    expect(hosted.stdout).toContain("a GitHub-hosted runner is deleted after the job");
    const selfHosted = check({ ...env, RUNNER_ENVIRONMENT: "self-hosted" }, DEV);
    expect(selfHosted.status, selfHosted.stdout).toBe(0);
  });

  it("reports every problem at once, and refuses a value that is not a URL", () => {
    const { status, stdout } = check({ PULUMI_BACKEND_URL: "/var/lib/state" }, DEV);
    expect(status).toBe(1);
    expect(stdout).toContain("which is not a backend URL");
    const both = check({ PULUMI_BACKEND_URL: "azblob://state" }, "");
    expect(both.status).toBe(1);
    expect(both.stdout.match(/::error /g)).toHaveLength(1);
    const two = check({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "encryptionsalt: v1:a\n");
    expect(two.stdout.match(/::error /g)).toHaveLength(2);
  });
});

describe("write-kubeconfig.sh", () => {
  it("writes secrets.KUBECONFIG to a private file and points KUBECONFIG at it", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-kubeconfig-"));
    try {
      const env = { RUNNER_TEMP: tmp, GITHUB_ENV: path.join(tmp, "env") };
      const { status } = runScript("write-kubeconfig.sh", {
        ...env,
        KUBECONFIG_CONTENT: "apiVersion: v1\nkind: Config",
      });
      expect(status).toBe(0);
      const file = path.join(tmp, "kubeconfig");
      expect(fs.readFileSync(file, "utf8")).toBe("apiVersion: v1\nkind: Config\n");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(env.GITHUB_ENV, "utf8")).toBe(`KUBECONFIG=${file}\n`);

      fs.rmSync(file);
      fs.rmSync(env.GITHUB_ENV);
      const none = runScript("write-kubeconfig.sh", { ...env, KUBECONFIG_CONTENT: "" });
      expect(none.status).toBe(0);
      expect(none.stdout).toContain("No secrets.KUBECONFIG");
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(env.GITHUB_ENV)).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

// The PR comment is posted by an actions/github-script step. These tests run that very script,
// read from preview.yml, with GitHub's API, context and core stood in for.

interface Comment {
  readonly id: number;
  readonly body: string;
  readonly user: { readonly type: string };
}

interface ApiCall {
  readonly method: "create" | "update";
  readonly params: { body: string; issue_number?: number; comment_id?: number };
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<void>;

function commentScript(): string {
  const step = preview.jobs.preview.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  if (!step?.with?.script) {
    throw new Error("preview.yml has no github-script step with a script");
  }
  return step.with.script;
}

/** Runs the comment step on a rendered report; returns the API calls it made. */
async function postComment(report: string, existing: Comment[] = []): Promise<ApiCall[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-comment-"));
  const saved = process.env.REPORT;
  process.env.REPORT = path.join(dir, "report.md");
  fs.writeFileSync(process.env.REPORT, report);
  const calls: ApiCall[] = [];
  const listComments = () => {
    throw new Error("listComments is only called through paginate");
  };
  const github = {
    paginate: async (method: unknown, params: { issue_number: number; per_page: number }) => {
      expect(method).toBe(listComments);
      expect(params).toMatchObject({ owner: "lab", repo: "pod-to-pod", issue_number: 7 });
      return existing;
    },
    rest: {
      issues: {
        listComments,
        createComment: async (params: ApiCall["params"]) =>
          calls.push({ method: "create", params }),
        updateComment: async (params: ApiCall["params"]) =>
          calls.push({ method: "update", params }),
      },
    },
  };
  const context = {
    repo: { owner: "lab", repo: "pod-to-pod" },
    payload: { pull_request: { number: 7 } },
  };
  const requireFs = (id: string) => {
    if (id !== "fs") {
      throw new Error(`the script should need only fs, not ${id}`);
    }
    return fs;
  };
  try {
    await new AsyncFunction("require", "github", "context", commentScript())(
      requireFs,
      github,
      context,
    );
  } finally {
    process.env.REPORT = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return calls;
}

describe("the PR comment step", () => {
  it("creates the comment, marked, when the pull request has none", async () => {
    const calls = await postComment("### report\n");
    expect(calls).toEqual([
      {
        method: "create",
        params: {
          owner: "lab",
          repo: "pod-to-pod",
          issue_number: 7,
          body: "<!-- pod-to-pod-preview -->\n### report\n",
        },
      },
    ]);
  });

  it("edits its own earlier comment in place, never a person's", async () => {
    const calls = await postComment("### new\n", [
      { id: 1, body: "<!-- pod-to-pod-preview -->\nquoted by a person", user: { type: "User" } },
      { id: 2, body: "<!-- pod-to-pod-preview -->\nold preview", user: { type: "Bot" } },
      { id: 3, body: "another bot's comment", user: { type: "Bot" } },
    ]);
    expect(calls.map((c) => [c.method, c.params.comment_id, c.params.body])).toEqual([
      ["update", 2, "<!-- pod-to-pod-preview -->\n### new\n"],
    ]);
  });
});

const BUSYBOX_URN =
  "urn:pulumi:dev::pod-to-pod::pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::busybox-pod";
const ADVISORY: EngineEvent = {
  policyEvent: {
    resourceUrn: BUSYBOX_URN,
    message: "Exemptions | reported\nbusybox adds NET_RAW",
    policyName: "pod-security-exemptions",
    policyPackName: "pod-to-pod",
    enforcementLevel: "advisory",
  },
};
const CREATE_ALL: EngineEvent = { summaryEvent: { resourceChanges: { create: 7, same: 1 } } };

function run(overrides: Partial<PulumiRun>): PulumiRun {
  return { command: "preview", log: "", events: [], exitCode: 0, ...overrides };
}

function report(pulumi: PulumiRun, more: { verify?: { output: string; exitCode?: number } } = {}) {
  return renderReport({
    title: "t",
    pulumi,
    runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
    commit: "abcdef0123456789",
    ...more,
  });
}

describe("the report", () => {
  it("keeps the summary and the end of a long output within GitHub's comment limit", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const body = report(
      run({
        log: `${lines.join("\n")}\nResources:\n    + 7 to create\n`,
        events: [ADVISORY, CREATE_ALL],
      }),
    );
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain("- Policies: 0 mandatory, 1 advisory");
    expect(body).toContain("| advisory | pod-security-exemptions |");
    expect(body).toContain("The start of the output was cut to fit");
    expect(body).toContain("Full preview output (5002 lines)");
    expect(body).toContain("+ 7 to create\n```\n</details>");
    expect(body).not.toContain("line 0 x");
    // Cut at a line start, not mid-line.
    expect(body).toMatch(/```diff\nline \d+ x{40}\n/);
  });

  it("escapes what would break the table or the fence, and links the run and commit", () => {
    const body = report(run({ log: "a ``` fence\n", events: [ADVISORY, CREATE_ALL] }));
    expect(body).toContain(
      "| advisory | pod-security-exemptions | kubernetes:core/v1:Pod busybox-pod | Exemptions \\| reported<br>busybox adds NET_RAW |",
    );
    expect(body).toContain("a ʼʼʼ fence");
    expect(body).toContain(
      "<sub>[Workflow run](https://github.com/lab/pod-to-pod/actions/runs/42) · commit abcdef0</sub>",
    );
  });

  it("lists at most ten errors, each cut at 1000 characters, and skips the bare closing one", () => {
    const diagnostic = (message: string): EngineEvent => ({
      diagnosticEvent: { message: `${message}\n`, severity: "error" },
    });
    const events = [
      diagnostic("x".repeat(3000)),
      ...Array.from({ length: 11 }, (_, i) => diagnostic(`problem ${i}`)),
      diagnostic("preview failed"),
      { diagnosticEvent: { message: "only a warning\n", severity: "warning" } },
    ];
    const body = report(run({ exitCode: 1, events: [...events, CREATE_ALL] }));
    const errors = body.split("\n").filter((line) => line.startsWith("- Error: "));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toBe(`- Error: ${"x".repeat(1000)}…`);
    expect(errors[9]).toBe("- Error: problem 8");
    expect(body).toContain("- 2 more errors in the output\n");
    expect(body).not.toContain("preview failed");
    expect(body).not.toContain("only a warning");
  });

  it("says when the checks passed, failed, could not run or were not run", () => {
    const verification = "pod-to-pod network verification (8 passed, 1 failed)\n  FAIL  dns  ...\n";
    const up = run({ command: "up", events: [CREATE_ALL] });
    expect(report(up, { verify: { output: verification, exitCode: 1 } })).toContain(
      "✅ **Update succeeded**\n❌ **Network checks failed** (8 passed, 1 failed)\n",
    );
    expect(report(up, { verify: { output: verification, exitCode: 1 } })).toContain(
      "```text\npod-to-pod network verification (8 passed, 1 failed)\n  FAIL  dns  ...\n```",
    );
    expect(report(up, { verify: { output: "... 9 passed, 0 failed", exitCode: 0 } })).toContain(
      "✅ **Network checks passed**\n",
    );
    expect(report(up, { verify: { output: "verify: no outputs", exitCode: 2 } })).toContain(
      "❌ **Network checks could not run** (`npm run verify` exit code 2)",
    );
    expect(report(run({ command: "up", exitCode: 255 }), { verify: { output: "" } })).toContain(
      "❌ **Update failed** (exit code 255): see the output below\n⏭️ **Network checks not run**: the update failed",
    );
  });
});

describe("report.ts", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-report-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const args = (...more: string[]) => [
    ...["--title", "T", "--command", "up", "--log", path.join(dir, "up.txt")],
    ...["--events", path.join(dir, "missing.jsonl"), "--run-url", "u", "--commit", "c"],
    ...more,
  ];

  it("renders the files a workflow captured; a missing event log is an unfinished run", () => {
    fs.writeFileSync(path.join(dir, "up.txt"), "error: boom\n");
    const body = reportMain(
      args("--exit-code", "255", "--verify-log", path.join(dir, "none"), "--verify-exit-code", ""),
    );
    expect(body).toMatch(/^### T\n\n❌ \*\*Update failed\*\* \(exit code 255\)/);
    expect(body).toContain("⏭️ **Network checks not run**");
    expect(body).toContain("- Resources: no summary (the update did not finish)");
    expect(body).toContain("error: boom");
  });

  it("refuses arguments it cannot render", () => {
    expect(() => reportMain(args())).toThrow("--exit-code is required");
    expect(() => reportMain(args("--exit-code", "x"))).toThrow("--exit-code must be an exit code");
    expect(() => reportMain(args("--exit-code", "0", "--command", "destroy"))).toThrow(
      "--command must be preview or up",
    );
    expect(() => reportMain(args("--exit-code", "0", "--bogus"))).toThrow();
  });
});

/** A capture in test/fixtures/previews, as preview.yml's steps leave it for the report. */
function capture(name: string, expectNoChanges = false): PulumiRun {
  const dir = path.join(CAPTURES, name);
  const events = path.join(dir, "events.jsonl");
  return {
    command: "preview",
    expectNoChanges,
    log: fs.readFileSync(path.join(dir, "output.txt"), "utf8"),
    events: fs.existsSync(events) ? parseEventLog(fs.readFileSync(events, "utf8")) : [],
    exitCode: Number(fs.readFileSync(path.join(dir, "exit-code"), "utf8")),
  };
}

function previewReport(pulumi: PulumiRun): string {
  return renderReport({
    title: "`pulumi preview` of dev with policy pack `policy`",
    pulumi,
    runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
    commit: "abcdef0123456789",
  });
}

const EXEMPTION_ROW =
  "| advisory | pod-security-exemptions | kubernetes:core/v1:Pod busybox-pod | Pod busybox-client, container busybox may add NET_RAW (pss-capabilities) and run as root";

describe("the report of a real preview", () => {
  it("clean: succeeded, 12 to create, the busybox exemption as the one advisory finding", () => {
    const run = capture("clean");
    expect(summarizeRun(run)).toMatchObject({
      status: "succeeded",
      changes: { create: 12 },
      mandatory: 0,
      advisory: 1,
      errors: [],
    });
    const body = previewReport(run);
    expect(body.split("\n").slice(0, 9)).toEqual([
      "### `pulumi preview` of dev with policy pack `policy`",
      "",
      "✅ **Preview succeeded**",
      "",
      "- Resources: +12 to create",
      "- Policies: 0 mandatory, 1 advisory",
      "",
      "| Level | Policy | Resource | Message |",
      "| --- | --- | --- | --- |",
    ]);
    const row = body.split("\n")[9];
    expect(row.startsWith(EXEMPTION_ROW)).toBe(true);
    // The message's closing newline is trimmed, not turned into a trailing <br>.
    expect(row.endsWith("(Kubernetes grants a non-root process no ambient capabilities). |")).toBe(
      true,
    );
    expect(body).not.toContain("- Error:");
    expect(body).toContain("<summary>Full preview output (286 lines)</summary>");
    expect(body).toContain(
      "+ pulumi:pulumi:Stack: (create)\n    [urn=urn:pulumi:preview-ci-capture::pod-to-pod::pulumi:pulumi:Stack",
    );
    expect(body).toMatch(/ {4}pod-to-pod\|local\|policy {2}0\.1\.0\n```\n<\/details>\n/);
  });

  it("policy violation: blocked, the mandatory finding first, then the advisory", () => {
    const run = capture("policy-violation");
    expect(run.exitCode).toBe(1);
    const summary = summarizeRun(run);
    expect(summary).toMatchObject({ status: "blocked", mandatory: 1, advisory: 1, errors: [] });
    expect(summary.findings.map((f) => [f.enforcementLevel, f.policyName])).toEqual([
      ["mandatory", "image-pinned"],
      ["advisory", "pod-security-exemptions"],
    ]);
    const body = previewReport(run);
    expect(body).toContain(
      "❌ **Preview blocked by 1 mandatory policy violation**\n\n- Resources: +12 to create\n- Policies: 1 mandatory, 1 advisory\n\n",
    );
    const mandatory = body.indexOf(
      '| mandatory | image-pinned | kubernetes:core/v1:Pod nginx-pod | Container images are pinned: a tag other than latest, or a sha256 digest.<br>Pod nginx-server, container nginx: image "nginx:latest" uses the tag latest, which moves with every release; accepted: a fixed tag (nginx:&lt;version&gt;) or a digest (nginx@sha256:&lt;64 hex digits&gt;). |',
    );
    expect(mandatory).toBeGreaterThan(0);
    expect(mandatory).toBeLessThan(body.indexOf(EXEMPTION_ROW));
    // The closing "error: preview failed" says nothing the outcome does not.
    expect(body).not.toContain("- Error:");
  });

  it("failed: the configuration error up front, no findings", () => {
    const run = capture("failed");
    expect(run.exitCode).toBe(1);
    expect(summarizeRun(run)).toMatchObject({ status: "failed", mandatory: 0, advisory: 0 });
    const body = previewReport(run);
    const error =
      '- Error: Invalid configuration (1 problem):<br>  - pod-to-pod:placement = "everywhere" is not valid: expected one of any, same-node, different-nodes';
    expect(body).toContain(
      `❌ **Preview failed** (exit code 1): the errors are below\n\n- Resources: +1 to create\n- Policies: 0 mandatory, 0 advisory\n${error}\n\n<details>`,
    );
    // Once, though both the event log and the output carry it.
    expect(body.split("- Error:")).toHaveLength(2);
    expect(body).not.toContain("| Level |");
  });

  it("drift: --expect-no-changes turns proposed changes into drift", () => {
    const body = previewReport(capture("drift", true));
    expect(body).toContain(
      "❌ **Drift**: the refreshed stack differs from the program (+12 to create)\n\n- Resources: +12 to create\n- Policies: 0 mandatory, 1 advisory\n- Error: no changes were expected for preview but changes were proposed\n",
    );
    expect(summarizeRun(capture("drift", false)).status).toBe("failed");
    expect(summarizeRun(capture("clean", true)).status).toBe("succeeded");
    expect(previewReport(capture("clean", true))).toContain(
      "✅ **No drift**: the refreshed stack matches the program",
    );
  });

  it("no stack: the CLI's error, from the output alone, as the engine never started", () => {
    const run = capture("no-stack");
    expect(run.events).toEqual([]);
    const body = previewReport(run);
    expect(body).toContain(
      "❌ **Preview failed** (exit code 6): the errors are below\n\n- Resources: no summary (the preview did not finish)\n- Policies: no results\n- Error: no stack named 'never-deployed' found\n",
    );
  });

  it("is what report.ts prints from the captured files, and what the comment step posts", async () => {
    for (const name of ["clean", "policy-violation", "failed", "drift", "no-stack"]) {
      const dir = path.join(CAPTURES, name);
      const expectNoChanges = name === "drift";
      const printed = reportMain([
        ...["--title", "`pulumi preview` of dev with policy pack `policy`", "--command", "preview"],
        ...(expectNoChanges ? ["--expect-no-changes"] : []),
        ...["--log", path.join(dir, "output.txt"), "--events", path.join(dir, "events.jsonl")],
        ...["--exit-code", fs.readFileSync(path.join(dir, "exit-code"), "utf8").trim()],
        ...["--run-url", "https://github.com/lab/pod-to-pod/actions/runs/42"],
        ...["--commit", "abcdef0123456789"],
      ]);
      expect(printed, name).toBe(previewReport(capture(name, expectNoChanges)));
      const [call] = await postComment(printed);
      expect(call.params.body.length).toBeLessThan(65_536);
      expect(call.params.body.startsWith(`<!-- pod-to-pod-preview -->\n${printed}`)).toBe(true);
    }
  });

  it("is what the workflows' report steps write, run as they are in bash", () => {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-steps-"));
    scratch.push(temp);
    const stepRun = (job: Job, name: RegExp, env: Record<string, string>) => {
      const summary = path.join(temp, "summary.md");
      fs.writeFileSync(summary, "");
      const result = spawnSync("bash", ["-eo", "pipefail", "-c", stepNamed(job, name).run ?? ""], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          RUNNER_TEMP: temp,
          GITHUB_STEP_SUMMARY: summary,
          GITHUB_SERVER_URL: "https://github.com",
          GITHUB_REPOSITORY: "lab/pod-to-pod",
          GITHUB_RUN_ID: "42",
          GITHUB_SHA: "abcdef0123456789",
          STACK: "dev",
          ...env,
        },
      });
      expect(result.status, result.stderr).toBe(0);
      return fs.readFileSync(summary, "utf8");
    };
    const copy = (name: string, to: string) => {
      fs.copyFileSync(path.join(CAPTURES, name, "output.txt"), path.join(temp, `${to}.txt`));
      fs.copyFileSync(
        path.join(CAPTURES, name, "events.jsonl"),
        path.join(temp, `${to}-events.jsonl`),
      );
    };

    copy("policy-violation", "preview");
    const pr = stepRun(preview.jobs.preview, /^Render the report$/, {
      EXIT_CODE: "1",
      COMMIT: "abcdef0123456789",
    });
    expect(pr).toBe(`${previewReport(capture("policy-violation"))}\n`);
    expect(fs.readFileSync(path.join(temp, "report.md"), "utf8")).toBe(pr);

    copy("drift", "preview");
    fs.writeFileSync(
      path.join(temp, "verify.txt"),
      "pod-to-pod network verification (9 passed, 0 failed)\n",
    );
    const drift = stepRun(up.jobs.drift, /^Report to the job summary$/, {
      PREVIEW_EXIT_CODE: "7",
      VERIFY_EXIT_CODE: "0",
    });
    expect(drift).toMatch(
      /^### Drift check of dev: `npm run verify`, then `pulumi preview --refresh --expect-no-changes`\n\n❌ \*\*Drift\*\*: the refreshed stack differs from the program \(\+12 to create\)\n✅ \*\*Network checks passed\*\* \(9 passed, 0 failed\)\n/,
    );
  });

  it("puts a broken network next to the drift in the scheduled job's report", () => {
    const body = renderReport({
      title: "Drift check of dev",
      pulumi: capture("drift", true),
      verify: {
        output:
          "pod-to-pod network verification (7 passed, 2 failed)\n  FAIL  service-dns  ...\n\nBroken layer: dns\n",
        exitCode: 1,
      },
      runUrl: "u",
      commit: "c",
    });
    expect(body).toMatch(
      /^### Drift check of dev\n\n❌ \*\*Drift\*\*: .*\n❌ \*\*Network checks failed\*\* \(7 passed, 2 failed\)\n\n/,
    );
    expect(body).toContain(
      "`npm run verify`:\n\n```text\npod-to-pod network verification (7 passed, 2 failed)\n",
    );
    expect(body.indexOf("Broken layer: dns")).toBeLessThan(body.indexOf("<details>"));
  });
});
