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

/** What the delivery needs of the run: kubectl, its context, the clocks, its clean-up's keeper. */
export interface ReportEnv {
  readonly run: KubectlRunner;
  readonly context: readonly string[];
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /**
   * Given work for the run's end (the delete of its own ConfigMap, and what of a delivery goes on
   * after its results have settled): the run does it before its verdict, whatever the scenarios
   * did, so it never leaves its objects behind.
   */
  readonly atEnd: (task: () => Promise<unknown>) => void;
}

/** Most of a ConfigMap's 1 MiB: room for its names and labels. */
const PLAN_BYTES = 900 * 1024;
/** How long a reporter may take to see the plan and start, beyond the script's own bounds. */
const REPORTER_START_MS = 10_000;
/**
 * The pause before a watch of the reports is started again when the API server ended it early
 * (it may, at any time), growing to the longest; and kubectl's room beyond a watch's own end.
 */
const FIRST_RETRY_MS = 300;
const LONGEST_RETRY_MS = 2_000;
const WATCH_END_MS = 5_000;
/** kubectl's bound on the run's other requests (its ConfigMap, the delete). */
const REQUEST_MS = 10_000;

/** The run's own ConfigMap, which owns every plan and report of the run: its name and UID. */
export interface RunOwner {
  readonly name: string;
  readonly uid: string;
}

/** One delivery of a run: its id (the run label of its plans and reports), and their owner. */
export interface Delivery {
  readonly id: string;
  readonly owner: RunOwner;
}

/** A run's or a delivery's id: 16 lowercase hex digits (contract/reports.ts's RUN_ID). */
function newId(): string {
  return crypto.randomBytes(8).toString("hex");
}

/**
 * Makes the run's own ConfigMap, `p2p-run.<id>`, the owner of every plan and report of a
 * scenario's run, however many deliveries it makes (its probes, then its servers' logs), and has
 * the run delete it once at its end: one request, the garbage collector taking every plan and
 * report it owns (a reporter copies its plan's owner), and a report filed later with them. Made as
 * the scenario starts, beside its first reads, so no delivery waits for it.
 */
export function openReportRun(env: ReportEnv, namespace: string): Promise<RunOwner | Error> {
  const name = `${REPORTS.runPrefix}.${newId()}`;
  const owner = env
    .run(
      [
        ...env.context,
        "create",
        "configmap",
        name,
        "-n",
        namespace,
        "-o",
        "jsonpath={.metadata.uid}",
      ],
      REQUEST_MS,
    )
    .then((result) => readResult(result, (uid) => ({ name, uid: uid.trim() })));
  env.atEnd(async () => {
    if (!((await owner) instanceof Error)) {
      await env.run(
        [...env.context, "delete", "configmap", name, "-n", namespace, "--wait=false"],
        REQUEST_MS,
      );
    }
  });
  return owner;
}

/**
 * The plan's ConfigMaps, one at a time, as they are written: the entries grouped by whose plan
 * carries them (a node's, the servers'), each pod's under its name, a new ConfigMap of a group
 * once PLAN_BYTES are full; each labelled with the run and its group, owned by the run's ConfigMap.
 */
export function* planObjects(
  delivery: Delivery,
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
      name: `${REPORTS.planPrefix}.${delivery.id}.${k++}`,
      namespace,
      labels: {
        [REPORTS.runLabel]: delivery.id,
        [REPORTS.planLabel]: "true",
        [REPORTS.planForLabel]: group,
      },
      ownerReferences: [
        { apiVersion: "v1", kind: "ConfigMap", name: delivery.owner.name, uid: delivery.owner.uid },
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

/** A report as the runner reads it. */
interface Report {
  readonly name: string;
  readonly podUid: string;
  readonly output?: string;
  readonly error?: string;
}

/** One event of a watch of ConfigMaps, as the API server sends it (a line each). */
interface WatchEvent {
  readonly type?: string;
  readonly object?: {
    readonly message?: string;
    readonly metadata?: { name?: string; labels?: Record<string, string> };
    readonly data?: Record<string, string>;
  };
}

/** A watch event read: a report filed (or changed), an error the API server sent, or nothing. */
function readEvent(line: string): Report | Error | undefined {
  const event = JSON.parse(line) as WatchEvent;
  const item = event.object ?? {};
  if (event.type === "ERROR") {
    return new Error(`the watch of the run's reports ended: ${item.message ?? line.slice(0, 300)}`);
  }
  if (event.type !== "ADDED" && event.type !== "MODIFIED") {
    return undefined;
  }
  return {
    name: item.metadata?.name ?? "",
    podUid: item.metadata?.labels?.[REPORTS.podUidLabel] ?? "",
    ...(item.data?.[REPORTS.outputKey] !== undefined
      ? { output: item.data[REPORTS.outputKey] }
      : {}),
    ...(item.data?.[REPORTS.errorKey] !== undefined ? { error: item.data[REPORTS.errorKey] } : {}),
  };
}

/**
 * Watches the run's reports: one request, `kubectl get --raw` of a watch with no resourceVersion,
 * so the API server first sends every report there is, then each as it is filed (Kubernetes'
 * "get state and start at most recent"), until `take` has what it waits for (it returns false),
 * the API server ends the watch (at `timeoutSeconds`, or sooner, as it may), or kubectl's bound.
 * Each event is read as its line comes and let go: a report is held only while it is judged.
 */
async function watchReports(
  env: ReportEnv,
  namespace: string,
  id: string,
  timeoutMs: number,
  take: (report: Report) => boolean,
): Promise<Error | undefined> {
  const query = new URLSearchParams({
    labelSelector: `${REPORTS.runLabel}=${id},!${REPORTS.planLabel}`,
    watch: "1",
    timeoutSeconds: String(Math.max(1, Math.ceil(timeoutMs / 1000))),
  });
  let failed: Error | undefined;
  const result = await env.run(
    [...env.context, "get", "--raw", `/api/v1/namespaces/${namespace}/configmaps?${query}`],
    timeoutMs + WATCH_END_MS,
    (line) => {
      let read: Report | Error | undefined;
      try {
        read = readEvent(line);
      } catch (error) {
        read = new Error(
          `the watch of the run's reports sent a line that is no event: ${String(error)}`,
        );
      }
      if (read instanceof Error) {
        failed = read;
        return false;
      }
      return read === undefined || take(read);
    },
  );
  return failed ?? (result.code === 0 ? undefined : new Error(kubectlError(result.stderr)));
}

/**
 * Runs every pod's script by report, not by exec: files the delivery's plan, owned by the run's
 * ConfigMap (openReportRun; one `kubectl create` of a ConfigMap per node, and per 900 KiB of a
 * node's entries), then watches its reports (one request; again, after a pause, if the API server
 * ends it first) until every pod has reported or the latest deadline has passed. So the collection
 * is a request or two however many pods report, and however long they take; what the delivery
 * filed goes with the run's ConfigMap at the run's end. A pod's result settles as its report comes;
 * a report counts only under the pod's own name and UID (which the lab's admission policy holds
 * each reporter to); a pod that reported nothing by the end is an Error naming it.
 */
export function deliverByReports<T>(
  env: ReportEnv,
  namespace: string,
  owner: Promise<RunOwner | Error>,
  requests: readonly ReportRequest<T>[],
): Promise<T | Error>[] {
  const resolvers = new Map<number, (result: T | Error) => void>();
  const results = requests.map(
    (_, at) => new Promise<T | Error>((resolve) => resolvers.set(at, resolve)),
  );
  // A result is handed over once and its resolver let go: from then only the caller's promise
  // holds it, so each pod's output goes as soon as it is judged (2,000 of them are some 30 MB).
  const settle = (at: number, result: T | Error) => {
    resolvers.get(at)?.(result);
    resolvers.delete(at);
  };
  const collecting = collect(env, namespace, owner, requests, settle).catch((error: unknown) => {
    const failure = error instanceof Error ? error : new Error(String(error));
    [...resolvers.keys()].forEach((at) => settle(at, failure));
  });
  // Its watch ends once the last report is in: the run waits for that before its verdict.
  env.atEnd(() => collecting);
  return results;
}

async function collect<T>(
  env: ReportEnv,
  namespace: string,
  owner: Promise<RunOwner | Error>,
  requests: readonly ReportRequest<T>[],
  settle: (at: number, result: T | Error) => void,
): Promise<void> {
  const id = newId();
  const started = env.now();
  // Until the plan is filed, no pod's time is known: each is told as its entry is made.
  let deadline = started + REPORTER_START_MS;
  const pending = new Map(requests.map((request, at) => [reportName(id, request.pod.name), at]));
  const failAll = (why: Error) => {
    for (const at of pending.values()) {
      settle(at, new Error(`the run's plan could not be filed in ${namespace}: ${why.message}`));
    }
  };
  const made = await owner;
  if (made instanceof Error) {
    failAll(made);
    return;
  }
  const filed = await filePlan(
    env,
    namespace,
    { id, owner: made },
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
    failAll(filed);
    return;
  }
  let retry = FIRST_RETRY_MS;
  let lastError: Error | undefined;
  // The pauses are counted too: a clock that stands still (a test's) still ends the watching.
  let paused = 0;
  for (;;) {
    const failed = await watchReports(env, namespace, id, deadline - env.now(), (report) => {
      const at = pending.get(report.name);
      if (at !== undefined && report.podUid === requests[at].pod.uid) {
        pending.delete(report.name);
        settle(at, readReport(report, requests[at]));
      }
      return pending.size > 0;
    });
    lastError = failed ?? lastError;
    if (pending.size === 0 || env.now() >= deadline || started + paused >= deadline) {
      break;
    }
    const pause = Math.min(retry, Math.max(0, deadline - env.now()));
    await env.sleep(pause);
    paused += pause;
    retry = Math.min(LONGEST_RETRY_MS, retry * 1.5);
  }
  for (const [, at] of pending) {
    const pod = requests[at].pod;
    settle(
      at,
      new Error(
        `${namespace}/${pod.name} filed no report of this run in ${Math.round((deadline - started) / 1000)} s; the pod or the Kubernetes API is the problem, not the network (its reporter: kubectl logs -n ${namespace} ${pod.name} -c ${REPORTS.reporterContainer})${lastError ? `; the last watch of the reports failed: ${lastError.message}` : ""}`,
      ),
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
  delivery: Delivery,
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
      for (const object of planObjects(delivery, namespace, entries, took)) {
        fs.writeSync(fd, `${first ? "" : ","}${JSON.stringify(object)}`);
        first = false;
      }
      fs.writeSync(fd, "]}");
    } finally {
      fs.closeSync(fd);
    }
    const result = await env.run(
      [...env.context, "create", "-f", file, "-o", "name"],
      Math.max(REQUEST_MS, timeoutMs()),
    );
    return result.code === 0 ? true : new Error(kubectlError(result.stderr));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
