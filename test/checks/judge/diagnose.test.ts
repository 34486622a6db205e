import { describe, expect, it } from "vitest";
import { judged } from "../../helpers";
import { diagnose as diagnoseFindings } from "../../../checks/judge/diagnose";
import { pairFindings } from "../../../checks/scenarios/pair";
import { CHECK_NAMES, CheckName, CheckResult } from "../../../checks/contract/types";

/** The pair's checks, diagnosed: its one path is a mesh of one cell. */
const diagnose = (checks: readonly CheckResult[]) => diagnoseFindings(pairFindings(checks));

function results(failed: CheckName[]): CheckResult[] {
  return CHECK_NAMES.map((name) => ({
    name,
    ok: !failed.includes(name),
    detail: `${name} detail`,
    ms: 1,
  }));
}

/** A run where the pods sit on two nodes and the client's own node answered (or not). */
function crossNodeResults(failed: CheckName[], gatewayAnswers: boolean): CheckResult[] {
  return results(failed).map((result) =>
    result.name === "pod-cidr"
      ? { ...result, facts: { crossNode: true } }
      : result.name === "pod-routes"
        ? { ...result, facts: { gateway: "10.42.1.1", gatewayAnswers } }
        : result,
  );
}

describe("diagnose", () => {
  const podUnreachable: CheckName[] = [
    "pod-ip-http",
    "ping",
    "service-clusterip-http",
    "service-dns-http",
    "service-fqdn-http",
  ];

  it("blames the path between nodes when the client reaches its own node but not the other one", () => {
    const diagnosis = diagnose(crossNodeResults(podUnreachable, true));
    expect(diagnosis?.layer).toBe("cross-node");
    expect(diagnosis?.summary).toContain("overlay");
    expect(diagnosis?.evidence).toContain("pod-routes: gateway 10.42.1.1 answers ping");
  });

  it("with isolation on, still blames the path between nodes: the stranger cut off too is the overlay, not the policies", () => {
    const policy: CheckResult[] = [
      {
        name: "policy-allows-client",
        ok: true,
        detail: "busybox-client is let in on port 80 by nginx-allow-client",
        ms: 0,
        facts: { isolatedBy: "nginx-allow-client, pod-to-pod-default-deny" },
      },
      ...(["stranger-to-pod-ip", "stranger-to-service"] as const).map((name) => ({
        name,
        ok: false,
        detail: "did not answer stranger-client, but the stranger reaches nothing else either",
        ms: 2000,
        facts: { got: "nothing" },
      })),
      { name: "stranger-dns", ok: false, detail: "cannot resolve nginx-service", ms: 5000 },
    ];
    const diagnosis = diagnose([...crossNodeResults([...podUnreachable, "dns"], true), ...policy]);
    expect(diagnosis?.layer).toBe("cross-node");
  });

  it("blames pod networking when the client cannot reach even its own node", () => {
    expect(diagnose(crossNodeResults(podUnreachable, false))?.layer).toBe("pod-network");
  });

  it("blames pod networking, not the nodes, when both pods share a node", () => {
    expect(diagnose(results(podUnreachable))?.layer).toBe("pod-network");
  });

  it("says nothing when everything passed", () => {
    expect(diagnose(results([]))).toBeUndefined();
  });

  it.each([
    [["service-dns-http", "service-fqdn-http", "dns"], "dns"],
    [["service-dns-http"], "dns"],
    [["service-clusterip-http", "service-dns-http", "service-fqdn-http"], "service"],
    [["pod-ip-http", "service-clusterip-http", "service-dns-http", "service-fqdn-http"], "server"],
    [
      [
        "pod-ip-http",
        "ping",
        "service-clusterip-http",
        "service-dns-http",
        "service-fqdn-http",
        "dns",
      ],
      "pod-network",
    ],
    [["ping"], "pod-network"],
    [["pod-routes", "ping", "pod-ip-http"], "client"],
    [["pod-cidr"], "ipam"],
  ] as Array<[CheckName[], string]>)("blames %j on %s", (failed, layer) => {
    expect(diagnose(results(failed))?.layer).toBe(layer);
  });

  it("cites the failed checks' evidence", () => {
    const diagnosis = diagnose(results(["service-clusterip-http", "service-dns-http"]));
    expect(diagnosis?.evidence).toEqual([
      "service-dns-http: service-dns-http detail",
      "service-clusterip-http: service-clusterip-http detail",
    ]);
    expect(diagnosis?.summary).toContain("selector, targetPort and endpoints");
  });
});

describe("summarize", () => {
  it("counts and attaches the diagnosis only on failure", () => {
    const stamp = { checkedAt: "2026-12-01T19:00:00.000Z", runnerVersion: "0.1.0+abc" };
    expect(judged(results([]), stamp)).toEqual({
      schemaVersion: 2,
      ...stamp,
      passed: 10,
      failed: 0,
      checks: results([]),
    });
    expect(judged(results(["dns"]), stamp)).toMatchObject({
      passed: 9,
      failed: 1,
      diagnosis: { layer: "dns" },
    });
  });
});

describe("the mtu diagnosis", () => {
  it("names an MTU black hole when small packets pass and full-size ones do not, with the path and its MTUs", () => {
    const checks = results(["path-mtu"]).map((r) =>
      r.name === "pod-cidr"
        ? { ...r, facts: { crossNode: true, clientNode: "vm", serverNode: "p2p-node2" } }
        : r.name === "path-mtu"
          ? { ...r, facts: { podMtu: 1450 } }
          : r,
    );
    const diagnosis = diagnose(checks);
    expect(diagnosis?.layer).toBe("mtu");
    expect(diagnosis?.summary).toContain("an MTU black hole on the path vm → p2p-node2");
    expect(diagnosis?.summary).toContain("The pods' eth0 MTU is 1450");
    expect(diagnosis?.summary).toContain("every node link on the way 1500");
  });

  it("leaves a path that carries nothing to the layers below", () => {
    expect(diagnose(crossNodeResults(["pod-ip-http", "ping", "path-mtu"], true))?.layer).toBe(
      "cross-node",
    );
  });
});
