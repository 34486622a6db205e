import * as v8 from "node:v8";

/**
 * The runner is a batch: it holds a run's results for some seconds, then prints the verdict and
 * ends. V8's defaults, made for long-lived servers, let its heap grow far past what is live before
 * a full collection (at 1,000 simulated nodes some 100 MiB live, near 300 MiB resident; see
 * docs/benchmarks.md), so the runner has its heap grow by a fifth over what is live instead. Only
 * the collector's schedule changes, not the compiler's (`--optimize-for-size` held memory lower
 * still, but made the runner a third slower). Called first thing by run.ts, and by the bench
 * (tools/lib/meshRunnerTiming.ts) so that it measures the runner as run.
 */
export function favourMemory(): void {
  v8.setFlagsFromString("--heap-growing-percent=20");
}
