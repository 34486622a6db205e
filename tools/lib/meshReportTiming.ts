/**
 * One timing of the every-node scenario's own work in the checkout at argv[2], on a synthetic
 * mesh of argv[3] nodes, every pair up to argv[4], every probed path passing and logged by its
 * echo server. With argv[5] `report`, `meshReport` alone (checks/scenarios/mesh/checks.ts) on
 * paths made up here; with `runner`, the whole run as the runner makes it (checks/runPlan.ts), its
 * kubectl answered by a simulated lab, in a process of its own (meshRunnerTiming.ts), or with
 * argv[6], a namespace, by the cluster's API server over the fake nodes the mesh there spans: the layout
 * read, the scripts exec'd and their output read and judged, the logs, the verdict, and the API
 * requests it sent, by kind. Prints `{"ms": …, "bytes": …, "heapMiB": …, "rssMiB": …}` (the
 * report's JSON size, as the stack output holds it; the heap once done; the process's peak
 * resident memory). Run by tools/benchMeshReport.ts once per side and round, so each side loads
 * its own code.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { DEFAULTS } from "../../config";

type Checks = typeof import("../../checks/scenarios/mesh/checks");
type Coverage = typeof import("../../checks/scenarios/mesh/coverage");
type Plan = typeof import("../../components/meshPlan");
type MeshPlan = import("../../checks/contract/meshTypes").MeshPlan;

const uid = (kind: number, i: number) =>
  `${String(kind).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`;

/**
 * The plan as the lab's program writes it (components/meshPlan.ts), sampled as asked: built in a
 * process of its own, as the program builds it apart from the runner, so the Pulumi SDK its
 * module loads is not counted in the runner's memory.
 */
function planOf(root: string, allPairsUpTo: string, namespace: string): MeshPlan {
  const run = spawnSync("npx", ["tsx", __filename, root, "0", allPairsUpTo, "plan", namespace], {
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`the plan could not be built: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as MeshPlan;
}

/**
 * The `runner` mode: the checkout's runPlan and meshRunnerTiming.ts bundled by esbuild into a
 * folder of their own, then run by plain node, as the lab's command runs the checks (start.js),
 * on a synthetic lab of `nodes`, or with `namespace` on the cluster's fake nodes
 * (kwokMeshServer.ts: the mesh deployed there, the API server real).
 */
function runnerTiming(root: string, nodes: number, plan: MeshPlan, namespace?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pod-to-pod-bench-"));
  try {
    const bundle = (entry: string, out: string) =>
      esbuild.buildSync({
        entryPoints: [entry],
        outfile: path.join(dir, out),
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node22",
        logLevel: "silent",
      });
    bundle(path.join(root, "checks/runPlan.ts"), "runPlan.js");
    // The runner's own tuning of its process (checks/runtime.ts), where the checkout has one.
    const runtime = path.join(root, "checks/runtime.ts");
    if (fs.existsSync(runtime)) {
      bundle(runtime, "runtime.js");
    }
    bundle(path.join(__dirname, "meshRunnerTiming.ts"), "timing.js");
    bundle(
      path.join(__dirname, namespace ? "kwokMeshServer.ts" : "syntheticMeshServer.ts"),
      "lab.js",
    );
    const planFile = path.join(dir, "plan.json");
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const run = spawnSync(
      process.execPath,
      [
        path.join(dir, "timing.js"),
        path.join(dir, "runPlan.js"),
        planFile,
        path.join(dir, "lab.js"),
        ...(namespace ? [namespace, planFile] : [String(nodes)]),
      ],
      { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
    );
    if (run.status !== 0) {
      throw new Error(`the runner's timing failed: ${run.stderr}`);
    }
    return run.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [root, nodesArg, allPairsArg, mode, namespace] = process.argv.slice(2);
  if (mode === "plan") {
    const { meshPlanOf } = (await import(path.join(root, "components/meshPlan"))) as Plan;
    const plan = meshPlanOf({
      namespace: namespace ?? "lab",
      servicePort: 80,
      echoPort: 80,
      clusterDomain: "cluster.local",
      timeoutSeconds: 5,
      settings: { ...DEFAULTS.mesh, allPairsUpTo: Number(allPairsArg) },
    });
    process.stdout.write(JSON.stringify(plan));
    return;
  }
  if (mode === "runner") {
    // The runner's own process, timed and measured there: nothing of this one counts.
    process.stdout.write(
      runnerTiming(
        root,
        Number(nodesArg),
        planOf(root, allPairsArg, namespace ?? "lab"),
        namespace,
      ),
    );
    return;
  }
  const load = async <T>(module: string) => (await import(path.join(root, module))) as T;
  const { meshReport } = await load<Checks>("checks/scenarios/mesh/checks");
  const { meshCoverage, coveredFrom } = await load<Coverage>("checks/scenarios/mesh/coverage");
  const n = Number(nodesArg);
  const nodes = Array.from({ length: n }, (_, i) => `node-${String(i).padStart(4, "0")}`);
  const pods = (kind: number, ip: (i: number) => string) =>
    new Map(
      nodes.map((node, i) => [
        node,
        { name: `pod-${kind}-${i}`, node, ip: ip(i), uid: uid(kind, i), ready: true },
      ]),
    );
  const layout = {
    nodes,
    echo: pods(1, (i) => `10.${i >> 8}.${i & 255}.10`),
    clients: pods(2, (i) => `10.${i >> 8}.${i & 255}.11`),
    nodeProbes: pods(3, (i) => `192.168.${i >> 8}.${i & 255}`),
    missing: [] as string[],
    ignored: [] as string[],
  };
  const coverage = meshCoverage(n, Number(allPairsArg), 0);
  const started = process.hrtime.bigint();
  const healthy = (from: string, to: string) => ({
    from,
    to,
    outcome: "pass" as const,
    ms: 10,
    detail: "ok",
  });
  const podPaths = nodes.flatMap((from, i) =>
    coveredFrom(coverage, i, n).map((j: number) => healthy(from, nodes[j])),
  );
  const zero = { witnessed: 0, clientsWordAlone: 0, notServed: 0 };
  const report = meshReport(layout, {
    podPaths,
    nodePaths: podPaths.filter((p) => p.from !== p.to),
    clients: [],
    links: new Map(),
    coverage,
    witness: { pod: zero, node: zero, service: zero, unreadable: [] as string[] },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const rssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ms, bytes: JSON.stringify(report).length, heapMiB, rssMiB }));
}

void main();
