import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main as reportMain } from "../.github/scripts/report";
import { renderReport } from "../.github/scripts/report/render";
import { summarizeRun } from "../.github/scripts/report/summary";
import {
  capture,
  CAPTURES,
  Job,
  postComment,
  preview,
  previewReport,
  ROOT,
  runStep,
  stepNamed,
  up,
} from "./workflows.helpers";
import { healthy, mtuBlackHole } from "./checks/verdicts";

// The report of real `pulumi preview` captures (test/fixtures/previews): what it says of each,
// that report.ts prints the same from the captured files, and that the workflows' report steps,
// run in bash as a runner runs them, write it where the comment step and the summary read it.

/** What a runner sets for every step, and the workflow's env, as the report steps read them. */
const STEP_ENV = {
  GITHUB_SERVER_URL: "https://github.com",
  GITHUB_REPOSITORY: "lab/pod-to-pod",
  GITHUB_RUN_ID: "42",
  GITHUB_SHA: "abcdef0123456789",
  STACK: "dev",
  // A repository without these secrets gives the steps empty values.
  PULUMI_ACCESS_TOKEN: "",
  PULUMI_CONFIG_PASSPHRASE: "",
  KUBECONFIG_CONTENT: "",
};

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
    /** Runs a report step on a capture, copied where the step before it leaves its files. */
    const reportStep = (
      job: Job,
      name: RegExp,
      captured: string,
      as: string,
      env: Record<string, string>,
    ) =>
      runStep(stepNamed(job, name), {
        cwd: ROOT,
        env: { ...STEP_ENV, ...env },
        files: {
          [`${as}.txt`]: fs.readFileSync(path.join(CAPTURES, captured, "output.txt"), "utf8"),
          [`${as}-events.jsonl`]: fs.readFileSync(
            path.join(CAPTURES, captured, "events.jsonl"),
            "utf8",
          ),
          // verify's text says 99 passed; the verdict, which the report reads, says 14.
          "verify.txt": "pod-to-pod network verification (99 passed, 0 failed)\n",
          "verification.json": `${JSON.stringify(healthy)}\n`,
        },
      });

    const pr = reportStep(
      preview.jobs.preview,
      /^Render the report$/,
      "policy-violation",
      "preview",
      {
        EXIT_CODE: "1",
        COMMIT: "abcdef0123456789",
      },
    );
    expect(pr.status, pr.output).toBe(0);
    expect(pr.file("summary.md")).toBe(`${previewReport(capture("policy-violation"))}\n`);
    expect(pr.file("report.md")).toBe(pr.file("summary.md"));

    const drift = reportStep(up.jobs.drift, /^Report to the job summary$/, "drift", "preview", {
      PREVIEW_EXIT_CODE: "7",
      VERIFY_EXIT_CODE: "0",
    });
    expect(drift.status, drift.output).toBe(0);
    expect(drift.file("summary.md")).toMatch(
      /^### Drift check of dev: `npm run verify`, then `pulumi preview --refresh --expect-no-changes`\n\n❌ \*\*Drift\*\*: the refreshed stack differs from the program \(\+12 to create\)\n✅ \*\*Network checks passed\*\*: 14 passed, 0 failed, checked at 2026-12-04T12:30:05.123Z by runner 0.1.0\+3f2a9c1d, verdict schema 2\n/,
    );

    const deploy = reportStep(up.jobs.up, /^Report to the job summary$/, "clean", "up", {
      UP_EXIT_CODE: "0",
      VERIFY_EXIT_CODE: "0",
    });
    expect(deploy.status, deploy.output).toBe(0);
    expect(deploy.file("summary.md")).toMatch(
      /^### `pulumi up` of dev with policy pack `policy`, then `npm run verify`\n\n✅ \*\*Update succeeded\*\*\n✅ \*\*Network checks passed\*\*: 14 passed, 0 failed,/,
    );
    expect(deploy.file("summary.md")).toContain("| stranger-dns | PASS |");
    expect(deploy.file("summary.md")).not.toContain("99 passed");
  });

  it("puts a broken network next to the drift in the scheduled job's report", () => {
    const body = renderReport({
      title: "Drift check of dev",
      pulumi: capture("drift", true),
      verify: { exitCode: 1, verdict: { verification: mtuBlackHole }, output: "" },
      runUrl: "u",
      commit: "c",
    });
    expect(body.split("\n").slice(2, 5)).toEqual([
      "❌ **Drift**: the refreshed stack differs from the program (+12 to create)",
      "❌ **Network checks failed**: 13 passed, 1 failed, checked at 2026-12-04T12:30:05.123Z by runner 0.1.0+3f2a9c1d, verdict schema 2",
      "",
    ]);
    expect(body.indexOf("**Broken layer: mtu**")).toBeGreaterThan(
      body.indexOf("| path-mtu | FAIL |"),
    );
    expect(body.indexOf("**Broken layer: mtu**")).toBeLessThan(body.indexOf("<details>"));
  });
});
