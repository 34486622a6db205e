import { describe, expect, it } from "vitest";
import { renderPairMermaid } from "../../../checks/report/pairMermaid";
import { toVerification } from "../../../checks/contract/verification";
import { Verification } from "../../../checks/contract/types";
import { dnsDown, healthy } from "../verdicts";

/** The verdict with only the named checks, counted again. */
function only(verification: Verification, keep: (name: string) => boolean): Verification {
  const checks = verification.checks.filter((c) => keep(c.name));
  const passed = checks.filter((c) => c.ok).length;
  return toVerification({ ...verification, checks, passed, failed: checks.length - passed });
}

describe("renderPairMermaid", () => {
  it("draws a healthy isolated lab: every box and arrow green, the stranger's refusals dashed", () => {
    expect(renderPairMermaid(healthy)).toEqual([
      "graph LR",
      '  client["client pod 10.42.0.5<br>on vm<br>pod-interface pass<br>pod-routes pass"]',
      '  server["nginx pod<br>on p2p-node2<br>policy-allows-client pass"]',
      '  svc["Service"]',
      '  dns["cluster DNS 10.43.0.10"]',
      '  stranger["stranger pod"]',
      '  client -->|"by pod IP<br>pod-ip-http pass<br>ping pass<br>path-mtu pass<br>pod-cidr pass"| server',
      '  client -->|"by name<br>service-dns-http pass"| svc',
      '  client -->|"by FQDN<br>service-fqdn-http pass"| svc',
      '  client -->|"by ClusterIP<br>service-clusterip-http pass"| svc',
      '  svc -->|"to its endpoint"| server',
      '  client -->|"dns pass"| dns',
      '  stranger -.->|"must be refused<br>stranger-to-pod-ip pass"| server',
      '  stranger -.->|"must be refused<br>stranger-to-service pass"| svc',
      '  stranger -->|"stranger-dns pass"| dns',
      "  classDef pass fill:#dfd,stroke:#080",
      "  class client,server pass",
      "  linkStyle 0,1,2,3,4,5,6,7,8 stroke:#080,stroke-width:2px",
    ]);
  });

  it("draws DNS down: the names' arrows red, the ClusterIP and the Service's endpoint green", () => {
    expect(renderPairMermaid(dnsDown)).toEqual([
      "graph LR",
      '  client["client pod 10.42.0.5<br>on vm<br>pod-interface pass<br>pod-routes pass"]',
      '  server["nginx pod<br>on p2p-node2<br>policy-allows-client pass"]',
      '  svc["Service"]',
      '  dns["cluster DNS 10.43.0.10"]',
      '  stranger["stranger pod"]',
      '  client -->|"by pod IP<br>pod-ip-http pass<br>ping pass<br>path-mtu pass<br>pod-cidr pass"| server',
      '  client -->|"by name<br>service-dns-http FAIL"| svc',
      '  client -->|"by FQDN<br>service-fqdn-http FAIL"| svc',
      '  client -->|"by ClusterIP<br>service-clusterip-http pass"| svc',
      '  svc -->|"to its endpoint"| server',
      '  client -->|"dns FAIL"| dns',
      '  stranger -.->|"must be refused<br>stranger-to-pod-ip pass"| server',
      '  stranger -.->|"must be refused<br>stranger-to-service pass"| svc',
      '  stranger -->|"stranger-dns FAIL"| dns',
      "  classDef pass fill:#dfd,stroke:#080",
      "  class client,server pass",
      "  linkStyle 0,3,4,6,7 stroke:#080,stroke-width:2px",
      "  linkStyle 1,2,5,8 stroke:#d00,stroke-width:2px",
    ]);
  });

  it("reddens the Service's endpoint only when no request through the Service was served", () => {
    const down = (name: string) =>
      name.startsWith("service-") ? "second pod behind it" : undefined;
    const checks = healthy.checks.map((c) =>
      down(c.name) ? { ...c, ok: false, detail: down(c.name) as string } : c,
    );
    const lines = renderPairMermaid(toVerification({ ...healthy, checks, passed: 11, failed: 3 }));
    expect(lines.slice(-2)).toEqual([
      "  linkStyle 0,5,6,7,8 stroke:#080,stroke-width:2px",
      "  linkStyle 1,2,3,4 stroke:#d00,stroke-width:2px",
    ]);
  });

  it("colours a box red by its own checks, and draws no stranger when the lab does not isolate", () => {
    const pair = only(healthy, (name) => !name.includes("stranger") && !name.startsWith("policy"));
    const broken = toVerification({
      ...pair,
      checks: pair.checks.map((c) => (c.name === "pod-routes" ? { ...c, ok: false } : c)),
      passed: pair.passed - 1,
      failed: 1,
    });
    const lines = renderPairMermaid(broken);
    expect(lines).toContain(
      '  client["client pod 10.42.0.5<br>on vm<br>pod-interface pass<br>pod-routes FAIL"]',
    );
    expect(lines).toContain('  server["nginx pod<br>on p2p-node2"]');
    expect(lines.join("\n")).not.toContain("stranger");
    expect(lines.slice(-3)).toEqual([
      "  classDef fail fill:#fdd,stroke:#d00",
      "  class client fail",
      "  linkStyle 0,1,2,3,4,5 stroke:#080,stroke-width:2px",
    ]);
  });

  it("draws nothing for a verdict without the pair's checks", () => {
    const meshOnly = toVerification({
      ...healthy,
      checks: [{ name: "mesh-coverage", ok: true, detail: "2 of 2 nodes", ms: 0 }],
      passed: 1,
      failed: 0,
    });
    expect(renderPairMermaid(meshOnly)).toEqual([]);
  });

  it("keeps a node's name from breaking the graph or a line past 100 characters", () => {
    const odd = `${"n".repeat(60)}"]; click`;
    const checks = healthy.checks.map((c) =>
      c.name === "pod-cidr" ? { ...c, facts: { serverNode: odd, clientNode: 'a"]' } } : c,
    );
    const lines = renderPairMermaid(toVerification({ ...healthy, checks }));
    expect(lines).toContain(
      `  server["nginx pod<br>on ${"n".repeat(39)}…<br>policy-allows-client pass"]`,
    );
    expect(lines[1]).toBe(
      '  client["client pod 10.42.0.5<br>on a__<br>pod-interface pass<br>pod-routes pass"]',
    );
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});
