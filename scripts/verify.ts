/**
 * `npm run verify`: re-runs the connectivity checks against the deployed stack without changing
 * it, and prints the report. It reads the stack's outputs and config through the Pulumi CLI, so it
 * checks exactly what `pulumi up` deployed, and exits 1 when a check fails.
 */
import { execFileSync } from "node:child_process";
import { renderReport } from "../checks/report";
import { kubectl } from "../checks/kubectl";
import { runChecks } from "../checks/runChecks";
import { LAB_NAMES } from "../components/names";
import { kubeconfigFile, parseLabConfig, readRawLabConfig } from "../config";
import { StackOutputs } from "./lib/stackOutputs";

function pulumiJson<T>(args: string[]): T {
  const stack = process.env.PULUMI_STACK ? ["--stack", process.env.PULUMI_STACK] : [];
  return JSON.parse(
    execFileSync("pulumi", [...args, ...stack, "--json"], { encoding: "utf8" }),
  ) as T;
}

async function main(): Promise<number> {
  const outputs = pulumiJson<Partial<StackOutputs>>(["stack", "output"]);
  const missing = (
    [
      "namespace",
      "nginxPodIp",
      "busyboxPodIp",
      "serviceClusterIp",
      "nginxNode",
      "busyboxNode",
    ] as const
  ).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new Error(`the stack has no ${missing.join(", ")} output; run pulumi up first`);
  }
  const { namespace, nginxPodIp, busyboxPodIp, serviceClusterIp, nginxNode, busyboxNode } =
    outputs as StackOutputs;
  const rawConfig = pulumiJson<Record<string, { value?: string }>>(["config"]);
  const value = (key: string) => rawConfig[key]?.value;
  const config = parseLabConfig(readRawLabConfig((key) => value(`pod-to-pod:${key}`)));

  const kubeconfig = value("kubernetes:kubeconfig");
  const env = kubeconfig ? { ...process.env, KUBECONFIG: kubeconfigFile(kubeconfig) } : process.env;
  const verification = await runChecks(
    {
      namespace,
      serverPod: LAB_NAMES.serverPod,
      clientPod: LAB_NAMES.clientPod,
      clientContainer: LAB_NAMES.clientContainer,
      serviceName: LAB_NAMES.service,
      serverPodIp: nginxPodIp,
      clientPodIp: busyboxPodIp,
      serverNode: nginxNode,
      clientNode: busyboxNode,
      serviceClusterIp,
      servicePort: config.servicePort,
      serverPort: config.nginx.port,
      clusterDomain: config.clusterDomain,
      pingCount: config.checks.pingCount,
      timeoutSeconds: config.checks.timeoutSeconds,
    },
    (args, timeoutMs) => kubectl(args, timeoutMs, env),
    value("kubernetes:context"),
  );
  process.stdout.write(renderReport(verification) + "\n");
  return verification.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
