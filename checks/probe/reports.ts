import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planFor, reportName, REPORTS } from "../contract/reports";
import { KubectlRunner, kubectlError, outputOf, ProbingPod, readResult } from "./exec";
import { buildScript, ScriptOutput, ScriptSpec } from "./script";

/** A pod that reports: who it is (by the UID the API server gave it) and on which node. */
export interface ReportingPod extends ProbingPod {
  readonly uid: string;
  readonly node: string;
}

/** One pod's part of a run: its script, and room beyond its deadline. */
export interface ReportedProber {
  readonly pod: ReportingPod;
  readonly script: () => ScriptSpec;
  readonly slackSeconds: number;
}

/**
 * What a pod is asked for in a plan and how its report is read: a script its prober runs (see
 * scriptRequest), or an access log its reporter files itself (accessLogPlan).
 */
export interface ReportRequest<T> {
  readonly pod: ReportingPod;
  /** Whose plan carries it: planFor(the pod's node), or SERVERS_PLAN. */
  readonly planFor: string;
  /**
   * The plan's entry for the pod, and how long the pod may take from the plan's filing (its
   * reporter's start aside): made as the plan is written, so a thousand nodes' scripts (some
   * 25 KB each, and their specs more) are never all held at once.
   */
  readonly plan: () => PlanEntry;
  /** The report's output, read. */
  readonly read: (printed: string) => T | Error;
}

/** One pod's entry in a plan. */
export interface PlanEntry {
  readonly entry: string;
  readonly withinMs: number;
}

/**
 * A prober's script as a plan entry of its node, its report read into the script's sections. The
 * script's spec is made when the plan is written and let go then: only its nonce is kept, to read
 * the report by.
 */
export function scriptRequest(prober: ReportedProber): ReportRequest<ScriptOutput> {
  const { pod } = prober;
  let nonce = "";
  return {
    pod,
    planFor: planFor(pod.node),
    plan: () => {
      const spec = prober.script();
      nonce = spec.nonce;
      return {
        entry: buildScript(spec),
        withinMs: (spec.deadlineSeconds + prober.slackSeconds) * 1000,
      };
    },
    read: (printed) =>
      outputOf(
        printed,
        nonce,
        pod,
        () =>
          `${pod.namespace}/${pod.name}'s script printed no probe; the pod is the problem, not the network`,
      ),
  };
}

/** What the delivery needs of the run: kubectl, its context, the clocks. */
export interface ReportEnv {
  readonly run: KubectlRunner;
  readonly context: readonly string[];
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** Most of a ConfigMap's 1 MiB: room for its names and labels. */
const PLAN_BYTES = 900 * 1024;
/** How long a reporter may take to see the plan and start, beyond the script's own bounds. */
const REPORTER_START_MS = 10_000;
/** The first look for reports, and the longest wait between two: a list costs one request. */
const FIRST_LOOK_MS = 300;
const LONGEST_LOOK_MS = 2_000;

/** The run's own ConfigMap, which owns every plan and report of the run. */
export interface RunOwner {
  readonly id: string;
  readonly uid: string;
}

/**
 * The plan's ConfigMaps, one at a time, as they are written: the entries grouped by whose plan
 * carries them (a node's, the servers'), each pod's under its name, a new ConfigMap of a group
 * once PLAN_BYTES are full; each labelled with the run and its group, owned by the run's ConfigMap.
 */
export function* planObjects(
  owner: RunOwner,
  namespace: string,
  entries: ReadonlyArray<{ pod: string; planFor: string; plan: () => PlanEntry }>,
  /** Told each entry's time to take, as it is made. */
  took: (withinMs: number) => void = () => undefined,
): Generator<object> {
  const groups = new Map<string, Array<(typeof entries)[number]>>();
  for (const entry of entries) {
    groups.set(entry.planFor, [...(groups.get(entry.planFor) ?? []), entry]);
  }
  let k = 0;
  const object = (group: string, data: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `${REPORTS.planPrefix}.${owner.id}.${k++}`,
      namespace,
      labels: {
        [REPORTS.runLabel]: owner.id,
        [REPORTS.planLabel]: "true",
        [REPORTS.planForLabel]: group,
      },
      ownerReferences: [
        { apiVersion: "v1", kind: "ConfigMap", name: runName(owner.id), uid: owner.uid },
      ],
    },
    data,
  });
  for (const [group, members] of groups) {
    let data: Record<string, string> = {};
    let bytes = 0;
    for (const { pod, plan } of members) {
      const made = plan();
      took(made.withinMs);
      const entry = made.entry;
      const size = Buffer.byteLength(entry) + pod.length;
      if (bytes > 0 && bytes + size > PLAN_BYTES) {
        yield object(group, data);
        data = {};
        bytes = 0;
      }
      data[pod] = entry;
      bytes += size;
    }
    yield object(group, data);
  }
}

function runName(id: string): string {
  return `${REPORTS.runPrefix}.${id}`;
}

/** A listed report, as the runner reads it. */
interface Report {
  readonly name: string;
  readonly podUid: string;
  readonly output?: string;
  readonly error?: string;
}

/** One page of a list of reports, and the token of the next page (none: the last). */
interface ReportPage {
  readonly reports: Report[];
  readonly next?: string;
}

function parseReportPage(json: string): ReportPage {
  const list = JSON.parse(json) as {
    items?: Array<{
      metadata?: { name?: string; labels?: Record<string, string> };
      data?: Record<string, string>;
    }>;
    metadata?: { continue?: string };
  };
  const reports = (list.items ?? []).map((item) => ({
    name: item.metadata?.name ?? "",
    podUid: item.metadata?.labels?.[REPORTS.podUidLabel] ?? "",
    ...(item.data?.[REPORTS.outputKey] !== undefined
      ? { output: item.data[REPORTS.outputKey] }
      : {}),
    ...(item.data?.[REPORTS.errorKey] !== undefined ? { error: item.data[REPORTS.errorKey] } : {}),
  }));
  const next = list.metadata?.continue;
  return next ? { reports, next } : { reports };
}

/** Reports a page holds at most: only one page is held at a time (2,000 pods' output is 30 MB). */
const REPORTS_PER_PAGE = 500;

/**
 * Lists the run's reports, a page at a time (one request each, `kubectl get --raw` with the API's
 * own limit and continue, where `kubectl get` would gather every page into one answer), each page
 * given to `take` and let go before the next is asked for.
 */
async function listReports(
  env: ReportEnv,
  namespace: string,
  id: string,
  take: (reports: readonly Report[]) => void,
): Promise<Error | undefined> {
  let next: string | undefined;
  do {
    const query = new URLSearchParams({
      labelSelector: `${REPORTS.runLabel}=${id},!${REPORTS.planLabel}`,
      limit: String(REPORTS_PER_PAGE),
      ...(next ? { continue: next } : {}),
    });
    const page = readResult(
      await env.run(
        [...env.context, "get", "--raw", `/api/v1/namespaces/${namespace}/configmaps?${query}`],
        LONGEST_LOOK_MS * 5,
      ),
      parseReportPage,
    );
    if (page instanceof Error) {
      return page;
    }
    take(page.reports);
    next = page.next;
  } while (next);
  return undefined;
}

/**
 * Runs every pod's script by report, not by exec: creates the run's own ConfigMap, files the run's
 * plan (one `kubectl create` of a ConfigMap per node, and per 900 KiB of a node's entries), then
 * lists the run's reports (a request per page of 500) as they come, a wait that grows from 0.3 to
 * 2 s between two looks, until every pod has reported or the latest deadline has passed; then
 * deletes the run's ConfigMap, whose plans and reports the garbage collector takes with it. So the
 * collection grows with the run's length, not with the pods. A pod's result settles as its report is
 * seen; a report counts only under the pod's own name and UID (which the lab's admission policy
 * holds each reporter to); a pod that reported nothing by the end is an Error naming it.
 */
export function deliverByReports<T>(
  env: ReportEnv,
  namespace: string,
  requests: readonly ReportRequest<T>[],
): Promise<T | Error>[] {
  const settle: Array<(result: T | Error) => void> = [];
  const results = requests.map(
    (_, at) => new Promise<T | Error>((resolve) => (settle[at] = resolve)),
  );
  void collect(env, namespace, requests, settle).catch((error: unknown) => {
    const failure = error instanceof Error ? error : new Error(String(error));
    settle.forEach((resolve) => resolve(failure));
  });
  return results;
}

async function collect<T>(
  env: ReportEnv,
  namespace: string,
  requests: readonly ReportRequest<T>[],
  settle: ReadonlyArray<(result: T | Error) => void>,
): Promise<void> {
  const { run, context } = env;
  const id = crypto.randomBytes(8).toString("hex");
  const started = env.now();
  // Until the plan is filed, no pod's time is known: each is told as its entry is made.
  let deadline = started + REPORTER_START_MS;
  const pending = new Map(requests.map((request, at) => [reportName(id, request.pod.name), at]));
  const owner = readResult(
    await run(
      [
        ...context,
        "create",
        "configmap",
        runName(id),
        "-n",
        namespace,
        "-o",
        "jsonpath={.metadata.uid}",
      ],
      LONGEST_LOOK_MS * 5,
    ),
    (uid) => ({ id, uid: uid.trim() }),
  );
  if (owner instanceof Error) {
    for (const at of pending.values()) {
      settle[at](new Error(`the run's plan could not be filed in ${namespace}: ${owner.message}`));
    }
    return;
  }
  try {
    const filed = await filePlan(
      env,
      namespace,
      owner,
      requests.map((request) => ({
        pod: request.pod.name,
        planFor: request.planFor,
        plan: request.plan,
      })),
      (withinMs) => {
        deadline = Math.max(deadline, started + REPORTER_START_MS + withinMs);
      },
      () => deadline - env.now(),
    );
    if (filed instanceof Error) {
      for (const at of pending.values()) {
        settle[at](
          new Error(`the run's plan could not be filed in ${namespace}: ${filed.message}`),
        );
      }
      return;
    }
    let wait = FIRST_LOOK_MS;
    let lastError: Error | undefined;
    // The waits are counted too: a clock that stands still (a test's) still ends the looking.
    let waited = 0;
    while (pending.size > 0 && env.now() < deadline && started + waited < deadline) {
      const step = Math.min(wait, Math.max(0, deadline - env.now()));
      await env.sleep(step);
      waited += step;
      wait = Math.min(LONGEST_LOOK_MS, wait * 1.5);
      const failed = await listReports(env, namespace, id, (reports) => {
        for (const report of reports) {
          const at = pending.get(report.name);
          if (at === undefined || report.podUid !== requests[at].pod.uid) {
            continue;
          }
          pending.delete(report.name);
          settle[at](readReport(report, requests[at]));
        }
      });
      if (failed) {
        lastError = failed;
      }
    }
    for (const [, at] of pending) {
      const pod = requests[at].pod;
      settle[at](
        new Error(
          `${namespace}/${pod.name} filed no report of this run in ${Math.round((deadline - started) / 1000)} s; the pod or the Kubernetes API is the problem, not the network (its reporter: kubectl logs -n ${namespace} ${pod.name} -c ${REPORTS.reporterContainer})${lastError ? `; the last list of reports failed: ${lastError.message}` : ""}`,
        ),
      );
    }
  } finally {
    // One request: the garbage collector deletes what the run's ConfigMap owns (the plans, and the
    // reports, whose reporters copy their plan's owner).
    await run(
      [...context, "delete", "configmap", runName(id), "-n", namespace, "--wait=false"],
      LONGEST_LOOK_MS * 5,
    );
  }
}

function readReport<T>(report: Report, request: ReportRequest<T>): T | Error {
  const { pod } = request;
  if (report.output === undefined) {
    return new Error(
      `${pod.namespace}/${pod.name} reported no output: ${(report.error ?? "no reason given").trim().slice(0, 600)}; the pod or the Kubernetes API is the problem, not the network`,
    );
  }
  return request.read(report.output);
}

/**
 * Files the plan in one kubectl run: a List of ConfigMaps in a private file, written one
 * ConfigMap at a time, so the runner never holds every pod's script at once.
 */
async function filePlan(
  env: ReportEnv,
  namespace: string,
  owner: RunOwner,
  entries: ReadonlyArray<{ pod: string; planFor: string; plan: () => PlanEntry }>,
  took: (withinMs: number) => void,
  timeoutMs: () => number,
): Promise<true | Error> {
  const dir = fs.mkdtempSync(
    path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "pod-to-pod-plan-"),
  );
  const file = path.join(dir, "plan.json");
  try {
    const fd = fs.openSync(file, "wx", 0o600);
    try {
      fs.writeSync(fd, '{"apiVersion":"v1","kind":"List","items":[');
      let first = true;
      for (const object of planObjects(owner, namespace, entries, took)) {
        fs.writeSync(fd, `${first ? "" : ","}${JSON.stringify(object)}`);
        first = false;
      }
      fs.writeSync(fd, "]}");
    } finally {
      fs.closeSync(fd);
    }
    const result = await env.run(
      [...env.context, "create", "-f", file, "-o", "name"],
      Math.max(LONGEST_LOOK_MS * 5, timeoutMs()),
    );
    return result.code === 0 ? true : new Error(kubectlError(result.stderr));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
