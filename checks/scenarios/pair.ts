import { summarize } from "../judge/diagnose";
import { parseEndpointSlices, ServiceEndpoint } from "../judge/endpoints";
import { evaluateChecks, NodePodCidrs, parseNodePodCidrs } from "../judge/evaluate";
import { egressRestrictedBy, ingressVerdict, NetworkPolicyJson } from "../judge/networkPolicy";
import { evaluatePolicyChecks, PolicyFacts } from "../judge/policyChecks";
import { applyVerdicts, pairClaims } from "../judge/witnessed";
import { clientScript, strangerScript } from "../plan/pairProbes";
import { endpointSlicesArgs, execScript, KubectlRunner, readResult } from "../probe/exec";
import { KubectlResult } from "../probe/kubectl";
import { newRunNonce, ScriptOutput } from "../probe/script";
import { logSinceTime, readServerLogs } from "../witness/readLogs";
import { witnessToken } from "../witness/request";
import { CheckPlan, CheckResult, Verification } from "../contract/types";

/** Raised when the checks could not run at all (as opposed to running and failing). */
export class CheckRunError extends Error {}

/** What the runner adds to the results: when, and which runner. */
export interface RunStamp {
  /** The runner's version (see runnerVersion). */
  readonly runnerVersion: string;
  /** The clock, injectable for tests. */
  readonly now?: () => Date;
}

interface PodJson {
  metadata?: { namespace?: string; name?: string; uid?: string; labels?: Record<string, string> };
  status?: { podIP?: string };
}

/**
 * When something other than the nginx pod answered at its IP, the API server can say what now has
 * that address: evidence a person can act on ("a pod took the IP"). Asked only then, and best
 * effort: listing pods across namespaces may not be allowed.
 */
async function nameWhoAnswered(
  results: CheckResult[],
  plan: CheckPlan,
  run: KubectlRunner,
  context: string[],
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
    (stdout) => (JSON.parse(stdout) as { items?: PodJson[] }).items ?? [],
  );
  const owners =
    found instanceof Error
      ? `the API server could not say which pod has ${plan.serverPodIp}: ${found.message.split("\n")[0]}`
      : found.length === 0
        ? `no pod has ${plan.serverPodIp} now`
        : `${plan.serverPodIp} belongs to ${found.map((p) => `pod ${p.metadata?.namespace}/${p.metadata?.name} (uid ${p.metadata?.uid})`).join(", ")}`;
  return results.map((r) => (r === podIp ? { ...r, detail: `${r.detail}; ${owners}` } : r));
}

/**
 * The API's view of who may reach nginx, and of what limits the stranger's own egress: the
 * namespace's policies and the lab pods' labels.
 */
function policyFacts(plan: CheckPlan, policies: KubectlResult, pods: KubectlResult): PolicyFacts {
  const read = readResult(
    policies,
    (stdout) => (JSON.parse(stdout) as { items?: NetworkPolicyJson[] }).items ?? [],
  );
  const lab = readResult(
    pods,
    (stdout) => (JSON.parse(stdout) as { items?: PodJson[] }).items ?? [],
  );
  if (read instanceof Error) {
    return read;
  }
  if (lab instanceof Error) {
    return lab;
  }
  const peer = (name: string) => {
    const pod = lab.find((p) => p.metadata?.name === name);
    return { name, labels: pod?.metadata?.labels ?? {}, ip: pod?.status?.podIP ?? "" };
  };
  return {
    ...ingressVerdict(read, peer(plan.serverPod), peer(plan.clientPod), {
      number: plan.serverPort,
      name: "http",
    }),
    strangerEgressBy: plan.policy ? egressRestrictedBy(read, peer(plan.policy.strangerPod)) : [],
  };
}

/**
 * Runs the pair's checks: one `kubectl exec` into the client carries all its probes, one into the
 * stranger (with NetworkPolicy isolation) runs beside it; with a stranger the API reads (nodes,
 * EndpointSlices, policies, the lab's pods) wait for the client's exec, so the two execs, the
 * run's critical path, start without four more kubectl processes competing for the machine's CPU.
 * Then the server's own log witnesses every HTTP pass and every refusal.
 */
export async function runChecks(
  plan: CheckPlan,
  run: KubectlRunner,
  stamp: RunStamp,
  kubeContext?: string,
): Promise<Verification> {
  const context = kubeContext ? ["--context", kubeContext] : [];
  const startedAt = (stamp.now ?? (() => new Date()))();
  const checkedAt = startedAt.toISOString();
  const apiBudgetMs = plan.timeoutSeconds * 1000 + 10_000;
  const nonce = newRunNonce();
  const strangerNonce = newRunNonce();
  const pod = (name: string, container: string) => ({ namespace: plan.namespace, name, container });
  const stranger = plan.policy
    ? execScript(
        run,
        context,
        pod(plan.policy.strangerPod, plan.policy.strangerContainer),
        strangerScript(plan, plan.policy, strangerNonce),
        plan.timeoutSeconds,
      )
    : undefined;
  const client = execScript(
    run,
    context,
    pod(plan.clientPod, plan.clientContainer),
    clientScript(plan, nonce),
    plan.timeoutSeconds,
  );
  // With a stranger, its refusal is the longest wait and nothing is judged before it ends: the
  // reads can wait for the client's exec. Without one, they run alongside it.
  const settled = plan.policy
    ? client.then(
        () => undefined,
        () => undefined,
      )
    : Promise.resolve();
  const read = (args: readonly string[]) => settled.then(() => run(args, apiBudgetMs));
  const nodes = [...new Set([plan.serverNode, plan.clientNode])];
  const [clientRun, nodeList, slices, policies, labPods, strangerRun] = await Promise.all([
    client,
    read([...context, "get", "nodes", ...nodes, "-o", "json"]),
    read(endpointSlicesArgs(context, plan.namespace, plan.serviceName)),
    plan.policy
      ? read([...context, "get", "networkpolicies", "-n", plan.namespace, "-o", "json"])
      : undefined,
    plan.policy
      ? read([
          ...context,
          "get",
          "pods",
          "-n",
          plan.namespace,
          plan.serverPod,
          plan.clientPod,
          plan.policy.strangerPod,
          "-o",
          "json",
        ])
      : undefined,
    stranger,
  ]);
  const output = ranOrThrow(clientRun);
  const cidrs: NodePodCidrs | Error = readResult(nodeList, parseNodePodCidrs);
  const endpoints: ServiceEndpoint[] | Error = readResult(slices, parseEndpointSlices);
  const results = await nameWhoAnswered(
    evaluateChecks(plan, output.sections, cidrs, endpoints),
    plan,
    run,
    context,
  );
  const policyResults =
    plan.policy && strangerRun && policies && labPods
      ? evaluatePolicyChecks(
          plan,
          plan.policy,
          ranOrThrow(strangerRun).sections,
          policyFacts(plan, policies, labPods),
        )
      : [];
  const probed = [...results, ...policyResults];
  const claims = pairClaims(probed, plan, witnessToken(nonce), witnessToken(strangerNonce));
  const logs = await readServerLogs(
    {
      run,
      context,
      namespace: plan.namespace,
      pods: new Map([[plan.serverPod, plan.serverPod]]),
      tokens: [witnessToken(nonce), witnessToken(strangerNonce)],
      since: logSinceTime(startedAt.getTime()),
      timeoutMs: apiBudgetMs,
      parallelism: 1,
    },
    claims,
  );
  return summarize(applyVerdicts(probed, claims, logs, plan), {
    checkedAt,
    runnerVersion: stamp.runnerVersion,
  });
}

function ranOrThrow(output: ScriptOutput | Error): ScriptOutput {
  if (output instanceof Error) {
    throw new CheckRunError(output.message);
  }
  return output;
}
