/**
 * One timing of the every-node judging in the checkout at argv[2], on a synthetic mesh of argv[3]
 * nodes, every pair up to argv[4], every probed path passing and logged by its echo server. With
 * argv[5] `report`, `meshReport` alone (checks/scenarios/mesh/checks.ts) on paths made up here;
 * with `judge`, everything the runner does once the scripts have printed: the scripts' sections
 * judged path by path, the echo servers' logs applied, the checks, the diagnosis and the report;
 * with `runner`, the whole run as the runner makes it (checks/runPlan.ts), its kubectl answered by
 * a simulated lab (syntheticMeshCluster.ts): the layout read, the scripts exec'd and their output
 * read, the logs, the verdict.
 * Prints `{"ms": …, "bytes": …, "heapMiB": …, "rssMiB": …}` (the report's JSON size, as the stack
 * output holds it; the heap once done; the process's peak resident memory) and, for `runner`, the
 * API requests it sent by kind. Run by tools/benchMeshReport.ts once per side and round, so each
 * side loads its own code.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { syntheticMeshCluster } from "./syntheticMeshCluster";

type Checks = typeof import("../../checks/scenarios/mesh/checks");
type Coverage = typeof import("../../checks/scenarios/mesh/coverage");
type Paths = typeof import("../../checks/scenarios/mesh/paths");
type Witness = typeof import("../../checks/scenarios/mesh/witness");
type Scenario = typeof import("../../checks/scenarios/mesh");
type Diagnose = typeof import("../../checks/judge/diagnose");
type Request = typeof import("../../checks/witness/request");
type Section = import("../../checks/probe/script").Section;
type Plan = typeof import("../../components/meshPlan");
type RunPlan = typeof import("../../checks/runPlan");
type MeshPlan = import("../../checks/contract/meshTypes").MeshPlan;

const uid = (kind: number, i: number) =>
  `${String(kind).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`;
const section = (output: string): Section => ({ rc: 0, ms: 10, tries: 1, output });
const pinged = (n: number) =>
  `${n} packets transmitted, ${n} packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.2/0.3 ms`;

/**
 * The plan as the lab's program writes it (components/meshPlan.ts), sampled as asked: built in a
 * process of its own, as the program builds it apart from the runner, so the Pulumi SDK its
 * module loads is not counted in the runner's memory.
 */
function planOf(root: string, allPairsUpTo: string): MeshPlan {
  const run = spawnSync("npx", ["tsx", __filename, root, "0", allPairsUpTo, "plan"], {
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`the plan could not be built: ${run.stderr}`);
  }
  return JSON.parse(run.stdout) as MeshPlan;
}

async function main(): Promise<void> {
  const [root, nodesArg, allPairsArg, mode] = process.argv.slice(2);
  if (mode === "plan") {
    const { meshPlanOf } = (await import(path.join(root, "components/meshPlan"))) as Plan;
    const plan = meshPlanOf({
      namespace: "lab",
      servicePort: 80,
      echoPort: 80,
      clusterDomain: "cluster.local",
      timeoutSeconds: 5,
      settings: { parallelism: 8, nodeToPod: true, allPairsUpTo: Number(allPairsArg) },
    });
    process.stdout.write(JSON.stringify(plan));
    return;
  }
  const load = async <T>(module: string) => (await import(path.join(root, module))) as T;
  const { meshReport, meshChecks } = await load<Checks>("checks/scenarios/mesh/checks");
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
  };
  const coverage = meshCoverage(n, Number(allPairsArg), 0);
  const plan = mode === "report" ? undefined : planOf(root, allPairsArg);
  const started = process.hrtime.bigint();
  let report: unknown;
  let requests: Record<string, number> | undefined;
  if (mode === "runner") {
    const { runPlan } = await load<RunPlan>("checks/runPlan");
    const cluster = syntheticMeshCluster(n);
    const verification = await runPlan({ mesh: plan }, cluster.run, {
      runnerVersion: "bench",
    });
    if (verification.failed > 0) {
      const failed = verification.checks.filter((check) => !check.ok);
      throw new Error(
        `the simulated mesh should pass; failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`,
      );
    }
    report = verification.mesh;
    requests = cluster.requests;
  } else if (mode === "judge") {
    const { evaluateMesh } = await load<Paths>("checks/scenarios/mesh/paths");
    const { witnessMesh } = await load<Witness>("checks/scenarios/mesh/witness");
    const { meshFindings } = await load<Scenario>("checks/scenarios/mesh");
    const { diagnose } = await load<Diagnose>("checks/judge/diagnose");
    const { witnessToken } = await load<Request>("checks/witness/request");
    const token = witnessToken("0".repeat(32));
    const clientRuns = new Map(
      nodes.map((node, i) => {
        const sections = new Map<string, Section>([
          ["service", section(uid(1, 0))],
          [
            "dns",
            section(
              "Server: 10.43.0.10\n\nName: mesh-echo.lab.svc.cluster.local\nAddress: 10.43.7.7",
            ),
          ],
          ["gateway-ping", section(pinged(2))],
          [
            "ip-addr",
            section(
              "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP",
            ),
          ],
        ]);
        for (const j of coveredFrom(coverage, i, n)) {
          sections.set(`pod-${j}`, section(uid(1, j)));
          sections.set(`ping-${j}`, section(pinged(2)));
          sections.set(`large-${j}`, section("65536"));
          sections.set(`mtu-${j}`, section(pinged(3)));
        }
        return [node, { sections, complete: true }];
      }),
    );
    const nodeRuns = new Map(
      nodes.map((node, i) => {
        const sections = new Map<string, Section>([["links", section("")]]);
        for (const j of coveredFrom(coverage, i, n).filter((j) => j !== i)) {
          sections.set(`node-${j}`, section(uid(1, j)));
        }
        return [node, { sections, complete: true }];
      }),
    );
    const service = {
      name: "mesh-echo",
      fqdn: "mesh-echo.lab.svc.cluster.local",
      clusterIp: "10.43.7.7",
      endpoints: [...layout.echo.values()].map((pod) => ({
        ip: pod.ip,
        podName: pod.name,
        podUid: pod.uid,
        ready: true,
      })),
    };
    const evaluation = evaluateMesh(
      plan!,
      layout,
      clientRuns,
      nodeRuns,
      service,
      () => token,
      coverage,
    );
    // Each echo server logged what its claims say, from the sender's own address.
    const logs = new Map(nodes.map((node) => [node, new Map<string, unknown[]>()]));
    for (const claim of evaluation.claims) {
      const from = claim.probe.split("/")[1].split("->")[0];
      const remote = claim.sources?.[0] ?? layout.nodeProbes.get(from)!.ip;
      logs.get(claim.server)!.set(claim.probe, [{ remote, ...claim.request, status: 200 }]);
    }
    const witnessed = witnessMesh(layout, evaluation, logs as never);
    const checks = meshChecks(layout, witnessed, true);
    const failed = checks.filter((check) => !check.ok).map((check) => check.name);
    if (failed.length > 0) {
      throw new Error(`the synthetic mesh should pass; failed: ${failed.join(", ")}`);
    }
    diagnose(meshFindings(layout, witnessed, checks));
    report = meshReport(layout, witnessed);
  } else {
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
    report = meshReport(layout, {
      podPaths,
      nodePaths: podPaths.filter((p) => p.from !== p.to),
      clients: [],
      links: new Map(),
      coverage,
      witness: { pod: zero, node: zero, service: zero, unreadable: [] as string[] },
    });
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const rssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const bytes = JSON.stringify(report).length;
  console.log(JSON.stringify({ ms, bytes, heapMiB, rssMiB, ...(requests ? { requests } : {}) }));
}

void main();
