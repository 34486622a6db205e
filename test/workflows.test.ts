import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");

// The PR comment is rendered by an actions/github-script step. These tests run that very script,
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
  const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows/preview.yml"), "utf8"));
  const steps: { uses?: string; with?: { script?: string } }[] = workflow.jobs.preview.steps;
  const step = steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  if (!step?.with?.script) {
    throw new Error("preview.yml has no github-script step with a script");
  }
  return step.with.script;
}

const URN = "urn:pulumi:dev::pod-to-pod::pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod";
const EXEMPTION = {
  policyEvent: {
    resourceUrn: `${URN}::busybox-pod`,
    message:
      "Containers drop ALL capabilities...\nPod busybox-client, container busybox adds capability NET_RAW: an exemption from drop ALL",
    policyName: "container-capabilities",
    policyPackName: "pod-to-pod",
    policyPackVersion: "0.1.0",
    enforcementLevel: "advisory",
  },
};
const LATEST = {
  policyEvent: {
    resourceUrn:
      "urn:pulumi:dev::pod-to-pod::pod-to-pod:lab:NginxServer$kubernetes:core/v1:Pod::nginx-pod",
    message: 'Container images are pinned | tags\nimage "nginx:latest" uses the tag latest',
    policyName: "image-pinned",
    policyPackName: "pod-to-pod",
    policyPackVersion: "0.1.0",
    enforcementLevel: "mandatory",
  },
};
const SUMMARY = { summaryEvent: { resourceChanges: { create: 7, same: 1 } } };

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

/** Runs the comment script on a preview's output and event log; returns the API calls it made. */
async function renderComment(options: {
  log: string;
  events: object[];
  exitCode: number;
  existing?: Comment[];
}): Promise<{ calls: ApiCall[]; stepSummary: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-comment-"));
  fs.writeFileSync(path.join(dir, "preview.txt"), options.log);
  fs.writeFileSync(
    path.join(dir, "events.jsonl"),
    options.events.map((e) => JSON.stringify(e)).join("\n") + "\n",
  );
  process.env.PREVIEW_LOG = path.join(dir, "preview.txt");
  process.env.PREVIEW_EVENTS = path.join(dir, "events.jsonl");
  process.env.PREVIEW_EXIT_CODE = String(options.exitCode);
  process.env.STACK = "dev";

  const calls: ApiCall[] = [];
  let stepSummary = "";
  const listComments = () => {
    throw new Error("listComments is only called through paginate");
  };
  const github = {
    paginate: async (method: unknown, params: { issue_number: number }) => {
      expect(method).toBe(listComments);
      expect(params.issue_number).toBe(7);
      return options.existing ?? [];
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
    serverUrl: "https://github.com",
    repo: { owner: "lab", repo: "pod-to-pod" },
    runId: 42,
    sha: "f".repeat(40),
    payload: { pull_request: { number: 7, head: { sha: "abcdef0123456789" } } },
  };
  const core = {
    summary: {
      addRaw(text: string) {
        stepSummary = text;
        return this;
      },
      write: async () => undefined,
    },
  };
  const requireFs = (id: string) => {
    if (id !== "fs") {
      throw new Error(`the script should need only fs, not ${id}`);
    }
    return fs;
  };
  try {
    await new AsyncFunction("require", "github", "context", "core", commentScript())(
      requireFs,
      github,
      context,
      core,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { calls, stepSummary };
}

describe("the preview comment", () => {
  it("leads with the outcome and totals, lists the exemption, and collapses the output", async () => {
    const log = "Previewing update (dev):\n+ kubernetes:core/v1:Pod busybox-pod create\n";
    const { calls, stepSummary } = await renderComment({
      log,
      events: [EXEMPTION, SUMMARY],
      exitCode: 0,
    });
    expect(calls.map((c) => c.method)).toEqual(["create"]);
    const { body, issue_number } = calls[0].params;
    expect(issue_number).toBe(7);
    expect(stepSummary).toBe(body);
    const lines = body.split("\n");
    expect(lines.slice(0, 7)).toEqual([
      "<!-- pod-to-pod-preview -->",
      "### `pulumi preview` of dev with policy pack `policy`",
      "",
      "✅ **Preview succeeded**",
      "",
      "- Resources: +7 to create, 1 unchanged",
      "- Policies: 0 mandatory, 1 advisory",
    ]);
    expect(body).toContain(
      "| advisory | container-capabilities | kubernetes:core/v1:Pod busybox-pod | Containers drop ALL capabilities...<br>Pod busybox-client, container busybox adds capability NET_RAW: an exemption from drop ALL |",
    );
    const details = body.indexOf("<details>");
    expect(details).toBeGreaterThan(body.indexOf("| advisory |"));
    expect(body.slice(details)).toContain("Full preview output (2 lines)");
    expect(body.slice(details)).toContain("+ kubernetes:core/v1:Pod busybox-pod create");
    expect(body).toContain("commit abcdef0");
  });

  it("says a mandatory violation blocked the preview, lists it first, and edits the earlier comment", async () => {
    const existing: Comment[] = [
      { id: 1, body: "<!-- pod-to-pod-preview -->\nwritten by a person", user: { type: "User" } },
      { id: 2, body: "<!-- pod-to-pod-preview -->\nold preview", user: { type: "Bot" } },
    ];
    const { calls } = await renderComment({
      log: "error: preview failed\n",
      events: [EXEMPTION, LATEST],
      exitCode: 255,
      existing,
    });
    expect(calls.map((c) => [c.method, c.params.comment_id])).toEqual([["update", 2]]);
    const { body } = calls[0].params;
    expect(body).toContain("❌ **Preview blocked by 1 mandatory policy violation**");
    expect(body).toContain("- Resources: no summary (the preview did not finish)");
    expect(body).toContain("- Policies: 1 mandatory, 1 advisory");
    const mandatoryRow = body.indexOf(
      "| mandatory | image-pinned | kubernetes:core/v1:Pod nginx-pod |",
    );
    expect(mandatoryRow).toBeGreaterThan(0);
    expect(mandatoryRow).toBeLessThan(body.indexOf("| advisory |"));
    // A pipe in a message would end the table cell; it is escaped.
    expect(body).toContain("Container images are pinned \\| tags");
  });

  it("keeps the summary and the end of a long output within GitHub's comment limit", async () => {
    const log = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`).join("\n");
    const { calls } = await renderComment({
      log: `${log}\nResources:\n    + 7 to create\n`,
      events: [EXEMPTION, SUMMARY],
      exitCode: 0,
    });
    const { body } = calls[0].params;
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("- Policies: 0 mandatory, 1 advisory");
    expect(body).toContain("The start of the output was cut to fit a comment");
    expect(body).toContain("+ 7 to create");
    expect(body).not.toContain("line 0 x");
  });

  it("reports a failed preview with no events rather than failing itself", async () => {
    const { calls } = await renderComment({ log: "", events: [], exitCode: 1 });
    expect(calls[0].params.body).toContain(
      "❌ **Preview failed** (exit code 1): see the output below",
    );
  });
});
