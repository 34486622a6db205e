/**
 * One run of the runner (checks/runPlan.ts) on a simulated every-node lab
 * (syntheticMeshCluster.ts), as the lab's command runs it: bundled by esbuild and started by plain
 * node, so the figures are the runner's and not a TypeScript loader's. Started by
 * meshReportTiming.ts's `runner` mode as `node <this, bundled> <runPlan bundle> <nodes> <plan.json>`;
 * prints `{"ms": …, "bytes": …, "heapMiB": …, "rssMiB": …, "requests": {…}}`.
 */
import * as fs from "node:fs";
import { syntheticMeshCluster } from "./syntheticMeshCluster";

type RunPlan = typeof import("../../checks/runPlan");

async function main(): Promise<void> {
  const [bundle, nodes, planFile] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runPlan } = require(bundle) as RunPlan;
  const cluster = syntheticMeshCluster(Number(nodes));
  const started = process.hrtime.bigint();
  const verification = await runPlan(
    { mesh: JSON.parse(fs.readFileSync(planFile, "utf8")) },
    cluster.run,
    { runnerVersion: "bench" },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const failed = verification.checks.filter((check) => !check.ok);
  if (failed.length > 0) {
    throw new Error(
      `the simulated mesh should pass; failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`,
    );
  }
  console.log(
    JSON.stringify({
      ms,
      bytes: JSON.stringify(verification.mesh).length,
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      rssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      requests: cluster.requests,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
