import { describe, expect, it } from "vitest";
import {
  MeshCell,
  meshPathOf,
  MeshRun,
  parseNodeLinks,
} from "../../../../checks/scenarios/mesh/paths";
import { diagnose } from "../../../../checks/judge/diagnose";
import { meshFindings } from "../../../../checks/scenarios/mesh";
import { meshChecks, meshReport } from "../../../../checks/scenarios/mesh/checks";
import { renderReport } from "../../../../checks/report/report";
import {
  FAILURES_KEPT,
  MATRIX_NODES_KEPT,
  MeshLayout,
} from "../../../../checks/contract/meshTypes";
import { renderMeshText } from "../../../../checks/report/meshRender";
import { CUT_RC, Section } from "../../../../checks/probe/script";
import { fixture } from "../../../helpers";
import {
  clientSections,
  evaluateMesh,
  layoutOf,
  nodeSections,
  PathBehaviour,
  pingOutput,
  tokenOf,
  meshPlan,
  section,
  serviceOf,
  witnessedHealthy,
} from "./fixtures";

function runs(sections: Map<string, Map<string, Section>>): Map<string, MeshRun> {
  return new Map([...sections].map(([node, s]) => [node, { sections: s, complete: true }]));
}

/**
 * The mesh on `count` nodes where `path(from, to)` says how each pod path behaves and
 * `nodeReaches(from, to)` whether a node reaches the pods of another.
 */
function mesh(
  count: number,
  path: (from: number, to: number) => PathBehaviour = () => "pass",
  nodeReaches: (from: number, to: number) => boolean = () => true,
  own: (from: number) => Partial<Record<"service" | "dns" | "gateway-ping", Section>> = () => ({}),
) {
  const layout = layoutOf(count);
  const clients = new Map(
    layout.nodes.map((node, i) => [node, clientSections(count, (to) => path(i, to), own(i))]),
  );
  const probes = new Map(
    layout.nodes.map((node, i) => [node, nodeSections(count, i, (to) => nodeReaches(i, to))]),
  );
  const evaluation = witnessedHealthy(
    layout,
    evaluateMesh(meshPlan, layout, runs(clients), runs(probes), serviceOf(layout), tokenOf),
  );
  const checks = meshChecks(layout, evaluation, true);
  return {
    layout,
    evaluation,
    checks,
    diagnosis: diagnose(meshFindings(layout, evaluation, checks)),
  };
}

/** Node k (0-based) cut off from the others: every path to or from it, across nodes, is down. */
const cutOff = (k: number) => (from: number, to: number) => from !== to && (from === k || to === k);

describe("the mesh's checks and diagnosis", () => {
  it("blames the client's own pod network when its node, its gateway, does not answer it either", () => {
    const { diagnosis } = mesh(
      3,
      (from) => (from === 0 ? "down" : "pass"),
      () => true,
      (from) => (from === 0 ? { "gateway-ping": section(1, pingOutput(2, 0), 1000) } : {}),
    );
    expect(diagnosis?.layer).toBe("pod-network");
    expect(diagnosis?.summary).toBe(
      "Pod networking is broken at the client: on n1 it reaches neither its own node (its gateway) nor the server (no ping, no HTTP); look at what the client may send (an egress NetworkPolicy that selects it), then the CNI bridge, veths and routes there.",
    );
    expect(diagnosis?.evidence.at(-1)).toBe(
      "n1's client: its own node (its gateway) does not answer ping",
    );
  });

  it("passes every check and diagnoses nothing when every path passes", () => {
    const { checks, diagnosis, evaluation } = mesh(3);
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["mesh-coverage", true],
      ["mesh-pod-to-pod", true],
      ["mesh-path-mtu", true],
      ["mesh-service", true],
      ["mesh-dns", true],
      ["mesh-node-to-pod", true],
    ]);
    expect(evaluation.podPaths).toHaveLength(9);
    expect(evaluation.nodePaths).toHaveLength(6);
    expect(diagnosis).toBeUndefined();
  });

  it("names the one node whose overlay is broken, from three nodes' paths", () => {
    const { checks, diagnosis, evaluation } = mesh(
      3,
      (from, to) => (cutOff(2)(from, to) ? "down" : "pass"),
      (from, to) => !cutOff(2)(from, to),
    );
    const failed = evaluation.podPaths.filter((p) => p.outcome !== "pass");
    expect(failed.map((p) => `${p.from}>${p.to}`).sort()).toEqual([
      "n1>n3",
      "n2>n3",
      "n3>n1",
      "n3>n2",
    ]);
    expect(checks.find((c) => c.name === "mesh-pod-to-pod")?.detail).toMatch(/^4 of 9 paths fail/);
    expect(diagnosis?.layer).toBe("cross-node");
    expect(diagnosis?.summary).toContain(
      "on node n3: every failing path runs to or from it (4 of its 4 cross-node paths)",
    );
    expect(diagnosis?.evidence.join("\n")).toMatch(/the node itself fails too: node n/);
  });

  it("with two nodes, says the fault is between them, not which side", () => {
    const { diagnosis } = mesh(
      2,
      (from, to) => (from !== to ? "down" : "pass"),
      (f, t) => f === t,
    );
    expect(diagnosis?.layer).toBe("cross-node");
    expect(diagnosis?.summary).toContain("between n1 and n2 (with two nodes either one's side");
  });

  it("tells a broken client pod from a broken node route: the node reaches the pod, its pod does not", () => {
    const { diagnosis } = mesh(3, (from, to) => (from === 0 && to !== 0 ? "down" : "pass"));
    expect(diagnosis?.layer).toBe("pod-network");
    expect(diagnosis?.summary).toMatch(
      /clients on n1 cannot reach .* yet their nodes reach those very pods/,
    );
  });

  it("reads a failing same-node path as that node's own pod network", () => {
    const { diagnosis } = mesh(2, (from, to) => (from === 1 && to === 1 ? "down" : "pass"));
    expect(diagnosis?.layer).toBe("pod-network");
    expect(diagnosis?.summary).toContain("on their own node on n2");
  });

  it("diagnoses an MTU black hole, naming the link below the MTU the path needs", () => {
    const layout = layoutOf(2);
    const vm = fixture("mesh/ip-addr-vm.txt").replace(
      /p2p-node2@ifb0: <([^>]*)> mtu 1500/,
      "p2p-node2@ifb0: <$1> mtu 1400",
    );
    const clients = new Map(
      layout.nodes.map((node, i) => [node, clientSections(2, (to) => (to !== i ? "mtu" : "pass"))]),
    );
    const probes = new Map([
      ["n1", nodeSections(2, 0, () => true, vm)],
      ["n2", nodeSections(2, 1, () => true, fixture("mesh/ip-addr-p2p-node2.txt"))],
    ]);
    // The fixtures were read on 192.168.240.1 and .2: the node probes' IPs.
    const evaluation = witnessedHealthy(
      layout,
      evaluateMesh(meshPlan, layout, runs(clients), runs(probes), serviceOf(layout), tokenOf),
    );
    const checks = meshChecks(layout, evaluation, true);
    expect(checks.find((c) => c.name === "mesh-pod-to-pod")?.ok).toBe(true);
    expect(checks.find((c) => c.name === "mesh-path-mtu")?.ok).toBe(false);
    const diagnosis = diagnose(meshFindings(layout, evaluation, checks));
    expect(diagnosis?.layer).toBe("mtu");
    expect(diagnosis?.summary).toContain("The pods' eth0 MTU is 1450");
    expect(diagnosis?.summary).toContain(
      "every node link on the way 1500. Below that: n1: p2p-node2 mtu 1400.",
    );
    expect(evaluation.podPaths.find((p) => p.from === "n1" && p.to === "n2")?.detail).toContain(
      "the 65536-byte response came back with 2896 bytes; full-size ping: 0/3 answered",
    );
  });

  it("names the Service, then DNS, when every pod path works", () => {
    const service = mesh(2, undefined, undefined, (i) =>
      i === 1 ? { service: section(124, "", 1000) } : {},
    );
    expect(service.diagnosis?.layer).toBe("service");
    expect(service.checks.find((c) => c.name === "mesh-service")?.detail).toBe(
      "1 of 2 nodes fail: n2: no answer from mesh-echo/pod-to-pod/identity before the timeout; the echo servers' own logs witness 1 of 1 HTTP passes",
    );
    const dns = mesh(2, undefined, undefined, () => ({
      dns: section(1, ";; connection timed out; no servers could be reached"),
    }));
    expect(dns.diagnosis?.layer).toBe("dns");
  });

  it("reads a node that cannot reach other nodes' pods while every pod path works as its route", () => {
    const { diagnosis } = mesh(3, undefined, (from) => from !== 1);
    expect(diagnosis?.layer).toBe("cross-node");
    expect(diagnosis?.summary).toContain(
      "n2 cannot reach the pods of the other nodes from the node's own network namespace",
    );
  });

  it("reports a node without its mesh pods as a hole in the coverage", () => {
    const layout: MeshLayout = { ...layoutOf(2), missing: ["n3: no client"] };
    const evaluation = witnessedHealthy(
      layout,
      evaluateMesh(meshPlan, layout, new Map(), new Map(), serviceOf(layout), tokenOf),
    );
    const checks = meshChecks(layout, evaluation, false);
    expect(checks.find((c) => c.name === "mesh-coverage")?.detail).toBe(
      "the mesh does not cover every schedulable node: n3: no client",
    );
    expect(diagnose(meshFindings(layout, evaluation, checks))?.layer).toBe("coverage");
  });

  it("reads something else answering at one echo server's address as the server's side, not the network", () => {
    // Every client's fetch from n2's echo server address is an answer without end (cut there).
    const layout = layoutOf(3);
    const clients = new Map(
      layout.nodes.map((node) => {
        const sections = clientSections(3);
        sections.set("pod-1", section(CUT_RC, "  HTTP/1.1 200 OK\n  \ny\ny"));
        return [node, sections] as const;
      }),
    );
    const probes = new Map(layout.nodes.map((node, i) => [node, nodeSections(3, i, () => true)]));
    const evaluation = witnessedHealthy(
      layout,
      evaluateMesh(meshPlan, layout, runs(clients), runs(probes), serviceOf(layout), tokenOf),
    );
    const checks = meshChecks(layout, evaluation, true);
    expect(
      evaluation.podPaths
        .filter((p) => p.outcome !== "pass")
        .map((p) => `${p.from} → ${p.to} ${p.outcome}`),
    ).toEqual(["n1 → n2 unserved", "n2 → n2 unserved", "n3 → n2 unserved"]);
    expect(diagnose(meshFindings(layout, evaluation, checks))?.layer).toBe("server");
  });

  it("takes the answer of another pod at an echo server's IP for a failure, naming both", () => {
    const layout = layoutOf(1);
    const sections = clientSections(1);
    sections.set("pod-0", section(0, "11111111-2222-4333-8444-555555555555"));
    const evaluation = witnessedHealthy(
      layout,
      evaluateMesh(
        meshPlan,
        layout,
        runs(new Map([["n1", sections]])),
        new Map(),
        serviceOf(layout),
        tokenOf,
      ),
    );
    expect(evaluation.podPaths[0].detail).toContain(
      "http: answered by pod uid 11111111-2222-4333-8444-555555555555, not mesh-echo-n1 (uid 00000000-0000-4000-8000-000000000000): another pod has its address; ping: 2/2 answered",
    );
  });
});

describe("meshPathOf", () => {
  const words =
    "http: answered by mesh-echo-n2 (uid 00000002); ping, 64 KiB and full-size ping answered";
  const cell: MeshCell = {
    from: "n1",
    to: "n2",
    path: { http: { ok: true }, outcome: "pass", ms: 7, claims: [], detail: words },
  };
  const confirmed = { kind: "confirmed", seen: "10.42.1.11", remotes: ["10.42.1.11"] } as const;

  it("keeps a witnessed path's words as they are: the witness's would only repeat that it passed", () => {
    const side = {
      state: "witnessed",
      verdict: confirmed,
      notes: "n2's echo server logged it",
    } as const;
    expect(meshPathOf(cell, () => side).path).toEqual({
      from: "n1",
      to: "n2",
      outcome: "pass",
      ms: 7,
      detail: words,
    });
  });

  it("adds the witness's words where it failed the path", () => {
    const side = {
      state: "notServed",
      verdict: { kind: "elsewhere", loggedBy: [] },
      notes: "but n2's echo server never logged this request",
    } as const;
    expect(meshPathOf(cell, () => side).path).toEqual({
      from: "n1",
      to: "n2",
      outcome: "unserved",
      ms: 7,
      detail: `${words}; but n2's echo server never logged this request`,
    });
  });
});

describe("meshReport", () => {
  it("keeps the outputs compact: a string per matrix row, failures in full", () => {
    const { layout, evaluation } = mesh(3, (from, to) => (cutOff(2)(from, to) ? "down" : "pass"));
    const report = meshReport(layout, evaluation);
    expect(report.counts).toEqual({
      nodes: 3,
      podPaths: 9,
      podPathsFailed: 4,
      nodePaths: 6,
      nodePathsFailed: 0,
    });
    expect(report.matrix).toHaveLength(3);
    expect(report.matrix[2]).toMatch(/^F\d+ F\d+ P\d+$/);
    expect(report.nodeMatrix[1]).toMatch(/^P\d+ \. P\d+$/);
    expect(report.failures).toHaveLength(4);
    expect(report.failures[0].detail).toMatch(/^http: no answer from 10\.42\.2\.10/);
  });

  it("keeps no matrix above MATRIX_NODES_KEPT nodes and the first FAILURES_KEPT failures; the counts hold every one", () => {
    const { layout, evaluation } = mesh(
      MATRIX_NODES_KEPT + 1,
      (from, to) => (cutOff(0)(from, to) ? "down" : "pass"),
      (from, to) => !cutOff(0)(from, to),
    );
    const report = meshReport(layout, evaluation);
    expect(report.matrix).toEqual([]);
    expect(report.nodeMatrix).toEqual([]);
    expect(report.counts).toEqual({
      nodes: 101,
      podPaths: 101 * 101,
      podPathsFailed: 200,
      nodePaths: 101 * 100,
      nodePathsFailed: 200,
    });
    expect(FAILURES_KEPT).toBe(200);
    expect(report.failures.map((f) => `${f.from} → ${f.to}`)).toEqual([
      ...layout.nodes.slice(1).map((to) => `n1 → ${to}`),
      ...layout.nodes.slice(1).map((from) => `${from} → n1`),
    ]);
    const text = renderMeshText(report);
    expect(text).toContain(
      "  … 380 more in verification.mesh.failures (it keeps the first 200; the counts hold every one)",
    );
    expect(text).toContain(
      "  (no matrix kept above 100 nodes: the counts and failures stand for it)",
    );
    expect(text[0]).toBe(
      "Every node (101 nodes): pod to pod 10001/10201 paths pass, node to pod 9900/10100",
    );
  });

  it("grows linearly in characters per path as the cluster grows", () => {
    const size = (n: number) =>
      JSON.stringify(meshReport(mesh(n).layout, mesh(n).evaluation)).length;
    // Every path passing: no failure text, only two cells per path (a few characters each), the
    // node names and one line of links per node.
    expect(size(20) / 400).toBeLessThan(16);
    expect(size(40) / 1600).toBeLessThan(16);
  });
});

describe("the report of a big cluster", () => {
  it("stays a few screens when one node of a hundred breaks: 198 failing paths, 100 nodes' links", () => {
    const { layout, evaluation, checks, diagnosis } = mesh(
      100,
      (from, to) => (cutOff(41)(from, to) ? "down" : "pass"),
      (from, to) => !cutOff(41)(from, to),
    );
    expect(diagnosis?.summary).toContain(
      "on node n42: every failing path runs to or from it (198 of its 198 cross-node paths)",
    );
    const report = renderReport({
      schemaVersion: 2,
      checkedAt: "2026-12-01T00:00:00.000Z",
      runnerVersion: "t",
      passed: checks.filter((c) => c.ok).length,
      failed: checks.filter((c) => !c.ok).length,
      checks,
      ...(diagnosis ? { diagnosis } : {}),
      mesh: meshReport(layout, evaluation),
    });
    // Wrapped at 100 characters, the same 20 failures and 8 pieces of evidence take more lines
    // than the unwrapped report's 120 of up to 400 characters, and fewer characters in all.
    const lines = report.split("\n");
    expect(lines.length).toBeLessThan(200);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});

describe("parseNodeLinks", () => {
  it("finds the node's own link, its bridge ports, flannel.1 and cni0 in a real ip addr", () => {
    expect(parseNodeLinks(fixture("mesh/ip-addr-vm.txt"), "192.168.240.1")).toEqual({
      nodeLink: { name: "p2p-nodes", mtu: 1500 },
      ports: [{ name: "p2p-node2", mtu: 1500 }],
      flannelMtu: 1450,
      cni0Mtu: 1450,
      // What the node's own requests may come from: flannel.1's 10.42.0.0 across nodes.
      addresses: ["127.0.0.1", "192.0.2.2", "192.168.240.1", "10.42.0.0", "10.42.0.1"],
    });
    expect(parseNodeLinks(fixture("mesh/ip-addr-p2p-node2.txt"), "192.168.240.2")).toEqual({
      nodeLink: { name: "eth0", mtu: 1500 },
      ports: [],
      flannelMtu: 1450,
      cni0Mtu: 1450,
      addresses: ["127.0.0.1", "192.168.240.2", "10.42.1.0", "10.42.1.1"],
    });
  });
});
