import { describe, expect, it } from "vitest";
import { mapBounded } from "../../../../checks/probe/boundedPool";
import { joinDiagnoses } from "../../../../checks/judge/verdict";
import { runPlan } from "../../../../checks/runPlan";
import { MeshPlan } from "../../../../checks/contract/meshTypes";
import { meshDeadlineSeconds } from "../../../../checks/scenarios/mesh/probes";
import { LAYOUT_KINDS } from "../../../../checks/scenarios/mesh/layout";
import { KubectlRunner } from "../../../../checks/probe/exec";
import { renderMeshText } from "../../../../checks/report/meshRender";
import { clientSections, echoUid, meshPlan, nodeSections } from "./fixtures";
import { Section } from "../../../../checks/probe/script";
import { KubectlResult } from "../../../../checks/probe/kubectl";
import {
  ACCESS_LOG_PLAN,
  planFor,
  reportName,
  REPORTS,
  SERVERS_PLAN,
} from "../../../../checks/contract/reports";
import { handedOver } from "../../../../tools/lib/simulatedReports";
import * as fs from "node:fs";

/** The mesh alone through the one orchestration: its checks, report and diagnosis. */
async function runMesh(
  plan: MeshPlan,
  run: KubectlRunner,
  kubeContext?: string,
  sleep?: (ms: number) => Promise<void>,
  now?: () => number,
) {
  const verification = await runPlan({ mesh: plan }, run, {
    runnerVersion: "test",
    ...(kubeContext ? { kubeContext } : {}),
    ...(sleep ? { sleep } : {}),
    ...(now ? { now } : {}),
  });
  return {
    checks: verification.checks,
    report: verification.mesh!,
    diagnosis: verification.diagnosis,
  };
}

/** The lines a script prints for these sections, with the nonce it was given. */
function printed(nonce: string, sections: Map<string, Section>): string {
  return (
    [...sections]
      .map(
        ([name, s]) =>
          `${nonce} ${name} rc=${s.rc} ms=${s.ms} tries=${s.tries} out=${Buffer.from(s.output).toString("base64")}`,
      )
      .join("\n") + `\n${nonce} end\n`
  );
}

/** A kind's pods (by its `app` label), after any decoys, each controlled by its DaemonSet. */
function podItems(
  kind: string,
  nodes: readonly string[],
  ready = true,
  decoys: ReadonlyArray<Record<string, unknown>> = [],
) {
  return [
    ...decoys,
    ...nodes.map((node, i) => ({
      kind: "Pod",
      metadata: {
        name: `${kind}-${node}`,
        uid: kind === "mesh-echo" ? echoUid(i) : `${kind}-${i}`,
        labels: { app: kind },
        ownerReferences: [{ kind: "DaemonSet", name: kind, uid: `ds-${kind}`, controller: true }],
      },
      spec: { nodeName: node },
      status: {
        podIP:
          kind === "mesh-node-probe"
            ? `192.168.240.${i + 1}`
            : `10.42.${i}.${kind === "mesh-echo" ? 10 : 11}`,
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      },
    })),
  ];
}

/** One request a script sent an echo server, as that server's nginx would log it. */
interface Sent {
  /** The echo server's node. */
  readonly node: string;
  readonly line: { remote: string; method: string; host: string; uri: string; status: string };
}

/** An echo server's access log: the JSON lines the lab's nginx writes, and its error log. */
function accessLog(sent: readonly Sent[]): KubectlResult {
  const lines = ["2026/12/02 01:00:00 [notice] 1#1: start worker processes"];
  lines.push(...sent.map((s) => JSON.stringify(s.line)));
  return { code: 0, stderr: "", stdout: lines.join("\n") + "\n" };
}

/** What a node probe's `ip addr` says on node `i`: its own link, and flannel.1 it sends from. */
function nodeLinks(i: number): string {
  return [
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP",
    `    inet 192.168.240.${i + 1}/24 scope global eth0`,
    "3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN",
    `    inet 10.42.${i}.0/32 scope global flannel.1`,
  ].join("\n");
}

/**
 * A fake cluster of `nodes`: the API's answers, each script's sections (every path passing), and
 * each echo server's log, written from the requests the scripts the runner sent would make: from
 * the client's pod IP, or the node's flannel.1 address; the Service's fetches served by n1's echo
 * server (whose UID the sections answer with). `logOf` may change what an echo server's log says.
 */
function fakeCluster(
  nodes: string[],
  options: {
    clientReadyAfter?: number;
    /** Pods listed first among a kind's (by its `app` label), as the API lists a decoy named to sort first. */
    decoys?: Readonly<Record<string, ReadonlyArray<Record<string, unknown>>>>;
    /** Endpoints the mesh's Service has beside the echo servers. */
    extraEndpoints?: ReadonlyArray<Record<string, unknown>>;
    logOf?: (node: string, honest: Sent[], all: Sent[], read: number) => KubectlResult;
    /** The lab's run counter (the ConfigMap mesh-rotation's `run`), which patches move on. */
    counter?: { value: string; afterRead?: () => void };
  } = {},
) {
  const counterCalls: string[][] = [];
  let reads = 0;
  const sent: Sent[] = [];
  const logCalls: string[][] = [];
  const layoutReads: string[][] = [];
  const probed: string[] = [];
  const planGroups: Array<[string, string[]]> = [];
  const reportWatches: string[][] = [];
  // The runs' own ConfigMaps, as created.
  const runs: string[] = [];
  const deletes: string[][] = [];
  const reports: Array<{
    kind: string;
    metadata: { name: string; labels: Record<string, string> };
    data: Record<string, string>;
  }> = [];
  let plans = 0;
  // The UID podItems gives the pod.
  const uidOf = (pod: string) => {
    const node = nodes.findIndex((n) => pod.endsWith(`-${n}`));
    const kind = pod.slice(0, pod.length - nodes[node].length - 1);
    return kind === "mesh-echo" ? echoUid(node) : `${kind}-${node}`;
  };
  // What a pod's script prints, and the requests it sends the echo servers (their logs).
  const answer = (pod: string, script: string) => {
    const nonce = /^nonce=([0-9a-f]{32})$/m.exec(script)![1];
    const node = nodes.findIndex((n) => pod.endsWith(`-${n}`));
    const client = pod.startsWith("mesh-client");
    const remote = client ? `10.42.${node}.11` : `10.42.${node}.0`;
    for (const url of script.matchAll(/http:\/\/([\w.-]+):(\d+)(\/pod-to-pod\/[^'\s]+)/g)) {
      const target = url[1] === "mesh-echo" ? 0 : Number(url[1].split(".")[2]);
      const line = {
        remote,
        method: "GET",
        host: `${url[1]}:${url[2]}`,
        uri: url[3],
        status: "200",
      };
      sent.push({ node: nodes[target], line });
    }
    const sections = client
      ? clientSections(nodes.length)
      : nodeSections(nodes.length, node, () => true, nodeLinks(node));
    return printed(nonce, sections);
  };
  // An echo server's access log, as its reporter files it: each read recorded, as `kubectl logs`.
  const accessLogOf = (pod: string, asked: string): KubectlResult => {
    logCalls.push(["logs", "-n", "lab", pod, asked]);
    const node = nodes.find((n) => pod === `mesh-echo-${n}`)!;
    const honest = sent.filter((s) => s.node === node);
    const read = logCalls.filter((c) => c[3] === pod).length;
    return options.logOf ? options.logOf(node, honest, sent, read) : accessLog(honest);
  };
  const run: KubectlRunner = async (args, _timeoutMs, lines) => {
    const verb = args[0];
    if (args[1] === "configmap" && args.includes("mesh-rotation") && options.counter) {
      counterCalls.push([...args]);
      if (verb === "get") {
        const value = options.counter.value;
        options.counter.afterRead?.();
        return { code: 0, stderr: "", stdout: value };
      }
      const [test, replace] = JSON.parse(args.at(-1)!) as Array<{ value: string }>;
      if (test.value !== options.counter.value) {
        return { code: 1, stderr: "the server rejected our request: test failed", stdout: "" };
      }
      options.counter.value = replace.value;
      return { code: 0, stderr: "", stdout: "configmap/mesh-rotation patched" };
    }
    if (verb === "get" && args[1] === LAYOUT_KINDS) {
      reads += 1;
      layoutReads.push([...args]);
      const kinds = ["mesh-echo", "mesh-client", "mesh-node-probe"];
      const endpoints = nodes.map((node, i) => ({
        addresses: [`10.42.${i}.10`],
        conditions: { ready: true },
        targetRef: { kind: "Pod", name: `mesh-echo-${node}`, uid: echoUid(i) },
      }));
      const items = [
        ...nodes.map((name) => ({ kind: "Node", metadata: { name }, spec: {} })),
        ...kinds.map((name) => ({ kind: "DaemonSet", metadata: { name, uid: `ds-${name}` } })),
        ...kinds.flatMap((kind) =>
          podItems(
            kind,
            nodes,
            kind !== "mesh-client" || reads > (options.clientReadyAfter ?? 0),
            options.decoys?.[kind],
          ),
        ),
        { kind: "Service", metadata: { name: "mesh-echo" }, spec: { clusterIP: "10.43.7.7" } },
        {
          kind: "EndpointSlice",
          metadata: { labels: { "kubernetes.io/service-name": "mesh-echo" } },
          endpoints: [...endpoints, ...(options.extraEndpoints ?? [])],
        },
      ];
      return { code: 0, stderr: "", stdout: JSON.stringify({ kind: "List", items }) };
    }
    if (verb === "create" && args[1] === "-f") {
      // The run's plan: each pod's script, answered as its reporter would file it.
      plans += 1;
      const plan = JSON.parse(fs.readFileSync(args[2], "utf8")) as {
        items: Array<{
          metadata: { labels: Record<string, string> };
          data: Record<string, string>;
        }>;
      };
      for (const item of plan.items) {
        planGroups.push([item.metadata.labels[REPORTS.planForLabel], Object.keys(item.data)]);
        const id = item.metadata.labels[REPORTS.runLabel];
        for (const [pod, asked] of Object.entries(item.data)) {
          const filed = asked.startsWith(`${ACCESS_LOG_PLAN} `)
            ? accessLogOf(pod, asked)
            : (probed.push(pod), { code: 0, stderr: "", stdout: answer(pod, asked) });
          reports.push({
            kind: "ConfigMap",
            metadata: {
              name: reportName(id, pod),
              labels: { [REPORTS.runLabel]: id, [REPORTS.podUidLabel]: uidOf(pod) },
            },
            data:
              filed.code === 0
                ? { [REPORTS.outputKey]: filed.stdout }
                : { [REPORTS.errorKey]: filed.stderr },
          });
        }
      }
      return { code: 0, stderr: "", stdout: "" };
    }
    if (verb === "get" && args[1] === "--raw") {
      // The watch of the run's reports: every one there is, at once.
      const url = new URL(args[2], "https://api");
      expect(url.pathname).toBe("/api/v1/namespaces/lab/configmaps");
      const selector = url.searchParams.get("labelSelector")!;
      reportWatches.push([selector, url.searchParams.get("watch")!]);
      const id = /^pod-to-pod\.dev\/run=([0-9a-f]+),!pod-to-pod\.dev\/plan$/.exec(selector)![1];
      const items = reports.filter((r) => r.metadata.labels[REPORTS.runLabel] === id);
      const events = items.map((object) => `${JSON.stringify({ type: "ADDED", object })}\n`);
      return handedOver({ code: 0, stderr: "", stdout: events.join("") }, lines);
    }
    if (verb === "create" && args[1] === "configmap") {
      // The run's own ConfigMap: its UID, which the plans name as their owner.
      runs.push(args[2]);
      return { code: 0, stderr: "", stdout: `uid-${args[2]}` };
    }
    if (verb === "delete" && args[1] === "configmap") {
      deletes.push([...args]);
      return { code: 0, stderr: "", stdout: "" };
    }
    throw new Error(`unexpected kubectl ${args.join(" ")}`);
  };
  return {
    run,
    probed,
    planGroups,
    plans: () => plans,
    reportWatches,
    runs,
    deletes,
    logCalls,
    layoutReads,
    counterCalls,
    sent,
  };
}

function check(outcome: Awaited<ReturnType<typeof runMesh>>, name: string) {
  return outcome.checks.find((c) => c.name === name)!;
}

describe("runMesh", () => {
  it("fails the Service when a ready endpoint of it is no echo server of the mesh, naming it", async () => {
    const cluster = fakeCluster(["n1", "n2"], {
      extraEndpoints: [
        {
          addresses: ["10.42.1.99"],
          conditions: { ready: true },
          targetRef: { kind: "Pod", name: "intruder", uid: "0a0b0c0d-1111-4222-8333-444455556666" },
        },
      ],
    });
    const outcome = await runMesh(meshPlan, cluster.run);
    expect(cluster.layoutReads[0]).toEqual(["get", LAYOUT_KINDS, "-n", "lab", "-o", "json"]);
    const service = outcome.checks.find((c) => c.name === "mesh-service");
    expect(service?.ok).toBe(false);
    expect(service?.detail).toBe(
      "2 of 2 nodes fail: n1: mesh-echo also sends traffic to intruder (uid 0a0b0c0d) at 10.42.1.99, not only to the lab's mesh-echo-n1, mesh-echo-n2: requests may reach another pod; n2: mesh-echo also sends traffic to intruder (uid 0a0b0c0d) at 10.42.1.99, not only to the lab's mesh-echo-n1, mesh-echo-n2: requests may reach another pod",
    );
    expect(outcome.checks.find((c) => c.name === "mesh-pod-to-pod")?.ok).toBe(true);
  });

  it("probes only the pods its own DaemonSets control: a decoy with a client's labels is named, given no script", async () => {
    const decoy = {
      kind: "Pod",
      metadata: {
        name: "mesh-client-0",
        uid: "decoy",
        labels: { app: "mesh-client" },
        ownerReferences: [{ kind: "ConfigMap", name: "owner", uid: "cm", controller: true }],
      },
      spec: { nodeName: "n2" },
      status: { podIP: "10.42.1.99", conditions: [{ type: "Ready", status: "True" }] },
    };
    const orphan = {
      ...decoy,
      metadata: { name: "mesh-echo-0", uid: "orphan", labels: { app: "mesh-echo" } },
    };
    const cluster = fakeCluster(["n1", "n2"], {
      decoys: { "mesh-client": [decoy], "mesh-echo": [orphan] },
    });
    const outcome = await runMesh(meshPlan, cluster.run);
    expect([...cluster.probed].sort()).toEqual([
      "mesh-client-n1",
      "mesh-client-n2",
      "mesh-node-probe-n1",
      "mesh-node-probe-n2",
    ]);
    const coverage = outcome.checks.find((c) => c.name === "mesh-coverage");
    expect(coverage?.detail).toBe(
      "2 nodes (n1, n2), each with a Ready echo server, client and node probe; ignored: pod mesh-echo-0 on n2 carries the mesh echo servers' labels, but no DaemonSet of the mesh controls it (no controller); ignored: pod mesh-client-0 on n2 carries the mesh clients' labels, but no DaemonSet of the mesh controls it (its controller: ConfigMap owner)",
    );
    expect(coverage?.facts?.ignored).toBe(2);
    expect(outcome.checks.every((c) => c.ok)).toBe(true);
  });

  it("gives every node's client and probe its script in one plan, and reads their reports in one list, no exec", async () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5"];
    const cluster = fakeCluster(nodes);
    const calls: string[] = [];
    const outcome = await runMesh(
      { ...meshPlan, parallelism: 3 },
      async (args, timeoutMs, lines) => {
        calls.push(args[0]);
        return cluster.run(args, timeoutMs, lines);
      },
    );
    expect(
      outcome.checks.every((c) => c.ok),
      JSON.stringify(outcome.checks),
    ).toBe(true);
    expect(outcome.report.counts.podPaths).toBe(25);
    expect(outcome.report.counts.nodePaths).toBe(20);
    expect([...cluster.probed].sort()).toEqual(
      ["mesh-client", "mesh-node-probe"].flatMap((kind) => nodes.map((n) => `${kind}-${n}`)),
    );
    // The run's own ConfigMap, beside the layout's read; the probes' plan and one watch (every
    // report is in it at once); the echo servers' logs the same way, a plan and a watch; the
    // run's ConfigMap deleted at its end, once.
    expect(calls.sort()).toEqual(["create", "create", "create", "delete", "get", "get", "get"]);
    // Each node's plan holds its own pods' scripts (its reporters watch no other node's); the
    // servers' plan asks every echo server for its log.
    expect(cluster.planGroups).toEqual([
      ...nodes.map((n) => [planFor(n), [`mesh-client-${n}`, `mesh-node-probe-${n}`]]),
      [SERVERS_PLAN, nodes.map((n) => `mesh-echo-${n}`)],
    ]);
    // Each delivery watches its own id's reports.
    const ids = cluster.reportWatches.map(([selector, watch]) => {
      expect(watch).toBe("1");
      return /run=([0-9a-f]{16}),/.exec(selector)![1];
    });
    expect(new Set(ids).size).toBe(2);
    expect(cluster.deletes).toEqual([
      ["delete", "configmap", cluster.runs[0], "-n", "lab", "--wait=false"],
    ]);
  });

  it("above allPairsUpTo, probes this run's window of the pairs: every node sends and receives M", async () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5"];
    const counter = { value: "1" };
    const cluster = fakeCluster(nodes, { counter });
    const outcome = await runMesh({ ...meshPlan, allPairsUpTo: 2 }, cluster.run);
    expect(
      outcome.checks.every((c) => c.ok),
      JSON.stringify(outcome.checks),
    ).toBe(true);
    // Run 1 of the counter: the offsets 2 and 3; the counter moved on in one compare-and-set.
    expect(counter.value).toBe("2");
    expect(cluster.counterCalls).toEqual([
      ["get", "configmap", "-n", "lab", "mesh-rotation", "-o", "jsonpath={.data.run}"],
      [
        "patch",
        "configmap",
        "-n",
        "lab",
        "mesh-rotation",
        "--type=json",
        "-p",
        '[{"op":"test","path":"/data/run","value":"1"},{"op":"replace","path":"/data/run","value":"2"}]',
      ],
    ]);
    const probedCells = (matrix: readonly string[]) =>
      matrix.map((row) =>
        row
          .split(" ")
          .map((cell) => (cell === "." ? "." : cell[0]))
          .join(" "),
      );
    expect(probedCells(outcome.report.matrix)).toEqual([
      ". . P P .",
      ". . . P P",
      "P . . . P",
      "P P . . .",
      ". P P . .",
    ]);
    expect(probedCells(outcome.report.nodeMatrix)).toEqual(probedCells(outcome.report.matrix));
    expect(outcome.report.counts).toEqual({
      nodes: 5,
      podPaths: 10,
      podPathsFailed: 0,
      nodePaths: 10,
      nodePathsFailed: 0,
    });
    // What the scripts sent: each client's identity fetches went to the two echo servers of its
    // window, no other.
    const identity = (from: number) =>
      cluster.sent
        .filter(
          (s) =>
            s.line.remote === `10.42.${from}.11` &&
            s.line.uri.startsWith("/pod-to-pod/identity") &&
            s.line.host !== "mesh-echo:80",
        )
        .map((s) => s.node);
    expect(nodes.map((_, i) => identity(i))).toEqual([
      ["n3", "n4"],
      ["n4", "n5"],
      ["n1", "n5"],
      ["n1", "n2"],
      ["n2", "n3"],
    ]);
    const coverage = check(outcome, "mesh-coverage");
    expect(coverage.detail).toBe(
      "5 nodes (n1, n2, n3, n4, n5), each with a Ready echo server, client and node probe; sampled (run 1): each client probes 2 of the 5 echo servers, those at offsets 2 to 3 from its own node in the matrix's order (mod 5, 0 its own); 3 consecutive runs cover every pair",
    );
    expect(coverage.facts).toEqual({
      nodes: 5,
      missing: 0,
      ignored: 0,
      run: 1,
      firstOffset: 2,
      offsets: 2,
      runsForEveryPair: 3,
    });
    expect(check(outcome, "mesh-pod-to-pod").detail).toContain("all 10 paths (5 × 2) answer HTTP");
  });

  it("covers every pair within ceil(N / M) consecutive runs, whoever runs them", async () => {
    const nodes = ["n1", "n2", "n3", "n4", "n5"];
    const counter = { value: "7" };
    const seen = new Set<string>();
    for (let run = 0; run < 3; run += 1) {
      const outcome = await runMesh(
        { ...meshPlan, allPairsUpTo: 2 },
        fakeCluster(nodes, { counter }).run,
      );
      outcome.report.matrix.forEach((row, i) =>
        row.split(" ").forEach((cell, j) => {
          if (cell !== ".") {
            seen.add(`${nodes[i]}->${nodes[j]}`);
          }
        }),
      );
    }
    expect(counter.value).toBe("10");
    expect([...seen].sort()).toEqual(nodes.flatMap((a) => nodes.map((b) => `${a}->${b}`)).sort());
  });

  it("takes the next number when another run took the one it read: compare-and-set, then again", async () => {
    const counter = {
      value: "4",
      // Another run takes 4 between this run's read and its patch, once.
      afterRead: () => {
        counter.value = "5";
        counter.afterRead = undefined;
      },
    } as { value: string; afterRead?: () => void };
    const cluster = fakeCluster(["n1", "n2", "n3"], { counter });
    const outcome = await runMesh({ ...meshPlan, allPairsUpTo: 2 }, cluster.run);
    expect(cluster.counterCalls.map((call) => call[0])).toEqual(["get", "patch", "get", "patch"]);
    expect(check(outcome, "mesh-coverage").facts?.run).toBe(5);
    expect(counter.value).toBe("6");
  });

  it("fails the run on a counter that is not a whole number, naming the ConfigMap, key and value", async () => {
    const cluster = fakeCluster(["n1", "n2", "n3"], { counter: { value: "-1" } });
    await expect(runMesh({ ...meshPlan, allPairsUpTo: 2 }, cluster.run)).rejects.toThrow(
      'the mesh\'s run counter (ConfigMap lab/mesh-rotation, key run) holds "-1": accepted is a whole number from 0 (set it to "0" to start the rotation again)',
    );
    // The run's own ConfigMap, made as the scenario started, is deleted all the same.
    expect(cluster.runs).toHaveLength(1);
    expect(cluster.deletes).toEqual([
      ["delete", "configmap", cluster.runs[0], "-n", "lab", "--wait=false"],
    ]);
  });

  it("says so when the window holds each node's own echo server alone: no node-to-pod path that run", async () => {
    const counter = { value: "3" };
    const own = await runMesh(
      { ...meshPlan, allPairsUpTo: 1 },
      fakeCluster(["n1", "n2", "n3"], { counter }).run,
    );
    expect(own.report.matrix).toEqual(["P60 . .", ". P60 .", ". . P60"]);
    expect(check(own, "mesh-node-to-pod")).toMatchObject({
      ok: true,
      detail:
        "this run's window holds each node's own echo server alone: no pods on other nodes to reach this run",
    });
    const next = await runMesh(
      { ...meshPlan, allPairsUpTo: 1 },
      fakeCluster(["n1", "n2", "n3"], { counter }).run,
    );
    expect(next.report.nodeMatrix.map((row) => row.replace(/\d+/g, ""))).toEqual([
      ". P .",
      ". . P",
      "P . .",
    ]);
    expect(check(next, "mesh-node-to-pod").ok).toBe(true);
  });

  it("does not touch the counter where every pair is probed", async () => {
    const cluster = fakeCluster(["n1", "n2"], { counter: { value: "x" } });
    const outcome = await runMesh({ ...meshPlan, allPairsUpTo: 2 }, cluster.run);
    expect(outcome.report.counts.podPaths).toBe(4);
    expect(cluster.counterCalls).toEqual([]);
    expect(check(outcome, "mesh-coverage").facts).toEqual({ nodes: 2, missing: 0, ignored: 0 });
  });

  it("waits, bounded, for a node's mesh pods to be Ready before it probes", async () => {
    const cluster = fakeCluster(["n1", "n2"], { clientReadyAfter: 2 });
    let clock = 0;
    const outcome = await runMesh(
      meshPlan,
      cluster.run,
      undefined,
      async (ms) => {
        clock += ms;
      },
      () => clock,
    );
    // Two seconds for the client to be Ready; no wait for the reports, which the runner watches
    // (each watch here has them all at once).
    expect(clock).toBe(2000);
    expect(outcome.checks.find((c) => c.name === "mesh-coverage")?.ok).toBe(true);
    // Never Ready: the wait ends at its bound and the hole is reported.
    clock = 0;
    const never = await runMesh(
      meshPlan,
      fakeCluster(["n1", "n2"], { clientReadyAfter: 1e9 }).run,
      undefined,
      async (ms) => {
        clock += ms;
      },
      () => clock,
    );
    expect(never.checks.find((c) => c.name === "mesh-coverage")?.detail).toMatch(
      /n1: client mesh-client-n1 not Ready; n2: client mesh-client-n2 not Ready/,
    );
  });

  it("gives a script room for its batches of jobs and the wait for the Service's name", () => {
    // A batch at its worst is a path's one job: 3 identity tries, then 3 of the large body, each
    // its 5 s and a second between tries, then the small pings (5 s + 2) and the full-size (5 s).
    const job = 2 * (3 * 5 + 2) + (5 + 2) + 5;
    expect(meshDeadlineSeconds({ ...meshPlan, timeoutSeconds: 5, parallelism: 8 }, 5)).toBe(
      job + 40 + 2,
    );
    expect(meshDeadlineSeconds({ ...meshPlan, timeoutSeconds: 5, parallelism: 8 }, 10)).toBe(
      2 * job + 40 + 2,
    );
  });
});

describe("the echo servers' side of the mesh", () => {
  const nodes = ["n1", "n2", "n3"];
  const noWait = async () => undefined;

  it("reads each echo server's log once, all in one plan, and witnesses every HTTP pass", async () => {
    const cluster = fakeCluster(nodes);
    const outcome = await runMesh(
      { ...meshPlan, parallelism: 2 },
      cluster.run,
      undefined,
      noWait,
      () => Date.parse("2026-12-02T01:00:00Z"),
    );
    expect(
      outcome.checks.every((c) => c.ok),
      JSON.stringify(outcome.checks),
    ).toBe(true);
    // Each echo pod's reporter asked once for its log from the run's start less the margin for a
    // skewed clock (2026-12-02T00:55:00Z), in one plan beside the probes' own.
    const since = Date.parse("2026-12-02T00:55:00Z") / 1000;
    expect(cluster.logCalls.map((c) => c.join(" ")).sort()).toEqual(
      nodes.map((n) => `logs -n lab mesh-echo-${n} access-log ${since}`),
    );
    expect(cluster.plans()).toBe(2);
    // 9 pod paths, 6 node paths, 3 Service fetches: each logged by the server meant, from its sender.
    expect(outcome.report.serverWitness).toEqual({
      witnessed: 18,
      clientsWordAlone: 0,
      notServed: 0,
      unreadable: [],
    });
    expect(check(outcome, "mesh-pod-to-pod").detail).toContain(
      "; the echo servers' own logs witness 9 of 9 HTTP passes",
    );
    expect(check(outcome, "mesh-node-to-pod").facts).toMatchObject({ witnessed: 6, notServed: 0 });
  });

  it("fails a replayed pass: the client reports n1's UID, n1's echo server logged nothing of this run", async () => {
    let sleeps = 0;
    const cluster = fakeCluster(nodes, {
      // Something else answers at n1's echo server's address: n1's nginx sees none of it.
      logOf: (node, honest) => accessLog(node === "n1" ? [] : honest),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, async () => {
      sleeps += 1;
    });
    // Read again, briefly, before a missing line counts as never served; the others once.
    expect(cluster.logCalls.filter((c) => c[3] === "mesh-echo-n1")).toHaveLength(5);
    expect(cluster.logCalls.filter((c) => c[3] === "mesh-echo-n2")).toHaveLength(1);
    // Four waits before n1's log is asked for again; none for the reports, which the runner
    // watches (each watch here has them all at once).
    expect(sleeps).toBe(4);
    const toN1 = outcome.report.failures.filter((f) => f.to === "n1");
    expect(toN1.map((f) => [f.from, f.outcome])).toEqual([
      ["n1", "unserved"],
      ["n2", "unserved"],
      ["n3", "unserved"],
      ["n2", "unserved"],
      ["n3", "unserved"],
    ]);
    expect(outcome.report.failures).toHaveLength(5);
    expect(toN1[1].detail).toContain(
      "http: answered by mesh-echo-n1 (uid 00000000); ping, 64 KiB and full-size ping answered; but n1's echo server (mesh-echo-n1) never logged this request: the answer came from elsewhere; but n1's echo server (mesh-echo-n1) never logged the 64 KiB request",
    );
    expect(outcome.report.matrix.map((row) => row.split(" ")[0][0])).toEqual(["N", "N", "N"]);
    expect(check(outcome, "mesh-pod-to-pod").ok).toBe(false);
    expect(check(outcome, "mesh-node-to-pod").ok).toBe(false);
    // The Service answered with n1's UID: n1's log must show those fetches too.
    expect(check(outcome, "mesh-service").ok).toBe(false);
    expect(check(outcome, "mesh-service").detail).toContain(
      "answered by mesh-echo-n1 (uid 00000000) at 10.42.0.10, an endpoint of mesh-echo; but n1's echo server (mesh-echo-n1) never logged the Service's request",
    );
    expect(outcome.report.serverWitness).toMatchObject({ witnessed: 10, notServed: 8 });
    expect(outcome.diagnosis?.layer).toBe("server");
    expect(outcome.diagnosis?.summary).toContain(
      "Answers came back as n1's echo server, but that server's own access log has no such request",
    );
  });

  it("does not count another run's requests: the token must be one this run's scripts carried", async () => {
    const cluster = fakeCluster(nodes, {
      logOf: (_node, honest) =>
        accessLog(
          honest.map((s) => ({
            ...s,
            line: {
              ...s.line,
              uri: s.line.uri.replace(/pod-to-pod-run=\w+/, `pod-to-pod-run=${"e".repeat(32)}`),
            },
          })),
        ),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, noWait);
    expect(outcome.report.serverWitness).toEqual({
      witnessed: 0,
      clientsWordAlone: 0,
      notServed: 18,
      unreadable: [],
    });
    expect(outcome.report.counts.podPathsFailed).toBe(9);
  });

  it("lets a path whose echo server's log cannot be read stand on the client's word alone, and says so", async () => {
    const cluster = fakeCluster(nodes, {
      logOf: (node, honest) =>
        node === "n2"
          ? {
              code: 1,
              stdout: "",
              stderr:
                'configmaps is forbidden: User "system:serviceaccount:lab:mesh-reporter" cannot create resource "configmaps"',
            }
          : accessLog(honest),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, noWait);
    expect(outcome.checks.every((c) => c.ok)).toBe(true);
    // Not asked again: asking again cannot make a refused report filed.
    expect(cluster.logCalls.filter((c) => c[3] === "mesh-echo-n2")).toHaveLength(1);
    const why = `n2's echo server (mesh-echo-n2): lab/mesh-echo-n2 reported no output: configmaps is forbidden: User "system:serviceaccount:lab:mesh-reporter" cannot create resource "configmaps"; the pod or the Kubernetes API is the problem, not the network`;
    expect(outcome.report.serverWitness).toEqual({
      witnessed: 13,
      clientsWordAlone: 5,
      notServed: 0,
      unreadable: [why],
    });
    expect(check(outcome, "mesh-pod-to-pod").detail).toContain(
      `the echo servers' own logs witness 6 of 9 HTTP passes, 3 on the client's word alone (${why})`,
    );
    expect(check(outcome, "mesh-pod-to-pod").facts?.clientsWordAlone).toBe(3);
    expect(check(outcome, "mesh-node-to-pod").detail).toContain("2 on the client's word alone");
    expect(renderMeshText(outcome.report).join("\n")).toContain(
      `server side: 13/18 HTTP passes witnessed by the echo servers' own logs, 5 on the client's word alone (${why})`,
    );
  });

  it("fails a request logged by another echo server than the one meant, naming the one that logged it", async () => {
    // What n2's address answers is n3's nginx (a proxy, or n3's pod at the address the API gives n2).
    const cluster = fakeCluster(nodes, {
      logOf: (node, honest, all) =>
        accessLog(
          node === "n2"
            ? []
            : node === "n3"
              ? [...honest, ...all.filter((s) => s.node === "n2")]
              : honest,
        ),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, noWait);
    const path = outcome.report.failures.find((f) => f.from === "n1" && f.to === "n2")!;
    expect(path.outcome).toBe("unserved");
    expect(path.detail).toContain(
      "but n2's echo server (mesh-echo-n2) never logged this request: the answer came from elsewhere (n3's echo server logged it instead)",
    );
    expect(outcome.report.failures.every((f) => f.to === "n2")).toBe(true);
  });

  it("fails a request the echo server logged from another sender than the client or node meant", async () => {
    const cluster = fakeCluster(nodes, {
      logOf: (node, honest) =>
        accessLog(
          node === "n2"
            ? honest.map((s) => ({ ...s, line: { ...s.line, remote: "10.42.9.99" } }))
            : honest,
        ),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, noWait);
    const pod = outcome.report.failures.find((f) => f.from === "n1" && f.to === "n2")!;
    expect(pod.detail).toContain(
      "but n2's echo server (mesh-echo-n2) logged this request from 10.42.9.99 (GET 10.42.1.10:80/pod-to-pod/identity, status 200), not from n1's client (10.42.0.11): another sender made it (a relay or proxy at the probed address)",
    );
    const node = outcome.report.failures.find(
      (f) => f.from === "n3" && f.to === "n2" && f.detail.startsWith("node to pod"),
    )!;
    expect(node.detail).toContain("not from an address of node n3");
    // The same lines from the senders themselves are witnessed: a node's flannel.1 address is its own.
    const honest = await runMesh(meshPlan, fakeCluster(nodes).run, undefined, noWait);
    expect(honest.report.failures).toEqual([]);
  });

  it("reads a log again for a line the kubelet has not written yet, and then witnesses it", async () => {
    const cluster = fakeCluster(nodes, {
      logOf: (node, honest, _all, read) =>
        accessLog(node === "n3" && read === 1 ? honest.slice(0, 1) : honest),
    });
    const outcome = await runMesh(meshPlan, cluster.run, undefined, noWait);
    expect(outcome.checks.every((c) => c.ok)).toBe(true);
    expect(outcome.report.serverWitness.witnessed).toBe(18);
    expect(cluster.logCalls.map((c) => c[3]).sort()).toEqual([
      "mesh-echo-n1",
      "mesh-echo-n2",
      "mesh-echo-n3",
      "mesh-echo-n3",
    ]);
  });
});

describe("joinDiagnoses", () => {
  const pair = { layer: "cross-node" as const, summary: "pair", evidence: [] };
  const mesh = { layer: "cross-node" as const, summary: "mesh, naming the node", evidence: [] };

  it("prefers the mesh's diagnosis of the network, which names the node", () => {
    expect(joinDiagnoses([pair, mesh])?.summary).toBe("mesh, naming the node");
    expect(joinDiagnoses([undefined, mesh])?.summary).toBe("mesh, naming the node");
    expect(joinDiagnoses([pair, undefined])?.summary).toBe("pair");
    expect(joinDiagnoses([undefined, undefined])).toBeUndefined();
  });

  it("keeps the pair's diagnosis of what only the pair probes (its server, its policies)", () => {
    const server = { layer: "server" as const, summary: "nginx", evidence: [] };
    expect(joinDiagnoses([server, mesh])?.summary).toBe("nginx");
  });
});

describe("mapBounded", () => {
  it("keeps the order and never runs more than the bound at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(/at least 1, got 0/);
  });
});
