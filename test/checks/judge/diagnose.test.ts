import { describe, expect, it } from "vitest";
import { judged } from "../../helpers";
import { diagnose as diagnoseFindings, Findings, FoundPath } from "../../../checks/judge/diagnose";
import { pairFindings } from "../../../checks/scenarios/pair";
import { CHECK_NAMES, CheckName, CheckResult } from "../../../checks/contract/types";
import { PathOutcome } from "../../../checks/contract/meshTypes";

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
    expect(diagnosis?.evidence).toEqual([
      "pod-ip-http: pod-ip-http detail",
      "ping: ping detail",
      "pod-cidr: pod-cidr detail",
      "pod-routes: gateway 10.42.1.1 answers ping",
    ]);
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

/** The pair's checks with `failed` failing, its pods on `client` and `server`, its gateway answering. */
function placed(failed: CheckName[], client: string, server: string): CheckResult[] {
  return results(failed).map((result) =>
    result.name === "pod-cidr"
      ? {
          ...result,
          facts: { crossNode: client !== server, clientNode: client, serverNode: server },
        }
      : result.name === "pod-routes"
        ? { ...result, facts: { gateway: "10.42.0.1", gatewayAnswers: true } }
        : result,
  );
}

describe("the pair read as a mesh of one path", () => {
  const down: CheckName[] = ["pod-ip-http", "ping"];

  it("names the node of a same-node path that carries nothing, as the mesh does", () => {
    expect(diagnose(placed(down, "vagrant", "vagrant"))).toEqual({
      layer: "pod-network",
      summary:
        "Pods cannot reach a pod on their own node on vagrant: that node's pod network (the cni0 bridge, the pods' veths) is broken, whatever the paths between nodes do.",
      evidence: ["pod-ip-http: pod-ip-http detail", "ping: ping detail"],
    });
  });

  it("blames the path between its two nodes, not either side", () => {
    expect(diagnose(placed(down, "vm", "p2p-node2"))?.summary).toBe(
      "The client pods reach their own node, and pods across nodes do not, between vm and p2p-node2 (with two nodes either one's side can be at fault; a third node would tell which): the overlay (flannel.1, VXLAN on udp 8472) or the node routes to the other nodes' pod CIDRs are broken, not the pods.",
    );
  });

  it("names the one node of a same-node MTU black hole", () => {
    expect(diagnose(placed(["path-mtu"], "vagrant", "vagrant"))?.summary).toMatch(
      /^Small packets pass and full-size ones do not: an MTU black hole on vagrant\. /,
    );
  });

  it("tells nginx answering ping and not HTTP from something else answering", () => {
    expect(diagnose(results(["pod-ip-http"]))).toEqual({
      layer: "server",
      summary:
        "The nginx pod answers ping but not HTTP on its pod IP: the network is fine, nginx (or its port) is not.",
      evidence: ["pod-ip-http: pod-ip-http detail"],
    });
    const impostor = results(["pod-ip-http"]).map((r) =>
      r.name === "pod-ip-http" ? { ...r, facts: { failure: "wrong-server" } } : r,
    );
    expect(diagnose(impostor)?.summary).toContain(
      "or it was not the lab's nginx pod that answered (another pod's UID, a redirect elsewhere, an answer without end)",
    );
  });

  it("blames the Service when a pod that is not its endpoint answers it", () => {
    const checks = results(["service-clusterip-http"]).map((r) =>
      r.name === "service-clusterip-http" ? { ...r, facts: { failure: "wrong-server" } } : r,
    );
    expect(diagnose(checks)).toEqual({
      layer: "service",
      summary:
        "The Service answers, but from a pod that is not the lab's nginx or not one of its endpoints: check what else its selector matches, and which backends kube-proxy programs for its ClusterIP.",
      evidence: ["service-clusterip-http: service-clusterip-http detail"],
    });
  });

  it("says the policies are not enforced when the client they refuse gets through", () => {
    const checks: CheckResult[] = [
      ...results([]),
      {
        name: "policy-allows-client",
        ok: false,
        detail: "no policy lets busybox-client in",
        ms: 0,
        facts: { isolatedBy: "pod-to-pod-default-deny" },
      },
    ];
    expect(diagnose(checks)?.evidence).toEqual([
      "policy-allows-client: no policy lets busybox-client in, yet pod-ip-http passed",
    ]);
  });

  it("blames DNS when only the stranger cannot resolve the Service's name", () => {
    const checks: CheckResult[] = [
      ...results([]),
      { name: "stranger-dns", ok: false, detail: "cannot resolve nginx-service", ms: 0 },
    ];
    expect(diagnose(checks)).toEqual({
      layer: "dns",
      summary:
        "The stranger pod cannot resolve the Service's name at CoreDNS while the client's checks pass: look at CoreDNS and the stranger's node.",
      evidence: ["stranger-dns: cannot resolve nginx-service"],
    });
  });
});

describe("the rules over a mesh's findings", () => {
  const nodes = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `n${i + 1}` }));
  const path = (from: string, to: string, outcome: PathOutcome): FoundPath => ({
    from,
    to,
    outcome,
    server: `${to}'s echo server`,
    detail: `${from} to ${to}`,
  });
  const failed: CheckResult = { name: "mesh-pod-to-pod", ok: false, detail: "paths fail", ms: 0 };
  const mesh = (count: number, paths: FoundPath[]): Findings => ({
    nodes: nodes(count),
    paths,
    nodePaths: [],
    fetches: [],
    checks: [failed],
  });

  it("cites eight paths and points at the rest, naming several nodes when no one node is common", () => {
    const all = nodes(5).flatMap(({ name: from }) =>
      nodes(5).flatMap(({ name: to }) => (from === to ? [] : [path(from, to, "fail")])),
    );
    const diagnosis = diagnoseFindings(mesh(5, all));
    expect(diagnosis?.layer).toBe("cross-node");
    expect(diagnosis?.summary).toContain(
      "between several nodes: n1 → n2, n1 → n3, n1 → n4, n1 → n5 and 16 more:",
    );
    expect(diagnosis?.evidence).toEqual([
      ...all.slice(0, 8).map((p) => `${p.from} → ${p.to}: ${p.detail}`),
      "12 more in verification.mesh.failures",
    ]);
  });

  it.each([
    [[path("n1", "n3", "mtu"), path("n3", "n2", "mtu")], ", every such path runs to or from n3."],
    [[path("n1", "n2", "mtu"), path("n2", "n1", "mtu")], ", on n1 → n2, n2 → n1."],
    [[path("n1", "n2", "mtu")], " on the path n1 → n2."],
  ])("places the MTU black holes %j", (holes, where) => {
    expect(diagnoseFindings(mesh(3, holes))?.summary).toBe(
      `Small packets pass and full-size ones do not: an MTU black hole${where} The pods' eth0 MTU is unknown; across nodes VXLAN adds 50 bytes, so flannel.1 must carry the pods' MTU and every node link on the way 50 bytes more (compare \`ip link show cni0\`, \`flannel.1\` and the node's link on each node; a lowered link MTU or a hop that drops large frames does this).`,
    );
  });

  it("counts the paths no script probed, and names a failed check no rule reads", () => {
    expect(
      diagnoseFindings(mesh(2, [path("n1", "n2", "absent"), path("n2", "n1", "absent")])),
    ).toEqual({
      layer: "coverage",
      summary:
        "2 paths could not be probed (the script in their client did not run or was cut off), so nothing is proven about them; the paths that ran are in the matrix.",
      evidence: ["n1 → n2: n1 to n2", "n2 → n1: n2 to n1"],
    });
    expect(diagnoseFindings(mesh(2, [path("n1", "n2", "pass")]))).toEqual({
      layer: "pod-network",
      summary: "A mesh check failed.",
      evidence: ["mesh-pod-to-pod: paths fail"],
    });
  });
});
