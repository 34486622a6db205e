import { describe, expect, it } from "vitest";
import { coveredFrom, meshCoverage } from "../../../../checks/scenarios/mesh/coverage";

describe("meshCoverage: which pairs one run probes", () => {
  it("probes every pair up to allPairsUpTo nodes, whatever the run", () => {
    expect(meshCoverage(3, 3, 41)).toEqual({
      pairs: "every",
      run: 0,
      offsets: [0, 1, 2],
      runsForEveryPair: 1,
    });
  });

  it("above it, a window of M offsets per run, wrapping round the nodes, the runs in a cycle", () => {
    const windows = [0, 1, 2, 3, 4].map((run) => meshCoverage(5, 2, run).offsets);
    expect(windows).toEqual([
      [0, 1],
      [2, 3],
      [4, 0],
      [0, 1],
      [2, 3],
    ]);
    expect(meshCoverage(5, 2, 4)).toMatchObject({ pairs: "sampled", run: 4, runsForEveryPair: 3 });
  });

  it("has every node send M probes and receive M, in every run", () => {
    for (const [nodes, m] of [
      [5, 2],
      [7, 3],
      [10, 1],
      [1000, 32],
    ]) {
      for (let run = 0; run < Math.ceil(nodes / m); run += 1) {
        const coverage = meshCoverage(nodes, m, run);
        const received = new Array<number>(nodes).fill(0);
        for (let from = 0; from < nodes; from += 1) {
          const to = coveredFrom(coverage, from, nodes);
          expect(new Set(to).size).toBe(m);
          to.forEach((index) => (received[index] += 1));
        }
        expect(new Set(received)).toEqual(new Set([m]));
      }
    }
  });

  it("covers every pair in any ceil(N / M) consecutive runs", () => {
    const nodes = 7;
    const m = 3;
    for (const start of [0, 5, 11]) {
      const seen = new Set<string>();
      for (let run = start; run < start + Math.ceil(nodes / m); run += 1) {
        const coverage = meshCoverage(nodes, m, run);
        for (let from = 0; from < nodes; from += 1) {
          coveredFrom(coverage, from, nodes).forEach((to) => seen.add(`${from}->${to}`));
        }
      }
      expect(seen.size).toBe(nodes * nodes);
    }
  });
});
