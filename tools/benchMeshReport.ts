/**
 * `npm run bench:report`: how long the runner's own work on the every-node scenario takes once the
 * scripts have printed, on synthetic meshes of 100 nodes (every pair), 300 and 1,000 nodes
 * (sampled, 32 per node): the report alone (`meshReport`: counts, matrices, failures), and the
 * whole judging (sections to paths, the echo servers' logs, the checks, the diagnosis, the
 * report), with its heap; and the whole run as the runner makes it, its kubectl answered by a
 * simulated lab (tools/lib/syntheticMeshCluster.ts), with the runner's peak memory and its API
 * requests counted; now against a baseline commit (BENCH_BASELINE, default HEAD~1), side by
 * side: each round runs both, in alternating order, each in a process of its own
 * (tools/lib/meshReportTiming.ts). No cluster, no packets, no kubectl processes: what 1,000 nodes
 * cost the runner itself.
 *
 *   BENCH_BASELINE=<commit> tsx tools/benchMeshReport.ts [rounds=3]
 */
import { median } from "./lib/benchStats";
import { projectAt, resolveRevision } from "./lib/benchProjects";
import { PROJECT_DIR } from "./lib/runCommand";
import { meshTiming, MODES, Timing } from "./lib/meshTiming";

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [100, 100],
  [300, 32],
  [1000, 32],
];

const rounds = Number(process.argv[2] ?? 3);
const baseline = resolveRevision(process.env.BENCH_BASELINE ?? "HEAD~1");
const then = projectAt(baseline);
try {
  for (const [nodes, allPairsUpTo] of SIZES) {
    for (const mode of MODES) {
      const now: number[] = [];
      const before: number[] = [];
      let last: Timing = { ms: 0, bytes: 0, heapMiB: 0, rssMiB: 0 };
      let lastBefore: Timing = last;
      for (let round = 0; round < rounds; round++) {
        const sides = [
          () => {
            last = meshTiming(PROJECT_DIR, nodes, allPairsUpTo, mode);
            now.push(last.ms);
          },
          () => {
            lastBefore = meshTiming(then.dir, nodes, allPairsUpTo, mode);
            before.push(lastBefore.ms);
          },
        ];
        (round % 2 === 0 ? sides : sides.reverse()).forEach((side) => side());
      }
      console.log(
        `${nodes} nodes, every pair up to ${allPairsUpTo}, ${mode}: ${median(now).toFixed(0)} ms now, ${median(before).toFixed(0)} ms at ${baseline.slice(0, 7)} (${(median(now) / median(before)).toFixed(3)}×); the report ${(last.bytes / 1024).toFixed(0)} KiB, the heap ${last.heapMiB} MiB, peak resident ${last.rssMiB} MiB (${lastBefore.rssMiB} MiB before)${
          last.requests
            ? `; API requests: ${Object.entries(last.requests)
                .map(([kind, count]) => `${count} ${kind}`)
                .join(", ")}`
            : ""
        }`,
      );
    }
  }
} finally {
  then.remove();
}
