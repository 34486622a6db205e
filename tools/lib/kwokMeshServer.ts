/**
 * The lab of bench:mesh's fake nodes (`cluster.sh fake-nodes N`), answering the runner's kubectl
 * calls over IPC as syntheticMeshServer.ts does: what the runner asks the API server (the layout,
 * the wait for every node's pods, the run counter) goes to the real one, with its HTTP requests
 * counted from kubectl's own log (-v=6); the run's own ConfigMap, its plans and reports are not
 * sent to it but simulated (simulatedReports.ts), each pod's report what simulatedProbes.ts says
 * its script printed or its echo server logged, for the pods the API server lists, as nothing runs
 * on a fake node, and counted there as the requests the API server would be sent. Forked by
 * meshRunnerTiming.ts with the namespace and the plan's file; it answers `args` ["bench-requests"]
 * with the real requests so far, by verb and resource, and BENCH_REPORT_REQUESTS with the
 * simulated ones.
 */
import * as fs from "node:fs";
import type { MeshPlan } from "../../checks/contract/meshTypes";
import { kubectl, KubectlResult } from "../../checks/probe/kubectl";
import { LAYOUT_KINDS, parseLayout } from "../../checks/scenarios/mesh/layout";
import { requestOf } from "./kubectlRequests";
import { serveLabOverIpc } from "./labOverIpc";
import { simulatedProbes } from "./simulatedProbes";
import { simulatedReports } from "./simulatedReports";

const [namespace, planFile] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as MeshPlan;

const requests: Record<string, number> = {};

/**
 * A real kubectl run, its requests counted (unless the bench's own) and its log lines taken out of
 * stderr.
 */
async function real(
  args: readonly string[],
  timeoutMs: number,
  counted = true,
): Promise<KubectlResult> {
  const result = await kubectl([...args, "-v=6"], timeoutMs, process.env, { kind: "environment" });
  const kept: string[] = [];
  for (const line of result.stderr.split("\n")) {
    const request = requestOf(line);
    if (request && counted) {
      requests[request] = (requests[request] ?? 0) + 1;
    } else if (!request && !/^I\d{4} /.test(line)) {
      kept.push(line);
    }
  }
  return { ...result, stderr: kept.join("\n") };
}

/** The pods the API server lists now, as the simulated scripts, logs and reports speak of them. */
async function simulation() {
  const listing = await real(["get", LAYOUT_KINDS, "-n", namespace, "-o", "json"], 120_000, false);
  if (listing.code !== 0) {
    throw new Error(`the lab could not be read: ${listing.stderr}`);
  }
  const { layout, clusterIp } = parseLayout(listing.stdout, plan);
  return simulatedProbes(
    layout.nodes.flatMap((node, i) => {
      const [echo, client, probe] = [layout.echo, layout.clients, layout.nodeProbes].map((pods) =>
        pods?.get(node),
      );
      return echo && client && probe
        ? [{ name: node, echo, client, probe, flannel: `100.64.${i >> 8}.${i & 255}` }]
        : [];
    }),
    { fqdn: `${plan.serviceName}.${namespace}.svc.${plan.clusterDomain}`, clusterIp },
  );
}

const reports = simulation().then(simulatedReports);

async function answer(args: readonly string[]): Promise<KubectlResult> {
  const ok = (stdout: string) => ({ code: 0, stderr: "", stdout });
  const [verb] = args;
  if (verb === "bench-requests") {
    return ok(JSON.stringify(requests));
  }
  // Never the real API server's: its fake nodes' pods run no reporter to answer a plan.
  return (await reports).answer(args) ?? real(args, 120_000);
}

serveLabOverIpc(answer);
