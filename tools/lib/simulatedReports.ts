/**
 * The API server's side of the runner's report protocol (checks/probe/reports.ts), simulated for
 * the bench's labs: the runner creates the run's own ConfigMap (`kubectl create configmap
 * p2p-run.<id> -o jsonpath={.metadata.uid}`), files the plan (`kubectl create -f` of a List of
 * ConfigMaps, a node's pods' entries in that node's plans, the servers' in their own, each owned
 * by the run's ConfigMap), and every pod's reporter files its report at once for the entry it
 * sees (what simulatedProbes.ts answers for it, labelled with the pod's UID and owned as its plan
 * is); the runner watches the reports (`kubectl get --raw …/configmaps?…&watch=1`; an earlier
 * runner listed them) and deletes the run's ConfigMap, whose plans and reports the garbage
 * collector takes with it. Each is answered as the
 * API server and kubectl would answer it, and counted as the HTTP requests the API server would be
 * sent. An earlier runner's clean-up is answered too, so a baseline's lab is emptied: a
 * deletecollection (`kubectl delete --raw …/configmaps?labelSelector=…`, c1d7986 and 74b0b60)
 * and `kubectl delete configmaps -l` (65f986e and e1b13cf).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { KUBECTL_OUTPUT_BOUND_BYTES, type KubectlResult } from "../../checks/probe/kubectl";
import { LineReader, lineStream } from "../../checks/probe/lineStream";
import { planFor, reportName, REPORTS, SERVERS_PLAN } from "../../checks/contract/reports";
import { listRequests } from "./kubectlRequests";

/** What the protocol needs of the lab's pods (simulatedProbes.ts gives it). */
export interface Reporters {
  /** What the pod's reporter files for its plan entry. */
  report(pod: string, entry: string): string;
  /** The pod's UID, as the layout lists it. */
  uid(pod: string): string;
  /** The name of the node the pod runs on, whose plans its reporter watches. */
  node(pod: string): string;
}

/** The runner's requests of the protocol, by kind, as the bench prints them. */
export const REPORT_REQUESTS = {
  /** One POST: the run's own ConfigMap, the owner of its plans and reports. */
  run: "run creates",
  /** One POST per plan ConfigMap (kubectl's create sends each item of a List on its own). */
  plan: "plan creates",
  /** One GET per page of 500 of a list of reports (an earlier runner's, which looked). */
  lists: "report lists",
  /** One GET a watch of the reports (this runner's; again if the API server ends it first). */
  watches: "report watches",
  /**
   * One DELETE of the run's ConfigMap (an earlier runner's deletecollection, one too; its `delete
   * -l`, a list and then one per object).
   */
  deletes: "deletes",
} as const;

/** The kubectl call that asks a simulated lab for `ReportCounts` (meshRunnerTiming.ts sends it). */
export const BENCH_REPORT_REQUESTS = "bench-report-requests";

/** What the protocol cost a run, as the API server would see it. */
export interface ReportCounts {
  /** The runner's requests, by REPORT_REQUESTS' kinds. */
  readonly requests: Record<string, number>;
  /** The reports the pods' reporters filed: one POST each, the pods' requests, not the runner's. */
  readonly reportsFiled: number;
  /** The plans' files as kubectl read them, in bytes, all of the run's plans together. */
  readonly planBytes: number;
}

/** An owner of an object, as its metadata names it; the garbage collector goes by the UID. */
interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

interface ConfigMap {
  readonly apiVersion: "v1";
  readonly kind: "ConfigMap";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly OwnerReference[];
  };
  readonly data: Readonly<Record<string, string>>;
}

/** A plan ConfigMap as the runner's file holds it: the API server gives it its UID. */
type FiledConfigMap = Omit<ConfigMap, "metadata"> & {
  readonly metadata: Omit<ConfigMap["metadata"], "uid" | "labels"> & {
    readonly labels?: Readonly<Record<string, string>>;
  };
};

/** The protocol's kubectl calls, this runner's and an earlier one's. */
export type ReportCall =
  | "createRun"
  | "createPlan"
  | "list"
  | "listPage"
  | "watch"
  | "deleteRun"
  | "deleteCollection"
  | "deleteEach";

/** Which of the protocol's kubectl calls `args` is, if it is one. */
export function reportCallOf(args: readonly string[]): ReportCall | undefined {
  const [verb, what, name] = args;
  // The run's own ConfigMap alone, by its name: the lab's others (the run counter) are the lab's.
  const theRun = what === "configmap" && (name ?? "").startsWith(`${REPORTS.runPrefix}.`);
  if (verb === "create" && theRun) {
    return "createRun";
  }
  if (verb === "create" && what === "-f") {
    return "createPlan";
  }
  if (verb === "get" && what === "configmaps" && args.includes("-l")) {
    return "list";
  }
  if (verb === "get" && what === "--raw" && /\/configmaps\?/.test(name ?? "")) {
    return new URLSearchParams((name ?? "").split("?")[1]).get("watch") ? "watch" : "listPage";
  }
  if (verb === "delete" && theRun) {
    return "deleteRun";
  }
  if (verb === "delete" && what === "--raw" && /\/configmaps\?/.test(name ?? "")) {
    return "deleteCollection";
  }
  return verb === "delete" && what === "configmaps" && args.includes("-l")
    ? "deleteEach"
    : undefined;
}

/**
 * A label selector as the API reads it, for the terms the runner writes: `k=v` (or `k==v`),
 * `k!=v`, `!k`, `k`.
 */
export function selectorOf(
  selector: string,
): (labels: Readonly<Record<string, string>>) => boolean {
  const terms = selector
    .split(",")
    .filter(Boolean)
    .map((term) => {
      const found = /^(!?)([\w./-]+)(?:(==|=|!=)([\w.-]*))?$/.exec(term);
      if (!found) {
        throw new Error(`the simulated API reads no label selector like "${term}"`);
      }
      const [, absent, key, op, value] = found;
      return (labels: Readonly<Record<string, string>>) =>
        absent
          ? !(key in labels)
          : op === undefined
            ? key in labels
            : (labels[key] === value) === (op !== "!=");
    });
  return (labels) => terms.every((term) => term(labels));
}

const ok = (stdout: string): KubectlResult => ({ code: 0, stderr: "", stdout });
const failed = (stderr: string): KubectlResult => ({ code: 1, stderr, stdout: "" });

/** A namespace's ConfigMaps' URL and its query, as the runner's `kubectl --raw` sends them. */
function configMapsAt(url: string, refusal: string): { namespace: string; query: string } {
  const [, namespace, query] = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\?(.*)$/.exec(url) ?? [];
  if (namespace === undefined) {
    throw new Error(`the simulated API ${refusal} at ${url}`);
  }
  return { namespace, query };
}

/** The value after `flag` in a kubectl call's arguments. */
function flag(args: readonly string[], name: string): string {
  const at = args.indexOf(name);
  if (at < 0 || at + 1 >= args.length) {
    throw new Error(`kubectl ${args.join(" ")} has no ${name}`);
  }
  return args[at + 1];
}

/**
 * Whether a pod's reporter sees a plan: it watches its own node's plans and the servers'; a plan
 * with no plan-for label is an earlier runner's, whose reporters watched every plan.
 */
function sees(plan: FiledConfigMap, pod: string, reporters: Reporters): boolean {
  const group = plan.metadata.labels?.[REPORTS.planForLabel];
  return group === undefined || group === SERVERS_PLAN || group === planFor(reporters.node(pod));
}

/**
 * The protocol's ConfigMaps of a simulated lab: `answer` answers one of its kubectl calls, and
 * BENCH_REPORT_REQUESTS with what they cost so far; it is undefined for any other call, which the
 * lab answers itself.
 */
export function simulatedReports(reporters: Reporters) {
  const objects = new Map<string, ConfigMap>();
  const requests: Record<string, number> = {};
  let reportsFiled = 0;
  let planBytes = 0;
  const count = (kind: string, n: number) => (requests[kind] = (requests[kind] ?? 0) + n);
  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  const matching = (namespace: string, selector: string) => {
    const selects = selectorOf(selector);
    return [...objects.values()].filter(
      (o) => o.metadata.namespace === namespace && selects(o.metadata.labels),
    );
  };
  // The API server's part (the objects themselves), then the garbage collector's: what they own
  // in their namespace, and what that owns, one pass over the objects a generation, not one an
  // object (a run owns some 4,000 at 1,000 nodes). Its requests are the controller manager's,
  // not the runner's: not counted.
  const remove = (gone: readonly ConfigMap[]) => {
    let generation = gone;
    while (generation.length > 0) {
      generation.forEach((o) => objects.delete(keyOf(o.metadata.namespace, o.metadata.name)));
      const owners = new Set(generation.map((o) => `${o.metadata.namespace}/${o.metadata.uid}`));
      generation = [...objects.values()].filter((o) =>
        (o.metadata.ownerReferences ?? []).some((r) =>
          owners.has(`${o.metadata.namespace}/${r.uid}`),
        ),
      );
    }
    return gone;
  };
  const put = (object: FiledConfigMap): ConfigMap => {
    // The API server's UID for every object it creates, as random as its own.
    const stored = {
      ...object,
      metadata: {
        ...object.metadata,
        labels: object.metadata.labels ?? {},
        uid: crypto.randomUUID(),
      },
    };
    objects.set(keyOf(stored.metadata.namespace, stored.metadata.name), stored);
    return stored;
  };

  /** The run's own ConfigMap: empty, unlabelled; kubectl prints its UID, as the runner asks. */
  const createRun = (args: readonly string[]): KubectlResult => {
    count(REPORT_REQUESTS.run, 1);
    const [, , name] = args;
    const namespace = flag(args, "-n");
    if (objects.has(keyOf(namespace, name))) {
      return failed(`Error from server (AlreadyExists): configmaps "${name}" already exists\n`);
    }
    const { uid } = put({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace },
      data: {},
    }).metadata;
    return ok(args.includes("jsonpath={.metadata.uid}") ? uid : `configmap/${name} created\n`);
  };

  // As the reporter files it (components/meshReporting.ts): under the pod's name, labelled with
  // its run and its pod's UID, owned as its plan is.
  const fileReport = (plan: FiledConfigMap, pod: string, entry: string) => {
    const run = plan.metadata.labels?.[REPORTS.runLabel] ?? "";
    const owners = plan.metadata.ownerReferences;
    reportsFiled += 1;
    put({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: reportName(run, pod),
        namespace: plan.metadata.namespace,
        labels: { [REPORTS.runLabel]: run, [REPORTS.podUidLabel]: reporters.uid(pod) },
        ...(owners ? { ownerReferences: owners } : {}),
      },
      data: { [REPORTS.outputKey]: reporters.report(pod, entry) },
    });
  };

  /** Files the plan, and every entry's report as its pod's reporter would, if it sees the plan. */
  const createPlan = (file: string): KubectlResult => {
    const text = fs.readFileSync(file, "utf8");
    planBytes += Buffer.byteLength(text);
    const plans = (JSON.parse(text) as { items: FiledConfigMap[] }).items;
    count(REPORT_REQUESTS.plan, plans.length);
    for (const plan of plans) {
      put(plan);
      for (const [pod, entry] of Object.entries(plan.data)) {
        if (sees(plan, pod, reporters)) {
          fileReport(plan, pod, entry);
        }
      }
    }
    return ok(plans.map((plan) => `configmap/${plan.metadata.name}\n`).join(""));
  };

  const list = (args: readonly string[]): KubectlResult => {
    const items = matching(flag(args, "-n"), flag(args, "-l"));
    count(REPORT_REQUESTS.lists, listRequests(items.length));
    return ok(JSON.stringify({ apiVersion: "v1", kind: "List", items, metadata: {} }));
  };

  // This runner's list, a page a request (`kubectl get --raw` with the API's limit and continue):
  // the continue token here is where the next page starts.
  const listPage = (url: string): KubectlResult => {
    const { namespace, query } = configMapsAt(url, "lists nothing");
    count(REPORT_REQUESTS.lists, 1);
    const params = new URLSearchParams(query);
    const all = matching(namespace, params.get("labelSelector") ?? "");
    const from = Number(params.get("continue") ?? "0");
    const limit = Number(params.get("limit") ?? String(all.length));
    const items = all.slice(from, from + limit);
    const next = from + limit < all.length ? { continue: String(from + limit) } : {};
    return ok(JSON.stringify({ apiVersion: "v1", kind: "ConfigMapList", items, metadata: next }));
  };

  // The runner's watch of its reports, with no resourceVersion: the API server sends every matching
  // object as ADDED, then each one created after. Every report here is filed as its plan is, so
  // the watch has all there will be at once; it ends as the API server's would at its timeout.
  const watch = (url: string): KubectlResult => {
    const { namespace, query } = configMapsAt(url, "watches nothing");
    count(REPORT_REQUESTS.watches, 1);
    const selector = new URLSearchParams(query).get("labelSelector") ?? "";
    return ok(
      matching(namespace, selector)
        .map((object) => `${JSON.stringify({ type: "ADDED", object })}\n`)
        .join(""),
    );
  };

  // One DELETE of the run's ConfigMap; with --wait=false kubectl does not wait for the garbage
  // collector, and prints one line whatever the run owned.
  const deleteRun = (args: readonly string[]): KubectlResult => {
    count(REPORT_REQUESTS.deletes, 1);
    const [, , name] = args;
    const run = objects.get(keyOf(flag(args, "-n"), name));
    if (!run) {
      return failed(`Error from server (NotFound): configmaps "${name}" not found\n`);
    }
    remove([run]);
    return ok(`configmap "${name}" deleted\n`);
  };

  // An earlier runner's deletecollection: the API answers it with every object it deleted, data
  // and all; kubectl --raw prints that body, and the runner reads it as it reads any kubectl's.
  const deleteCollection = (url: string): KubectlResult => {
    const { namespace, query } = configMapsAt(url, "deletes no collection");
    count(REPORT_REQUESTS.deletes, 1);
    const selector = new URLSearchParams(query).get("labelSelector") ?? "";
    const items = remove(matching(namespace, selector));
    return ok(JSON.stringify({ apiVersion: "v1", kind: "ConfigMapList", items, metadata: {} }));
  };

  // An earlier runner's `kubectl delete configmaps -l`: kubectl lists them, then deletes each.
  const deleteEach = (args: readonly string[]): KubectlResult => {
    const items = remove(matching(flag(args, "-n"), flag(args, "-l")));
    count(REPORT_REQUESTS.deletes, listRequests(items.length) + items.length);
    return ok(items.map((o) => `configmap "${o.metadata.name}" deleted\n`).join(""));
  };

  const answers: Record<ReportCall, (args: readonly string[]) => KubectlResult> = {
    createRun,
    createPlan: (args) => createPlan(flag(args, "-f")),
    list,
    listPage: (args) => listPage(args[2]),
    watch: (args) => watch(args[2]),
    deleteRun,
    deleteCollection: (args) => deleteCollection(args[2]),
    deleteEach,
  };
  return {
    answer(args: readonly string[]): KubectlResult | undefined {
      if (args[0] === BENCH_REPORT_REQUESTS) {
        const counts: ReportCounts = { requests, reportsFiled, planBytes };
        return ok(JSON.stringify(counts));
      }
      const call = reportCallOf(args);
      return call && answers[call](args);
    },
  };
}

/**
 * A whole answer handed to a streamed run's reader a line at a time, by the splitter kubectl.ts
 * hands kubectl's output over with: for the simulated labs and the tests' fakes, which answer at
 * once.
 */
export function handedOver(result: KubectlResult, lines?: LineReader): KubectlResult {
  if (!lines) {
    return result;
  }
  const stream = lineStream(lines, KUBECTL_OUTPUT_BOUND_BYTES);
  stream.push(Buffer.from(result.stdout));
  stream.end();
  return { ...result, stdout: "" };
}
