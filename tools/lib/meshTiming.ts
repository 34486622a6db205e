/**
 * One timing of the every-node scenario's own work (meshReportTiming.ts) in the checkout at
 * `root`, in a process of its own: for bench:report, side by side with a baseline, and for
 * bench:mesh's simulated clusters.
 */
import * as path from "node:path";
import { mustRun, PROJECT_DIR } from "./runCommand";

/** What one timing measured. */
export interface Timing {
  readonly ms: number;
  /** The report's JSON size, as the stack output holds it. */
  readonly bytes: number;
  readonly heapMiB: number;
  /** The process's peak resident memory. */
  readonly rssMiB: number;
  /**
   * The runner's API requests of a run, by kind (the `runner` mode): a kubectl run each, but the
   * report protocol's, counted as the HTTP requests they are (simulatedReports.ts).
   */
  readonly requests?: Record<string, number>;
  /** The reports the pods' reporters filed in the run: their own requests, one each. */
  readonly reportsFiled?: number;
  /** The run's plans, every ConfigMap of them, in bytes as filed. */
  readonly planBytes?: number;
  /** On fake nodes: the HTTP requests the API server was sent, by verb and resource. */
  readonly apiRequests?: Record<string, number>;
}

/** `report`: meshReport alone; `runner`: the whole run on a simulated lab. */
export const MODES = ["report", "runner"] as const;

/**
 * Times `mode` on a synthetic mesh of `nodes`, every pair up to `allPairsUpTo`; with `namespace`
 * (the `runner` mode), on the mesh deployed there over the cluster's fake nodes.
 */
export function meshTiming(
  root: string,
  nodes: number,
  allPairsUpTo: number,
  mode: (typeof MODES)[number],
  namespace?: string,
): Timing {
  const script = path.join(PROJECT_DIR, "tools/lib/meshReportTiming.ts");
  const args = [script, root, String(nodes), String(allPairsUpTo), mode];
  const run = mustRun("npx", ["tsx", ...args, ...(namespace ? [namespace] : [])], {
    timeoutMs: 30 * 60_000,
  });
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as Timing;
}

/** A run's API requests in a line: "2 run creates, 101 plan creates, 2 report lists, …". */
export function describeRequests(requests: Readonly<Record<string, number>>): string {
  return Object.entries(requests)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
}

/** What a run's plans and reports came to, in a phrase: "plans 512 KiB, 3,000 reports filed by the pods". */
export function describeReporting(timing: Pick<Timing, "planBytes" | "reportsFiled">): string {
  const kib = Math.round((timing.planBytes ?? 0) / 1024).toLocaleString("en-US");
  const filed = (timing.reportsFiled ?? 0).toLocaleString("en-US");
  return `plans ${kib} KiB in all, ${filed} reports filed by the pods' reporters (one request each, theirs)`;
}
