import { summarize } from "./judge/diagnose";
import { parseEndpointSlices, ServiceEndpoint } from "./judge/endpoints";
import { evaluateChecks, NodeFacts, NodePodCidrs } from "./judge/evaluate";
import { KubectlResult } from "./probe/kubectl";
import {
  buildPodScript,
  MalformedScriptOutputError,
  newRunNonce,
  parseScriptOutput,
  podScriptDeadlineSeconds,
} from "./probe/podScript";
import { ingressVerdict, NetworkPolicyJson } from "./judge/networkPolicy";
import { evaluatePolicyChecks, PolicyFacts } from "./judge/policyChecks";
import {
  applyServerWitness,
  awaitsServerLog,
  logSinceTime,
  parseAccessLog,
  readLogSettled,
  requestsOfRun,
  ServerLog,
  witnessToken,
} from "./witness/serverWitness";
import { buildStrangerScript } from "./probe/strangerScript";
import { CheckPlan, CheckResult, PolicyPlan, Verification } from "./contract/types";

/** Runs kubectl; injected so the orchestration is testable without a cluster. */
export type KubectlRunner = (args: readonly string[], timeoutMs: number) => Promise<KubectlResult>;

/** Raised when the checks could not run at all (as opposed to running and failing). */
export class CheckRunError extends Error {}

function contextArgs(kubeContext: string | undefined): string[] {
  return kubeContext ? ["--context", kubeContext] : [];
}

interface NodeJson {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: Array<{ type?: string; address?: string }> };
}

/** Flannel's own record of how it carries a node's pod traffic (k3s's default CNI). */
const FLANNEL_BACKEND = "flannel.alpha.coreos.com/backend-type";

/**
 * Reads `kubectl get nodes <names> -o json` into what each node says of its pod network. kubectl
 * prints a List for several names but the bare Node for one, so both shapes are read.
 */
export function parseNodePodCidrs(json: string): NodePodCidrs {
  const parsed = JSON.parse(json) as NodeJson & { kind?: string; items?: NodeJson[] };
  const nodes = parsed.kind === "Node" ? [parsed] : (parsed.items ?? []);
  const facts = new Map<string, NodeFacts>();
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (name) {
      const internalIp = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      const backend = node.metadata?.annotations?.[FLANNEL_BACKEND];
      facts.set(name, {
        podCidrs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
        ...(internalIp ? { internalIp } : {}),
        ...(backend ? { overlay: `flannel ${backend}` } : {}),
      });
    }
  }
  return facts;
}

/**
 * kubectl's error, short enough to read: an exec's error repeats the whole URL-encoded script
 * after "?command=", which says nothing the reader needs.
 */
export function kubectlError(stderr: string): string {
  const text = stderr.trim().replace(/\?command=[^"\s]*/g, "?…");
  return (text.length > 600 ? `${text.slice(0, 600)}…` : text) || "no error output";
}

/** What the runner adds to the results: when, and which runner. */
export interface RunStamp {
  /** The runner's version (see runnerVersion). */
  readonly runnerVersion: string;
  /** The clock, injectable for tests. */
  readonly now?: () => Date;
}

function parseOr<T>(result: KubectlResult, parse: (stdout: string) => T): T | Error {
  if (result.code !== 0) {
    return new Error(result.stderr.trim() || `kubectl exited ${result.code}`);
  }
  try {
    return parse(result.stdout);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

interface PodJson {
  metadata?: { namespace?: string; name?: string; uid?: string };
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
  const found = parseOr(
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

interface LabPodJson {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { podIP?: string };
}

/** The API's view of who may reach nginx: the namespace's policies and the two pods' labels. */
function policyFacts(plan: CheckPlan, policies: KubectlResult, pods: KubectlResult): PolicyFacts {
  const read = parseOr(
    policies,
    (stdout) => (JSON.parse(stdout) as { items?: NetworkPolicyJson[] }).items ?? [],
  );
  const lab = parseOr(
    pods,
    (stdout) => (JSON.parse(stdout) as { items?: LabPodJson[] }).items ?? [],
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
  return ingressVerdict(read, peer(plan.serverPod), peer(plan.clientPod), {
    number: plan.serverPort,
    name: "http",
  });
}

/**
 * The stranger's probes, started alongside the client's exec, and the policy reads (`read`, which
 * may hold them back: see apiReads).
 */
async function runPolicyProbes(
  plan: CheckPlan,
  policy: PolicyPlan,
  run: KubectlRunner,
  read: KubectlRunner,
  context: string[],
  nonce: string,
): Promise<CheckResult[]> {
  const apiBudgetMs = plan.timeoutSeconds * 1000 + 10_000;
  const [exec, policies, pods] = await Promise.all([
    run(
      [
        ...context,
        "exec",
        "-n",
        plan.namespace,
        policy.strangerPod,
        "-c",
        policy.strangerContainer,
        "--",
        "sh",
        "-c",
        buildStrangerScript(plan, policy, nonce),
      ],
      (policy.denyBoundSeconds + plan.timeoutSeconds + 30) * 1000,
    ),
    read([...context, "get", "networkpolicies", "-n", plan.namespace, "-o", "json"], apiBudgetMs),
    read(
      [
        ...context,
        "get",
        "pods",
        "-n",
        plan.namespace,
        plan.serverPod,
        plan.clientPod,
        "-o",
        "json",
      ],
      apiBudgetMs,
    ),
  ]);
  let sections;
  try {
    sections = parseScriptOutput(exec.stdout, nonce).sections;
  } catch (error) {
    throw new CheckRunError(
      `the stranger's script output in ${plan.namespace}/${policy.strangerPod} is not what the script prints (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (sections.size === 0) {
    throw new CheckRunError(
      `kubectl exec into ${plan.namespace}/${policy.strangerPod} ran no probe (exit ${exec.code}); the Kubernetes API or the stranger pod is the problem, not the network: ${kubectlError(exec.stderr)}`,
    );
  }
  return evaluatePolicyChecks(plan, policy, sections, policyFacts(plan, policies, pods));
}

/**
 * How the runner reads the API (nodes, EndpointSlices, NetworkPolicies, the lab's pods): at once,
 * or, when `after` is given, once it has settled. With a stranger, its refused requests are the
 * longest wait of a run (a second: see strangerScript.ts), and nothing is evaluated before they
 * end; so the four reads wait for the client's exec, and the two execs, the run's critical path,
 * start without four more kubectl processes competing with them for the machine's CPU. The reads
 * still end long before the stranger's refusal does.
 */
function apiReads(run: KubectlRunner, after?: Promise<unknown>): KubectlRunner {
  if (!after) {
    return run;
  }
  const settled = after.then(
    () => undefined,
    () => undefined,
  );
  return (args, timeoutMs) => settled.then(() => run(args, timeoutMs));
}

/**
 * Runs every check: one `kubectl exec` into the client carries all in-pod probes; one `kubectl get
 * nodes` and one `kubectl get endpointslices` supply the pod CIDRs and the Service's endpoints.
 * With NetworkPolicy isolation, one more exec into the stranger runs alongside, and the policy
 * reads with the others (see apiReads for when they start).
 */
export async function runChecks(
  plan: CheckPlan,
  run: KubectlRunner,
  stamp: RunStamp,
  kubeContext?: string,
): Promise<Verification> {
  const context = contextArgs(kubeContext);
  const checkedAt = (stamp.now ?? (() => new Date()))().toISOString();
  // The script stops itself at its deadline (see podScriptDeadlineSeconds); kubectl gets room for
  // that, for the last probes it stops to notice, and for its own start.
  const execBudgetMs = (podScriptDeadlineSeconds(plan) + plan.timeoutSeconds + 30) * 1000;
  const nodes = [...new Set([plan.serverNode, plan.clientNode])];
  const apiBudgetMs = plan.timeoutSeconds * 1000 + 10_000;
  const nonce = newRunNonce();
  const strangerNonce = newRunNonce();
  let clientExecDone = () => {};
  const clientExecSettled = new Promise<void>((resolve) => (clientExecDone = resolve));
  const read = apiReads(run, plan.policy ? clientExecSettled : undefined);
  // The stranger's exec first: its refusal is the longest wait.
  const policyChecks = plan.policy
    ? runPolicyProbes(plan, plan.policy, run, read, context, strangerNonce)
    : Promise.resolve([]);
  // Settled either way, so a failure of the client's half is not left unhandled meanwhile.
  policyChecks.catch(() => undefined);
  const clientExec = run(
    [
      ...context,
      "exec",
      "-n",
      plan.namespace,
      plan.clientPod,
      "-c",
      plan.clientContainer,
      "--",
      "sh",
      "-c",
      buildPodScript(plan, nonce),
    ],
    execBudgetMs,
  );
  clientExec.then(clientExecDone, clientExecDone);
  const [exec, nodeList, slices] = await Promise.all([
    clientExec,
    read([...context, "get", "nodes", ...nodes, "-o", "json"], apiBudgetMs),
    read(
      [
        ...context,
        "get",
        "endpointslices",
        "-n",
        plan.namespace,
        "-l",
        `kubernetes.io/service-name=${plan.serviceName}`,
        "-o",
        "json",
      ],
      apiBudgetMs,
    ),
  ]);
  let output;
  try {
    output = parseScriptOutput(exec.stdout, nonce);
  } catch (error) {
    if (error instanceof MalformedScriptOutputError) {
      throw new CheckRunError(
        `the pod script's output in ${plan.namespace}/${plan.clientPod} is not what the script prints (${error.message}); no verdict can be drawn from it`,
      );
    }
    throw error;
  }
  if (output.sections.size === 0) {
    throw new CheckRunError(
      `kubectl exec into ${plan.namespace}/${plan.clientPod} ran no probe (exit ${exec.code}); the Kubernetes API or the client pod is the problem, not the network: ${kubectlError(exec.stderr)}`,
    );
  }
  const cidrs: NodePodCidrs | Error = parseOr(nodeList, parseNodePodCidrs);
  const endpoints: ServiceEndpoint[] | Error = parseOr(slices, parseEndpointSlices);
  const results = await nameWhoAnswered(
    evaluateChecks(plan, output.sections, cidrs, endpoints),
    plan,
    run,
    context,
  );
  const probed = [...results, ...(await policyChecks)];
  const witnessed = await withServerWitness(
    probed,
    plan,
    run,
    context,
    [witnessToken(nonce), witnessToken(strangerNonce)],
    checkedAt,
  );
  return summarize(witnessed, { checkedAt, runnerVersion: stamp.runnerVersion });
}

/** The server's access log read back after the probes (see checks/serverWitness.ts). */
async function withServerWitness(
  results: CheckResult[],
  plan: CheckPlan,
  run: KubectlRunner,
  context: string[],
  tokens: readonly string[],
  checkedAt: string,
): Promise<CheckResult[]> {
  const since = logSinceTime(Date.parse(checkedAt));
  const read = async (): Promise<ServerLog> =>
    parseOr(
      await run(
        [...context, "logs", "-n", plan.namespace, plan.serverPod, `--since-time=${since}`],
        plan.timeoutSeconds * 1000 + 10_000,
      ),
      (stdout) => requestsOfRun(parseAccessLog(stdout), tokens),
    );
  const log = await readLogSettled(read, (read) => awaitsServerLog(results, read));
  return applyServerWitness(results, log, plan);
}
