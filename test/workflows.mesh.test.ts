import { describe, expect, it } from "vitest";
import { renderReport, splitMermaid } from "../.github/scripts/report/render";
import { renderMeshMermaid, renderMeshText } from "../checks/report/meshRender";
import { MeshReport } from "../checks/contract/meshTypes";

const mesh: MeshReport = {
  nodes: ["vm", "p2p-node2"],
  counts: { nodes: 2, podPaths: 4, podPathsFailed: 0, nodePaths: 2, nodePathsFailed: 0 },
  matrix: ["P120 P130", "P140 P150"],
  nodeMatrix: [". P10", "P11 ."],
  failures: [],
  links: {},
  serverWitness: { witnessed: 8, clientsWordAlone: 0, notServed: 0, unreadable: [] },
};

/** `npm run verify`'s output for an every-node lab: the report with its picture. */
const verifyOutput = [
  "pod-to-pod network verification (20 passed, 0 failed), checked at 2026-12-01T22:36:16.281Z by runner 0.1.0",
  ...renderMeshText(mesh),
  "",
  ...renderMeshMermaid(mesh),
].join("\n");

describe("the workflow report of an every-node lab", () => {
  it("draws the cluster's paths as a Mermaid graph, outside the text block", () => {
    const body = renderReport({
      title: "t",
      pulumi: { command: "up", log: "", events: [], exitCode: 0 },
      verify: { output: verifyOutput, exitCode: 0 },
      runUrl: "https://github.com/lab/pod-to-pod/actions/runs/42",
      commit: "abcdef0123456789",
    });
    expect(body).toContain('Paths between the nodes:\n\n```mermaid\ngraph LR\n  n0["vm"]');
    expect(body).toContain('  n1 -->|"pass 150 ms"| n1\n```');
    const text = body.slice(body.indexOf("```text"));
    expect(text).toContain("Every node (2 nodes): pod to pod 4/4 paths pass");
    expect(text).not.toContain("graph LR");
  });

  it("leaves a report without a picture, or with a broken one, as text", () => {
    expect(splitMermaid("no graph here")).toEqual({ text: "no graph here" });
    const forged = verifyOutput.replace('"pass 120 ms"', '"```"');
    expect(splitMermaid(forged).graph).toBeUndefined();
  });
});
