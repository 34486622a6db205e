import { describe, expect, it } from "vitest";
import {
  FAILURES_SHOWN,
  GRAPH_NODES_SHOWN,
  MATRIX_NODES_SHOWN,
  renderMeshMermaid,
  renderMeshText,
} from "../../../checks/report/meshRender";
import { MeshReport } from "../../../checks/contract/meshTypes";

/** A report of `n` nodes, node-1 … node-n, whose path from the last node to the first failed. */
function report(n: number): MeshReport {
  const nodes = Array.from({ length: n }, (_, i) => `node-${i + 1}`);
  const matrix = nodes.map((_, i) =>
    nodes.map((__, j) => (i === n - 1 && j === 0 ? "F5012" : `P${10 + j}`)).join(" "),
  );
  return {
    nodes,
    counts: { nodes: n, podPaths: n * n, podPathsFailed: 1, nodePaths: 0, nodePathsFailed: 0 },
    matrix,
    nodeMatrix: [],
    failures: [
      {
        from: nodes[n - 1],
        to: nodes[0],
        outcome: "fail",
        ms: 5012,
        detail: "http: no answer from 10.42.0.10 before the timeout",
      },
    ],
    links: { "node-1": "node link eth0 mtu 1500, flannel.1 mtu 1450, cni0 mtu 1450" },
    serverWitness: { witnessed: n * n - 1, clientsWordAlone: 0, notServed: 0, unreadable: [] },
  };
}

describe("renderMeshText", () => {
  it("draws the matrix, client node by server node, with each path's result and time", () => {
    const text = renderMeshText(report(2)).join("\n");
    expect(text).toContain("Every node (2 nodes): pod to pod 3/4 paths pass");
    expect(text).toMatch(
      /from \\ to\s+node-1\s+node-2\n\s+node-1\s+pass 10 ms\s+pass 11 ms\n\s+node-2\s+FAIL 5012 ms\s+pass 11 ms/,
    );
    expect(text).toContain("FAIL  node-2 → node-1  5012 ms  http: no answer");
    expect(text).toContain("links of node-1: node link eth0 mtu 1500");
  });

  it("leaves the matrix of a big cluster to the outputs, and lists its failures", () => {
    const n = MATRIX_NODES_SHOWN + 1;
    const lines = renderMeshText(report(n));
    expect(lines.join("\n")).not.toContain("from \\ to");
    expect(lines.join("\n")).toContain(`(matrix of ${n} × ${n} in verification.mesh.matrix)`);
    expect(lines.length).toBeLessThan(10);
    // The links of the nodes its failure touches only (node-1 here), not of all of them.
    const many = { ...report(n), links: Object.fromEntries(report(n).nodes.map((x) => [x, "l"])) };
    const shown = renderMeshText(many).filter((l) => l.includes("links of"));
    expect(shown).toEqual(["  links of node-1: l", `  links of node-${n}: l`]);
  });
});

describe("renderMeshMermaid", () => {
  it("draws a box per node and an arrow per path, the failing ones red and dashed", () => {
    const lines = renderMeshMermaid(report(2));
    expect(lines[0]).toBe("%% pod-to-pod mesh");
    expect(lines.at(-1)).toBe("%% end of the pod-to-pod mesh");
    expect(lines).toContain('  n0["node-1"]');
    expect(lines).toContain('  n0 -->|"pass 10 ms"| n0');
    expect(lines).toContain('  n1 -.->|"FAIL 5012 ms"| n0');
    // Edges in order n0→n0, n0→n1, n1→n0: the third is the failing one.
    expect(lines).toContain("  linkStyle 2 stroke:#d00,stroke-width:2px");
  });

  it("draws only the failing paths of a big cluster, so the picture stays small", () => {
    const n = GRAPH_NODES_SHOWN + 2;
    const lines = renderMeshMermaid(report(n));
    expect(lines.filter((l) => l.includes("->|"))).toEqual([`  n${n - 1} -.->|"FAIL 5012 ms"| n0`]);
    expect(lines.join("\n")).toContain(`${n * n - 1} of ${n * n} paths pass; failing ones drawn`);
  });

  it("draws at most FAILURES_SHOWN failing paths, however many fail", () => {
    const n = 20;
    const big = report(n);
    const failing = {
      ...big,
      matrix: big.matrix.map((row) => row.replace(/P/g, "F")),
      counts: { ...big.counts, podPathsFailed: n * n },
      // A big cluster's picture draws from the failures, which are kept at any size.
      failures: big.nodes.flatMap((from) =>
        big.nodes.map((to) => ({ from, to, outcome: "fail" as const, ms: 5, detail: "no answer" })),
      ),
    };
    const lines = renderMeshMermaid(failing);
    expect(lines.filter((l) => l.includes("->|"))).toHaveLength(FAILURES_SHOWN);
    expect(lines.join("\n")).toContain(
      `0 of 400 paths pass; failing ones drawn (the first ${FAILURES_SHOWN})`,
    );
  });

  it("keeps a node name from breaking the graph's syntax", () => {
    const odd = { ...report(1), nodes: ['a"]; click'] };
    expect(renderMeshMermaid(odd)).toContain('  n0["a___ click"]');
  });
});
