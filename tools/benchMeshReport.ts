/**
 * `npm run bench:report`: how long the every-node report (`meshReport`: counts, matrices,
 * failures) takes to build on synthetic meshes of 100 nodes (every pair), 300 and 1,000 nodes
 * (sampled, 32 per node), now against a baseline commit (BENCH_BASELINE, default HEAD~1), side by
 * side: each round runs both, in alternating order, each in a process of its own
 * (tools/lib/meshReportTiming.ts). No cluster: only the runner's own work.
 *
 *   BENCH_BASELINE=<commit> tsx tools/benchMeshReport.ts [rounds=3]
 */
import * as path from "node:path";
import { median } from "./lib/benchStats";
import { projectAt, resolveRevision } from "./lib/benchProjects";
import { mustRun, PROJECT_DIR } from "./lib/runCommand";

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [100, 100],
  [300, 32],
  [1000, 32],
];

interface Timing {
  readonly ms: number;
  readonly bytes: number;
}

function timing(root: string, nodes: number, allPairsUpTo: number): Timing {
  const script = path.join(PROJECT_DIR, "tools/lib/meshReportTiming.ts");
  const run = mustRun("npx", ["tsx", script, root, String(nodes), String(allPairsUpTo)], {
    timeoutMs: 30 * 60_000,
  });
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as Timing;
}

const rounds = Number(process.argv[2] ?? 3);
const baseline = resolveRevision(process.env.BENCH_BASELINE ?? "HEAD~1");
const then = projectAt(baseline);
try {
  for (const [nodes, allPairsUpTo] of SIZES) {
    const now: number[] = [];
    const before: number[] = [];
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      const sides = [
        () => {
          const t = timing(PROJECT_DIR, nodes, allPairsUpTo);
          now.push(t.ms);
          bytes = t.bytes;
        },
        () => before.push(timing(then.dir, nodes, allPairsUpTo).ms),
      ];
      (round % 2 === 0 ? sides : sides.reverse()).forEach((side) => side());
    }
    console.log(
      `${nodes} nodes, every pair up to ${allPairsUpTo}: meshReport ${median(now).toFixed(0)} ms now, ${median(before).toFixed(0)} ms at ${baseline.slice(0, 7)} (${(median(now) / median(before)).toFixed(3)}×); the report ${(bytes / 1024).toFixed(0)} KiB`,
    );
  }
} finally {
  then.remove();
}
