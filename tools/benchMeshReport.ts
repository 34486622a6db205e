/**
 * `npm run bench:report`: the runner's own work on the every-node scenario, on synthetic meshes of
 * 100 nodes (every pair), 300 and 1,000 nodes (sampled, 32 per node): the report alone
 * (`meshReport`: counts, matrices, failures), and the whole run as the runner makes it, its
 * kubectl answered by a simulated lab (tools/lib/syntheticMeshCluster.ts), with the runner's peak
 * memory, its API requests, and its plans' size counted; now against a baseline commit (BENCH_BASELINE, default
 * HEAD~1), side by side: each round runs both, in alternating order, each in a process of its own
 * (tools/lib/meshReportTiming.ts); medians of the rounds. No cluster, no packets, no kubectl
 * processes: what 1,000 nodes cost the runner itself.
 *
 *   BENCH_BASELINE=<commit> tsx tools/benchMeshReport.ts [rounds=3]
 */
import { median } from "./lib/benchStats";
import { projectAt, resolveRevision } from "./lib/benchProjects";
import { PROJECT_DIR } from "./lib/runCommand";
import { describeReporting, describeRequests, meshTiming, MODES, Timing } from "./lib/meshTiming";

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
      const now: Timing[] = [];
      const before: Timing[] = [];
      for (let round = 0; round < rounds; round++) {
        const sides = [
          () => now.push(meshTiming(PROJECT_DIR, nodes, allPairsUpTo, mode)),
          () => before.push(meshTiming(then.dir, nodes, allPairsUpTo, mode)),
        ];
        (round % 2 === 0 ? sides : sides.reverse()).forEach((side) => side());
      }
      const ms = (side: Timing[]) => median(side.map((t) => t.ms));
      const rss = (side: Timing[]) => median(side.map((t) => t.rssMiB));
      const last = now[now.length - 1];
      console.log(
        `${nodes} nodes, every pair up to ${allPairsUpTo}, ${mode}: ${ms(now).toFixed(0)} ms now, ${ms(before).toFixed(0)} ms at ${baseline.slice(0, 7)} (${(ms(now) / ms(before)).toFixed(3)}×); the report ${(last.bytes / 1024).toFixed(0)} KiB; peak resident ${rss(now)} MiB now (rounds ${now.map((t) => t.rssMiB).join(", ")}), ${rss(before)} MiB before (${before.map((t) => t.rssMiB).join(", ")})${
          last.requests ? `; the runner's API requests: ${describeRequests(last.requests)}` : ""
        }${last.planBytes !== undefined ? `; ${describeReporting(last)}` : ""}`,
      );
    }
  }
} finally {
  then.remove();
}
