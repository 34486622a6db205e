import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main as reportMain } from "../.github/scripts/report";
import { renderReport } from "../.github/scripts/report/render";
import { readVerdict, VerifyRun } from "../.github/scripts/report/verdict";
import { toVerification } from "../checks/contract/verification";
import { Verification } from "../checks/contract/types";
import { renderMeshMermaid } from "../checks/report/meshRender";
import { renderPairMermaid } from "../checks/report/pairMermaid";
import { dnsDown, healthy, mtuBlackHole } from "./checks/verdicts";
import { scratchDir } from "./workflows.helpers";

// The network checks in a workflow's report come from the verdict `npm run verify` wrote as JSON,
// validated by the verification's schema: its totals, its checks, its diagnosis, its pictures.
// The text report verify prints is never parsed; it shows only when verify wrote no verdict.

/** What `npm run verify` prints: a text report whose counts the report must not believe. */
const LYING_TEXT =
  "pod-to-pod network verification (99 passed, 0 failed), checked at 1999-01-01T00:00:00Z\n";

function report(verify: VerifyRun, secrets?: readonly string[]): string {
  return renderReport({
    title: "t",
    pulumi: { command: "up", log: "", events: [], exitCode: 0 },
    verify,
    runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
    commit: "abcdef0123456789",
    secrets,
  });
}

function verdictOf(verification: Verification, exitCode = verification.failed > 0 ? 1 : 0) {
  return report({ exitCode, verdict: { verification }, output: LYING_TEXT });
}

/** The report's lines from `first` up to the next blank line. */
function block(body: string, first: string): string[] {
  const lines = body.split("\n");
  const start = lines.indexOf(first);
  expect(start, first).toBeGreaterThan(0);
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("the checks in a workflow report", () => {
  it("takes the totals from the verdict, never from verify's text (which says 99 passed)", () => {
    const body = verdictOf(mtuBlackHole);
    expect(body.split("\n").slice(0, 4)).toEqual([
      "### t",
      "",
      "✅ **Update succeeded**",
      "❌ **Network checks failed**: 13 passed, 1 failed, checked at 2026-12-04T12:30:05.123Z by runner 0.1.0+3f2a9c1d, verdict schema 2",
    ]);
    expect(body).not.toContain("99 passed");
    expect(body).not.toContain("1999-01-01");
    expect(verdictOf(healthy).split("\n")[3]).toBe(
      "✅ **Network checks passed**: 14 passed, 0 failed, checked at 2026-12-04T12:30:05.123Z by runner 0.1.0+3f2a9c1d, verdict schema 2",
    );
  });

  it("says so when verify's exit code disagrees with its verdict", () => {
    expect(verdictOf(healthy, 2).split("\n")[3]).toBe(
      "✅ **Network checks passed**: 14 passed, 0 failed, checked at 2026-12-04T12:30:05.123Z by runner 0.1.0+3f2a9c1d, verdict schema 2 (`npm run verify` exit code 2)",
    );
  });

  it("tables every check with its result and detail, cut and escaped", () => {
    const long = toVerification({
      ...mtuBlackHole,
      checks: mtuBlackHole.checks.map((c) =>
        c.name === "dns" ? { ...c, detail: `  a | b <c>\n${"x".repeat(400)}  ` } : c,
      ),
    });
    expect(block(verdictOf(long), "| Check | Result | Detail |")).toEqual([
      "| Check | Result | Detail |",
      "| --- | --- | --- |",
      '| pod-ip-http | PASS | "Welcome to nginx!" from 10.42.0.7:80, answered by nginx-server (uid 6f1e2d3c) |',
      '| service-dns-http | PASS | "Welcome to nginx!" from nginx-service:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service |',
      '| service-fqdn-http | PASS | "Welcome to nginx!" from nginx-service.pod-to-pod.svc.cluster.local:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service |',
      '| service-clusterip-http | PASS | "Welcome to nginx!" from 10.43.12.34:80, answered by nginx-server (uid 6f1e2d3c) at 10.42.0.7, an endpoint of nginx-service |',
      `| dns | PASS | a \\| b &lt;c&gt;<br>${"x".repeat(290)}… |`,
      "| ping | PASS | 4 transmitted, 4 received, 0% loss to 10.42.0.7, rtt min/avg/max 0.131/0.31/0.806 ms |",
      "| pod-interface | PASS | eth0@if16 carries 10.42.0.5/24, mtu 1450, host-side veth index 16 |",
      "| pod-routes | PASS | default via 10.42.0.1 dev eth0; pod subnet 10.42.0.0/24 on eth0 |",
      "| pod-cidr | PASS | nginx 10.42.1.7 in p2p-node2's 10.42.1.0/24; busybox 10.42.0.5 in vm's 10.42.0.0/24; across nodes, vm → p2p-node2 |",
      "| path-mtu | FAIL | small packets pass but 65536 bytes from 10.42.0.7:80 did not arrive in 5 s, and no 1450-byte ping was answered |",
      "| policy-allows-client | PASS | nginx-server is isolated by pod-to-pod-default-deny, nginx-allow-client; busybox-client is let in on port 80 by nginx-allow-client |",
      "| stranger-to-pod-ip | PASS | denied as expected after 2003 ms (dropped: no answer from 10.42.0.7:80 in 2 s) |",
      "| stranger-to-service | PASS | denied as expected after 2004 ms (dropped: no answer from 10.43.12.34:80 in 2 s) |",
      "| stranger-dns | PASS | stranger-client resolves nginx-service to 10.43.12.34 at CoreDNS, which no policy of the lab covers |",
    ]);
  });

  it("gives the diagnosis, its layer, summary and evidence", () => {
    const body = verdictOf(dnsDown);
    const first =
      "**Broken layer: dns**. Names do not resolve, while the Service answers by its ClusterIP: cluster DNS is down.";
    expect(body.slice(body.indexOf(first)).split("\n").slice(0, 4)).toEqual([
      first,
      "",
      "- dns: nslookup nginx-service.pod-to-pod.svc.cluster.local: connection timed out; no servers could be reached",
      "",
    ]);
    expect(verdictOf(healthy)).not.toContain("Broken layer");
  });

  it("draws the pair's picture from the verdict; a mesh verdict gets its paths too", () => {
    const pair = verdictOf(dnsDown);
    expect(pair).toContain(
      [
        "The lab as the checks saw it:",
        "",
        "```mermaid",
        ...renderPairMermaid(dnsDown),
        "```",
      ].join("\n"),
    );
    expect(pair).toContain('  client -->|"dns FAIL"| dns\n');
    expect(pair).not.toContain("Paths between the nodes");

    const mesh = {
      nodes: ["vm", "p2p-node2"],
      counts: { nodes: 2, podPaths: 4, podPathsFailed: 1, nodePaths: 0, nodePathsFailed: 0 },
      matrix: ["P120 P130", "F5012 P150"],
      nodeMatrix: [],
      failures: [
        { from: "p2p-node2", to: "vm", outcome: "fail" as const, ms: 5012, detail: "timed out" },
      ],
      links: {},
      serverWitness: { witnessed: 3, clientsWordAlone: 0, notServed: 0, unreadable: [] },
    };
    const checks = [
      ...healthy.checks,
      { name: "mesh-pod-to-pod" as const, ok: false, detail: "3 of 4 pod paths pass", ms: 5012 },
    ];
    const every = toVerification({ ...healthy, checks, passed: 14, failed: 1, mesh });
    const body = verdictOf(every);
    expect(body).toContain(
      [
        "```text",
        "Every node (2 nodes): pod to pod 3/4 paths pass",
        "  server side: 3/3 HTTP passes witnessed by the echo servers' own logs",
      ].join("\n"),
    );
    expect(body).toContain("  FAIL  p2p-node2 → vm  5012 ms  timed out\n```\n");
    expect(body).toContain(
      ["Paths between the nodes:", "", "```mermaid", ...renderMeshMermaid(mesh), "```"].join("\n"),
    );
    expect(body).toContain('  n1 -.->|"FAIL 5012 ms"| n0\n');
    expect(body.indexOf("The lab as the checks saw it:")).toBeLessThan(
      body.indexOf("Paths between the nodes:"),
    );
  });

  it("without a verdict: the checks could not run, why, and verify's output collapsed", () => {
    const body = report({
      exitCode: 2,
      verdict: { problem: "`npm run verify` wrote no verification (no file /tmp/v.json)" },
      output: "verify: the stack has no nginxPodIp output; run pulumi up first\n",
    });
    expect(body).toContain(
      [
        "❌ **Network checks could not run** (`npm run verify` exit code 2): `npm run verify` wrote no verification (no file /tmp/v.json)",
        "",
        "- Resources: no summary (the update did not finish)",
      ].join("\n"),
    );
    expect(body).toContain(
      [
        "<details>",
        "<summary>`npm run verify` output (1 line)</summary>",
        "",
        "```text",
        "verify: the stack has no nginxPodIp output; run pulumi up first",
        "```",
        "</details>",
      ].join("\n"),
    );
    expect(body).not.toContain("| Check |");
    // With a verdict, the output is not shown at all.
    expect(verdictOf(healthy)).not.toContain("`npm run verify` output");
  });

  it("says the checks were not run when the deploy failed", () => {
    const body = renderReport({
      title: "t",
      pulumi: { command: "up", log: "", events: [], exitCode: 255 },
      verify: { verdict: { problem: "no file" }, output: "" },
      runUrl: "u",
      commit: "c",
    });
    expect(body).toContain(
      "❌ **Update failed** (exit code 255): see the output below\n⏭️ **Network checks not run**: the update failed\n",
    );
    expect(body).not.toContain("no file");
  });

  it("redacts secrets from the verdict, its pictures and the crash output", () => {
    const secret = "hunter2-s3kr1t";
    const leaky = toVerification({
      ...mtuBlackHole,
      checks: mtuBlackHole.checks.map((c) =>
        c.name === "pod-cidr"
          ? { ...c, detail: `saw ${secret}`, facts: { serverNode: secret, clientNode: "vm" } }
          : c,
      ),
    });
    const body = report({ exitCode: 1, verdict: { verification: leaky }, output: "" }, [secret]);
    expect(body).toContain("| pod-cidr | PASS | saw [secret] |");
    expect(body).toContain('  server["nginx pod<br>on _secret_<br>policy-allows-client pass"]');
    expect(body).not.toContain(secret);
    const crash = report({ exitCode: 2, verdict: { problem: `bad ${secret}` }, output: secret }, [
      secret,
    ]);
    expect(crash).toContain("(`npm run verify` exit code 2): bad [secret]\n");
    expect(crash).toContain("```text\n[secret]\n```");
    expect(crash).not.toContain(secret);
  });
});

describe("readVerdict", () => {
  it("accepts what the schema accepts, exactly", () => {
    expect(readVerdict("v.json", `${JSON.stringify(healthy)}\n`)).toEqual({
      verification: healthy,
    });
  });

  it("says why a file is no verdict: missing, not JSON, or not of this schema", () => {
    expect(readVerdict("v.json", undefined)).toEqual({
      problem: "`npm run verify` wrote no verification (no file v.json)",
    });
    expect(readVerdict("v.json", "pod-to-pod network verification (99 passed)")).toEqual({
      problem: expect.stringMatching(/^v\.json is not JSON: Unexpected token/),
    });
    expect(readVerdict("v.json", JSON.stringify({ ...healthy, schemaVersion: 1 }))).toEqual({
      problem: "v.json is not a verification of schema 2: schemaVersion: Invalid input: expected 2",
    });
    expect(readVerdict("v.json", JSON.stringify({ ...healthy, passed: 99 }))).toEqual({
      problem:
        "v.json is not a verification of schema 2: (top): passed and failed must count the checks",
    });
  });
});

describe("report.ts --verification", () => {
  const args = (dir: string, ...more: string[]) => [
    ...["--title", "T", "--command", "up", "--log", path.join(dir, "up.txt")],
    ...["--exit-code", "0", "--run-url", "u", "--commit", "c"],
    ...["--verify-log", path.join(dir, "verify.txt"), ...more],
  ];

  it("renders the verdict file, not the log's text", () => {
    const dir = scratchDir("verdict");
    fs.writeFileSync(path.join(dir, "verify.txt"), LYING_TEXT);
    fs.writeFileSync(path.join(dir, "v.json"), `${JSON.stringify(mtuBlackHole)}\n`);
    const file = path.join(dir, "v.json");
    const body = reportMain(args(dir, "--verification", file, "--verify-exit-code", "1"));
    expect(body).toBe(
      renderReport({
        title: "T",
        pulumi: { command: "up", log: "", events: [], exitCode: 0 },
        verify: { exitCode: 1, verdict: { verification: mtuBlackHole }, output: LYING_TEXT },
        runUrl: "u",
        commit: "c",
      }),
    );
    expect(body).toContain("❌ **Network checks failed**: 13 passed, 1 failed, checked at");
  });

  it("a missing or forged file: the checks could not run, with the reason and verify's output", () => {
    const dir = scratchDir("verdict");
    fs.writeFileSync(path.join(dir, "verify.txt"), LYING_TEXT);
    const file = path.join(dir, "v.json");
    const missing = reportMain(args(dir, "--verification", file, "--verify-exit-code", "1"));
    expect(missing).toContain(
      `❌ **Network checks could not run** (\`npm run verify\` exit code 1): \`npm run verify\` wrote no verification (no file ${file})\n`,
    );
    expect(missing).toContain(`\`\`\`text\n${LYING_TEXT}\`\`\`\n</details>`);
    fs.writeFileSync(file, JSON.stringify({ ...healthy, failed: 0, passed: 99 }));
    expect(reportMain(args(dir, "--verification", file, "--verify-exit-code", "0"))).toContain(
      `❌ **Network checks could not run** (\`npm run verify\` exit code 0): ${file} is not a verification of schema 2: (top): passed and failed must count the checks\n`,
    );
  });

  it("refuses verify's log without its verdict", () => {
    const dir = scratchDir("verdict");
    expect(() => reportMain(args(dir, "--verify-exit-code", "0"))).toThrow(
      "--verify-log needs --verification: the report reads the checks' verdict",
    );
  });
});
