import { citeFailed, diagnose, Findings, FoundNode } from "../../judge/diagnose";
import { IMPOSTOR } from "../../judge/paths";
import {
  apiObjects,
  ApiObject,
  endpointsOf,
  nodesOf,
  ofKind,
  podsOf,
  ServiceEndpoint,
} from "../../probe/cluster";
import { judgePairPaths, LabNodes, pairChecks } from "./checks";
import { egressRestrictedBy, ingressVerdict } from "../../judge/networkPolicy";
import { judgeStrangerPaths, PolicyFacts, policyChecks } from "./isolation";
import { pairClaims, witnessPair } from "./witness";
import { clientScript, strangerScript } from "./probes";
import { KubectlRunner, readResult } from "../../probe/exec";
import { newRunNonce, ScriptOutput } from "../../probe/script";
import { logSinceTime, readServerLogs } from "../../witness/readLogs";
import { witnessToken } from "../../witness/request";
import { CheckName, CheckPlan, CheckResult } from "../../contract/types";
import { Prober, Scenario, ScenarioEnv } from "../scenario";

/**
 * The pair's checks as a diagnosis reads them: one path, the client's to the nginx pod (its HTTP,
 * ping and full-size checks), and the client's own network (eth0, routes, its node's answer).
 */
export function pairFindings(checks: readonly CheckResult[]): Findings {
  const check = (name: CheckName) => checks.find((c) => c.name === name);
  const ok = (name: CheckName) => check(name)?.ok ?? false;
  const fact = (name: CheckName, key: string) => check(name)?.facts?.[key];
  const line = (name: CheckName) => `${name}: ${check(name)?.detail ?? ""}`;
  const cross = fact("pod-cidr", "crossNode") === true;
  const from = String(fact("pod-cidr", "clientNode") ?? "the client's node");
  const to = cross ? String(fact("pod-cidr", "serverNode") ?? "the server's node") : from;
  const impostor = IMPOSTOR.includes(String(fact("pod-ip-http", "failure")));
  const outcome = ok("pod-ip-http")
    ? check("path-mtu") && !ok("path-mtu")
      ? "mtu"
      : "pass"
    : ok("ping")
      ? impostor
        ? "unserved"
        : "http"
      : "fail";
  const mtu = fact("path-mtu", "podMtu") ?? fact("pod-interface", "mtu");
  const gateway = `pod-routes: gateway ${String(fact("pod-routes", "gateway"))} answers ping`;
  const client: FoundNode = {
    name: from,
    podMtu: typeof mtu === "number" ? mtu : undefined,
    ownNode: {
      answers: fact("pod-routes", "gatewayAnswers") === true,
      evidence: [line("pod-cidr"), gateway],
    },
  };
  const cited =
    outcome === "mtu"
      ? [...citeFailed(checks, "path-mtu"), line("pod-ip-http"), line("pod-interface")]
      : citeFailed(checks, "pod-ip-http", "ping");
  return {
    nodes: cross ? [client, { name: to }] : [client],
    paths: [{ from, to, outcome, server: "the lab's nginx pod", detail: "", cited }],
    nodePaths: [],
    fetches: [],
    checks,
  };
}

/**
 * The kinds the pair reads from its namespace in one list: its Service's EndpointSlices, and with
 * isolation the pods and the policies (a user's role need not allow those without it).
 */
function labKinds(plan: CheckPlan): string {
  return plan.policy ? "endpointslices,pods,networkpolicies" : "endpointslices";
}

/** Raised when the checks could not run at all (as opposed to running and failing). */
export class CheckRunError extends Error {}

/**
 * When something other than the nginx pod answered at its IP, the API server can say what now has
 * that address: evidence a person can act on ("a pod took the IP"). Asked only then, and best
 * effort: listing pods across namespaces may not be allowed.
 */
async function nameWhoAnswered(
  results: CheckResult[],
  plan: CheckPlan,
  run: KubectlRunner,
  context: readonly string[],
): Promise<CheckResult[]> {
  const podIp = results.find((r) => r.name === "pod-ip-http");
  if (!podIp || podIp.ok || podIp.facts?.failure !== "wrong-server") {
    return results;
  }
  const found = readResult(
    await run(
      [
        ...context,
        "get",
        "pods",
        "-A",
        "--field-selector",
        `status.podIP=${plan.serverPodIp}`,
        "-o",
        "json",
      ],
      plan.timeoutSeconds * 1000 + 10_000,
    ),
    (json) => podsOf(apiObjects(json)),
  );
  const owners =
    found instanceof Error
      ? `the API server could not say which pod has ${plan.serverPodIp}: ${found.message.split("\n")[0]}`
      : found.length === 0
        ? `no pod has ${plan.serverPodIp} now`
        : `${plan.serverPodIp} belongs to ${found.map((p) => `pod ${p.namespace}/${p.name} (uid ${p.uid})`).join(", ")}`;
  return results.map((r) => (r === podIp ? { ...r, detail: `${r.detail}; ${owners}` } : r));
}

/**
 * The API's view of who may reach nginx, and of what limits the stranger's own egress: the
 * namespace's policies and the lab pods' labels.
 */
function policyFacts(plan: CheckPlan, lab: readonly ApiObject[]): PolicyFacts {
  const pods = podsOf(lab);
  const peer = (name: string) =>
    pods.find((pod) => pod.name === name) ?? { name, labels: {}, ip: "" };
  const policies = ofKind(lab, "NetworkPolicy");
  return {
    ...ingressVerdict(policies, peer(plan.serverPod), peer(plan.clientPod), {
      number: plan.serverPort,
      name: "http",
    }),
    strangerEgressBy: plan.policy
      ? egressRestrictedBy(policies, peer(plan.policy.strangerPod))
      : [],
    serverIp: peer(plan.serverPod).ip,
  };
}

/**
 * The pair as a scenario: the client probes the nginx pod and the Service (one exec carries all its
 * probes), the stranger (with NetworkPolicy isolation) is refused beside it. With a stranger the
 * API reads (nodes, EndpointSlices, policies, the lab's pods) wait for the execs, so the two execs,
 * the run's critical path, start without four more kubectl processes competing for the CPU;
 * without one, they run alongside. Then nginx's own log witnesses every HTTP pass and refusal.
 */
export function pairScenario(plan: CheckPlan, env: ScenarioEnv): Scenario {
  const { run, context } = env;
  const apiBudgetMs = plan.timeoutSeconds * 1000 + 10_000;
  const nonce = newRunNonce();
  const strangerNonce = newRunNonce();
  const pod = (name: string, container: string) => ({ namespace: plan.namespace, name, container });
  const read = (args: readonly string[]) => run(args, apiBudgetMs);
  const nodes = [...new Set([plan.serverNode, plan.clientNode])];
  // Two reads: the lab's nodes by name (a cluster's whole node list can be large), and the lab's
  // namespace in one list (labKinds).
  const reads = () =>
    Promise.all([
      read([...context, "get", "nodes", ...nodes, "-o", "json"]),
      read([...context, "get", labKinds(plan), "-n", plan.namespace, "-o", "json"]),
    ]);
  // Without a stranger the reads run beside the client's exec; with one, once the client's exec
  // has ended, while the stranger still waits out its refusals.
  let early: ReturnType<typeof reads> | undefined;
  const { policy } = plan;
  const probers: Prober[] = [
    ...(policy
      ? [
          {
            pod: pod(policy.strangerPod, policy.strangerContainer),
            script: () => strangerScript(plan, policy, strangerNonce),
            slackSeconds: plan.timeoutSeconds,
          },
        ]
      : []),
    {
      pod: pod(plan.clientPod, plan.clientContainer),
      script: () => clientScript(plan, nonce),
      slackSeconds: plan.timeoutSeconds,
    },
  ];
  return {
    probers,
    delivery: "exec",
    parallelism: probers.length,
    // The pair's two scripts print a few kilobytes: kept as they are.
    read: (output) => output,
    beside(runs) {
      const client = runs[runs.length - 1];
      early = plan.policy ? client.then(reads, reads) : reads();
    },
    async finish(runs) {
      const [strangerRun, clientRun] = plan.policy ? runs : [undefined, runs[0]];
      const [nodeList, labList] = await (early ?? reads());
      const sections = ranOrThrow(clientRun).sections;
      const cidrs: LabNodes | Error = readResult(nodeList, (json) => nodesOf(apiObjects(json)));
      const lab = readResult(labList, apiObjects);
      const endpoints: ServiceEndpoint[] | Error =
        lab instanceof Error ? lab : endpointsOf(lab, plan.serviceName);
      const paths = judgePairPaths(plan, sections, endpoints, witnessToken(nonce));
      const facts = plan.policy ? (lab instanceof Error ? lab : policyFacts(plan, lab)) : undefined;
      const strangerSections =
        plan.policy && strangerRun ? ranOrThrow(strangerRun).sections : undefined;
      const stranger =
        plan.policy && strangerSections && facts
          ? judgeStrangerPaths(
              plan,
              plan.policy,
              strangerSections,
              facts,
              unbackedPaths(plan, facts, endpoints),
              witnessToken(strangerNonce),
            )
          : [];
      const evidence = await readServerLogs(
        {
          run,
          context,
          namespace: plan.namespace,
          pods: new Map([[plan.serverPod, plan.serverPod]]),
          tokens: [witnessToken(nonce), witnessToken(strangerNonce)],
          since: logSinceTime(env.startedAt),
          timeoutMs: apiBudgetMs,
          parallelism: 1,
          sleep: env.sleep,
        },
        pairClaims(paths, stranger),
      );
      const witnessed = witnessPair(paths, stranger, evidence, plan);
      const checks = [
        ...(await nameWhoAnswered(
          pairChecks(plan, sections, cidrs, witnessed.paths),
          plan,
          run,
          context,
        )),
        ...(plan.policy && strangerSections && facts
          ? policyChecks(plan, plan.policy, strangerSections, facts, witnessed.stranger)
          : []),
      ];
      const diagnosis = diagnose(pairFindings(checks));
      return { checks, ...(diagnosis ? { diagnosis } : {}) };
    },
  };
}

/**
 * Why a stranger's path has no server behind it, from the API: nginx no longer has the probed IP,
 * or the Service has no ready endpoint. Such a path refuses everyone, the policies or not.
 */
function unbackedPaths(
  plan: CheckPlan,
  facts: PolicyFacts,
  endpoints: readonly ServiceEndpoint[] | Error,
): { podIp?: string; clusterIp?: string } {
  const podIp =
    facts instanceof Error || facts.serverIp === plan.serverPodIp
      ? undefined
      : `${plan.serverPod} does not have ${plan.serverPodIp} (${facts.serverIp || "no IP"})`;
  const clusterIp =
    endpoints instanceof Error || endpoints.some((endpoint) => endpoint.ready)
      ? undefined
      : `${plan.serviceName} has no ready endpoint`;
  return { ...(podIp ? { podIp } : {}), ...(clusterIp ? { clusterIp } : {}) };
}

function ranOrThrow(output: ScriptOutput | Error | undefined): ScriptOutput {
  if (output instanceof Error || output === undefined) {
    throw new CheckRunError(output?.message ?? "the client did not run");
  }
  return output;
}
