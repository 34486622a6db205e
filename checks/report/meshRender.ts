import {
  MATRIX_LETTER,
  MATRIX_NODES_KEPT,
  MeshReport,
  MeshServerWitness,
  NODE_TO_POD,
} from "../contract/meshTypes";
import { mermaid } from "./mermaid";

/** Up to this many nodes the report draws the whole matrix; beyond, counts and failures only. */
export const MATRIX_NODES_SHOWN = 12;

/** Up to this many nodes the picture draws every path; beyond, only the failing ones. */
export const GRAPH_NODES_SHOWN = 8;

/** At most this many failures are listed in the text or drawn in a big cluster's picture. */
export const FAILURES_SHOWN = 20;

/** The letters of a matrix cell as words. */
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
  const word = WORD[cell.charAt(0)] ?? cell.charAt(0);
  return cell.length > 1 ? `${word} ${cell.slice(1)} ms` : word;
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
function serverSideLine(w: MeshServerWitness): string {
  const passes = w.witnessed + w.clientsWordAlone + w.notServed;
  return [
    `server side: ${w.witnessed}/${passes} HTTP passes witnessed by the echo servers' own logs`,
    ...(w.notServed > 0 ? [`${w.notServed} NOT SERVED by the echo server meant`] : []),
    ...(w.clientsWordAlone > 0
      ? [`${w.clientsWordAlone} on the client's word alone (${w.unreadable.join("; ")})`]
      : []),
  ].join(", ");
}

/** The mesh's part of the text report: counts, the matrices (small clusters), every failure. */
export function renderMeshText(mesh: MeshReport): string[] {
  const { counts } = mesh;
  const small = counts.nodes <= MATRIX_NODES_SHOWN;
  const shown = mesh.failures.slice(0, FAILURES_SHOWN);
  // Every node's links on a small cluster; on a big one, those of the nodes the shown failures touch.
  const touched = new Set(shown.flatMap((f) => [f.from, f.to]));
  const nodeMatrix = mesh.nodeMatrix.length > 0 || counts.nodePaths > 0;
  const failing = counts.podPathsFailed + counts.nodePathsFailed;
  return [
    `Every node (${counts.nodes} nodes): pod to pod ${counts.podPaths - counts.podPathsFailed}/${counts.podPaths} paths pass` +
      (nodeMatrix
        ? `, node to pod ${counts.nodePaths - counts.nodePathsFailed}/${counts.nodePaths}`
        : ""),
    `  ${serverSideLine(mesh.serverWitness)}`,
    ...(small
      ? [
          ...table("pod to pod (client node × echo server node):", mesh.nodes, mesh.matrix),
          ...(nodeMatrix
            ? table("node to pod (node × echo server node):", mesh.nodes, mesh.nodeMatrix)
            : []),
        ]
      : [
          mesh.matrix.length > 0
            ? `  (matrix of ${counts.nodes} × ${counts.nodes} in verification.mesh.matrix)`
            : `  (no matrix kept above ${MATRIX_NODES_KEPT} nodes: the counts and failures stand for it)`,
        ]),
    ...shown.map(
      (f) => `  ${f.outcome.toUpperCase()}  ${f.from} → ${f.to}  ${f.ms} ms  ${f.detail}`,
    ),
    ...(failing > shown.length
      ? [
          `  … ${failing - shown.length} more in verification.mesh.failures` +
            (failing > mesh.failures.length
              ? ` (it keeps the first ${mesh.failures.length}; the counts hold every one)`
              : ""),
        ]
      : []),
    ...Object.entries(mesh.links)
      .filter(([node]) => small || touched.has(node))
      .map(([node, links]) => `  links of ${node}: ${links}`),
  ];
}

/**
 * The cluster's paths as a Mermaid graph: a box per node, an arrow per pod path, labelled with its
 * result and time; failing ones red and dashed. A big cluster draws only the failing paths (the
 * first FAILURES_SHOWN) and the boxes they join, so the picture stays readable and the comment small.
 */
export function renderMeshMermaid(mesh: MeshReport): string[] {
  const all = mesh.nodes.length <= GRAPH_NODES_SHOWN;
  const index = new Map(mesh.nodes.map((name, i) => [name, i]));
  // A small cluster's every path from its matrix, but a pair this run did not probe (a sampled
  // coverage); a big one's failing pod paths from the failures, which are kept at any size.
  const drawn = all
    ? mesh.nodes
        .flatMap((_, i) => {
          const cells = (mesh.matrix[i] ?? "").split(" ");
          return mesh.nodes.map((__, j) => ({ i, j, cell: cells[j] ?? "-" }));
        })
        .filter(({ cell }) => cell !== ".")
    : mesh.failures
        .filter((f) => !f.detail.startsWith(NODE_TO_POD))
        .slice(0, FAILURES_SHOWN)
        .map((f) => ({
          i: index.get(f.from) ?? -1,
          j: index.get(f.to) ?? -1,
          cell: `${MATRIX_LETTER[f.outcome]}${f.ms}`,
        }));
  const arrows = drawn.map(({ i, j, cell }) => {
    const ok = cell.startsWith("P");
    return {
      from: `n${i}`,
      to: `n${j}`,
      label: [readable(cell)],
      dashed: !ok,
      ok: ok ? undefined : false,
    };
  });
  const { podPaths, podPathsFailed } = mesh.counts;
  const first = drawn.length < podPathsFailed ? ` (the first ${drawn.length})` : "";
  return mermaid({
    boxes: mesh.nodes
      .map((name, i) => ({ id: `n${i}`, label: [name] }))
      .filter(({ id }) => all || arrows.some((a) => a.from === id || a.to === id)),
    arrows,
    note: all
      ? undefined
      : `${podPaths - podPathsFailed} of ${podPaths} paths pass; failing ones drawn${first}`,
    // Marks the block in the text report, where it follows the mesh's text.
    marker: "pod-to-pod mesh",
  });
}
