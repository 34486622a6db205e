import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { planFor, reportName, REPORTS } from "../../../checks/contract/reports";
import { execFileSync } from "node:child_process";
import { KubectlRunner } from "../../../checks/probe/exec";
import {
  deliverByReports,
  openReportRun,
  planObjects,
  ReportRequest,
  scriptRequest,
} from "../../../checks/probe/reports";
import { ScriptOutput, ScriptSpec } from "../../../checks/probe/script";
import { handedOver } from "../../../tools/lib/simulatedReports";

const NONCE = "0123456789abcdef0123456789abcdef";

function prober(name: string, uid: string): ReportRequest<ScriptOutput> {
  const spec: ScriptSpec = {
    nonce: NONCE,
    jobs: [[{ probe: { name: "p", attempts: 1, command: "true" } }]],
    parallelism: 1,
    deadlineSeconds: 5,
  };
  return scriptRequest({
    pod: { namespace: "lab", name, container: "c", uid, node: `node-${name}` },
    script: () => spec,
    slackSeconds: 5,
  });
}

const PRINTED = `${NONCE} p rc=0 ms=3 tries=1 out=${Buffer.from("ok").toString("base64")}\n${NONCE} end\n`;

type Item = {
  metadata: { name: string; labels: Record<string, string> };
  data: Record<string, string>;
};

/** A watch's events of ConfigMaps, a line each, as the API server streams them. */
const events = (items: readonly object[], type = "ADDED") =>
  items.map((object) => `${JSON.stringify({ type, object })}\n`).join("");

/**
 * A namespace whose reporters file, for each pod of the plan, what `file` says (nothing: no
 * report); a watch has every report there is at once, then ends (as the API server's may); every
 * call is recorded; the clock moves with the runner's sleeps.
 */
function cluster(file: (pod: string, run: string) => Item[], create = { code: 0, stderr: "" }) {
  const calls: string[][] = [];
  const reports: Item[] = [];
  // Each plan's file as kubectl read it (gone once filed).
  const plans: string[] = [];
  let clock = 0;
  const run: KubectlRunner = async (args, _timeoutMs, lines) => {
    calls.push([...args]);
    if (args[0] === "create" && args[1] === "configmap") {
      return { ...create, stdout: create.code === 0 ? "uid-run" : "" };
    }
    if (args[0] === "create") {
      plans.push(fs.readFileSync(args[2], "utf8"));
      const plan = JSON.parse(plans.at(-1)!) as { items: Item[] };
      for (const item of plan.items) {
        for (const pod of Object.keys(item.data)) {
          reports.push(...file(pod, item.metadata.labels[REPORTS.runLabel]));
        }
      }
      return { code: 0, stderr: "", stdout: "" };
    }
    if (args[0] === "get") {
      return handedOver({ code: 0, stderr: "", stdout: events(reports) }, lines);
    }
    return { code: 0, stderr: "", stdout: "" };
  };
  const atEnd: Array<() => Promise<unknown>> = [];
  const env = {
    run,
    context: [],
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => clock,
    atEnd: (task: () => Promise<unknown>) => atEnd.push(task),
  };
  // A run of one delivery: its own ConfigMap made, the delivery's results, then the run's end
  // (as runPlan does it).
  const deliver = async (
    on: typeof env,
    namespace: string,
    requests: ReadonlyArray<ReportRequest<ScriptOutput>>,
  ) => {
    const results = await Promise.all(
      deliverByReports(on, namespace, openReportRun(on, namespace), requests),
    );
    await Promise.all(atEnd.map((task) => task()));
    return results;
  };
  return { env, calls, clock: () => clock, deliver, plans };
}

const honest =
  (uid: string) =>
  (pod: string, run: string): Item[] => [
    {
      metadata: {
        name: reportName(run, pod),
        labels: { [REPORTS.runLabel]: run, [REPORTS.podUidLabel]: uid },
      },
      data: { [REPORTS.outputKey]: PRINTED },
    },
  ];

describe("deliverByReports", () => {
  it("files one plan, reads the reports in one watch, and deletes the run's objects", async () => {
    const uids: Record<string, string> = { a: "uid-a", b: "uid-b" };
    const { env, calls, deliver, plans } = cluster((pod, run) => honest(uids[pod])(pod, run));
    const results = await deliver(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]);
    expect(results.map((r) => [...(r as ScriptOutput).sections.keys()])).toEqual([["p"], ["p"]]);
    const [planFiled] = plans;
    const run = /^p2p-run\.([0-9a-f]{16})$/.exec(calls[0][2])![1];
    expect(calls[0]).toEqual([
      "create",
      "configmap",
      `p2p-run.${run}`,
      "-n",
      "lab",
      "-o",
      "jsonpath={.metadata.uid}",
    ]);
    expect(calls[1].slice(0, 2)).toEqual(["create", "-f"]);
    // The delivery's own id labels its plan and reports; the run's ConfigMap owns them.
    const plan = JSON.parse(planFiled) as { items: Item[] };
    const id = plan.items[0].metadata.labels[REPORTS.runLabel];
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).not.toBe(run);
    expect(calls.slice(2)).toEqual([
      [
        "get",
        "--raw",
        `/api/v1/namespaces/lab/configmaps?labelSelector=pod-to-pod.dev%2Frun%3D${id}%2C%21pod-to-pod.dev%2Fplan&watch=1&timeoutSeconds=20`,
      ],
      ["delete", "configmap", `p2p-run.${run}`, "-n", "lab", "--wait=false"],
    ]);
    // The plan's file is gone once filed.
    expect(fs.existsSync(calls[1][2])).toBe(false);
  });

  it("takes no report under another pod's UID, nor one named for another pod: the pod then reported nothing", async () => {
    const { env, calls, clock, deliver } = cluster((pod, run) => [
      // b's report, filed by someone with another UID: not b's.
      ...honest("uid-x")(pod, run).filter(() => pod === "b"),
      // A report named for a pod the run does not have.
      ...honest("uid-a")("z", run),
      ...honest("uid-a")(pod, run).filter(() => pod === "a"),
    ]);
    const [a, b] = await deliver(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]);
    expect([...(a as ScriptOutput).sections.keys()]).toEqual(["p"]);
    expect((b as Error).message).toBe(
      "lab/b filed no report of this run in 20 s; the pod or the Kubernetes API is the problem, not the network (its reporter: kubectl logs -n lab b -c reporter)",
    );
    // Watched until the deadline (the script's 5 s, its 5 s of slack, 10 s for the reporter), then cleaned up.
    expect(clock()).toBe(20_000);
    expect(calls.at(-1)![0]).toBe("delete");
  });

  it("names what a reporter could not file, and output that holds none of the script's lines", async () => {
    const { env, deliver } = cluster((pod, run): Item[] => [
      {
        metadata: {
          name: reportName(run, pod),
          labels: { [REPORTS.runLabel]: run, [REPORTS.podUidLabel]: `uid-${pod}` },
        },
        data: {
          [pod === "a" ? REPORTS.errorKey : REPORTS.outputKey]:
            pod === "a" ? 'error: configmaps "x" is forbidden\n' : "hello\n",
        },
      },
    ]);
    const [a, b] = await deliver(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]);
    expect((a as Error).message).toBe(
      'lab/a reported no output: error: configmaps "x" is forbidden; the pod or the Kubernetes API is the problem, not the network',
    );
    // Lines without the run's nonce are not the script's: nothing of it came back.
    expect((b as Error).message).toBe(
      "lab/b's script printed no probe; the pod is the problem, not the network",
    );
  });

  it("watches again, after a pause, when the API server ends the watch before every report came", async () => {
    const { env, calls, clock, deliver } = cluster((pod, run) => honest(`uid-${pod}`)(pod, run));
    const watches: string[] = [];
    const ended: typeof env.run = async (args, timeoutMs, lines) => {
      if (args[0] !== "get") {
        return env.run(args, timeoutMs, lines);
      }
      // The first watch sends a's report and an ERROR (as when the API server's watch cache is
      // too old); the second, both reports (the watch starts with every one there is).
      let seen: string[] = [];
      const all = await env.run(args, timeoutMs, (line) => (seen.push(line), true));
      watches.push(`${clock()} ms`);
      if (watches.length === 1) {
        seen = [seen[0], JSON.stringify({ type: "ERROR", object: { message: "too old" } })];
      }
      return handedOver({ ...all, stdout: seen.map((line) => `${line}\n`).join("") }, lines);
    };
    const results = await deliver({ ...env, run: ended }, "lab", [
      prober("a", "uid-a"),
      prober("b", "uid-b"),
    ]);
    expect(results.map((r) => [...(r as ScriptOutput).sections.keys()])).toEqual([["p"], ["p"]]);
    expect(watches).toEqual(["0 ms", "300 ms"]);
    expect(calls.map((c) => c[0])).toEqual(["create", "create", "get", "get", "delete"]);
  });

  it("says the watch's last error when a pod never reported", async () => {
    const { env, deliver } = cluster(() => []);
    const refused: typeof env.run = async (args, timeoutMs, lines) =>
      args[0] === "get"
        ? {
            code: 1,
            stdout: "",
            stderr:
              'Error from server (Forbidden): configmaps is forbidden: User "u" cannot watch resource "configmaps"',
          }
        : env.run(args, timeoutMs, lines);
    const [a] = await deliver({ ...env, run: refused }, "lab", [prober("a", "uid-a")]);
    expect((a as Error).message).toBe(
      'lab/a filed no report of this run in 20 s; the pod or the Kubernetes API is the problem, not the network (its reporter: kubectl logs -n lab a -c reporter); the last watch of the reports failed: Error from server (Forbidden): configmaps is forbidden: User "u" cannot watch resource "configmaps"',
    );
  });

  it("fails every pod with kubectl's error when the run cannot be filed", async () => {
    const { env, calls, deliver } = cluster(() => [], {
      code: 1,
      stderr:
        'Error from server (Forbidden): configmaps is forbidden: User "u" cannot create resource "configmaps"',
    });
    const results = await deliver(env, "lab", [prober("a", "uid-a")]);
    expect((results[0] as Error).message).toBe(
      'the run\'s plan could not be filed in lab: Error from server (Forbidden): configmaps is forbidden: User "u" cannot create resource "configmaps"',
    );
    expect(calls.map((c) => c.slice(0, 2).join(" "))).toEqual(["create configmap"]);
  });
});

describe("planObjects", () => {
  it("puts each node's entries in plans of its own, each pod's under its name, a new ConfigMap once 900 KiB are full", () => {
    const big = "x".repeat(500 * 1024);
    const delivery = {
      id: "00000000000000aa",
      owner: { name: "p2p-run.00000000000000bb", uid: "uid-run" },
    };
    const objects = [
      ...planObjects(delivery, "lab", [
        { pod: "a", planFor: "n1", plan: () => ({ entry: big, withinMs: 0 }) },
        { pod: "s", planFor: "servers", plan: () => ({ entry: "access-log 1", withinMs: 0 }) },
        { pod: "b", planFor: "n1", plan: () => ({ entry: big, withinMs: 0 }) },
        { pod: "c", planFor: "n1", plan: () => ({ entry: "small", withinMs: 0 }) },
        { pod: "d", planFor: "n2", plan: () => ({ entry: "small", withinMs: 0 }) },
      ]),
    ] as Array<Item & { metadata: { ownerReferences: object[] } }>;
    expect(
      objects.map((o) => [
        o.metadata.name,
        o.metadata.labels["pod-to-pod.dev/plan-for"],
        Object.keys(o.data),
      ]),
    ).toEqual([
      ["p2p-plan.00000000000000aa.0", "n1", ["a"]],
      ["p2p-plan.00000000000000aa.1", "n1", ["b", "c"]],
      ["p2p-plan.00000000000000aa.2", "servers", ["s"]],
      ["p2p-plan.00000000000000aa.3", "n2", ["d"]],
    ]);
    expect(objects[0].metadata.labels).toEqual({
      "pod-to-pod.dev/run": "00000000000000aa",
      "pod-to-pod.dev/plan": "true",
      "pod-to-pod.dev/plan-for": "n1",
    });
    expect(objects[0].metadata.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", name: "p2p-run.00000000000000bb", uid: "uid-run" },
    ]);
  });

  it("names a node's plans by the first 40 hex digits of its name's SHA-256, as the reporter's sha256sum does", () => {
    expect(planFor("p2p-node2")).toBe(
      execFileSync("sh", ["-c", "printf %s p2p-node2 | sha256sum | cut -c1-40"], {
        encoding: "utf8",
      }).trim(),
    );
  });
});
