import * as v8 from "node:v8";

/**
 * The runner is a batch: it holds a run's results for some seconds, then prints the verdict and
 * ends. V8's defaults, made for long-lived servers, let its heap grow to about twice what is live
 * before collecting (at 1,000 simulated nodes some 100 MiB live, near 300 MiB resident; see
 * docs/benchmarks.md), so the runner asks V8 to favour memory over speed. Called first thing by
 * run.ts, and by the bench (tools/lib/meshRunnerTiming.ts) so that it measures the runner as run.
 */
export function favourMemory(): void {
  v8.setFlagsFromString("--optimize-for-size");
}
