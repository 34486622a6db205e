import { summarize } from "./diagnose";
import { evaluateChecks, NodeFacts, NodePodCidrs } from "./evaluate";
import { KubectlResult } from "./kubectl";
import { buildPodScript, parseSections, PROBE_ATTEMPTS, serviceNameLagBoundMs } from "./podScript";
import { CheckPlan, Verification } from "./types";

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
 * Runs every check: one `kubectl exec` into the client carries all in-pod probes, and one
 * `kubectl get nodes`, started at the same time, supplies the pod CIDRs.
 */
export async function runChecks(
  plan: CheckPlan,
  run: KubectlRunner,
  kubeContext?: string,
): Promise<Verification> {
  const context = contextArgs(kubeContext);
  // The wait for the Service is bounded (by the longer, NXDOMAIN bound at most), every probe is
  // bounded by the plan's timeout and tried at most PROBE_ATTEMPTS times, a second apart; kubectl
  // gets room for all of that plus its start.
  const networkProbes = 6;
  const execBudgetMs =
    serviceNameLagBoundMs(plan) +
    // The last round of the wait may start just before the bound: two 2 s probes.
    4000 +
    (networkProbes * PROBE_ATTEMPTS * (plan.timeoutSeconds + 1) +
      plan.timeoutSeconds +
      plan.pingCount +
      30) *
      1000;
  const nodes = [...new Set([plan.serverNode, plan.clientNode])];
  const [exec, nodeList] = await Promise.all([
    run(
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
        buildPodScript(plan),
      ],
      execBudgetMs,
    ),
    run([...context, "get", "nodes", ...nodes, "-o", "json"], plan.timeoutSeconds * 1000 + 10_000),
  ]);
  const sections = parseSections(exec.stdout);
  if (sections.size === 0) {
    throw new CheckRunError(
      `kubectl exec into ${plan.namespace}/${plan.clientPod} ran no probe (exit ${exec.code}); the Kubernetes API or the client pod is the problem, not the network: ${exec.stderr.trim() || "no error output"}`,
    );
  }
  let cidrs: NodePodCidrs | Error;
  try {
    cidrs =
      nodeList.code === 0
        ? parseNodePodCidrs(nodeList.stdout)
        : new Error(nodeList.stderr.trim() || `kubectl exited ${nodeList.code}`);
  } catch (error) {
    cidrs = error instanceof Error ? error : new Error(String(error));
  }
  return summarize(evaluateChecks(plan, sections, cidrs));
}
