import { createHash } from "node:crypto";

/**
 * How a probing pod of the every-node mesh gets its script and hands back what it printed, without
 * an exec per pod: the runner writes one plan (ConfigMaps, each pod's script under its pod's name),
 * every pod's reporter sidecar, watching the plans, hands its pod's script to the pod's prober
 * through a folder they share, and files what the script printed as the pod's report (one
 * ConfigMap); the runner watches the run's reports. Shared by the components that deploy the
 * reporters and the runner that reads them, so the two never disagree on a name.
 *
 * Who filed a report is the API server's word, not the report's: a ValidatingAdmissionPolicy of
 * the lab (components/meshReporting.ts) lets a reporter create nothing but a report named after,
 * and labelled with the UID of, the pod its token was issued to (the token's pod claims).
 */
export const REPORTS = {
  /** On every plan ConfigMap: which run it is (a lowercase hex id). */
  runLabel: "pod-to-pod.dev/run",
  /** Marks a plan. */
  planLabel: "pod-to-pod.dev/plan",
  /**
   * Whose a plan is: planFor(a node) for its pods' scripts, or SERVERS_PLAN for every server's
   * access log. Each reporter watches its own node's plans and the servers' alone, so no pod is
   * sent the scripts of every other (at a thousand nodes, 50 MB a run to each of 3,000 pods).
   */
  planForLabel: "pod-to-pod.dev/plan-for",
  /** On a report: the UID of the pod that filed it, held to its token by the admission policy. */
  podUidLabel: "pod-to-pod.dev/pod-uid",
  /** A plan's name: `<planPrefix>.<run>.<k>`. */
  planPrefix: "p2p-plan",
  /**
   * The run's own ConfigMap, `<runPrefix>.<id>`: every plan and report of the run (its probes' and
   * its servers' logs', each plan with a run label of its own) is owned by it, so deleting it (one
   * request) at the run's end has the garbage collector take them all.
   */
  runPrefix: "p2p-run",
  /** A report's name: `<reportPrefix>.<run>.<pod>`. */
  reportPrefix: "p2p-report",
  /** The report's key holding what the script printed, or why there is nothing. */
  outputKey: "output",
  errorKey: "error",
  /** The sidecar's container name. */
  reporterContainer: "reporter",
  /** The folder the prober and its reporter share. */
  exchangeDir: "/run/pod-to-pod",
} as const;

/**
 * The plan entry that asks a server pod's reporter for its access log since a time (seconds since
 * the epoch): `access-log <seconds>`. The server writes that file with each request's time first
 * (components/nginxConf.ts); the reporter files the lines since then without it, as `kubectl logs
 * --since-time` would give them.
 */
export const ACCESS_LOG_PLAN = "access-log";

export function accessLogPlan(sinceMs: number): string {
  return `${ACCESS_LOG_PLAN} ${Math.floor(sinceMs / 1000)}`;
}

/** The plan-for value of every server's access-log plan. */
export const SERVERS_PLAN = "servers";

/**
 * The plan-for value of a node's plans: a label value holds 63 characters, a node's name 253, so
 * the first 40 hex digits of its SHA-256 (the reporter computes the same with sha256sum).
 */
export function planFor(node: string): string {
  return createHash("sha256").update(node).digest("hex").slice(0, 40);
}

/** A run's id: the label value and the middle of every name of the run. */
export const RUN_ID = /^[0-9a-f]{16}$/;

/** The name of the report a pod files for a run. */
export function reportName(run: string, pod: string): string {
  return `${REPORTS.reportPrefix}.${run}.${pod}`;
}
