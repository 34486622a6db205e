/**
 * The main job where no Pulumi toolchain can be built (docs/toolchain.md): renders the program's
 * objects through the Pulumi runtime's mocks (scripts/render.ts), applies them with kubectl, waits
 * as `pulumi up` would, runs the same checks the ConnectivityCheck runs, and writes what would
 * have been the stack outputs to reports/outputs.json. Exits 1 when a check fails.
 *
 * Config: RENDER_CONFIG, a JSON object of pod-to-pod:* keys, as for scripts/render.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { kubectl } from "../checks/kubectl";
import { renderReport } from "../checks/report";
import { runChecks } from "../checks/runChecks";
import { parseLabConfig, readRawLabConfig } from "../config";
import { mustKubectl, observePlan, waitForLab } from "./lib/kubectlLab";
import { mustRun } from "./lib/runCommand";
import { StackOutputs } from "./lib/stackOutputs";

const ROOT = path.resolve(__dirname, "..");

async function main(): Promise<number> {
  const raw = JSON.parse(process.env.RENDER_CONFIG ?? "{}") as Record<string, string>;
  // Validate first, as the program does: a bad value fails before anything is applied.
  const config = parseLabConfig(readRawLabConfig((key) => raw[`pod-to-pod:${key}`]));

  const rendered = mustRun("node_modules/.bin/tsx", ["scripts/render.ts"]);
  process.stderr.write(mustKubectl(["apply", "-f", "-"], rendered.stdout));
  waitForLab(config.namespace, config.podReadyTimeoutSeconds);
  const plan = observePlan(config.namespace, {
    servicePort: config.servicePort,
    serverPort: config.nginx.port,
    clusterDomain: config.clusterDomain,
    pingCount: config.checks.pingCount,
    timeoutSeconds: config.checks.timeoutSeconds,
  });
  const verification = await runChecks(plan, (args, timeoutMs) => kubectl(args, timeoutMs));
  const report = renderReport(verification);
  const outputs: StackOutputs = {
    namespace: plan.namespace,
    nginxPodIp: plan.serverPodIp,
    busyboxPodIp: plan.clientPodIp,
    serviceClusterIp: plan.serviceClusterIp,
    nginxNode: plan.serverNode,
    busyboxNode: plan.clientNode,
    verification,
    report,
  };
  fs.mkdirSync(path.join(ROOT, "reports"), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, "reports/outputs.json"),
    JSON.stringify(outputs, null, 2) + "\n",
  );
  process.stdout.write(report + "\n");
  return verification.failed > 0 && !config.checks.reportOnly ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`deploy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
