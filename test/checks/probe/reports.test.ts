import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { planFor, reportName, REPORTS } from "../../../checks/contract/reports";
import { execFileSync } from "node:child_process";
import { KubectlRunner } from "../../../checks/probe/exec";
import {
  deliverByReports,
  planObjects,
  ReportRequest,
  scriptRequest,
} from "../../../checks/probe/reports";
import { ScriptOutput, ScriptSpec } from "../../../checks/probe/script";

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

/**
 * A namespace whose reporters file, for each pod of the plan, what `file` says (nothing: no
 * report); every call is recorded; the clock moves with the runner's sleeps.
 */
function cluster(file: (pod: string, run: string) => Item[], create = { code: 0, stderr: "" }) {
  const calls: string[][] = [];
  const reports: Item[] = [];
  let clock = 0;
  const run: KubectlRunner = async (args) => {
    calls.push([...args]);
    if (args[0] === "create" && args[1] === "configmap") {
      return { ...create, stdout: create.code === 0 ? "uid-run" : "" };
    }
    if (args[0] === "create") {
      const plan = JSON.parse(fs.readFileSync(args[2], "utf8")) as { items: Item[] };
      for (const item of plan.items) {
        for (const pod of Object.keys(item.data)) {
          reports.push(...file(pod, item.metadata.labels[REPORTS.runLabel]));
        }
      }
      return { code: 0, stderr: "", stdout: "" };
    }
    if (args[0] === "get") {
      return { code: 0, stderr: "", stdout: JSON.stringify({ items: reports }) };
    }
    return { code: 0, stderr: "", stdout: "" };
  };
  const env = {
    run,
    context: [],
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
  return { env, calls, clock: () => clock };
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
  it("files one plan, reads the reports in one list when all are there, and deletes the run's objects", async () => {
    const uids: Record<string, string> = { a: "uid-a", b: "uid-b" };
    const { env, calls } = cluster((pod, run) => honest(uids[pod])(pod, run));
    const results = await Promise.all(
      deliverByReports(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]),
    );
    expect(results.map((r) => [...(r as ScriptOutput).sections.keys()])).toEqual([["p"], ["p"]]);
    const id = /^p2p-run\.([0-9a-f]{16})$/.exec(calls[0][2])![1];
    expect(calls[0]).toEqual([
      "create",
      "configmap",
      `p2p-run.${id}`,
      "-n",
      "lab",
      "-o",
      "jsonpath={.metadata.uid}",
    ]);
    expect(calls[1].slice(0, 2)).toEqual(["create", "-f"]);
    expect(calls.slice(2)).toEqual([
      [
        "get",
        "--raw",
        `/api/v1/namespaces/lab/configmaps?labelSelector=pod-to-pod.dev%2Frun%3D${id}%2C%21pod-to-pod.dev%2Fplan&limit=500`,
      ],
      ["delete", "configmap", `p2p-run.${id}`, "-n", "lab", "--wait=false"],
    ]);
    // The plan's file is gone once filed.
    expect(fs.existsSync(calls[1][2])).toBe(false);
  });

  it("takes no report under another pod's UID, nor one named for another pod: the pod then reported nothing", async () => {
    const { env, calls, clock } = cluster((pod, run) => [
      // b's report, filed by someone with another UID: not b's.
      ...honest("uid-x")(pod, run).filter(() => pod === "b"),
      // A report named for a pod the run does not have.
      ...honest("uid-a")("z", run),
      ...honest("uid-a")(pod, run).filter(() => pod === "a"),
    ]);
    const [a, b] = await Promise.all(
      deliverByReports(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]),
    );
    expect([...(a as ScriptOutput).sections.keys()]).toEqual(["p"]);
    expect((b as Error).message).toBe(
      "lab/b filed no report of this run in 20 s; the pod or the Kubernetes API is the problem, not the network (its reporter: kubectl logs -n lab b -c reporter)",
    );
    // Looked until the deadline (the script's 5 s, its 5 s of slack, 10 s for the reporter), then cleaned up.
    expect(clock()).toBe(20_000);
    expect(calls.at(-1)![0]).toBe("delete");
  });

  it("names what a reporter could not file, and output that holds none of the script's lines", async () => {
    const { env } = cluster((pod, run): Item[] => [
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
    const [a, b] = await Promise.all(
      deliverByReports(env, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]),
    );
    expect((a as Error).message).toBe(
      'lab/a reported no output: error: configmaps "x" is forbidden; the pod or the Kubernetes API is the problem, not the network',
    );
    // Lines without the run's nonce are not the script's: nothing of it came back.
    expect((b as Error).message).toBe(
      "lab/b's script printed no probe; the pod is the problem, not the network",
    );
  });

  it("reads the reports a page at a time, asking for the next by the API's continue token", async () => {
    const { env, calls } = cluster((pod, run) => honest(`uid-${pod}`)(pod, run));
    const pages: string[] = [];
    const paged: typeof env.run = async (args, timeoutMs) => {
      if (args[0] !== "get") {
        return env.run(args, timeoutMs);
      }
      const url = new URL(args[2], "https://api");
      pages.push(url.searchParams.get("continue") ?? "first");
      const all = JSON.parse((await env.run(args, timeoutMs)).stdout) as { items: Item[] };
      // One report a page: the first page says where the second begins.
      const at = url.searchParams.get("continue") === "after-a" ? 1 : 0;
      const metadata = at === 0 ? { continue: "after-a" } : {};
      return {
        code: 0,
        stderr: "",
        stdout: JSON.stringify({ items: [all.items[at]], metadata }),
      };
    };
    const results = await Promise.all(
      deliverByReports({ ...env, run: paged }, "lab", [prober("a", "uid-a"), prober("b", "uid-b")]),
    );
    expect(results.map((r) => [...(r as ScriptOutput).sections.keys()])).toEqual([["p"], ["p"]]);
    expect(pages).toEqual(["first", "after-a"]);
    expect(calls.filter((c) => c[0] === "get")).toHaveLength(2);
  });

  it("fails every pod with kubectl's error when the run cannot be filed", async () => {
    const { env, calls } = cluster(() => [], {
      code: 1,
      stderr:
        'Error from server (Forbidden): configmaps is forbidden: User "u" cannot create resource "configmaps"',
    });
    const results = await Promise.all(deliverByReports(env, "lab", [prober("a", "uid-a")]));
    expect((results[0] as Error).message).toBe(
      'the run\'s plan could not be filed in lab: Error from server (Forbidden): configmaps is forbidden: User "u" cannot create resource "configmaps"',
    );
    expect(calls.map((c) => c.slice(0, 2).join(" "))).toEqual(["create configmap"]);
  });
});

describe("planObjects", () => {
  it("puts each node's entries in plans of its own, each pod's under its name, a new ConfigMap once 900 KiB are full", () => {
    const big = "x".repeat(500 * 1024);
    const owner = { id: "00000000000000aa", uid: "uid-run" };
    const objects = [
      ...planObjects(owner, "lab", [
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
      { apiVersion: "v1", kind: "ConfigMap", name: "p2p-run.00000000000000aa", uid: "uid-run" },
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
