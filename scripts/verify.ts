/**
 * `npm run verify`: re-runs the connectivity checks against the deployed stack without changing
 * it, and prints the report. It reads the stack's outputs and config through the Pulumi CLI (the
 * selected stack, or PULUMI_STACK), so it checks exactly what `pulumi up` deployed, with the
 * cluster access the stack's kubernetes provider has, and exits 1 when a check fails.
 */
import { execFileSync } from "node:child_process";
import { renderReport } from "../checks/report";
import { kubectl } from "../checks/kubectl";
import { runChecks } from "../checks/runChecks";
import { LAB_NAMES } from "../components/names";
import { withKubeconfigFile } from "../checks/kubeconfigFile";
import { parseLabConfig, readRawLabConfig } from "../config";
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
  // --show-secrets: kubernetes:kubeconfig is usually a secret, and without it verify would
  // quietly check whatever cluster KUBECONFIG points at instead.
  const rawConfig = pulumiJson<Record<string, { value?: string }>>(["config", "--show-secrets"]);
  const value = (key: string) => rawConfig[key]?.value;
  const config = parseLabConfig(readRawLabConfig((key) => value(`pod-to-pod:${key}`)));

  const check = (env: NodeJS.ProcessEnv) =>
    runChecks(
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
  const kubeconfig = value("kubernetes:kubeconfig");
  const verification = kubeconfig
    ? await withKubeconfigFile(kubeconfig, (file) => check({ ...process.env, KUBECONFIG: file }))
    : await check(process.env);
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
