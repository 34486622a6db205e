import { ClientRead, meshJudge, meshTargets, MeshService, NodeLinks, NodeRead } from "./paths";
import { coveredNodes, meshCoverage } from "./coverage";
import { takeRunNumber } from "./rotation";
import { LAYOUT_KINDS, parseLayout } from "./layout";
import { meshClientScript, nodeProbeScript } from "./probes";
import { diagnose, Findings, FoundNode, FoundPath } from "../../judge/diagnose";
import { describeLinks, meshChecks, meshReport } from "./checks";
import { MeshLayout, MeshPlan, MeshPod } from "../../contract/meshTypes";
import { WitnessedMesh, witnessMesh } from "./witness";
import { CheckResult } from "../../contract/types";
import { KubectlRunner, readResult } from "../../probe/exec";
import { newRunNonce } from "../../probe/script";
import { LOG_SKEW_MS, logSinceTime, readServerLogs } from "../../witness/readLogs";
import { deliverByReports, openReportRun } from "../../probe/reports";
import { accessLogPlan, REPORTS, SERVERS_PLAN } from "../../contract/reports";
import { witnessToken } from "../../witness/request";
import { Prober, Scenario, ScenarioEnv } from "../scenario";

/** The links a packet crosses on a node, in the order a person compares them. */
function linksOf(links: NodeLinks | undefined): FoundNode["links"] {
  return (
    links && [
      ...(links.nodeLink ? [links.nodeLink] : []),
      ...links.ports,
      ...(links.flannelMtu !== undefined
        ? [{ name: "flannel.1", mtu: links.flannelMtu, vxlan: true }]
        : []),
    ]
  );
}

/**
 * The mesh as a diagnosis reads it: its matrices of paths, each client's Service fetch its echo
 * server must have logged, and each node's client MTU and links.
 */
export function meshFindings(
  layout: MeshLayout,
  witnessed: WitnessedMesh,
  checks: readonly CheckResult[],
): Findings {
  const found = (p: Omit<FoundPath, "server">) => ({ ...p, server: `${p.to}'s echo server` });
  const clients = new Map(witnessed.clients.map((c) => [c.node, c]));
  return {
    nodes: layout.nodes.map((name) => {
      const client = clients.get(name);
      const answers = client?.gatewayAnswers;
      return {
        name,
        podMtu: client?.podMtu,
        links: linksOf(witnessed.links.get(name)),
        linkLine: describeLinks(witnessed.links.get(name)),
        ...(answers === undefined
          ? {}
          : {
              ownNode: {
                answers,
                evidence: [
                  `${name}'s client: its own node (its gateway) ${answers ? "answers" : "does not answer"} ping`,
                ],
              },
            }),
      };
    }),
    paths: witnessed.podPaths.map(found),
    nodePaths: witnessed.nodePaths.map(found),
    fetches: witnessed.clients
      .filter((c) => c.service.unserved)
      .map((c) =>
        found({ ...c.service, from: c.node, to: c.serviceAnsweredBy ?? "?", outcome: "unserved" }),
      ),
    checks,
  };
}

/** How long the runner waits for every node's mesh pods to be Ready (a node just joined). */
export function meshReadyBoundMs(plan: MeshPlan): number {
  return Math.max(30_000, 4 * plan.timeoutSeconds * 1000);
}

/** The mesh as the API server has it now: nodes, the three DaemonSets' pods, the Service. */
async function readLayout(
  plan: MeshPlan,
  run: KubectlRunner,
  context: readonly string[],
): Promise<{ layout: MeshLayout; service: MeshService } | Error> {
  const read = readResult(
    await run(
      [...context, "get", LAYOUT_KINDS, "-n", plan.namespace, "-o", "json"],
      plan.timeoutSeconds * 1000 + 10_000,
    ),
    (json) => parseLayout(json, plan),
  );
  if (read instanceof Error) {
    return new Error(`the mesh could not be read from the API server: ${read.message}`);
  }
  return {
    layout: read.layout,
    service: {
      name: plan.serviceName,
      fqdn: `${plan.serviceName}.${plan.namespace}.svc.${plan.clusterDomain}`,
      clusterIp: read.clusterIp,
      // Every ready endpoint must be an echo server of the mesh (judge/probes.ts's checkIdentity).
      endpoints: read.endpoints,
    },
  };
}

/** What the mesh keeps of a run: a client's or a node probe's, judged. */
type MeshRead = { client: ClientRead; node?: undefined } | { node: NodeRead; client?: undefined };

/**
 * The every-node mesh as a scenario: waits (bounded) until every schedulable node has its mesh pods
 * Ready, then each node's client and node probe run their scripts, `parallelism` at a time, and
 * what they saw is judged path by path, witnessed by the echo servers' logs, and read into the
 * checks, the compact report and a diagnosis.
 */
export async function meshScenario(plan: MeshPlan, env: ScenarioEnv): Promise<Scenario<MeshRead>> {
  const { run, context } = env;
  // The run's own ConfigMap, made beside the layout's read: every delivery of the run files under it.
  const owner = openReportRun(env, plan.namespace);
  const deadline = env.now() + meshReadyBoundMs(plan);
  let read = await readLayout(plan, run, context);
  while (!(read instanceof Error) && read.layout.missing.length > 0 && env.now() < deadline) {
    await env.sleep(1000);
    read = await readLayout(plan, run, context);
  }
  if (read instanceof Error) {
    throw read;
  }
  const { layout, service } = read;
  const n = layout.nodes.length;
  const runNumber = n > plan.allPairsUpTo ? await takeRunNumber(plan, run, context) : 0;
  if (runNumber instanceof Error) {
    throw runNumber;
  }
  const coverage = meshCoverage(n, plan.allPairsUpTo, runNumber);
  const targets = meshTargets(layout).map(({ index, node, pod }) => ({ index, node, ip: pod.ip }));
  // What the node `from` probes this run: the echo servers of the nodes its window covers.
  const targetOn = new Map(targets.map((target) => [target.node, target]));
  const covered = coveredNodes(coverage, layout.nodes);
  const coveredBy = (from: string) => covered(from).flatMap((node) => targetOn.get(node) ?? []);
  // A nonce per script marks its output; the token each derives from it goes into its requests.
  type Task = { kind: "client" | "node"; node: string; pod: MeshPod; nonce: string };
  const tasks: Task[] = (["client", "node"] as const).flatMap((kind) =>
    layout.nodes.flatMap((node): Task[] => {
      const pod = (kind === "client" ? layout.clients : layout.nodeProbes).get(node);
      return pod?.ready ? [{ kind, node, pod, nonce: newRunNonce() }] : [];
    }),
  );
  const probers: Prober[] = tasks.map((task) => ({
    pod: {
      namespace: plan.namespace,
      name: task.pod.name,
      uid: task.pod.uid,
      node: task.node,
      container: task.kind === "client" ? plan.clientContainer : plan.nodeProbeContainer,
    },
    script: () =>
      task.kind === "client"
        ? meshClientScript(plan, coveredBy(task.node), task.nonce, task.node)
        : nodeProbeScript(
            plan,
            coveredBy(task.node).filter((t) => t.node !== task.node),
            task.nonce,
            task.node,
          ),
    slackSeconds: plan.timeoutSeconds,
  }));
  const judge = meshJudge(plan, layout, service, coverage);
  return {
    probers,
    parallelism: plan.parallelism,
    // Every mesh pod runs its script by report: one plan and one watch of the reports, not 2N execs.
    delivery: { reports: plan.namespace, owner },
    read(output, at) {
      const { kind, node, nonce } = tasks[at];
      const token = witnessToken(nonce);
      return kind === "client"
        ? { client: judge.client(node, output, token) }
        : { node: judge.node(node, output, token) };
    },
    async finish(reads) {
      const byNode = <R>(of: (read: MeshRead) => R | undefined) =>
        new Map(
          tasks.flatMap((task, at) => {
            const read = of(reads[at]);
            return read ? [[task.node, read] as const] : [];
          }),
        );
      const evaluation = judge.evaluation(
        byNode((read) => read.client),
        byNode((read) => read.node),
      );
      const evidence = await readServerLogs(
        {
          run,
          context,
          namespace: plan.namespace,
          pods: new Map([...layout.echo].map(([node, pod]) => [node, pod.name])),
          tokens: tasks.map((task) => witnessToken(task.nonce)),
          since: logSinceTime(env.startedAt),
          timeoutMs: plan.timeoutSeconds * 1000 + 10_000,
          parallelism: plan.parallelism,
          sleep: env.sleep,
          // Every echo server's log by its reporter, in one plan and one watch of the reports.
          readAll: (servers) =>
            deliverByReports(
              env,
              plan.namespace,
              owner,
              servers
                .map((node) => layout.echo.get(node)!)
                .map((pod) => ({
                  pod: {
                    namespace: plan.namespace,
                    name: pod.name,
                    uid: pod.uid,
                    node: pod.node,
                    container: REPORTS.reporterContainer,
                  },
                  planFor: SERVERS_PLAN,
                  plan: () => ({
                    entry: accessLogPlan(env.startedAt - LOG_SKEW_MS),
                    withinMs: plan.timeoutSeconds * 1000,
                  }),
                  read: (text: string) => text,
                })),
            ),
        },
        evaluation.claims,
      );
      const witnessed = witnessMesh(layout, evaluation, evidence);
      const checks = meshChecks(layout, witnessed, plan.nodeProbeSelector !== undefined);
      const diagnosis = diagnose(meshFindings(layout, witnessed, checks));
      return {
        checks,
        mesh: meshReport(layout, witnessed),
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  };
}
