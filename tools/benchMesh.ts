/**
 * `npm run bench:mesh`: the check step of `pod-to-pod:coverage: every-node` on the local cluster,
 * as a ratio to one node (goals: at most 1.5× at three nodes, 1.2× at four), measured, not
 * modelled: what it is above four nodes is the simulated sizes' to say (the runner's own time,
 * memory and requests), not a curve fitted to four points. Appends the run to
 * bench/mesh-results.json.
 *
 * It deploys an every-node stack once per cluster size and runs the check step alone (the runner,
 * `node checks/start.js`, with the command's environment) `rounds` times, the pair's check step
 * alone (the same runner without the mesh) alternating with it, and the every-node check step
 * sampled at its least (`mesh.allPairsUpTo: 1`: each node probes one echo server per run) beside
 * them: what of the step is the targets. Then the runner alone on simulated
 * labs of 100 and 1,000 nodes (tools/lib/syntheticMeshCluster.ts): its time, peak memory and API
 * requests, against the scale issue's goals at 1,000 nodes.
 *
 *   tsx tools/benchMesh.ts [rounds=5] [--nodes 1,2,3] [--fake-nodes[=100,1000]] [--report]
 *
 * `--fake-nodes` runs the simulated sizes on the cluster's own control plane with kwok's fake
 * nodes beside the real ones (measureFakeNodes) instead of the made-up lab, and measures the real
 * sizes only where `--nodes` names them.
 *
 * `--report` measures nothing: it prints the goals from the results file.
 * BENCH_BASELINE=<commit> runs that commit's runner too (exported with git archive), alternating
 * with this checkout's in each round against the same lab, and prints the step's ratio now / then.
 * `--nodes` resizes the cluster (`local-cluster/cluster.sh up --nodes K`) to each size in turn and
 * back to two nodes at the end: it breaks the cluster for everyone else, so hold its lock
 * exclusively (`flock -x /tmp/pod-to-pod-cluster.lock npm run bench:mesh -- 5 --nodes 1,2,3`).
 * Without it, the cluster's own size is measured and the earlier sizes are taken from the results
 * file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { toEnvironment } from "../checks/contract/environment";
import { runnerVersion } from "../checks/runner";
import { Verification } from "../checks/contract/types";
import { DEFAULTS } from "../config";
import { parseMeshBenchArgs } from "./lib/benchMeshArgs";
import { formatGoal, goal, median, round3 } from "./lib/benchStats";
import { harness, uniqueStack, useLocalImages } from "./lib/engine";
import { observePlan } from "./lib/kubectlLab";
import { describeReporting, describeRequests, meshTiming, Timing } from "./lib/meshTiming";
import { REPORT_REQUESTS } from "./lib/simulatedReports";
import { mustRun, PROJECT_DIR, runCommand } from "./lib/runCommand";
import { projectAt, resolveRevision } from "./lib/benchProjects";

const RESULTS = path.join(PROJECT_DIR, "bench", "mesh-results.json");
// POD_TO_POD_TEST_NAMESPACE: a namespace of one's own, to measure beside another's bench.
const NAMESPACE = process.env.POD_TO_POD_TEST_NAMESPACE ?? "p2p-mesh-bench";

interface SizeResult {
  readonly nodes: number;
  readonly at: string;
  /** The every-node check step, seconds, round by round. */
  readonly mesh: readonly number[];
  /** The pair's check step alone, seconds. */
  readonly pair: readonly number[];
  /** The every-node check step with each node probing one echo server (allPairsUpTo 1), seconds. */
  readonly sampled?: readonly number[];
  /** The check steps whose verdict failed and which were run again, with why: no timing of theirs counts. */
  readonly retried?: readonly string[];
  /** The median time of one healthy path's probes, seconds (from the verification's matrix). */
  readonly pathSeconds: number;
  /**
   * The median time of a bare `kubectl exec -- true` into a mesh client: recorded by the runs
   * before the pods reported, whose runner exec'd into each (a model of rounds of execs was fitted
   * to it then).
   */
  readonly execSeconds?: number;
  /** With BENCH_BASELINE: that commit's every-node check step, in the same rounds, seconds. */
  readonly baseline?: { readonly commit: string; readonly mesh: readonly number[] };
}

/** A commit's runner, run side by side with this checkout's (BENCH_BASELINE). */
interface Baseline {
  readonly commit: string;
  readonly dir: string;
}

/**
 * The runner on simulated labs of 100 and 1,000 nodes, at the defaults' coverage: its time, its
 * peak memory and its API requests, by kind. No packets and no exec latency: what the runner
 * itself does at that size. The lab is made up (tools/lib/syntheticMeshCluster.ts), or with
 * `--fake-nodes` the cluster's own API server with fake nodes beside the real ones (kwok, `lab`
 * "kwok"): then also how long the nodes and every mesh pod on them took to be Ready, and the HTTP
 * requests the runner sent the API server.
 */
interface SimulatedResult {
  readonly nodes: number;
  readonly at: string;
  readonly lab?: "kwok";
  /** The whole run, seconds, round by round. */
  readonly seconds: readonly number[];
  /** The runner's peak resident memory, round by round. */
  readonly rssMiB: readonly number[];
  /** The runner's API requests of the first round, by kind (meshTiming.ts's Timing). */
  readonly requests: Readonly<Record<string, number>>;
  /** The first round's plans, in bytes as filed, and the reports the pods' reporters filed. */
  readonly planBytes?: number;
  readonly reportsFiled?: number;
  /** kwok: the HTTP requests of the first round, by verb and resource. */
  readonly apiRequests?: Readonly<Record<string, number>>;
  /** kwok: seconds from asking for the fake nodes until they were Ready, then every mesh pod. */
  readonly readySeconds?: { readonly nodes: number; readonly pods: number };
}

const SIMULATED = [100, 1000];

function measureSimulated(rounds: number): SimulatedResult[] {
  return SIMULATED.map((nodes) => {
    console.log(`the runner on a simulated lab of ${nodes} nodes, ${rounds} rounds`);
    const timings = Array.from({ length: rounds }, () =>
      meshTiming(PROJECT_DIR, nodes, DEFAULTS.mesh.allPairsUpTo, "runner"),
    );
    return {
      nodes,
      at: new Date().toISOString(),
      seconds: timings.map((t) => round3(t.ms / 1000)),
      rssMiB: timings.map((t) => t.rssMiB),
      requests: timings[0].requests ?? {},
      ...reportingOf(timings[0]),
    };
  });
}

/**
 * Whether each of the mesh's three DaemonSets has a Ready pod on each of `nodes` nodes, from the
 * pods themselves, as the runner reads them: a DaemonSet's own status lags far behind its pods
 * with a thousand nodes on this machine (seen: 997 desired for 1,000 nodes, minutes after every
 * pod was Ready).
 */
function meshReadyOn(nodes: number): boolean {
  const pods = JSON.parse(
    mustRun("kubectl", ["get", "pods", "-n", NAMESPACE, "-o", "json"], { timeoutMs: 120_000 })
      .stdout,
  ) as {
    items: Array<{
      metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
      spec: { nodeName?: string };
      status: { conditions?: Array<{ type: string; status: string }> };
    }>;
  };
  const readyOn = new Map<string, Set<string>>();
  for (const pod of pods.items) {
    const owner = pod.metadata.ownerReferences?.find((o) => o.kind === "DaemonSet")?.name;
    const ready = pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (owner && ready && pod.spec.nodeName) {
      readyOn.set(owner, (readyOn.get(owner) ?? new Set()).add(pod.spec.nodeName));
    }
  }
  return readyOn.size === 3 && [...readyOn.values()].every((on) => on.size === nodes);
}

/**
 * The runner on the every-node lab deployed on this cluster with fake nodes added (kwok,
 * `cluster.sh fake-nodes`) up to each size: scheduling and readiness are the real control plane's,
 * the runner's reads go to the real API server; its scripts and the echo servers' logs are
 * simulated (tools/lib/kwokMeshServer.ts). The fake nodes are removed at the end.
 */
async function measureFakeNodes(
  rounds: number,
  sizes: readonly number[],
): Promise<SimulatedResult[]> {
  const results: SimulatedResult[] = [];
  const { engine, stack } = await everyNodeStack("bench-kwok");
  try {
    await stack.up();
    const real = nodeCount();
    for (const nodes of sizes) {
      const started = Date.now();
      cluster("fake-nodes", String(nodes - real));
      const nodesReady = (Date.now() - started) / 1000;
      const deadline = Date.now() + 20 * 60_000;
      while (!meshReadyOn(nodes)) {
        if (Date.now() > deadline) {
          throw new Error(`the mesh's pods were not Ready on ${nodes} nodes within 20 minutes`);
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      const podsReady = (Date.now() - started) / 1000;
      console.log(
        `${nodes} nodes (${nodes - real} fake): Ready in ${nodesReady.toFixed(1)} s, every mesh pod in ${podsReady.toFixed(1)} s; the runner, ${rounds} round${rounds === 1 ? "" : "s"}`,
      );
      const timings = Array.from({ length: rounds }, () =>
        meshTiming(PROJECT_DIR, nodes, DEFAULTS.mesh.allPairsUpTo, "runner", NAMESPACE),
      );
      results.push({
        nodes,
        at: new Date().toISOString(),
        lab: "kwok",
        seconds: timings.map((t) => round3(t.ms / 1000)),
        rssMiB: timings.map((t) => t.rssMiB),
        requests: timings[0].requests ?? {},
        ...reportingOf(timings[0]),
        apiRequests: timings[0].apiRequests ?? {},
        readySeconds: { nodes: round3(nodesReady), pods: round3(podsReady) },
      });
    }
    return results;
  } finally {
    cluster("fake-nodes", "0");
    await stack.destroy().catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    engine.close();
  }
}

/** A timing's plans and reports, where its runner filed any. */
function reportingOf(timing: Timing): Pick<SimulatedResult, "planBytes" | "reportsFiled"> {
  return timing.planBytes === undefined
    ? {}
    : { planBytes: timing.planBytes, reportsFiled: timing.reportsFiled ?? 0 };
}

/**
 * The kinds of the runner's requests that collect the run: its watches of the reports (a request
 * each; an earlier runner's lists, a request a page of 500), its delete of the run's ConfigMap, and that ConfigMap's create, counted here because it
 * is there for the clean-up alone (the owner whose one delete takes every plan and report; before
 * it, the clean-up was one deletecollection, no create); in a run recorded before the reports (or
 * a runner that still reads some that way), an exec per probing pod and a log read per echo
 * server. The plans' creates (a request a ConfigMap) hand the scripts out rather than collect
 * anything, so they are not counted; the goal's line prints them and every other kind beside it.
 */
const COLLECTION: readonly string[] = [
  REPORT_REQUESTS.run,
  REPORT_REQUESTS.watches,
  REPORT_REQUESTS.lists,
  REPORT_REQUESTS.deletes,
  "exec",
  "logs",
];

/** The goal's name: what it counts, kind by kind, and what it does not, at 1,000 nodes. */
function collectionGoalName(requests: Readonly<Record<string, number>>): string {
  const part = (collected: boolean) =>
    describeRequests(
      Object.fromEntries(
        Object.entries(requests).filter(([kind]) => COLLECTION.includes(kind) === collected),
      ),
    );
  return `API requests for collection (${part(true)}; beside them, not counted: ${part(false)}), 1,000 simulated nodes`;
}

function collectionRequests(requests: Readonly<Record<string, number>>): number {
  return COLLECTION.reduce((sum, kind) => sum + (requests[kind] ?? 0), 0);
}

function cluster(...args: string[]): void {
  console.log(`cluster.sh ${args.join(" ")}`);
  mustRun("bash", [path.join(PROJECT_DIR, "local-cluster/cluster.sh"), ...args], {
    timeoutMs: 15 * 60_000,
  });
}

/** How many times a check step whose verdict failed is run again before the bench gives up. */
const RETRIES = 2;

/**
 * One check step's seconds. A step whose verdict failed (a freshly joined node here loses a ping
 * while the cluster settles) measured something else than a healthy step: it is run again, and
 * the failure recorded, at most RETRIES times.
 */
function timedCheck(
  label: string,
  env: Record<string, string>,
  retried: string[],
  projectDir = PROJECT_DIR,
): number {
  for (let attempt = 0; ; attempt += 1) {
    const run = runCommand("node", [path.join(projectDir, "checks", "start.js")], { env });
    if (run.code === 0) {
      return run.seconds;
    }
    const lines = `${run.stdout}\n${run.stderr}`.split("\n").map((line) => line.trim());
    const why =
      lines.find((line) => line.startsWith("FAIL ")) ??
      (lines.filter((line) => line !== "").at(-1) || `exit ${run.code}`);
    if (attempt === RETRIES) {
      throw new Error(`the ${label} check step failed ${RETRIES + 1} times; last: ${why}`);
    }
    console.log(`the ${label} check step failed (${why}); running it again`);
    retried.push(`${label}: ${why}`);
  }
}

/** The cluster's real nodes: not the fake ones of `cluster.sh fake-nodes`. */
function nodeCount(): number {
  const real = ["get", "nodes", "-l", "!pod-to-pod.dev/fake-node", "-o", "name"];
  return mustRun("kubectl", real).stdout.trim().split("\n").length;
}

function kubeconfigPath(): string {
  return (
    process.env.KUBECONFIG ??
    path.join(process.env.POD_TO_POD_STATE ?? "/var/lib/pod-to-pod", "kubeconfig.yaml")
  );
}

/** A stack of its own, with the lab's local images, in the bench's namespace, every node covered. */
async function everyNodeStack(name: string) {
  const engine = await harness(kubeconfigPath());
  const stack = await engine.stack(uniqueStack(name));
  await useLocalImages(stack, true);
  await stack.setAllConfig({
    "pod-to-pod:namespace": { value: NAMESPACE },
    "pod-to-pod:coverage": { value: "every-node" },
  });
  return { engine, stack };
}

async function measureSize(rounds: number, baseline?: Baseline): Promise<SizeResult> {
  const { engine, stack } = await everyNodeStack("bench-mesh");
  try {
    // A node that has just joined may lose a packet in the lab's first check while the cluster
    // settles (seen here at four nodes: one ping of two): that up is run once more, and recorded.
    const retried: string[] = [];
    await stack.up().catch(async (error: unknown) => {
      const why =
        String(error)
          .split("\n")
          .find((line) => line.includes("FAIL ")) ?? "";
      console.log(`the lab's first up failed (${why.trim()}); running it again`);
      retried.push(`up: ${why.trim()}`);
      await stack.up();
    });
    const verification = (await stack.outputs()).verification.value as Verification;
    const nodes = verification.mesh?.nodes.length ?? 0;
    const settings = {
      servicePort: 80,
      nginx: { port: 80 },
      clusterDomain: "cluster.local",
      checks: { pingCount: 4, timeoutSeconds: 5 },
    };
    const options = { reportOnly: false, runnerVersion: runnerVersion() };
    const pairEnv = toEnvironment(
      observePlan(NAMESPACE, { ...settings, coverage: "pair" }),
      options,
    );
    const meshEnv = toEnvironment(
      observePlan(NAMESPACE, { ...settings, coverage: "every-node", mesh: DEFAULTS.mesh }),
      options,
    );
    const sampledEnv = toEnvironment(
      observePlan(NAMESPACE, {
        ...settings,
        coverage: "every-node",
        mesh: { ...DEFAULTS.mesh, allPairsUpTo: 1 },
      }),
      options,
    );
    const mesh: number[] = [];
    const then: number[] = [];
    const pair: number[] = [];
    const sampled: number[] = [];
    const paths: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const file = path.join(engine.dir, `verification-${round}.json`);
      const runMesh = () =>
        timedCheck("every-node", { ...meshEnv, POD_TO_POD_VERIFICATION_FILE: file }, retried);
      const runPair = () => timedCheck("pair", pairEnv, retried);
      const runSampled = () => timedCheck("sampled", sampledEnv, retried);
      const runThen = () =>
        baseline ? timedCheck("every-node (baseline)", meshEnv, retried, baseline.dir) : 0;
      // Each round in the other order, so no variant always runs first.
      const [m, s, p, b] =
        round % 2 === 1
          ? [runMesh(), runSampled(), runPair(), runThen()]
          : [runThen(), runPair(), runSampled(), runMesh()].reverse();
      if (baseline) {
        then.push(round3(b));
      }
      sampled.push(round3(s));
      mesh.push(round3(m));
      pair.push(round3(p));
      const v = JSON.parse(fs.readFileSync(file, "utf8")) as Verification;
      for (const row of v.mesh?.matrix ?? []) {
        paths.push(...row.split(" ").map((cell) => Number(cell.slice(1)) / 1000));
      }
      console.log(
        JSON.stringify({
          nodes,
          round,
          mesh: mesh.at(-1),
          sampled: s,
          pair: pair.at(-1),
          ...(baseline ? { baseline: then.at(-1) } : {}),
        }),
      );
    }
    return {
      nodes,
      at: new Date().toISOString(),
      mesh,
      pair,
      sampled,
      retried,
      pathSeconds: round3(median(paths)),
      ...(baseline ? { baseline: { commit: baseline.commit, mesh: then } } : {}),
    };
  } finally {
    await stack.destroy().catch(() => undefined);
    await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    engine.close();
  }
}

function readResults(): Array<{ sizes: SizeResult[]; simulated?: SimulatedResult[] }> {
  return fs.existsSync(RESULTS)
    ? (JSON.parse(fs.readFileSync(RESULTS, "utf8")) as Array<{
        sizes: SizeResult[];
        simulated?: SimulatedResult[];
      }>)
    : [];
}

async function main(): Promise<void> {
  const { rounds, sizes, reportOnly, fakeNodes } = parseMeshBenchArgs(process.argv.slice(2));
  const measured: SizeResult[] = [];
  // BENCH_BASELINE=<commit>: that commit's runner too, alternating with this one's, each round.
  const commit = process.env.BENCH_BASELINE && resolveRevision(process.env.BENCH_BASELINE);
  const project = commit && !reportOnly ? projectAt(commit) : undefined;
  const baseline = commit && project ? { commit, dir: project.dir } : undefined;
  try {
    // With --fake-nodes alone, the fake sizes only: the real ones come from the results file.
    const real = reportOnly ? [] : (sizes ?? (fakeNodes ? [] : [nodeCount()]));
    for (const size of real) {
      if (sizes) {
        cluster("up", "--nodes", String(size));
      }
      measured.push(await measureSize(rounds, baseline));
    }
  } finally {
    project?.remove();
    if (sizes && !reportOnly && nodeCount() !== 2) {
      cluster("up", "--nodes", "2");
    }
  }
  const simulated = reportOnly
    ? (readResults()
        .reverse()
        .find((r) => r.simulated)?.simulated ?? [])
    : fakeNodes
      ? await measureFakeNodes(rounds, fakeNodes)
      : measureSimulated(rounds);
  // The latest measurement of each size, this run's first.
  const latest = new Map<number, SizeResult>();
  for (const size of [
    ...measured,
    ...readResults()
      .reverse()
      .flatMap((r) => r.sizes),
  ]) {
    if (!latest.has(size.nodes)) {
      latest.set(size.nodes, size);
    }
  }
  const one = latest.get(1);
  // Each round of a size against one node's median: the sizes are measured one after the other.
  // Goals: 3 nodes within 1.5× one node (the first every-node goal), 4 within 1.2× (the scale
  // issue's).
  const atMost = new Map([
    [3, 1.5],
    [4, 1.2],
  ]);
  const goals = one
    ? [...latest.values()]
        .filter((s) => atMost.has(s.nodes))
        .sort((a, b) => a.nodes - b.nodes)
        .map((s) =>
          goal(
            `every-node check step, ${s.nodes} nodes / 1 node`,
            s.mesh.map((m) => m / median(one.mesh)),
            atMost.get(s.nodes) as number,
            "ratio",
          ),
        )
    : [];
  // The scale issue's goals at 1,000 nodes: the runner's memory, its requests for collection and
  // its time, as simulated. Its reporters file every report at once, so the runner's watch has
  // them all at once; on a cluster the step takes as long as the slowest node's script besides
  // (the watch stays one request however long they take). So the time is a floor.
  const thousand = simulated.find((s) => s.nodes === 1000);
  if (thousand) {
    goals.push(
      goal("the runner's peak memory, 1,000 simulated nodes", thousand.rssMiB, 256, "MiB"),
      goal(
        collectionGoalName(thousand.requests),
        [collectionRequests(thousand.requests)],
        20,
        "requests",
      ),
      goal(
        "the runner at 1,000 simulated nodes (its reporters answering at once: a floor)",
        thousand.seconds,
        60,
        "s",
      ),
    );
  }
  const run = {
    at: new Date().toISOString(),
    command: `npm run bench:mesh -- ${process.argv.slice(2).join(" ")}`.trim(),
    sizes: measured,
    ...(reportOnly ? {} : { simulated }),
    goals,
  };
  if (!reportOnly) {
    const all = readResults();
    all.push(run as never);
    fs.writeFileSync(RESULTS, JSON.stringify(all, null, 2) + "\n");
  }
  for (const s of [...latest.values()].sort((a, b) => a.nodes - b.nodes)) {
    const ratio = one ? ` (${(median(s.mesh) / median(one.mesh)).toFixed(2)}× one node)` : "";
    const sampled = s.sampled
      ? `, sampled at one echo server per node ${median(s.sampled).toFixed(2)} s (${(median(s.sampled) / median(s.mesh)).toFixed(2)}× every pair)`
      : "";
    console.log(
      `${s.nodes} node${s.nodes === 1 ? "" : "s"}: every-node check step ${median(s.mesh).toFixed(2)} s${ratio}${sampled}, the pair's alone ${median(s.pair).toFixed(2)} s, a path ${s.pathSeconds.toFixed(3)} s (${s.at})`,
    );
  }
  for (const s of measured.filter((m) => m.baseline)) {
    const then = s.baseline as NonNullable<SizeResult["baseline"]>;
    // Round by round: both ran in the same round, one after the other.
    const ratios = s.mesh.map((now, i) => round3(now / then.mesh[i]));
    console.log(
      `${s.nodes} node${s.nodes === 1 ? "" : "s"}, beside ${then.commit.slice(0, 7)}: every-node check step ${median(s.mesh).toFixed(2)} s now, ${median(then.mesh).toFixed(2)} s then; now / then ${median(ratios).toFixed(2)} (rounds ${ratios.join(", ")})`,
    );
  }
  for (const s of simulated) {
    const kwok = s.readySeconds
      ? ` (kwok: nodes Ready in ${s.readySeconds.nodes.toFixed(1)} s, every mesh pod in ${s.readySeconds.pods.toFixed(1)} s; HTTP requests to the API server ${describeRequests(s.apiRequests ?? {})})`
      : "";
    const reporting = s.planBytes === undefined ? "" : `; ${describeReporting(s)}`;
    console.log(
      `${s.nodes} simulated nodes: the runner ${median(s.seconds).toFixed(2)} s, its peak memory ${median(s.rssMiB)} MiB, its API requests ${describeRequests(s.requests)}${reporting}${kwok} (${s.at})`,
    );
  }
  goals.forEach((g) => console.log(formatGoal(g)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
