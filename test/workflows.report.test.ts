import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { renderReport } from "../.github/scripts/report/render";
import { PulumiRun } from "../.github/scripts/report/summary";
import { main as reportMain } from "../.github/scripts/report";
import { diagnostic, policyFinding, scratchDir, summary } from "./workflows.helpers";

// The report's layout, from made-up runs: the size bound, escaping, the error list, and
// report.ts's arguments (the checks' part: workflows.verdict.test.ts). workflows.captures.test.ts renders real previews.

const BUSYBOX_URN =
  "urn:pulumi:dev::pod-to-pod::pod-to-pod:lab:BusyboxClient$kubernetes:core/v1:Pod::busybox-pod";
const ADVISORY = policyFinding(
  "advisory",
  "pod-security-exemptions",
  "Exemptions | reported\nbusybox adds NET_RAW",
  BUSYBOX_URN,
);
const CREATE_ALL = summary({ create: 7, same: 1 });

function run(overrides: Partial<PulumiRun>): PulumiRun {
  return { command: "preview", log: "", events: [], exitCode: 0, ...overrides };
}

function report(pulumi: PulumiRun) {
  return renderReport({
    title: "t",
    pulumi,
    runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
    commit: "abcdef0123456789",
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
    const error = (message: string) => diagnostic(`${message}\n`, "error");
    const events = [
      error("x".repeat(3000)),
      ...Array.from({ length: 11 }, (_, i) => error(`problem ${i}`)),
      error("preview failed"),
      diagnostic("only a warning\n", "warning"),
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
});

describe("report.ts", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir("report");
  });
  const args = (...more: string[]) => [
    ...["--title", "T", "--command", "up", "--log", path.join(dir, "up.txt")],
    ...["--events", path.join(dir, "missing.jsonl"), "--run-url", "u", "--commit", "c"],
    ...more,
  ];

  it("renders the files a workflow captured; a missing event log is an unfinished run", () => {
    fs.writeFileSync(path.join(dir, "up.txt"), "error: boom\n");
    const body = reportMain(
      args(
        ...["--exit-code", "255", "--verification", path.join(dir, "none.json")],
        ...["--verify-log", path.join(dir, "none"), "--verify-exit-code", ""],
      ),
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
