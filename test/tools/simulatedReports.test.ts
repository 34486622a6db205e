import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planFor, reportName, REPORTS, SERVERS_PLAN } from "../../checks/contract/reports";
import type { KubectlResult } from "../../checks/probe/kubectl";
import {
  deliverByReports,
  openReportRun,
  ReportingPod,
  ReportRequest,
} from "../../checks/probe/reports";
import {
  BENCH_REPORT_REQUESTS,
  handedOver,
  ReportCounts,
  simulatedReports,
} from "../../tools/lib/simulatedReports";

/** A lab whose pods `<node>-<n>` run on `<node>`; each reporter files `<pod> ran <entry>`. */
function lab() {
  return simulatedReports({
    report: (pod, entry) => `${pod} ran ${entry}`,
    uid: (pod) => `uid-${pod}`,
    node: (pod) => pod.split("-")[0],
  });
}

type Lab = ReturnType<typeof lab>;

/** The lab's answer to a call of the protocol (a call it leaves to the lab fails the test). */
function ask(reports: Lab, args: readonly string[]): KubectlResult {
  const answer = reports.answer(args);
  if (!answer) {
    throw new Error(`the simulation left kubectl ${args.join(" ")} to the lab`);
  }
  return answer;
}

const counts = (reports: Lab) =>
  JSON.parse(ask(reports, [BENCH_REPORT_REQUESTS]).stdout) as ReportCounts;

/** `name`'s entry for its node's plan (or the servers'), read back as the report's text. */
function request(name: string, group = planFor(name.split("-")[0])): ReportRequest<string> {
  const pod: ReportingPod = {
    namespace: "lab",
    name,
    container: "c",
    uid: `uid-${name}`,
    node: name.split("-")[0],
  };
  return {
    pod,
    planFor: group,
    plan: () => ({ entry: `script of ${name}`, withinMs: 5000 }),
    read: (t) => t,
  };
}

type Item = {
  metadata: {
    name: string;
    labels: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  };
  data: Record<string, string>;
};

/** A plan ConfigMap of run `r`, each pod's entry "script". */
function plan(name: string, labels: Record<string, string>, pods: readonly string[]) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "lab",
      labels: { [REPORTS.runLabel]: "r", [REPORTS.planLabel]: "true", ...labels },
    },
    data: Object.fromEntries(pods.map((pod) => [pod, "script"])),
  };
}

/** `kubectl create -f` of a List of `items`, from a file of its own, as the runner files it. */
function filePlan(reports: Lab, items: readonly object[]): KubectlResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "simulated-reports-"));
  try {
    const file = path.join(dir, "plan.json");
    fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    return ask(reports, ["create", "-f", file, "-o", "name"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The names of the lab's ConfigMaps that `selector` selects. */
function names(reports: Lab, selector: string): string[] {
  const listed = ask(reports, ["get", "configmaps", "-n", "lab", "-l", selector, "-o", "json"]);
  return (JSON.parse(listed.stdout) as { items: Item[] }).items.map((i) => i.metadata.name);
}

/**
 * The runner's own delivery (checks/probe/reports.ts) against the simulation, every call recorded
 * with its answer; the clock moves with the runner's sleeps.
 */
async function deliver(reports: Lab, requests: ReadonlyArray<ReportRequest<string>>) {
  const calls: Array<{ args: string[]; answer: KubectlResult }> = [];
  let clock = 0;
  const atEnd: Array<() => Promise<unknown>> = [];
  const env = {
    run: async (args: readonly string[], _timeoutMs: number, lines?: (line: string) => boolean) => {
      const answer = ask(reports, args);
      calls.push({ args: [...args], answer });
      return handedOver(answer, lines);
    },
    context: [],
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => clock,
    atEnd: (task: () => Promise<unknown>) => atEnd.push(task),
  };
  const results = await Promise.all(
    deliverByReports(env, "lab", openReportRun(env, "lab"), requests),
  );
  await Promise.all(atEnd.map((task) => task()));
  // The watch's events, a line each.
  const watched = calls.find((c) => c.args[0] === "get")?.answer.stdout ?? "";
  const items = watched
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { type: string; object: Item }).object);
  return { results, calls, items };
}

describe("simulatedReports (the API server's side of the report protocol, for the bench's labs)", () => {
  it("files each plan entry's report under the pod's name and UID, owned by the run's ConfigMap", async () => {
    const reports = lab();
    const pods = ["n1-client", "n1-probe", "n2-client"];
    const { results, calls, items } = await deliver(reports, [
      ...pods.map((pod) => request(pod)),
      request("n2-echo", SERVERS_PLAN),
    ]);
    expect(results).toEqual([
      "n1-client ran script of n1-client",
      "n1-probe ran script of n1-probe",
      "n2-client ran script of n2-client",
      "n2-echo ran script of n2-echo",
    ]);
    const [created] = calls;
    expect(created.args.slice(0, 2)).toEqual(["create", "configmap"]);
    const uid = created.answer.stdout;
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const owner = created.args[2];
    expect(owner).toMatch(/^p2p-run\.[0-9a-f]{16}$/);
    // The delivery's id, on its plan and reports; the run's ConfigMap owns them.
    const run = items[0].metadata.labels[REPORTS.runLabel];
    expect(items.map((item) => [item.metadata.name, item.metadata.labels])).toEqual(
      [...pods, "n2-echo"].map((pod) => [
        reportName(run, pod),
        { [REPORTS.runLabel]: run, [REPORTS.podUidLabel]: `uid-${pod}` },
      ]),
    );
    expect(items.map((item) => item.metadata.ownerReferences)).toEqual(
      items.map(() => [{ apiVersion: "v1", kind: "ConfigMap", name: owner, uid }]),
    );
    // The delete of the run's ConfigMap: one short line, whatever the run owned.
    expect(calls.at(-1)!.answer).toEqual({
      code: 0,
      stderr: "",
      stdout: `configmap "${owner}" deleted\n`,
    });
  });

  it("counts the run's create 1, a plan ConfigMap 1 each (a node's and the servers'), the watch 1, the delete 1", async () => {
    const reports = lab();
    // 1,001 reports; the plan a ConfigMap for each of two nodes, one for the servers.
    const requests = Array.from({ length: 1000 }, (_, i) => request(`n${i % 2}-pod${i}`));
    const { results } = await deliver(reports, [...requests, request("n1-echo", SERVERS_PLAN)]);
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    expect(counts(reports)).toEqual({
      requests: { "run creates": 1, "plan creates": 3, "report watches": 1, deletes: 1 },
      reportsFiled: 1001,
      planBytes: expect.any(Number),
    });
    expect(counts(reports).planBytes).toBeGreaterThan(1001 * "script of n0-pod0".length);
  });

  it("answers an earlier runner's list of reports a page of 500 a request, the next page by its continue token", () => {
    const reports = lab();
    filePlan(reports, [
      plan(
        "p.0",
        {},
        Array.from({ length: 1001 }, (_, i) => `n1-pod${i}`),
      ),
    ]);
    const selector = encodeURIComponent(`${REPORTS.runLabel}=r,!${REPORTS.planLabel}`);
    const page = (from?: string) =>
      JSON.parse(
        ask(reports, [
          "get",
          "--raw",
          `/api/v1/namespaces/lab/configmaps?labelSelector=${selector}&limit=500${from ? `&continue=${from}` : ""}`,
        ]).stdout,
      ) as { items: Item[]; metadata: { continue?: string } };
    const first = page();
    const second = page(first.metadata.continue);
    const third = page(second.metadata.continue);
    expect([first, second, third].map((p) => [p.items.length, p.metadata.continue])).toEqual([
      [500, "500"],
      [500, "1000"],
      [1, undefined],
    ]);
    expect(counts(reports).requests).toEqual({ "plan creates": 1, "report lists": 3 });
  });

  it("deletes with the run's ConfigMap every plan and report it owns, nothing else", async () => {
    const reports = lab();
    // An earlier runner's run, owned by nothing: still there after this run's delete.
    filePlan(reports, [plan("p.0", {}, ["n1-a"])]);
    const { calls } = await deliver(reports, [request("n1-client")]);
    const run = /^p2p-run\.([0-9a-f]{16})$/.exec(calls[0].args[2])![1];
    expect(names(reports, REPORTS.runLabel)).toEqual(["p.0", reportName("r", "n1-a")]);
    // Gone itself: a second delete is the API's NotFound, and a request all the same.
    expect(
      ask(reports, ["delete", "configmap", `p2p-run.${run}`, "-n", "lab", "--wait=false"]),
    ).toEqual({
      code: 1,
      stderr: `Error from server (NotFound): configmaps "p2p-run.${run}" not found\n`,
      stdout: "",
    });
    expect(counts(reports).requests.deletes).toBe(2);
  });

  it("has a reporter see its own node's plans and the servers' alone; an earlier runner's plan, unlabelled, every reporter", () => {
    const reports = lab();
    const filed = filePlan(reports, [
      // n2-stray's entry in n1's plan: n2's reporter never sees it.
      plan("p.0", { [REPORTS.planForLabel]: planFor("n1") }, ["n1-a", "n2-stray"]),
      plan("p.1", { [REPORTS.planForLabel]: SERVERS_PLAN }, ["n2-echo"]),
      plan("p.2", {}, ["n3-old"]),
    ]);
    expect(filed.stdout).toBe("configmap/p.0\nconfigmap/p.1\nconfigmap/p.2\n");
    expect(names(reports, `${REPORTS.runLabel}=r,!${REPORTS.planLabel}`)).toEqual([
      reportName("r", "n1-a"),
      reportName("r", "n2-echo"),
      reportName("r", "n3-old"),
    ]);
  });

  it("empties an earlier runner's lab by its deletecollection, one request", () => {
    const reports = lab();
    filePlan(reports, [plan("p.0", {}, ["n1-a", "n2-b"])]);
    const url = `/api/v1/namespaces/lab/configmaps?labelSelector=${encodeURIComponent(`${REPORTS.runLabel}=r`)}`;
    const deleted = JSON.parse(ask(reports, ["delete", "--raw", url]).stdout) as { items: Item[] };
    expect(deleted.items.map((i) => i.metadata.name)).toEqual([
      "p.0",
      reportName("r", "n1-a"),
      reportName("r", "n2-b"),
    ]);
    expect(counts(reports).requests).toEqual({ "plan creates": 1, deletes: 1 });
    expect(names(reports, REPORTS.runLabel)).toEqual([]);
  });

  it("leaves every other call to the lab: the layout, the run counter, another ConfigMap", () => {
    const reports = lab();
    for (const args of [
      ["get", "nodes,pods", "-n", "lab", "-o", "json"],
      ["get", "configmap", "-n", "lab", "mesh-rotation", "-o", "jsonpath={.data.run}"],
      ["patch", "configmap", "-n", "lab", "mesh-rotation", "--type=json", "-p", "[]"],
      ["create", "configmap", "mesh-rotation", "-n", "lab"],
      ["delete", "configmap", "mesh-rotation", "-n", "lab"],
      ["exec", "-n", "lab", "n1-client", "--", "sh", "-c", "true"],
    ]) {
      expect(reports.answer(args), args.join(" ")).toBeUndefined();
    }
    expect(counts(reports).requests).toEqual({});
  });
});
