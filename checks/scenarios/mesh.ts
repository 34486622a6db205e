import { mapBounded } from "../probe/boundedPool";
import { parseEndpointSlices } from "../judge/endpoints";
import { evaluateMesh, meshTargets, MeshRun, MeshService } from "../judge/meshEvaluate";
import { meshLayout, parseMeshPods, parseSchedulableNodes } from "../plan/meshLayout";
import { meshClientScript, meshRequest, nodeProbeScript } from "../plan/meshProbes";
import { diagnoseMesh } from "../judge/diagnose";
import { meshChecks, meshReport } from "../judge/meshSummary";
import { MeshLayout, MeshPlan, MeshPod, MeshReport } from "../contract/meshTypes";
import { witnessMesh } from "../judge/witnessed";
import {
  endpointSlicesArgs,
  execScript,
  kubectlError,
  KubectlRunner,
  readResult,
} from "../probe/exec";
import { newRunNonce } from "../probe/script";
import { logSinceTime, readServerLogs } from "../witness/readLogs";
import { witnessToken } from "../witness/request";
import { CheckResult, Diagnosis } from "../contract/types";

/** What the mesh adds to a verification. */
export interface MeshOutcome {
  readonly checks: readonly CheckResult[];
  readonly report: MeshReport;
  readonly diagnosis?: Diagnosis;
}

/** How long the runner waits for every node's mesh pods to be Ready (a node just joined). */
export function meshReadyBoundMs(plan: MeshPlan): number {
  return Math.max(30_000, 4 * plan.timeoutSeconds * 1000);
}

/** The mesh as the API server has it now: nodes, the three DaemonSets' pods, the Service's IP. */
async function readLayout(
  plan: MeshPlan,
  run: KubectlRunner,
  context: readonly string[],
): Promise<{ layout: MeshLayout; service: MeshService } | Error> {
  const budget = plan.timeoutSeconds * 1000 + 10_000;
  const pods = (selector: string) =>
    run([...context, "get", "pods", "-n", plan.namespace, "-l", selector, "-o", "json"], budget);
  const [nodes, echo, clients, probes, service, slices] = await Promise.all([
    run([...context, "get", "nodes", "-o", "json"], budget),
    pods(plan.echoSelector),
    pods(plan.clientSelector),
    plan.nodeProbeSelector ? pods(plan.nodeProbeSelector) : Promise.resolve(undefined),
    run(
      [
        ...context,
        "get",
        "service",
        "-n",
        plan.namespace,
        plan.serviceName,
        "-o",
        "jsonpath={.spec.clusterIP}",
      ],
      budget,
    ),
    run(endpointSlicesArgs(context, plan.namespace, plan.serviceName), budget),
  ]);
  const read = {
    nodes: readResult(nodes, parseSchedulableNodes),
    echo: readResult(echo, parseMeshPods),
    clients: readResult(clients, parseMeshPods),
    probes: probes ? readResult(probes, parseMeshPods) : undefined,
  };
  for (const [what, value] of Object.entries(read)) {
    if (value instanceof Error) {
      return new Error(
        `the mesh's ${what} could not be read from the API server: ${value.message}`,
      );
    }
  }
  if (service.code !== 0) {
    return new Error(
      `the mesh's Service ${plan.serviceName} could not be read: ${kubectlError(service.stderr)}`,
    );
  }
  return {
    layout: meshLayout(
      read.nodes as string[],
      read.echo as MeshPod[],
      read.clients as MeshPod[],
      read.probes as MeshPod[] | undefined,
    ),
    service: {
      name: plan.serviceName,
      fqdn: `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`,
      clusterIp: service.stdout.trim(),
      // Every ready endpoint must be an echo server of the mesh (judge/probes.ts's checkIdentity).
      endpoints: readResult(slices, parseEndpointSlices),
    },
  };
}

/**
 * Runs the mesh: waits (bounded) until every schedulable node has its mesh pods Ready, then execs
 * one script into each node's client and one into each node's probe, `parallelism` at a time, and
 * reads what they saw into checks, the compact report and a diagnosis.
 */
export async function runMesh(
  plan: MeshPlan,
  run: KubectlRunner,
  kubeContext?: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => number = Date.now,
): Promise<MeshOutcome> {
  const context = kubeContext ? ["--context", kubeContext] : [];
  const startedAt = now();
  const deadline = startedAt + meshReadyBoundMs(plan);
  let read = await readLayout(plan, run, context);
  while (!(read instanceof Error) && read.layout.missing.length > 0 && now() < deadline) {
    await sleep(1000);
    read = await readLayout(plan, run, context);
  }
  if (read instanceof Error) {
    throw read;
  }
  const { layout, service } = read;
  const targets = meshTargets(layout);
  const scriptTargets = targets.map(({ index, node, pod }) => ({ index, node, ip: pod.ip }));
  // A nonce per script marks its output; the token each derives from it goes into its requests.
  type Task = { kind: "client" | "node"; node: string; pod: MeshPod; nonce: string };
  const tasks: Task[] = [
    ...layout.nodes.flatMap((node): Task[] => {
      const pod = layout.clients.get(node);
      return pod?.ready ? [{ kind: "client", node, pod, nonce: newRunNonce() }] : [];
    }),
    ...layout.nodes.flatMap((node): Task[] => {
      const pod = layout.nodeProbes.get(node);
      return pod?.ready ? [{ kind: "node", node, pod, nonce: newRunNonce() }] : [];
    }),
  ];
  const runs = await mapBounded(tasks, plan.parallelism, (task) =>
    execScript(
      run,
      context,
      {
        namespace: plan.namespace,
        name: task.pod.name,
        container: task.kind === "client" ? plan.clientContainer : plan.nodeProbeContainer,
      },
      task.kind === "client"
        ? meshClientScript(plan, scriptTargets, task.nonce, task.node)
        : nodeProbeScript(
            plan,
            scriptTargets.filter((t) => t.node !== task.node),
            task.nonce,
            task.node,
          ),
      plan.timeoutSeconds,
    ),
  );
  const clientRuns = new Map<string, MeshRun>();
  const nodeRuns = new Map<string, MeshRun>();
  tasks.forEach((task, at) =>
    (task.kind === "client" ? clientRuns : nodeRuns).set(task.node, runs[at]),
  );
  const nonceOf = (kind: "client" | "node", node: string) =>
    tasks.find((task) => task.kind === kind && task.node === node)?.nonce ?? "";
  const probed = evaluateMesh(layout, clientRuns, nodeRuns, service, (kind, from, probe, ip) =>
    meshRequest(plan, nonceOf(kind === "node" ? "node" : "client", from), kind, probe, ip),
  );
  const logs = await readServerLogs(
    {
      run,
      context,
      namespace: plan.namespace,
      pods: new Map([...layout.echo].map(([node, pod]) => [node, pod.name])),
      tokens: tasks.map((task) => witnessToken(task.nonce)),
      since: logSinceTime(startedAt),
      timeoutMs: plan.timeoutSeconds * 1000 + 10_000,
      parallelism: plan.parallelism,
      sleep,
    },
    probed.claims,
  );
  const evaluation = witnessMesh(layout, probed, logs);
  const checks = meshChecks(layout, evaluation, plan.nodeProbeSelector !== undefined);
  const diagnosis = diagnoseMesh(layout, evaluation, checks);
  return { checks, report: meshReport(layout, evaluation), ...(diagnosis ? { diagnosis } : {}) };
}
