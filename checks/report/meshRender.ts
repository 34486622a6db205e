import { MeshReport, MeshServerWitness } from "../contract/meshTypes";

/** Up to this many nodes the report draws the whole matrix; beyond, counts and failures only. */
export const MATRIX_NODES_SHOWN = 12;

/** Up to this many nodes the picture draws every path; beyond, only the failing ones. */
export const GRAPH_NODES_SHOWN = 8;

/** At most this many failing paths are drawn in a big cluster's picture; the rest are counted. */
export const GRAPH_FAILURES_SHOWN = 20;

/** The first and last lines of the mesh's Mermaid block (Mermaid comments), marking it in the text report. */
export const MERMAID_START = "%% pod-to-pod mesh";
export const MERMAID_END = "%% end of the pod-to-pod mesh";

const WORD: Record<string, string> = {
  P: "pass",
  M: "MTU",
  F: "FAIL",
  N: "NOT SERVED",
  "-": "absent",
  ".": "",
};

/** A matrix cell as a person reads it: `pass 12 ms`. */
function readable(cell: string): string {
  const letter = cell.charAt(0);
  const ms = cell.slice(1);
  return ms ? `${WORD[letter] ?? letter} ${ms} ms` : (WORD[letter] ?? letter);
}

function table(title: string, nodes: readonly string[], rows: readonly string[]): string[] {
  const cells = rows.map((row) => row.split(" ").map(readable));
  const width = Math.max(
    "from \\ to".length,
    ...nodes.map((n) => n.length),
    ...cells.flat().map((c) => c.length),
  );
  const line = (first: string, rest: readonly string[]) =>
    `    ${[first, ...rest].map((c) => c.padEnd(width)).join("  ")}`.trimEnd();
  return [
    `  ${title}`,
    line("from \\ to", nodes),
    ...nodes.map((node, i) => line(node, cells[i] ?? [])),
  ];
}

/** What the echo servers' own logs said of the HTTP passes: one line, never left out. */
function serverSideLine(witness: MeshServerWitness): string {
  const passes = witness.witnessed + witness.clientsWordAlone + witness.notServed;
  const parts = [
    `server side: ${witness.witnessed}/${passes} HTTP passes witnessed by the echo servers' own logs`,
    ...(witness.notServed > 0 ? [`${witness.notServed} NOT SERVED by the echo server meant`] : []),
    ...(witness.clientsWordAlone > 0
      ? [
          `${witness.clientsWordAlone} on the client's word alone (${witness.unreadable.join("; ")})`,
        ]
      : []),
  ];
  return parts.join(", ");
}

/** The mesh's part of the text report: counts, the matrices (small clusters), every failure. */
export function renderMeshText(mesh: MeshReport): string[] {
  const { counts } = mesh;
  const lines = [
    "",
    `Every node (${counts.nodes} nodes): pod to pod ${counts.podPaths - counts.podPathsFailed}/${counts.podPaths} paths pass` +
      (mesh.nodeMatrix.length > 0
        ? `, node to pod ${counts.nodePaths - counts.nodePathsFailed}/${counts.nodePaths}`
        : ""),
  ];
  lines.push(`  ${serverSideLine(mesh.serverWitness)}`);
  if (counts.nodes <= MATRIX_NODES_SHOWN) {
    lines.push(...table("pod to pod (client node × echo server node):", mesh.nodes, mesh.matrix));
    if (mesh.nodeMatrix.length > 0) {
      lines.push(...table("node to pod (node × echo server node):", mesh.nodes, mesh.nodeMatrix));
    }
  } else {
    lines.push(`  (matrix of ${counts.nodes} × ${counts.nodes} in verification.mesh.matrix)`);
  }
  for (const failure of mesh.failures.slice(0, 20)) {
    lines.push(
      `  ${failure.outcome.toUpperCase()}  ${failure.from} → ${failure.to}  ${failure.ms} ms  ${failure.detail}`,
    );
  }
  if (mesh.failures.length > 20) {
    lines.push(`  … ${mesh.failures.length - 20} more in verification.mesh.failures`);
  }
  // Every node's links on a small cluster; on a big one, those of the nodes the shown failures touch.
  const touched = new Set(mesh.failures.slice(0, 20).flatMap((f) => [f.from, f.to]));
  for (const [node, links] of Object.entries(mesh.links)) {
    if (counts.nodes <= MATRIX_NODES_SHOWN || touched.has(node)) {
      lines.push(`  links of ${node}: ${links}`);
    }
  }
  return lines;
}

/** The colour of a passing arrow or box in the pictures. */
export const PASS_STROKE = "#080";

/** The colour of a failing arrow or box in the pictures. */
export const FAIL_STROKE = "#d00";

/**
 * Mermaid-safe label text: no quotes or brackets from a name reach the graph's syntax, and no
 * backticks close the Markdown block that holds it.
 */
export function mermaidText(text: string): string {
  return text.replace(/["[\]{}|<>#;`]/g, "_");
}

/**
 * The cluster's paths as a Mermaid graph (GitHub renders it): a box per node, an arrow per pod
 * path, labelled with its result and time; failing ones red and dashed. A big cluster draws only
 * the failing paths, so the picture stays readable and the comment small.
 */
export function renderMeshMermaid(mesh: MeshReport): string[] {
  const all = mesh.nodes.length <= GRAPH_NODES_SHOWN;
  const edges: string[] = [];
  // The boxes of the nodes an arrow is drawn for (a big cluster's healthy nodes are left out).
  const drawn = new Set<number>(all ? mesh.nodes.map((_, i) => i) : []);
  const red: number[] = [];
  let edge = 0;
  mesh.nodes.forEach((_, i) => {
    const cells = (mesh.matrix[i] ?? "").split(" ");
    mesh.nodes.forEach((__, j) => {
      const cell = cells[j] ?? "-";
      const ok = cell.startsWith("P");
      if (!all && (ok || red.length >= GRAPH_FAILURES_SHOWN)) {
        return;
      }
      edges.push(`  n${i} ${ok ? "-->" : "-.->"}|"${readable(cell)}"| n${j}`);
      drawn.add(i).add(j);
      if (!ok) {
        red.push(edge);
      }
      edge += 1;
    });
  });
  const lines = [
    MERMAID_START,
    "graph LR",
    ...[...drawn].sort((a, b) => a - b).map((i) => `  n${i}["${mermaidText(mesh.nodes[i])}"]`),
    ...edges,
  ];
  if (!all) {
    const passing = mesh.counts.podPaths - mesh.counts.podPathsFailed;
    const first = red.length < mesh.counts.podPathsFailed ? ` (the first ${red.length})` : "";
    lines.push(
      `  note["${passing} of ${mesh.counts.podPaths} paths pass; failing ones drawn${first}"]`,
    );
  }
  if (red.length > 0) {
    lines.push(`  linkStyle ${red.join(",")} stroke:${FAIL_STROKE},stroke-width:2px`);
  }
  lines.push(MERMAID_END);
  return lines;
}
