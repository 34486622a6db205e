/**
 * Which pairs of nodes one run of the every-node scenario probes. Up to `allPairsUpTo` nodes,
 * every pair. Above it, a rotation: the nodes in matrix order, the client on node i probes the echo
 * servers on the nodes (i + o) mod N for the M offsets o of this run's window, M = allPairsUpTo.
 * For each offset, i → (i + o) mod N is a permutation, so every node sends M probes and every echo
 * server receives M; window r holds the offsets r·M … r·M + M − 1 (mod N), so ceil(N / M)
 * successive runs hold every offset, which is every pair. The run number r is the lab's own
 * counter (rotation.ts), so the runs that cover every pair are consecutive runs, whoever made them.
 */
export interface MeshCoverage {
  /** Every pair this run, or a window of offsets. */
  readonly pairs: "every" | "sampled";
  /** The run's number, as the lab's counter gave it (0 where every pair is probed). */
  readonly run: number;
  /** The offsets this run probes, in order: from node i, to node (i + offset) mod N. */
  readonly offsets: readonly number[];
  /** How many consecutive runs cover every pair (1 where every pair is probed). */
  readonly runsForEveryPair: number;
}

/** The pairs one run covers, for `nodes` nodes, every pair up to `allPairsUpTo`, at run `run`. */
export function meshCoverage(nodes: number, allPairsUpTo: number, run: number): MeshCoverage {
  if (nodes <= allPairsUpTo) {
    return { pairs: "every", run: 0, offsets: range(nodes), runsForEveryPair: 1 };
  }
  const windows = Math.ceil(nodes / allPairsUpTo);
  const first = (run % windows) * allPairsUpTo;
  return {
    pairs: "sampled",
    run,
    offsets: range(allPairsUpTo).map((j) => (first + j) % nodes),
    runsForEveryPair: windows,
  };
}

/** The indices of the nodes the node at `from` probes this run, in the matrix's order. */
export function coveredFrom(coverage: MeshCoverage, from: number, nodes: number): number[] {
  return coverage.offsets.map((offset) => (from + offset) % nodes).sort((a, b) => a - b);
}

/**
 * The nodes each node probes this run, by name, in the matrix's order: what the scripts are given,
 * what is judged and what the matrices mark, from this one reading of the window.
 */
export function coveredNodes(
  coverage: MeshCoverage,
  nodes: readonly string[],
): (from: string) => readonly string[] {
  const byNode = new Map(
    nodes.map((from, i) => [from, coveredFrom(coverage, i, nodes.length).map((j) => nodes[j])]),
  );
  return (from) => byNode.get(from) ?? [];
}

/** The coverage in words, for the mesh-coverage check's detail. */
export function describeCoverage(coverage: MeshCoverage, nodes: number): string {
  if (coverage.pairs === "every") {
    return "every pair probed";
  }
  const { offsets } = coverage;
  const which =
    offsets.length === 1
      ? `the one at offset ${offsets[0]}`
      : `those at offsets ${offsets[0]} to ${offsets[0] + offsets.length - 1}`;
  return `sampled (run ${coverage.run}): each client probes ${offsets.length} of the ${nodes} echo servers, ${which} from its own node in the matrix's order (mod ${nodes}, 0 its own); ${coverage.runsForEveryPair} consecutive runs cover every pair`;
}

/** Whether a run's window holds a pair of two nodes (a window of offset 0 alone holds none). */
export function coversOtherNodes(coverage: MeshCoverage): boolean {
  return coverage.offsets.some((offset) => offset !== 0);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
