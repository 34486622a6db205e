import { describe, expect, it } from "vitest";
import { diagnose, summarize } from "../../checks/diagnose";
import { CHECK_NAMES, CheckName, CheckResult } from "../../checks/types";

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
    expect(summarize(results([]), stamp)).toEqual({
      ...stamp,
      passed: 9,
      failed: 0,
      checks: results([]),
    });
    expect(summarize(results(["dns"]), stamp)).toMatchObject({
      passed: 8,
      failed: 1,
      diagnosis: { layer: "dns" },
    });
  });
});
