import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, onTestFinished } from "vitest";
import { parse } from "yaml";
import type { DiagnosticEvent, EngineEvent, OpMap, PolicyEvent } from "@pulumi/pulumi/automation";
import { parseEventLog } from "../.github/scripts/report/events";
import { renderReport } from "../.github/scripts/report/render";
import { PulumiRun } from "../.github/scripts/report/summary";

// What the test/workflows.*.test.ts files share: the workflows read as data, a scratch directory,
// the workflows' steps and scripts run in bash with stand-ins for the commands they call, the real
// `pulumi preview` captures (test/fixtures/previews) and engine events built as the CLI writes them.

/** The repository's root. */
export const ROOT = path.join(__dirname, "..");
/** The real `pulumi preview` captures. */
export const CAPTURES = path.join(__dirname, "fixtures", "previews");

/** A workflow step, as the tests read it. */
export interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, string | boolean>;
}

/** A workflow job. */
export interface Job {
  readonly if?: string;
  readonly "runs-on": string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly steps: Step[];
}

/** A workflow. */
export interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly concurrency: { readonly group: string; readonly "cancel-in-progress": boolean };
  readonly env: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

/** Every file that can name an action: the workflows and the composite setup action. */
export const ACTION_FILES = [
  ".github/workflows/preview.yml",
  ".github/workflows/up.yml",
  ".github/actions/setup/action.yml",
];

function readYaml<T>(file: string): T {
  return parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as T;
}

export const preview = readYaml<Workflow>(".github/workflows/preview.yml");
export const up = readYaml<Workflow>(".github/workflows/up.yml");
export const setupAction = readYaml<{ runs: { using: string; steps: Step[] } }>(
  ".github/actions/setup/action.yml",
);

/** The jobs that talk to the backend: the PR preview, the deploy and the drift check. */
export const PULUMI_JOBS: [string, Job][] = [
  ["preview.yml preview", preview.jobs.preview],
  ["up.yml up", up.jobs.up],
  ["up.yml drift", up.jobs.drift],
];

/** The step whose name (or, unnamed, whose action) matches. */
export function stepNamed(job: { steps: Step[] }, name: RegExp): Step {
  const step = job.steps.find((s) => name.test(s.name ?? s.uses ?? ""));
  if (!step) {
    throw new Error(`no step matching ${name}`);
  }
  return step;
}

/** Where that step stands in its job. */
export function indexOfStep(job: Job, name: RegExp): number {
  return job.steps.indexOf(stepNamed(job, name));
}

/** A temporary directory, removed when the test ends. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pod-to-pod-${prefix}-`));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One call of a stand-in command: its name and arguments. */
export type Call = string[];

/** What a step or script did, run in bash. */
export interface Ran {
  readonly status: number | null;
  /** stdout then stderr. */
  readonly output: string;
  /** The stand-ins' calls, in order. */
  readonly calls: Call[];
  /** The scratch directory: RUNNER_TEMP, and where GITHUB_OUTPUT, _ENV, _PATH and the summary are. */
  readonly dir: string;
  /** A file of the scratch directory, "" when absent. */
  readonly file: (name: string) => string;
}

/**
 * Runs a bash script in `cwd` with the runner's files in a scratch directory (the environment
 * holds nothing else of this one) and stand-ins first on PATH: each `stubs` entry is a command
 * whose calls are recorded, then its bash body runs (with the arguments as "$@"). As a runner
 * runs a step: `bash -e` for a step with no shell, `bash --noprofile --norc -eo pipefail` for
 * `shell: bash` (`pipefail`).
 */
export function runBash(
  script: string,
  options: {
    env?: Record<string, string>;
    stubs?: Record<string, string>;
    cwd?: string;
    /** Files to put in the scratch directory first (names relative to it). */
    files?: Record<string, string>;
    /** Run as `shell: bash` does, with pipefail. */
    pipefail?: boolean;
  } = {},
): Ran {
  const dir = scratchDir("step");
  const bin = path.join(dir, "bin");
  const calls = path.join(dir, "calls");
  fs.mkdirSync(bin);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  for (const [name, body] of Object.entries(options.stubs ?? {})) {
    // One line a call: the name and arguments, separated by the ASCII unit separator.
    const record = `(IFS=$'\\x1f'; printf '%s\\n' "${name}$IFS$*") >>"${calls}"`;
    fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${record}\n${body}\n`, {
      mode: 0o755,
    });
  }
  const flags = options.pipefail ? ["--noprofile", "--norc", "-eo", "pipefail"] : ["-e"];
  const result = spawnSync("bash", [...flags, "-c", script], {
    cwd: options.cwd ?? dir,
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: process.env.HOME ?? dir,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: path.join(dir, "output"),
      GITHUB_ENV: path.join(dir, "env"),
      GITHUB_PATH: path.join(dir, "path"),
      GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"),
      ...options.env,
    },
  });
  const file = (name: string) =>
    fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), "utf8") : "";
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    calls: file("calls")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\x1f")),
    dir,
    file,
  };
}

/** Runs a step's `run` as the runner would, with the shell it names. */
export function runStep(
  step: Step,
  options: Omit<Parameters<typeof runBash>[1] & object, "pipefail"> = {},
): Ran {
  if (step.run === undefined) {
    throw new Error(`step ${step.name ?? step.uses} has no run`);
  }
  return runBash(step.run, { ...options, pipefail: step.shell === "bash" });
}

/** Runs one of .github/scripts' bash scripts, in the scratch directory with `files` in it. */
export function runScript(
  script: string,
  env: Record<string, string>,
  files: Record<string, string> = {},
  stubs: Record<string, string> = {},
): Ran {
  const scriptPath = path.join(ROOT, ".github/scripts", script);
  return runBash(`exec bash "${scriptPath}"`, { env, stubs, files });
}

/** A capture in test/fixtures/previews, as preview.yml's steps leave it for the report. */
export function capture(name: string, expectNoChanges = false): PulumiRun {
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

/** The report preview.yml renders for a run. */
export function previewReport(pulumi: PulumiRun, secrets?: readonly string[]): string {
  return renderReport({
    title: "`pulumi preview` of dev with policy pack `policy`",
    pulumi,
    runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
    commit: "abcdef0123456789",
    secrets,
  });
}

let sequence = 0;

/** An engine event as the CLI writes it: a sequence number, a time and one payload. */
function event(payload: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
  sequence += 1;
  return { sequence, timestamp: 1795315202, ...payload };
}

/** A diagnostic event. */
export function diagnostic(message: string, severity: string): EngineEvent {
  return event({
    diagnosticEvent: {
      message,
      color: "never",
      severity: severity as DiagnosticEvent["severity"],
    },
  });
}

/** A policy finding at `level` (the CLI writes "advisory", which the Automation API's type lacks). */
export function policyFinding(
  level: string,
  policyName: string,
  message: string,
  resourceUrn?: string,
): EngineEvent {
  return event({
    policyEvent: {
      resourceUrn,
      message,
      color: "never",
      policyName,
      policyPackName: "pod-to-pod",
      policyPackVersion: "0.1.0",
      policyPackVersionTag: "0.1.0",
      enforcementLevel: level as PolicyEvent["enforcementLevel"],
    },
  });
}

/** The summary event that closes a run. */
export function summary(resourceChanges: OpMap): EngineEvent {
  return event({
    summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, policyPacks: {} },
  });
}

// The PR comment is posted by an actions/github-script step: postComment runs that very script,
// read from preview.yml, with GitHub's API and context stood in for.

/** A pull request comment, as GitHub lists it. */
export interface Comment {
  readonly id: number;
  readonly body: string;
  readonly user: { readonly type: string };
}

/** A call the comment step made to GitHub's API. */
export interface ApiCall {
  readonly method: "create" | "update";
  readonly params: { body: string; issue_number?: number; comment_id?: number };
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<void>;

function commentScript(): string {
  const step = preview.jobs.preview.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  const script = step?.with?.script;
  if (typeof script !== "string") {
    throw new Error("preview.yml has no github-script step with a script");
  }
  return script;
}

/** Runs the comment step on a rendered report; returns the API calls it made. */
export async function postComment(report: string, existing: Comment[] = []): Promise<ApiCall[]> {
  const dir = scratchDir("comment");
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
  }
  return calls;
}
